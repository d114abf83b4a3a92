-- Print: periodicals (a monthly bulletin) and their issues, each a list of
-- published articles in print order.
CREATE TABLE periodicals (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	unit_id    INTEGER NOT NULL REFERENCES units (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE issues (
	id            INTEGER PRIMARY KEY,
	periodical_id INTEGER NOT NULL REFERENCES periodicals (id),
	volume        INTEGER NOT NULL,
	number        INTEGER NOT NULL,
	date          TEXT NOT NULL,
	editor_note   TEXT NOT NULL DEFAULT '',
	version       INTEGER NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	UNIQUE (periodical_id, volume, number)
);

CREATE TABLE issue_articles (
	issue_id   INTEGER NOT NULL REFERENCES issues (id),
	position   INTEGER NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id),
	PRIMARY KEY (issue_id, position)
);
