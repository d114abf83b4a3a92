-- A recognition withdrawn as given in error may be recorded again: only one
-- standing recognition of a kind per article.
ALTER TABLE recognitions DROP CONSTRAINT recognitions_article_id_kind_key;
CREATE UNIQUE INDEX recognitions_standing ON recognitions (article_id, kind) WHERE withdrawn_at IS NULL;
