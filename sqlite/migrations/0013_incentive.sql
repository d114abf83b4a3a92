-- The incentive mechanism: what sort of piece an article is (the rules score
-- kinds differently), distinctions editors record on articles (a leader's
-- endorsement, a first report), units' monthly quotas, the versions of the
-- scoring rules, and the points ledger, whose entries are never changed or
-- removed: corrections are reversing entries.
ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'news';

CREATE TABLE recognitions (
	id          INTEGER PRIMARY KEY,
	article_id  INTEGER NOT NULL REFERENCES articles (id),
	kind        TEXT NOT NULL,
	day         TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER NOT NULL REFERENCES staff (id),
	created_at  TEXT NOT NULL,
	withdrawn_at TEXT,
	UNIQUE (article_id, kind)
);

CREATE TABLE unit_quotas (
	unit_id    INTEGER NOT NULL REFERENCES units (id),
	month      TEXT NOT NULL,
	target     INTEGER NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (unit_id, month)
);

CREATE TABLE scoring_rules (
	version        INTEGER PRIMARY KEY,
	effective_from TEXT NOT NULL,
	rules          TEXT NOT NULL,
	note           TEXT NOT NULL DEFAULT '',
	created_by     INTEGER NOT NULL REFERENCES staff (id),
	created_at     TEXT NOT NULL
);

CREATE TABLE ledger_entries (
	id               INTEGER PRIMARY KEY,
	key              TEXT NOT NULL UNIQUE,
	beneficiary_kind TEXT NOT NULL,
	beneficiary_id   INTEGER NOT NULL,
	points           INTEGER NOT NULL,
	rule_version     INTEGER NOT NULL,
	source           TEXT NOT NULL,
	source_id        INTEGER NOT NULL,
	article_id       INTEGER,
	day              TEXT NOT NULL,
	reverses         INTEGER REFERENCES ledger_entries (id),
	note             TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL
);
CREATE INDEX ledger_beneficiary_day ON ledger_entries (beneficiary_kind, day, beneficiary_id);
CREATE INDEX ledger_article ON ledger_entries (article_id);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are never changed: append a reversing entry'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are never removed: append a reversing entry'); END;
