package api

import (
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
)

// searchParams and suggestParams are the query parameters of the search
// routes, so that a badly encoded one can be named.
var (
	searchParams  = []string{"q", "status", "column", "theme", "unit", "lang", "from", "to", "sort", "limit", "offset"}
	suggestParams = []string{"q", "lang", "limit"}
)

// SearchResponse is a page of search results.
type SearchResponse struct {
	Total    int         `json:"total"`
	Offset   int         `json:"offset"`
	Limit    int         `json:"limit"`
	Building bool        `json:"building"` // the index is still being built: results may be incomplete
	Hits     []SearchHit `json:"hits"`
	// When nothing was found: what each word alone finds, and what the whole
	// query finds without the column, theme, unit, language and date filters.
	Partial    []SearchPartial `json:"partial"`
	Unfiltered int             `json:"unfiltered"`
}

// SearchHit is one article found, with its title and a snippet of its text
// marked where they matched.
type SearchHit struct {
	ID          int64         `json:"id"`
	Title       string        `json:"title"`
	URL         *string       `json:"url"` // its page on the public site; null until published
	Status      herald.Status `json:"status"`
	ColumnID    int64         `json:"column_id"`
	UnitID      int64         `json:"unit_id"`
	Language    string        `json:"language"`
	PublishedAt *time.Time    `json:"published_at"`
	Score       float64       `json:"score"`
	TitleHTML   string        `json:"title_html"`
	SnippetHTML string        `json:"snippet_html"`
	BylineHTML  string        `json:"byline_html"` // authors and responsible editor, marked where the search matched a name
	Snippet     []SearchSpan  `json:"snippet"`
}

// SearchSpan is a piece of a snippet, marked when it matched.
type SearchSpan struct {
	Text string `json:"text"`
	Mark bool   `json:"mark"`
}

// SearchPartial is one word of a query that found nothing, and how many
// articles it finds alone.
type SearchPartial struct {
	Text  string `json:"text"`
	Total int    `json:"total"`
}

// SuggestResponse lists published titles for search-as-you-type.
type SuggestResponse struct {
	Suggestions []Suggestion `json:"suggestions"`
}

// Suggestion is one published article whose title contains what was typed.
type Suggestion struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// errSearchOff answers the search routes on a server without a search index.
var errSearchOff = herald.Errorf(herald.EUNAVAILABLE, "Search is not available on this server.")

func (s *Server) searchArticles(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if s.Search == nil {
		s.problem(w, r, errSearchOff)
		return
	}
	q, err := s.searchQuery(r, actor)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	page, err := s.Search.Search(r.Context(), q)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	res := SearchResponse{
		Total: page.Total, Offset: q.Offset, Limit: q.Limit, Building: page.Building,
		Hits: make([]SearchHit, 0, len(page.Hits)), Partial: make([]SearchPartial, 0, len(page.Partial)), Unfiltered: page.Unfiltered,
	}
	for _, h := range page.Hits {
		res.Hits = append(res.Hits, searchHit(h))
	}
	for _, p := range page.Partial {
		res.Partial = append(res.Partial, SearchPartial{Text: p.Text, Total: p.Total})
	}
	// What a token finds is the caller's alone; what anyone finds may be
	// kept a minute by shared caches, apart from the answers to tokens.
	w.Header().Set("Vary", "Authorization")
	if actor != nil {
		w.Header().Set("Cache-Control", "private, no-store")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	reply(w, http.StatusOK, res)
}

func searchHit(h search.PageHit) SearchHit {
	a := h.Article
	out := SearchHit{
		ID: a.ID, Title: a.Title, Status: a.Status, ColumnID: a.ColumnID, UnitID: a.UnitID, Language: a.Language,
		PublishedAt: a.PublishedAt, Score: h.Score, TitleHTML: spansHTML(h.Title), SnippetHTML: spansHTML(h.Snippet), BylineHTML: spansHTML(h.Byline),
		Snippet: make([]SearchSpan, 0, len(h.Snippet)),
	}
	if a.Status == herald.StatusPublished {
		u := herald.ArticlePath(a.ID)
		out.URL = &u
	}
	if math.IsNaN(out.Score) || math.IsInf(out.Score, 0) {
		out.Score = 0 // JSON has no NaN; a score is only an order anyway
	}
	for _, sp := range h.Snippet {
		out.Snippet = append(out.Snippet, SearchSpan{Text: sp.Text, Mark: sp.Mark})
	}
	return out
}

// spansHTML renders spans as HTML: the text escaped, the matches in <mark>.
func spansHTML(spans []search.Span) string {
	var b strings.Builder
	for _, sp := range spans {
		if sp.Mark {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(sp.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(sp.Text))
		}
	}
	return b.String()
}

// searchQuery reads the search parameters, naming every invalid one, and sets
// what the caller may find: published articles, and with a token the other
// states of articles of the units in the caller's scope.
func (s *Server) searchQuery(r *http.Request, actor *herald.Staff) (search.Query, error) {
	var q search.Query
	params, err := parseQuery(r.URL.RawQuery, searchParams)
	if err != nil {
		return q, err
	}
	var p fieldProblems
	q.Text, err = queryText(params.Get("q"))
	if err == nil && strings.TrimSpace(q.Text) == "" {
		err = herald.Invalid("q", "is required: the words to search for")
	}
	p.add(err)

	var statuses []herald.Status
	for _, st := range strings.Split(params.Get("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !herald.Status(st).Valid() {
			p.Add("status", "unknown status %q", truncate(st, 40))
			statuses = nil
			break
		}
		if actor == nil && herald.Status(st) != herald.StatusPublished {
			p.Add("status", "only published articles can be searched without a token; send one to find %s articles", st)
			statuses = nil
			break
		}
		if !slices.Contains(statuses, herald.Status(st)) {
			statuses = append(statuses, herald.Status(st))
		}
	}

	var unitID int64
	var ids [3]int64
	for i, name := range []string{"column", "theme", "unit"} {
		ids[i], err = paramID(params, name)
		p.add(err)
	}
	q.ColumnID, q.ThemeID, unitID = ids[0], ids[1], ids[2]

	q.Language = params.Get("lang")
	if q.Language != "" && !languageTag.MatchString(q.Language) {
		p.Add("lang", "must be a language tag such as zh, zh-CN or en")
	}

	var fromErr, toErr error
	q.From, fromErr = searchDate(params, "from", false)
	q.Until, toErr = searchDate(params, "to", true)
	p.add(fromErr)
	p.add(toErr)
	if fromErr == nil && toErr == nil && !q.From.IsZero() && !q.Until.IsZero() && !q.From.Before(q.Until) {
		p.Add("to", "must not be before from")
	}

	switch sort := search.Sort(params.Get("sort")); sort {
	case "", search.ByRelevance, search.ByDate:
		q.Sort = sort
	default:
		p.Add("sort", "must be relevance or date")
	}
	q.Limit, err = paramInt(params, "limit", 10, 1, search.MaxLimit)
	p.add(err)
	q.Offset, err = paramInt(params, "offset", 0, 0, search.MaxOffset)
	p.add(err)
	if err := p.Err(); err != nil {
		return q, err
	}

	if err := s.searchScope(r, actor, &q, statuses, unitID); err != nil {
		return q, err
	}
	return q, nil
}

// searchScope checks that the column, theme and unit searched exist, widens
// the unit to its subtree, and sets the statuses and private units the caller
// may search.
func (s *Server) searchScope(r *http.Request, actor *herald.Staff, q *search.Query, statuses []herald.Status, unitID int64) error {
	ctx := r.Context()
	var p herald.Problems
	if q.ColumnID != 0 {
		columns, err := s.Store.FindColumns(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(columns, func(c *herald.Column) bool { return c.ID == q.ColumnID }) {
			p.Add("column", "there is no column %d", q.ColumnID)
		}
	}
	if q.ThemeID != 0 {
		themes, err := s.Store.FindThemes(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(themes, func(t *herald.Theme) bool { return t.ID == q.ThemeID }) {
			p.Add("theme", "there is no theme %d", q.ThemeID)
		}
	}
	var units []*herald.Unit
	if unitID != 0 || actor != nil {
		var err error
		if units, _, err = s.Store.FindUnits(ctx, herald.UnitFilter{}); err != nil {
			return err
		}
	}
	tree := herald.NewUnitTree(units)
	if unitID != 0 {
		if tree.Unit(unitID) == nil {
			p.Add("unit", "there is no unit %d", unitID)
		}
		q.UnitIDs = tree.Subtree(unitID)
	}
	if err := p.Err(); err != nil {
		return err
	}
	if actor == nil {
		q.Statuses, q.Private = []herald.Status{herald.StatusPublished}, nil
		return nil
	}
	q.Private = tree.Subtree(tree.ScopeRoot(actor.UnitID))
	q.Statuses = statuses
	if len(q.Statuses) == 0 {
		q.Statuses = slices.Clone(herald.Statuses)
	}
	return nil
}

func (s *Server) suggestTitles(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	if s.Search == nil {
		s.problem(w, r, errSearchOff)
		return
	}
	params, err := parseQuery(r.URL.RawQuery, suggestParams)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var p fieldProblems
	typed, err := queryText(params.Get("q"))
	p.add(err)
	lang := params.Get("lang")
	if lang != "" && !languageTag.MatchString(lang) {
		p.Add("lang", "must be a language tag such as zh, zh-CN or en")
	}
	limit, err := paramInt(params, "limit", search.MaxSuggestions, 1, search.MaxSuggestions)
	p.add(err)
	if err := p.Err(); err != nil {
		s.problem(w, r, err)
		return
	}
	found, err := s.Search.Suggest(typed, lang, limit)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	res := SuggestResponse{Suggestions: make([]Suggestion, 0, len(found))}
	for _, f := range found {
		res.Suggestions = append(res.Suggestions, Suggestion{ID: f.ID, Title: f.Title, URL: herald.ArticlePath(f.ID)})
	}
	// Only published titles, the same for everyone: shared caches may keep
	// them a minute, which spares the index the keystrokes of a busy hour.
	w.Header().Set("Cache-Control", "public, max-age=60")
	reply(w, http.StatusOK, res)
}

// fieldProblems gathers the invalid fields of several checks, so that one
// answer names them all.
type fieldProblems struct{ herald.Problems }

// add records the fields err names.
func (p *fieldProblems) add(err error) {
	for _, f := range herald.ErrorFields(err) {
		p.Add(f.Field, "%s", f.Message)
	}
}

// languageTag is the shape of a BCP 47 language tag, loosely: zh, zh-CN,
// zh-Hans-CN, en.
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$`)

// queryText checks search text: valid UTF-8, at most search.MaxQueryRunes
// characters, and no control characters but tabs and line breaks (which count
// as spaces).
func queryText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", herald.Invalid("q", "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(text); n > search.MaxQueryRunes {
		return "", herald.Invalid("q", "must be at most %d characters, not %d", search.MaxQueryRunes, n)
	}
	for _, c := range text {
		if unicode.IsControl(c) && c != '\t' && c != '\n' && c != '\r' {
			return "", herald.Invalid("q", "must not contain control characters (found U+%04X)", c)
		}
	}
	return text, nil
}

// searchDate parses a date (2026-06-01, in China Standard Time) or an RFC 3339
// date-time. An end date is inclusive: the day it names is searched whole, a
// date-time to its second.
func searchDate(params url.Values, name string, end bool) (time.Time, error) {
	v := params.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, herald.CST); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, herald.Invalid(name, "must be a date (2026-06-01) or an RFC 3339 date-time (2026-06-01T08:00:00+08:00), not %q", truncate(v, 40))
	}
	if end {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return t, nil
}

// parseQuery parses a query string, refusing a badly encoded one instead of
// dropping the pair, as url.Values does: "q=50%" would otherwise be answered
// as if no q had been sent. It names the parameter when it is one of known.
func parseQuery(raw string, known []string) (url.Values, error) {
	params, err := url.ParseQuery(raw)
	if err == nil {
		return params, nil
	}
	for pair := range strings.SplitSeq(raw, "&") {
		key, value, _ := strings.Cut(pair, "=")
		name, kerr := url.QueryUnescape(key)
		if kerr != nil || !slices.Contains(known, name) {
			continue
		}
		if _, verr := url.QueryUnescape(value); verr != nil || strings.Contains(value, ";") {
			return nil, herald.Invalid(name, "is not URL-encoded: send %% as %%25 and ; as %%3B")
		}
	}
	return nil, herald.Errorf(herald.EINVALID, "The query string is not URL-encoded: send %% as %%25 and ; as %%3B.")
}
