-- The newsroom's editor: uploaded images, autosaved drafts, the sensitive-word
-- list, per-column checklists, and per-user preferences and second factors.
ALTER TABLE staff ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE columns ADD COLUMN checklist TEXT NOT NULL DEFAULT '{}';
-- Where each article is to go: a JSON list of channels.
ALTER TABLE articles ADD COLUMN channels TEXT NOT NULL DEFAULT '["website"]';
-- 1 while a sign-in waits for the authenticator code.
ALTER TABLE sessions ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

CREATE TABLE media (
	id          INTEGER PRIMARY KEY,
	sha256      TEXT NOT NULL,
	format      TEXT NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	filename    TEXT NOT NULL DEFAULT '',
	uploaded_by INTEGER NOT NULL REFERENCES staff (id),
	created_at  TEXT NOT NULL
);
CREATE INDEX media_sha256 ON media (sha256);

CREATE TABLE media_renditions (
	media_id     INTEGER NOT NULL REFERENCES media (id),
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	data         BLOB NOT NULL,
	PRIMARY KEY (media_id, name)
);

CREATE TABLE autosaves (
	article_id   INTEGER NOT NULL REFERENCES articles (id),
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	base_version INTEGER NOT NULL,
	content      TEXT NOT NULL,
	saved_at     TEXT NOT NULL,
	PRIMARY KEY (article_id, staff_id)
);

CREATE TABLE sensitive_words (
	id         INTEGER PRIMARY KEY,
	word       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	suggestion TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
