-- Listing a column's published articles in time order, and finding an article's
-- neighbours, read only the index.
CREATE INDEX articles_column_status_published ON articles (column_id, status, published_at);
