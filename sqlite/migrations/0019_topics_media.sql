-- Special topics and works (issue 9). A figure profile names its figure and
-- a video piece its film: JSON objects on the article, kept in its revisions
-- like the rest of its content ('null' when absent).
ALTER TABLE articles ADD COLUMN figure TEXT NOT NULL DEFAULT 'null';
ALTER TABLE articles ADD COLUMN video TEXT NOT NULL DEFAULT 'null';
CREATE INDEX articles_kind ON articles (kind, status);

-- Uploaded films. The bytes are files in the file store (too large for rows),
-- named by their hash, so one file serves every upload of the same bytes.
CREATE TABLE video_files (
	id           INTEGER PRIMARY KEY,
	sha256       TEXT NOT NULL UNIQUE,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	duration_ms  INTEGER NOT NULL DEFAULT 0,
	filename     TEXT NOT NULL DEFAULT '',
	uploaded_by  INTEGER NOT NULL REFERENCES staff (id),
	created_at   TEXT NOT NULL
);

-- Campaign pages (专题): ordered sections, each listing chosen articles.
CREATE TABLE topics (
	id           INTEGER PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	intro        TEXT NOT NULL DEFAULT '',
	cover_image  TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'draft',
	created_by   INTEGER NOT NULL REFERENCES staff (id),
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	published_at TEXT
);

CREATE TABLE topic_sections (
	topic_id INTEGER NOT NULL REFERENCES topics (id),
	position INTEGER NOT NULL,
	heading  TEXT NOT NULL,
	PRIMARY KEY (topic_id, position)
);

CREATE TABLE topic_items (
	topic_id   INTEGER NOT NULL REFERENCES topics (id),
	section    INTEGER NOT NULL,
	position   INTEGER NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id),
	PRIMARY KEY (topic_id, section, position),
	UNIQUE (topic_id, article_id)
);
CREATE INDEX topic_items_article ON topic_items (article_id);
