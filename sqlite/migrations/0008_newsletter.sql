-- The public account's e-mail newsletter: its subscribers, what was mailed to
-- whom (the delivery log, one row per Message-ID), the stories each digest
-- carried, and the key that signs the links in the mails.
CREATE TABLE subscribers (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT '',
	frequency       TEXT NOT NULL DEFAULT '',
	column_ids      TEXT NOT NULL DEFAULT '[]',
	theme_ids       TEXT NOT NULL DEFAULT '[]',
	language        TEXT NOT NULL DEFAULT '',
	pending         TEXT NOT NULL DEFAULT '',
	requested_at    TEXT,
	confirmations   TEXT NOT NULL DEFAULT '[]',
	client_hash     TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	confirmed_at    TEXT,
	unsubscribed_at TEXT,
	bounced_at      TEXT
);
-- Who gets a story or a digest: active subscribers by frequency.
CREATE INDEX subscribers_status ON subscribers (status, frequency, id);

CREATE TABLE mailings (
	id            INTEGER PRIMARY KEY,
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
	kind          TEXT NOT NULL,
	article_id    INTEGER REFERENCES articles (id),
	period        TEXT NOT NULL DEFAULT '',
	message_id    TEXT NOT NULL UNIQUE,
	status        TEXT NOT NULL,
	smtp_code     INTEGER NOT NULL DEFAULT 0,
	smtp_text     TEXT NOT NULL DEFAULT '',
	at            TEXT NOT NULL
);
CREATE INDEX mailings_subscriber ON mailings (subscriber_id, id);
CREATE INDEX mailings_article ON mailings (article_id);

CREATE TABLE mailing_articles (
	mailing_id INTEGER NOT NULL REFERENCES mailings (id),
	article_id INTEGER NOT NULL REFERENCES articles (id),
	PRIMARY KEY (mailing_id, article_id)
);
CREATE INDEX mailing_articles_article ON mailing_articles (article_id);

CREATE TABLE newsletter_keys (
	name       TEXT PRIMARY KEY,
	secret     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
