-- The durable job queue that channels, scheduled publishing and mail run on,
-- and the deliveries of articles to their channels.
CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL,
	key          TEXT NOT NULL UNIQUE,
	payload      TEXT NOT NULL DEFAULT '{}',
	status       TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at       TEXT NOT NULL,
	worker       TEXT NOT NULL DEFAULT '',
	lease_until  TEXT,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	finished_at  TEXT
);
-- What workers look for: queued jobs by due time, running ones by lease.
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_kind ON jobs (kind, id);

-- One row per article, channel and target (an actor, a mailing list…): the
-- latest action wanted there and how it went.
CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY,
	article_id   INTEGER NOT NULL REFERENCES articles (id),
	channel      TEXT NOT NULL,
	target       TEXT NOT NULL,
	action       TEXT NOT NULL,
	version      INTEGER NOT NULL,
	status       TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	external_id  TEXT NOT NULL DEFAULT '',
	external_url TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	sent_at      TEXT,
	UNIQUE (article_id, channel, target)
);
CREATE INDEX deliveries_status ON deliveries (status, updated_at);
