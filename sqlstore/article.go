package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/heraldnews/herald"
)

const articleColumns = `id, title, subtitle, summary, body, cover_image, source, language, kind, channels, column_id, editor_id, unit_id,
	status, review_level, reviewers, correction_note, created_by, version, created_at, updated_at,
	scheduled_at, published_at, corrected_at, retracted_at, translation_of, source_revision, figure, video`

// CreateArticle stores a new article and its first revision.
func (s *Store) CreateArticle(ctx context.Context, a *herald.Article, ev herald.Event) error {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.checkArticleRefs(a); err != nil {
			return err
		}
		if err := tx.checkTranslation(a); err != nil {
			return err
		}
		a.Version = 1
		a.CreatedAt, a.UpdatedAt = ev.At, ev.At
		if a.Reviewers == nil {
			a.Reviewers = []int64{}
		}
		id, err := tx.insert(`INSERT INTO articles (title, subtitle, summary, body, cover_image, source, language, kind, channels, column_id, editor_id, unit_id,
			status, review_level, reviewers, correction_note, created_by, version, created_at, updated_at,
			scheduled_at, published_at, corrected_at, retracted_at, translation_of, source_revision, figure, video)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Title, a.Subtitle, a.Summary, a.Body, a.CoverImage, a.Source, a.Language, a.Kind, jsonText(a.Channels), a.ColumnID, nullID(a.EditorID), a.UnitID,
			a.Status, a.ReviewLevel, jsonText(a.Reviewers), a.CorrectionNote, a.CreatedBy, a.Version, s.t(a.CreatedAt), s.t(a.UpdatedAt),
			s.nt(a.ScheduledAt), s.nt(a.PublishedAt), s.nt(a.CorrectedAt), s.nt(a.RetractedAt), nullID(a.TranslationOf), a.SourceRevision,
			jsonText(a.Figure), jsonText(a.Video))
		if err != nil {
			return err
		}
		a.ID = id
		if err := tx.writeArticleLists(a); err != nil {
			return err
		}
		if err := tx.insertRevision(a, ev, ""); err != nil {
			return err
		}
		ev.Entity, ev.EntityID = herald.EntityArticle, id
		if ev.Action == "" {
			ev.Action = "create"
		}
		ev.ToStatus = string(a.Status)
		return tx.insertEvent(ev)
	})
}

// UpdateArticle changes an article inside one write transaction; see herald.ArticleStore.
func (s *Store) UpdateArticle(ctx context.Context, id int64, fn func(a *herald.Article) (herald.ArticleChange, error)) (*herald.Article, error) {
	var a *herald.Article
	err := s.write(ctx, func(tx *Tx) (err error) {
		if a, err = tx.findArticleByID(id, true); err != nil {
			return err
		}
		before, status, source := a.ArticleContent.Clone(), a.Status, a.TranslationOf
		change, err := fn(a)
		if err != nil {
			return err
		}
		a.ID, a.TranslationOf = id, source // what a translation translates never changes
		a.Normalize()
		if err := a.Validate(); err != nil {
			return err
		}
		contentChanged := !before.Equal(&a.ArticleContent)
		if contentChanged {
			if err := tx.checkArticleRefs(a); err != nil {
				return err
			}
		}
		if !strings.EqualFold(before.Language, a.Language) {
			if err := tx.checkTranslation(a); err != nil {
				return err
			}
		}
		ev := change.Event
		a.Version++
		a.UpdatedAt = ev.At
		if a.Reviewers == nil {
			a.Reviewers = []int64{}
		}
		if _, err := tx.exec(`UPDATE articles SET title = ?, subtitle = ?, summary = ?, body = ?, cover_image = ?, source = ?, language = ?, kind = ?,
			channels = ?, column_id = ?, editor_id = ?, unit_id = ?, status = ?, review_level = ?, reviewers = ?, correction_note = ?, version = ?,
			updated_at = ?, scheduled_at = ?, published_at = ?, corrected_at = ?, retracted_at = ?, source_revision = ?, figure = ?, video = ? WHERE id = ?`,
			a.Title, a.Subtitle, a.Summary, a.Body, a.CoverImage, a.Source, a.Language, a.Kind, jsonText(a.Channels), a.ColumnID, nullID(a.EditorID), a.UnitID,
			a.Status, a.ReviewLevel, jsonText(a.Reviewers), a.CorrectionNote, a.Version, s.t(a.UpdatedAt),
			s.nt(a.ScheduledAt), s.nt(a.PublishedAt), s.nt(a.CorrectedAt), s.nt(a.RetractedAt), a.SourceRevision,
			jsonText(a.Figure), jsonText(a.Video), id); err != nil {
			return err
		}
		if contentChanged {
			if err := tx.writeArticleLists(a); err != nil {
				return err
			}
			if err := tx.insertRevision(a, ev, change.RevisionNote); err != nil {
				return err
			}
		}
		ev.Entity, ev.EntityID = herald.EntityArticle, id
		ev.FromStatus, ev.ToStatus = string(status), string(a.Status)
		if err := tx.insertEvent(ev); err != nil {
			return err
		}
		if change.Jobs != nil {
			return tx.enqueueJobs(ev.At, change.Jobs(a))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// checkTranslation refuses a translation whose source does not exist, is
// itself a translation (so links never form a circle), is in the same
// language, or already has a version in that language.
func (tx *Tx) checkTranslation(a *herald.Article) error {
	if a.TranslationOf == 0 {
		return nil
	}
	src, err := tx.findArticleByID(a.TranslationOf, false)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return herald.Invalid("translation_of", "no article has ID %d", a.TranslationOf)
	} else if err != nil {
		return err
	}
	switch {
	case src.TranslationOf != 0:
		return herald.Invalid("translation_of", "article %d is itself a translation (of %d): translate the original", src.ID, src.TranslationOf)
	case strings.EqualFold(src.Language, a.Language):
		return herald.Invalid("language", "must differ from the source's (%s)", src.Language)
	}
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM articles WHERE translation_of = ? AND LOWER(language) = LOWER(?)`, src.ID, a.Language).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return herald.Invalid("language", "article %d already has a %s version", src.ID, a.Language)
	}
	if a.SourceRevision == 0 {
		if err := tx.queryRow(`SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = ?`, src.ID).Scan(&a.SourceRevision); err != nil {
			return err
		}
	}
	return nil
}

// checkArticleRefs names the field of any reference to something that does not exist.
func (tx *Tx) checkArticleRefs(a *herald.Article) error {
	var p herald.Problems
	exists := func(table string, id int64) bool {
		var n int
		err := tx.queryRow(`SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n)
		return err == nil && n > 0
	}
	if !exists("columns", a.ColumnID) {
		p.Add("column_id", "no column has ID %d", a.ColumnID)
	}
	if !exists("units", a.UnitID) {
		p.Add("unit_id", "no unit has ID %d", a.UnitID)
	}
	if a.EditorID != 0 && !exists("staff", a.EditorID) {
		p.Add("editor_id", "no staff member has ID %d", a.EditorID)
	}
	for _, id := range a.ThemeIDs {
		if !exists("themes", id) {
			p.Add("theme_ids", "no theme has ID %d", id)
		}
	}
	for _, au := range a.Authors {
		if au.StaffID != 0 && !exists("staff", au.StaffID) {
			p.Add("authors", "no staff member has ID %d", au.StaffID)
		}
	}
	if a.Video != nil && !exists("video_files", a.Video.FileID) {
		p.Add("video.file_id", "no video file has ID %d", a.Video.FileID)
	}
	return p.Err()
}

// writeArticleLists replaces the article's authors, themes and tags.
func (tx *Tx) writeArticleLists(a *herald.Article) error {
	for _, table := range []string{"article_authors", "article_themes", "article_tags"} {
		if _, err := tx.exec(`DELETE FROM `+table+` WHERE article_id = ?`, a.ID); err != nil {
			return err
		}
	}
	for i, au := range a.Authors {
		if _, err := tx.exec(`INSERT INTO article_authors (article_id, position, staff_id, name) VALUES (?, ?, ?, ?)`,
			a.ID, i, nullID(au.StaffID), au.Name); err != nil {
			return err
		}
	}
	for _, id := range a.ThemeIDs {
		if _, err := tx.exec(`INSERT INTO article_themes (article_id, theme_id) VALUES (?, ?)`, a.ID, id); err != nil {
			return err
		}
	}
	for _, t := range a.Tags {
		if _, err := tx.exec(`INSERT INTO article_tags (article_id, tag) VALUES (?, ?)`, a.ID, t); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) insertRevision(a *herald.Article, ev herald.Event, note string) error {
	_, err := tx.exec(`INSERT INTO revisions (article_id, number, content, saved_by, note, created_at)
		SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ? FROM revisions WHERE article_id = ?`,
		a.ID, jsonText(a.ArticleContent), nullID(ev.ActorID), note, tx.s.t(ev.At), a.ID)
	return err
}

// FindArticleByID returns one article.
func (s *Store) FindArticleByID(ctx context.Context, id int64) (a *herald.Article, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		a, err = tx.findArticleByID(id, false)
		return err
	})
	return a, err
}

func (tx *Tx) findArticleByID(id int64, forUpdate bool) (*herald.Article, error) {
	articles, _, err := tx.findArticles(herald.ArticleFilter{ID: id}, forUpdate)
	if err != nil {
		return nil, err
	} else if len(articles) == 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "Article %d not found.", id)
	}
	return articles[0], nil
}

// FindArticles lists articles.
func (s *Store) FindArticles(ctx context.Context, f herald.ArticleFilter) (articles []*herald.Article, total int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		articles, total, err = tx.findArticles(f, false)
		return err
	})
	return articles, total, err
}

func articleWhere(f herald.ArticleFilter) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, vals ...any) {
		where, args = append(where, cond), append(args, vals...)
	}
	if f.ID != 0 {
		add("id = ?", f.ID)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			add("1 = 0")
		} else {
			add("id IN ("+placeholders(len(f.IDs))+")", anyArgs(f.IDs)...)
		}
	}
	if len(f.Statuses) > 0 {
		vals := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			vals[i] = string(st)
		}
		add("status IN ("+placeholders(len(vals))+")", vals...)
	}
	if f.ReviewLevel != 0 {
		add("review_level = ?", f.ReviewLevel)
	}
	if f.UnitIDs != nil {
		if len(f.UnitIDs) == 0 {
			add("1 = 0")
		} else {
			add("unit_id IN ("+placeholders(len(f.UnitIDs))+")", anyArgs(f.UnitIDs)...)
		}
	}
	if f.ColumnID != 0 {
		add("column_id = ?", f.ColumnID)
	}
	if f.ThemeID != 0 {
		add("id IN (SELECT article_id FROM article_themes WHERE theme_id = ?)", f.ThemeID)
	}
	if f.Language != "" {
		add("language = ?", f.Language)
	}
	if f.CreatedBy != 0 {
		add("created_by = ?", f.CreatedBy)
	}
	if f.TranslationOf != 0 {
		add("translation_of = ?", f.TranslationOf)
	}
	if f.Channel != "" {
		// channels is a JSON list of names, each quoted
		add("channels LIKE ?", `%"`+string(f.Channel)+`"%`)
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	return where, args
}

func (tx *Tx) findArticles(f herald.ArticleFilter, forUpdate bool) ([]*herald.Article, int, error) {
	where, args := articleWhere(f)
	if f.ScheduledBefore != nil {
		where, args = append(where, "scheduled_at <= ?"), append(args, tx.s.t(*f.ScheduledBefore))
	}
	if f.PublishedBefore != nil {
		where, args = append(where, "published_at < ?"), append(args, tx.s.t(*f.PublishedBefore))
	}
	if f.AfterID != 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.PublishedAfter != nil {
		where, args = append(where, "published_at > ?"), append(args, tx.s.t(*f.PublishedAfter))
	}
	if c := f.UpdatedAfter; c != nil {
		at := tx.s.t(c.UpdatedAt)
		where, args = append(where, "(updated_at > ? OR updated_at = ? AND id > ?)"), append(args, at, at, c.ID)
	}
	if f.UpdatedBefore != nil {
		where, args = append(where, "updated_at < ?"), append(args, tx.s.t(*f.UpdatedBefore))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	cols := articleColumns
	if f.NoBody {
		cols = strings.Replace(cols, "body,", "'' AS body,", 1)
	}
	q := `SELECT ` + cols + ` FROM articles` + cond
	switch f.Order {
	case herald.ByPublished:
		q += " ORDER BY published_at DESC, id DESC"
	case herald.ByScheduled:
		q += " ORDER BY scheduled_at, id"
	case herald.ByPublishedAsc:
		q += " ORDER BY published_at, id"
	case herald.ByUpdatedAsc:
		q += " ORDER BY updated_at, id"
	case herald.ByID:
		q += " ORDER BY id"
	case herald.ByIDDesc:
		q += " ORDER BY id DESC"
	default:
		q += " ORDER BY updated_at DESC, id DESC"
	}
	q += limitClause(f.Limit, f.Offset)
	if forUpdate {
		q += tx.s.d.ForUpdate
	}
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var articles []*herald.Article
	for rows.Next() {
		var a herald.Article
		if err := rows.Scan(&a.ID, &a.Title, &a.Subtitle, &a.Summary, &a.Body, &a.CoverImage, &a.Source, &a.Language, &a.Kind, jsonScan{&a.Channels},
			&a.ColumnID, nullIDScan{&a.EditorID}, &a.UnitID, &a.Status, &a.ReviewLevel, jsonScan{&a.Reviewers}, &a.CorrectionNote,
			&a.CreatedBy, &a.Version, timeScan{&a.CreatedAt}, timeScan{&a.UpdatedAt}, nullTimeScan{&a.ScheduledAt},
			nullTimeScan{&a.PublishedAt}, nullTimeScan{&a.CorrectedAt}, nullTimeScan{&a.RetractedAt},
			nullIDScan{&a.TranslationOf}, &a.SourceRevision, jsonScan{&a.Figure}, jsonScan{&a.Video}); err != nil {
			return nil, 0, err
		}
		a.Authors, a.ThemeIDs, a.Tags = []herald.Author{}, []int64{}, []string{}
		articles = append(articles, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// The total is counted apart: a window count would make the engine read every
	// matching row, bodies included, before applying the limit.
	total := len(articles)
	if f.NoCount {
		total = -1
	} else if f.Limit > 0 && (len(articles) == f.Limit || f.Offset > 0) {
		if err := tx.queryRow(`SELECT COUNT(*) FROM articles`+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	} else {
		total += f.Offset
	}
	return articles, total, tx.attachArticleLists(articles)
}

// attachArticleLists loads authors, themes and tags of the articles in three queries.
func (tx *Tx) attachArticleLists(articles []*herald.Article) error {
	if len(articles) == 0 {
		return nil
	}
	byID := make(map[int64]*herald.Article, len(articles))
	ids := make([]int64, len(articles))
	for i, a := range articles {
		byID[a.ID], ids[i] = a, a.ID
	}
	in := " WHERE article_id IN (" + placeholders(len(ids)) + ")"
	if err := tx.eachRow(`SELECT article_id, staff_id, name FROM article_authors`+in+` ORDER BY article_id, position`, ids, func(rows *sql.Rows) error {
		var id int64
		var au herald.Author
		err := rows.Scan(&id, nullIDScan{&au.StaffID}, &au.Name)
		byID[id].Authors = append(byID[id].Authors, au)
		return err
	}); err != nil {
		return err
	}
	if err := tx.eachRow(`SELECT article_id, theme_id FROM article_themes`+in+` ORDER BY article_id, theme_id`, ids, func(rows *sql.Rows) error {
		var id, theme int64
		err := rows.Scan(&id, &theme)
		byID[id].ThemeIDs = append(byID[id].ThemeIDs, theme)
		return err
	}); err != nil {
		return err
	}
	return tx.eachRow(`SELECT article_id, tag FROM article_tags`+in+` ORDER BY article_id, tag`, ids, func(rows *sql.Rows) error {
		var id int64
		var tag string
		err := rows.Scan(&id, &tag)
		byID[id].Tags = append(byID[id].Tags, tag)
		return err
	})
}

// eachRow runs q with ids as its arguments and calls fn for every row.
func (tx *Tx) eachRow(q string, ids []int64, fn func(rows *sql.Rows) error) error {
	rows, err := tx.query(q, anyArgs(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindRevisions lists an article's revisions, oldest first.
func (s *Store) FindRevisions(ctx context.Context, articleID int64) (revs []*herald.Revision, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		if _, err := tx.findArticleByID(articleID, false); err != nil {
			return err
		}
		revs, err = tx.findRevisions(articleID, 0)
		return err
	})
	return revs, err
}

// FindRevision returns one revision.
func (s *Store) FindRevision(ctx context.Context, articleID int64, number int) (rev *herald.Revision, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		revs, err := tx.findRevisions(articleID, number)
		if err != nil {
			return err
		} else if len(revs) == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Revision %d of article %d not found.", number, articleID)
		}
		rev = revs[0]
		return nil
	})
	return rev, err
}

func (tx *Tx) findRevisions(articleID int64, number int) ([]*herald.Revision, error) {
	q, args := `SELECT article_id, number, content, saved_by, note, created_at FROM revisions WHERE article_id = ?`, []any{articleID}
	if number != 0 {
		q, args = q+" AND number = ?", append(args, number)
	}
	rows, err := tx.query(q+" ORDER BY number", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revs []*herald.Revision
	for rows.Next() {
		var r herald.Revision
		if err := rows.Scan(&r.ArticleID, &r.Number, jsonScan{&r.Content}, nullIDScan{&r.SavedBy}, &r.Note, timeScan{&r.CreatedAt}); err != nil {
			return nil, err
		}
		revs = append(revs, &r)
	}
	return revs, rows.Err()
}

// PublishedLanguages lists the languages of published articles.
func (s *Store) PublishedLanguages(ctx context.Context) (langs []string, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		langs, err = column[string](tx, `SELECT DISTINCT language FROM articles WHERE status = ? ORDER BY language`, herald.StatusPublished)
		return err
	})
	return langs, err
}
