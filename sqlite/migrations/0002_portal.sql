-- Site settings, read counts, and the news mailbox.
CREATE TABLE site_settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	body       TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE article_views (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	hour       TEXT NOT NULL,
	channel    TEXT NOT NULL,
	views      INTEGER NOT NULL,
	PRIMARY KEY (article_id, hour, channel)
);
CREATE INDEX article_views_hour ON article_views (hour);

CREATE TABLE tips (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL DEFAULT '',
	contact     TEXT NOT NULL,
	subject     TEXT NOT NULL,
	body        TEXT NOT NULL,
	client_hash TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);

CREATE TABLE tip_attachments (
	id           INTEGER PRIMARY KEY,
	tip_id       INTEGER NOT NULL REFERENCES tips (id),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL
);
CREATE INDEX tip_attachments_tip ON tip_attachments (tip_id);
