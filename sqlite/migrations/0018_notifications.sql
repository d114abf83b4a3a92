-- Notifications (issue 9): staff get an e-mail address, and the notifier
-- turns audit events (assignments, rejections, publications) and due times
-- into notifications for the people concerned, shown in the newsroom and
-- mailed through the job queue.

-- An address is optional; one that is set belongs to one person.
ALTER TABLE staff ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX staff_email_key ON staff (email) WHERE email <> '';

-- One notification per person and thing told (dedup_key: the event, or the
-- kind and assignment for due and overdue ones), so that a step run twice
-- tells nobody twice. in_app = 0 rows exist only for their mail.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	kind       TEXT NOT NULL,
	dedup_key  TEXT NOT NULL,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL DEFAULT '',
	link       TEXT NOT NULL,
	entity     TEXT NOT NULL,
	entity_id  INTEGER NOT NULL,
	event_id   INTEGER REFERENCES events (id),
	at         TEXT NOT NULL,
	created_at TEXT NOT NULL,
	read_at    TEXT,
	in_app     INTEGER NOT NULL,
	email      INTEGER NOT NULL,
	mailed_at  TEXT,
	UNIQUE (staff_id, dedup_key)
);
CREATE INDEX notifications_list ON notifications (staff_id, id) WHERE in_app = 1;
-- the newsroom's bell counts these on every page
CREATE INDEX notifications_unread ON notifications (staff_id) WHERE in_app = 1 AND read_at IS NULL;

-- Choices that differ from the defaults (herald.DefaultNotificationPrefs)
-- are kept per person and kind.
CREATE TABLE notification_prefs (
	staff_id INTEGER NOT NULL REFERENCES staff (id),
	kind     TEXT NOT NULL,
	in_app   INTEGER NOT NULL,
	email    INTEGER NOT NULL,
	PRIMARY KEY (staff_id, kind)
);

-- How far the notifier has read the audit log. A database that already has
-- history starts at its end: notifications tell of what happens from now on.
CREATE TABLE notifier_cursor (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	event_id INTEGER NOT NULL
);
INSERT INTO notifier_cursor (id, event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
