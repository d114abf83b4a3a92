-- Read spikes: days on which an article's reads jumped far above its own
-- pattern, flagged by scoring so that an editor looks into them before the
-- reads earn points. One is kept per article and day; an editor releases it
-- (the reads count) or voids it with a note (the reads above the expected
-- are taken out), and it never goes back to flagged.
CREATE TABLE read_spikes (
	id          INTEGER PRIMARY KEY,
	article_id  INTEGER NOT NULL REFERENCES articles (id),
	day         TEXT NOT NULL,
	reads       INTEGER NOT NULL,
	expected    INTEGER NOT NULL,
	threshold   INTEGER NOT NULL,
	status      TEXT NOT NULL DEFAULT 'flagged',
	detected_at TEXT NOT NULL,
	reviewed_by INTEGER REFERENCES staff (id),
	reviewed_at TEXT,
	note        TEXT NOT NULL DEFAULT '',
	UNIQUE (article_id, day)
);
CREATE INDEX read_spikes_status ON read_spikes (status, day);
