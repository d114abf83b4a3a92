-- Foreign publicity: an article may be the translation of another, following
-- a given version of it.
ALTER TABLE articles ADD COLUMN translation_of INTEGER REFERENCES articles (id);
ALTER TABLE articles ADD COLUMN source_revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_translation_of ON articles (translation_of);
