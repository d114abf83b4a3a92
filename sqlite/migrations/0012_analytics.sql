-- Readership analytics (docs/decisions.md, "Readership"): reads by CST day and
-- channel, by referring site, and distinct readers.
--
-- article_reads rolls article_views up to CST days ('YYYY-MM-DD') in the same
-- transaction that adds the hours, so that a year of dashboards reads days, not
-- hours; it starts from the hours counted before it existed.
CREATE TABLE article_reads (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	channel    TEXT NOT NULL,
	views      INTEGER NOT NULL,
	PRIMARY KEY (article_id, day, channel)
) WITHOUT ROWID;
CREATE INDEX article_reads_day ON article_reads (day, channel, article_id, views);
INSERT INTO article_reads (article_id, day, channel, views)
	SELECT article_id, date(hour, '+8 hours'), channel, SUM(views) FROM article_views
	GROUP BY article_id, date(hour, '+8 hours'), channel;

-- Reads that followed a link on another site: its host only, never the URL.
CREATE TABLE article_referrers (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	host       TEXT NOT NULL,
	views      INTEGER NOT NULL,
	PRIMARY KEY (article_id, day, host)
) WITHOUT ROWID;
CREATE INDEX article_referrers_day ON article_referrers (day, host, article_id, views);

-- Distinct readers of each article and of the whole site per CST day. Each
-- reader key (a keyed hash made with the day's salt) is kept once per article
-- and day (article 0: the site) and adds one reader when it is new; keys and
-- salts are deleted after two days, the counts stay.
CREATE TABLE article_readers (
	article_id INTEGER NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	readers    INTEGER NOT NULL,
	PRIMARY KEY (article_id, day)
) WITHOUT ROWID;
CREATE INDEX article_readers_day ON article_readers (day, article_id, readers);

CREATE TABLE site_readers (
	day     TEXT PRIMARY KEY,
	readers INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE reader_keys (
	day        TEXT NOT NULL,
	article_id INTEGER NOT NULL,
	reader     INTEGER NOT NULL,
	PRIMARY KEY (day, article_id, reader)
) WITHOUT ROWID;

CREATE TABLE reader_salts (
	day  TEXT PRIMARY KEY,
	salt TEXT NOT NULL
) WITHOUT ROWID;
