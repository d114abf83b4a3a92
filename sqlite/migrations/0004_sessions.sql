-- Browser sessions of the newsroom.
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	hash         TEXT NOT NULL UNIQUE,
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	csrf         TEXT NOT NULL,
	user_agent   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);
