-- Events counted by rate limits (failed sign-ins, tips, subscription
-- requests), shared by every server on the database. Not backed up: they
-- live at most a day.
CREATE TABLE rate_events (
	rate_key TEXT NOT NULL,
	at       TEXT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (rate_key, at);
CREATE INDEX rate_events_at ON rate_events (at);
