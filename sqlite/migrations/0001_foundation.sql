-- Herald foundation schema (SQLite). Times are UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ",
-- fixed width so that text order is time order.
CREATE TABLE units (
	id         INTEGER PRIMARY KEY,
	parent_id  INTEGER REFERENCES units (id),
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	type       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE staff (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	staff_code    TEXT NOT NULL UNIQUE,
	unit_id       INTEGER NOT NULL REFERENCES units (id),
	skills        TEXT NOT NULL DEFAULT '[]',
	password_hash TEXT NOT NULL DEFAULT '',
	disabled_at   TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX staff_unit ON staff (unit_id);

CREATE TABLE staff_roles (
	staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	role     TEXT NOT NULL,
	PRIMARY KEY (staff_id, role)
);
CREATE INDEX staff_roles_role ON staff_roles (role);

CREATE TABLE columns (
	id            INTEGER PRIMARY KEY,
	slug          TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	review_levels INTEGER NOT NULL CHECK (review_levels BETWEEN 1 AND 3),
	position      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);

CREATE TABLE themes (
	id          INTEGER PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

CREATE TABLE articles (
	id              INTEGER PRIMARY KEY,
	title           TEXT NOT NULL,
	subtitle        TEXT NOT NULL DEFAULT '',
	summary         TEXT NOT NULL DEFAULT '',
	body            TEXT NOT NULL DEFAULT '',
	cover_image     TEXT NOT NULL DEFAULT '',
	source          TEXT NOT NULL DEFAULT '',
	language        TEXT NOT NULL,
	column_id       INTEGER NOT NULL REFERENCES columns (id),
	editor_id       INTEGER REFERENCES staff (id),
	unit_id         INTEGER NOT NULL REFERENCES units (id),
	status          TEXT NOT NULL,
	review_level    INTEGER NOT NULL DEFAULT 0,
	reviewers       TEXT NOT NULL DEFAULT '[]',
	correction_note TEXT NOT NULL DEFAULT '',
	created_by      INTEGER NOT NULL REFERENCES staff (id),
	version         INTEGER NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	scheduled_at    TEXT,
	published_at    TEXT,
	corrected_at    TEXT,
	retracted_at    TEXT
);
CREATE INDEX articles_status_published ON articles (status, published_at);
CREATE INDEX articles_status_scheduled ON articles (status, scheduled_at);
CREATE INDEX articles_unit_updated ON articles (unit_id, updated_at);
CREATE INDEX articles_column_published ON articles (column_id, published_at);

CREATE TABLE article_authors (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	staff_id   INTEGER REFERENCES staff (id),
	name       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (article_id, position)
);
CREATE INDEX article_authors_staff ON article_authors (staff_id);

CREATE TABLE article_themes (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	theme_id   INTEGER NOT NULL REFERENCES themes (id),
	PRIMARY KEY (article_id, theme_id)
);
CREATE INDEX article_themes_theme ON article_themes (theme_id);

CREATE TABLE article_tags (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	tag        TEXT NOT NULL,
	PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags (tag);

CREATE TABLE revisions (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	number     INTEGER NOT NULL,
	content    TEXT NOT NULL,
	saved_by   INTEGER REFERENCES staff (id),
	note       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (article_id, number)
);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT
);
CREATE INDEX tokens_staff ON tokens (staff_id);

CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	at          TEXT NOT NULL,
	actor_id    INTEGER REFERENCES staff (id),
	entity      TEXT NOT NULL,
	entity_id   INTEGER NOT NULL,
	action      TEXT NOT NULL,
	from_status TEXT NOT NULL DEFAULT '',
	to_status   TEXT NOT NULL DEFAULT '',
	level       INTEGER NOT NULL DEFAULT 0,
	comment     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_entity ON events (entity, entity_id, id);
CREATE INDEX events_actor ON events (actor_id, id);

-- The audit log and the revision history are append-only.
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER revisions_append_only_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_append_only_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
