-- Readership analytics (docs/decisions.md, "Readership"): reads by CST day and
-- channel, by referring site, and distinct readers.
--
-- article_reads rolls article_views up to CST days ('YYYY-MM-DD') in the same
-- transaction that adds the hours, so that a year of dashboards reads days, not
-- hours; it starts from the hours counted before it existed.
CREATE TABLE article_reads (
	article_id BIGINT NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	channel    TEXT NOT NULL,
	views      BIGINT NOT NULL,
	PRIMARY KEY (article_id, day, channel)
);
CREATE INDEX article_reads_day ON article_reads (day, channel, article_id, views);
INSERT INTO article_reads (article_id, day, channel, views)
	SELECT article_id, to_char((hour AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD'), channel, SUM(views) FROM article_views
	GROUP BY 1, 2, 3;

-- Reads that followed a link on another site: its host only, never the URL.
CREATE TABLE article_referrers (
	article_id BIGINT NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	host       TEXT NOT NULL,
	views      BIGINT NOT NULL,
	PRIMARY KEY (article_id, day, host)
);
CREATE INDEX article_referrers_day ON article_referrers (day, host, article_id, views);

-- Distinct readers of each article and of the whole site per CST day. Each
-- reader key (a keyed hash made with the day's salt) is kept once per article
-- and day (article 0: the site) and adds one reader when it is new; keys and
-- salts are deleted after two days, the counts stay.
CREATE TABLE article_readers (
	article_id BIGINT NOT NULL REFERENCES articles (id),
	day        TEXT NOT NULL,
	readers    BIGINT NOT NULL,
	PRIMARY KEY (article_id, day)
);
CREATE INDEX article_readers_day ON article_readers (day, article_id, readers);

CREATE TABLE site_readers (
	day     TEXT PRIMARY KEY,
	readers BIGINT NOT NULL
);

CREATE TABLE reader_keys (
	day        TEXT NOT NULL,
	article_id BIGINT NOT NULL,
	reader     BIGINT NOT NULL,
	PRIMARY KEY (day, article_id, reader)
);

CREATE TABLE reader_salts (
	day  TEXT PRIMARY KEY,
	salt TEXT NOT NULL
);
