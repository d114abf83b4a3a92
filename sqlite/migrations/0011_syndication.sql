-- Syndication: partner outlets that take the print channel's stories with
-- their own token (only its SHA-256 is kept), and the placements that come
-- back from them: where and when a story ran outside Herald.
CREATE TABLE partners (
	id           INTEGER PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	level        TEXT NOT NULL,
	languages    TEXT NOT NULL DEFAULT '[]',
	format       TEXT NOT NULL,
	push_url     TEXT NOT NULL DEFAULT '',
	token_hash   TEXT NOT NULL UNIQUE,
	disabled     INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	last_pull_at TEXT
);

CREATE TABLE placements (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id),
	partner_id INTEGER REFERENCES partners (id),
	outlet     TEXT NOT NULL,
	level      TEXT NOT NULL,
	date       TEXT NOT NULL,
	page       TEXT NOT NULL DEFAULT '',
	url        TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	created_by INTEGER REFERENCES staff (id),
	created_at TEXT NOT NULL,
	UNIQUE (article_id, outlet, date, page)
);
CREATE UNIQUE INDEX placements_url ON placements (url) WHERE url <> '';
CREATE INDEX placements_partner ON placements (partner_id, date);

-- The partners' pull reads articles changed in a window, oldest first.
CREATE INDEX articles_updated ON articles (updated_at, id);
