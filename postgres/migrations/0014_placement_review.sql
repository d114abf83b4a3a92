-- Placements recorded by staff carry evidence (a clipping or screenshot) and
-- wait for an editor, who verifies or rejects them (with the reason).
ALTER TABLE placements ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE placements ADD COLUMN reviewed_by BIGINT REFERENCES staff (id);
ALTER TABLE placements ADD COLUMN reviewed_at TIMESTAMPTZ;
ALTER TABLE placements ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE INDEX placements_status ON placements (status, date);
ALTER INDEX placements_url RENAME TO placements_url_key; -- so that a duplicate names the url
