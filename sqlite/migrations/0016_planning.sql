-- Work coordination: topic plans tie a central-work theme to an occasion
-- (an event or a campaign) for a period, with the channels and the units
-- that take part; assignments are the pieces commissioned from units (or
-- one of their staff) with a brief and a due time, moved through their
-- states by the planning service and completed when their article is
-- published; calendar feeds are the secret addresses (kept as SHA-256
-- hashes) of the iCalendar feeds of a person's or a unit's assignments.
CREATE TABLE topic_plans (
	id         INTEGER PRIMARY KEY,
	title      TEXT NOT NULL,
	theme_id   INTEGER NOT NULL REFERENCES themes (id),
	occasion   TEXT NOT NULL,
	brief      TEXT NOT NULL DEFAULT '',
	channels   TEXT NOT NULL,
	start_day  TEXT NOT NULL,
	end_day    TEXT NOT NULL,
	created_by INTEGER NOT NULL REFERENCES staff (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	version    INTEGER NOT NULL
);
CREATE INDEX topic_plans_start ON topic_plans (start_day);

CREATE TABLE topic_plan_units (
	plan_id INTEGER NOT NULL REFERENCES topic_plans (id),
	unit_id INTEGER NOT NULL REFERENCES units (id),
	PRIMARY KEY (plan_id, unit_id)
);
CREATE INDEX topic_plan_units_unit ON topic_plan_units (unit_id);

CREATE TABLE assignments (
	id             INTEGER PRIMARY KEY,
	plan_id        INTEGER REFERENCES topic_plans (id),
	title          TEXT NOT NULL,
	brief          TEXT NOT NULL DEFAULT '',
	unit_id        INTEGER NOT NULL REFERENCES units (id),
	assignee_id    INTEGER REFERENCES staff (id),
	due            TEXT NOT NULL,
	status         TEXT NOT NULL,
	article_id     INTEGER REFERENCES articles (id),
	decline_reason TEXT NOT NULL DEFAULT '',
	created_by     INTEGER NOT NULL REFERENCES staff (id),
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	version        INTEGER NOT NULL
);
CREATE INDEX assignments_due ON assignments (due);
CREATE INDEX assignments_unit ON assignments (unit_id, due);
CREATE INDEX assignments_assignee ON assignments (assignee_id, due);
CREATE INDEX assignments_plan ON assignments (plan_id);
CREATE INDEX assignments_article ON assignments (article_id);

CREATE TABLE calendar_feeds (
	id         INTEGER PRIMARY KEY,
	staff_id   INTEGER UNIQUE REFERENCES staff (id),
	unit_id    INTEGER UNIQUE REFERENCES units (id),
	hash       TEXT NOT NULL UNIQUE,
	created_by INTEGER NOT NULL REFERENCES staff (id),
	created_at TEXT NOT NULL,
	CHECK ((staff_id IS NULL) <> (unit_id IS NULL))
);
