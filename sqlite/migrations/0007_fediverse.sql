-- The microblog (ActivityPub): Herald's own actors and their keys, the
-- accounts that follow them, and the likes, boosts and replies they get.
CREATE TABLE local_actors (
	name            TEXT PRIMARY KEY,
	public_key_pem  TEXT NOT NULL,
	private_key_pem TEXT NOT NULL,
	created_at      TEXT NOT NULL
);

CREATE TABLE followers (
	id           INTEGER PRIMARY KEY,
	actor        TEXT NOT NULL,
	account      TEXT NOT NULL,
	inbox        TEXT NOT NULL,
	shared_inbox TEXT NOT NULL DEFAULT '',
	follow_id    TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	removed_at   TEXT,
	UNIQUE (actor, account)
);

CREATE TABLE engagements (
	id          INTEGER PRIMARY KEY,
	activity_id TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL,
	account     TEXT NOT NULL,
	article_id  INTEGER REFERENCES articles (id),
	object      TEXT NOT NULL,
	content     TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	undone_at   TEXT
);
CREATE INDEX engagements_article ON engagements (article_id);

-- What the local actors sent: each activity once, with its object as it then
-- stood (a Note, or the Tombstone of a retracted one), served to peers that
-- fetch the object and listed in the actor's outbox.
CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY,
	actor       TEXT NOT NULL,
	activity_id TEXT NOT NULL UNIQUE,
	type        TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	article_id  INTEGER REFERENCES articles (id),
	activity    TEXT NOT NULL,
	object      TEXT NOT NULL,
	at          TEXT NOT NULL
);
CREATE INDEX outbox_actor ON outbox (actor, id);
CREATE INDEX outbox_object ON outbox (object_id, id);
