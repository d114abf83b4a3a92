-- A recognition withdrawn as given in error may be recorded again: only one
-- standing recognition of a kind per article. SQLite cannot drop a table's
-- UNIQUE constraint, so the table is rebuilt (nothing references it).
CREATE TABLE recognitions_new (
	id          INTEGER PRIMARY KEY,
	article_id  INTEGER NOT NULL REFERENCES articles (id),
	kind        TEXT NOT NULL,
	day         TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER NOT NULL REFERENCES staff (id),
	created_at  TEXT NOT NULL,
	withdrawn_at TEXT
);
INSERT INTO recognitions_new (id, article_id, kind, day, note, recorded_by, created_at, withdrawn_at)
	SELECT id, article_id, kind, day, note, recorded_by, created_at, withdrawn_at FROM recognitions;
DROP TABLE recognitions;
ALTER TABLE recognitions_new RENAME TO recognitions;
CREATE UNIQUE INDEX recognitions_standing ON recognitions (article_id, kind) WHERE withdrawn_at IS NULL;
