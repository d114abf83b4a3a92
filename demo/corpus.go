// Package demo holds the demonstration dataset loaded by `herald demo`:
// the organisation tree of the Hebei Provincial Department of Justice, its
// staff, site columns, central-work themes and a corpus of news articles.
//
// The data lives under data/ and is embedded into the binary. province.json
// describes units, staff, columns and themes; data/articles/NNN.txt holds one
// article each, as "key: value" header lines, a "---" separator and an HTML
// body.
package demo

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

//go:embed data
var dataFS embed.FS

// UnitSpec describes an organisational unit.
type UnitSpec struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Type   string `json:"type"`
	Parent string `json:"parent"`
}

// StaffSpec describes a staff member.
type StaffSpec struct {
	Username  string   `json:"username"`
	Email     string   `json:"email"` // under a reserved .example name: the demo mails nobody real
	Name      string   `json:"name"`
	NameEn    string   `json:"name_en"`
	StaffCode string   `json:"staff_code"`
	Unit      string   `json:"unit"`
	Roles     []string `json:"roles"`
	Skills    []string `json:"skills"`
}

// ColumnSpec describes a site column (section).
type ColumnSpec struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en"`
	ReviewLevels int    `json:"review_levels"`
	Position     int    `json:"position"`
	// Checklist overrides how pre-publish checks count in the column.
	Checklist map[string]string `json:"checklist,omitempty"`
}

// ThemeSpec describes a central-work theme.
type ThemeSpec struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	NameEn      string `json:"name_en"`
	Description string `json:"description"`
}

// ArticleSpec is one parsed article file.
type ArticleSpec struct {
	File         string
	Title        string
	Subtitle     string
	Summary      string
	Language     string
	Column       string
	Themes       []string
	Tags         []string
	Unit         string
	Author       string
	ExtraAuthors []string
	Editor       string
	Source       string
	State        string
	// Time is parsed in China Standard Time (UTC+8).
	Time time.Time
	Note string
	// TranslationOf names the file of the original this article translates
	// (seeded before it); "" for an original.
	TranslationOf string
	// Body is the HTML after the "---" line, trimmed.
	Body string
	// Kind, Figure and Video make a figure profile or a video piece; the
	// corpus files hold news, and topics.go sets them for its works.
	Kind   herald.ArticleKind
	Figure *herald.Figure
	Video  *herald.ArticleVideo
}

// Corpus is the whole demo dataset.
type Corpus struct {
	Units    []UnitSpec
	Staff    []StaffSpec
	Columns  []ColumnSpec
	Themes   []ThemeSpec
	Articles []ArticleSpec
}

// Allowed enumerations.
var (
	UnitTypes = []string{"department", "publicity_center", "city_bureau", "county_bureau",
		"notary_office", "legal_aid_center", "judicial_office"}
	Roles = []string{"admin", "editor_in_chief", "editor", "correspondent",
		"translator", "trainer", "viewer"}
	States = []string{"draft", "submitted", "review2", "review3", "rejected",
		"approved", "scheduled", "published", "corrected", "retracted"}
	Languages = []string{"zh-CN", "en"}
)

// CST is the fixed UTC+8 zone in which article times are written.
var CST = herald.CST

// TimeLayout is the layout of the "time" header.
const TimeLayout = "2006-01-02 15:04:05"

// ProvinceFile and ArticlesDir name the data locations inside the data FS.
const (
	ProvinceFile = "province.json"
	ArticlesDir  = "articles"
)

// LoadCorpus parses and validates the embedded demo data.
func LoadCorpus() (*Corpus, error) {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		return nil, err
	}
	return ParseCorpus(sub)
}

// ParseCorpus parses and validates a corpus laid out like data/: a
// province.json file and an articles directory of *.txt files.
func ParseCorpus(fsys fs.FS) (*Corpus, error) {
	raw, err := fs.ReadFile(fsys, ProvinceFile)
	if err != nil {
		return nil, fmt.Errorf("demo: %s: %w", ProvinceFile, err)
	}
	var prov struct {
		Units   []UnitSpec   `json:"units"`
		Staff   []StaffSpec  `json:"staff"`
		Columns []ColumnSpec `json:"columns"`
		Themes  []ThemeSpec  `json:"themes"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&prov); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", ProvinceFile, err)
	}
	c := &Corpus{Units: prov.Units, Staff: prov.Staff, Columns: prov.Columns, Themes: prov.Themes}
	if err := c.validateProvince(); err != nil {
		return nil, err
	}

	entries, err := fs.ReadDir(fsys, ArticlesDir)
	if err != nil {
		return nil, fmt.Errorf("demo: %s: %w", ArticlesDir, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		file := path.Join(ArticlesDir, name)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", file, err)
		}
		a, err := ParseArticle(file, data)
		if err != nil {
			return nil, err
		}
		if err := c.validateArticle(a); err != nil {
			return nil, err
		}
		c.Articles = append(c.Articles, *a)
	}
	return c, nil
}

// fieldError reports a problem with one field of one file.
func fieldError(file, field, format string, args ...any) error {
	return fmt.Errorf("demo: %s: field %q: %s", file, field, fmt.Sprintf(format, args...))
}

var articleKeys = map[string]bool{
	"title": true, "subtitle": true, "summary": true, "language": true, "column": true,
	"themes": true, "tags": true, "unit": true, "author": true, "authors_extra": true,
	"editor": true, "source": true, "state": true, "time": true, "note": true, "translation_of": true,
}

var requiredArticleKeys = []string{"title", "summary", "language", "column", "tags",
	"unit", "author", "source", "state", "time"}

// ParseArticle parses one article file. It checks syntax and required
// fields only; cross references are checked by ParseCorpus.
func ParseArticle(file string, data []byte) (*ArticleSpec, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	header, body, found := strings.Cut(text, "\n---\n")
	if !found {
		if h, ok := strings.CutSuffix(text, "\n---"); ok {
			header, body, found = h, "", true
		}
	}
	if !found {
		return nil, fieldError(file, "---", "missing header/body separator line")
	}
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(header))
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		key, val, ok := strings.Cut(l, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("demo: %s: line %d: malformed header line %q", file, line, l)
		}
		if !articleKeys[key] {
			return nil, fieldError(file, key, "unknown header key (line %d)", line)
		}
		if _, dup := fields[key]; dup {
			return nil, fieldError(file, key, "duplicate header key (line %d)", line)
		}
		fields[key] = strings.TrimSpace(val)
	}
	for _, k := range requiredArticleKeys {
		if fields[k] == "" {
			return nil, fieldError(file, k, "required field missing or empty")
		}
	}
	a := &ArticleSpec{
		File:          file,
		Title:         fields["title"],
		Subtitle:      fields["subtitle"],
		Summary:       fields["summary"],
		Language:      fields["language"],
		Column:        fields["column"],
		Themes:        splitList(fields["themes"], ","),
		Tags:          splitList(fields["tags"], ","),
		Unit:          fields["unit"],
		Author:        fields["author"],
		ExtraAuthors:  splitList(fields["authors_extra"], ",，、"),
		Editor:        fields["editor"],
		Source:        fields["source"],
		State:         fields["state"],
		Note:          fields["note"],
		Body:          strings.TrimSpace(body),
		TranslationOf: fields["translation_of"],
	}
	t, err := time.ParseInLocation(TimeLayout, fields["time"], CST)
	if err != nil {
		return nil, fieldError(file, "time", "want %q: %v", TimeLayout, err)
	}
	a.Time = t
	if a.Body == "" {
		return nil, fieldError(file, "body", "empty body")
	}
	return a, nil
}

func splitList(s, seps string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *Corpus) unit(code string) *UnitSpec {
	for i := range c.Units {
		if c.Units[i].Code == code {
			return &c.Units[i]
		}
	}
	return nil
}

func (c *Corpus) staff(username string) *StaffSpec {
	for i := range c.Staff {
		if c.Staff[i].Username == username {
			return &c.Staff[i]
		}
	}
	return nil
}

func (c *Corpus) column(slug string) *ColumnSpec {
	for i := range c.Columns {
		if c.Columns[i].Slug == slug {
			return &c.Columns[i]
		}
	}
	return nil
}

func (c *Corpus) theme(slug string) *ThemeSpec {
	for i := range c.Themes {
		if c.Themes[i].Slug == slug {
			return &c.Themes[i]
		}
	}
	return nil
}

// IsAncestorOrSelf reports whether unit anc is unit code or one of its ancestors.
func (c *Corpus) IsAncestorOrSelf(anc, code string) bool {
	for i := 0; code != "" && i <= len(c.Units); i++ {
		if code == anc {
			return true
		}
		u := c.unit(code)
		if u == nil {
			return false
		}
		code = u.Parent
	}
	return false
}

func hasAnyRole(s *StaffSpec, roles ...string) bool {
	for _, r := range roles {
		if contains(s.Roles, r) {
			return true
		}
	}
	return false
}

func (c *Corpus) validateProvince() error {
	const f = ProvinceFile
	if len(c.Units) == 0 {
		return fieldError(f, "units", "no units")
	}
	codes := map[string]bool{}
	roots := 0
	for i, u := range c.Units {
		at := fmt.Sprintf("units[%d]", i)
		switch {
		case u.Code == "":
			return fieldError(f, at+".code", "empty")
		case codes[u.Code]:
			return fieldError(f, at+".code", "duplicate unit code %q", u.Code)
		case u.Name == "":
			return fieldError(f, at+".name", "empty (unit %s)", u.Code)
		case u.NameEn == "":
			return fieldError(f, at+".name_en", "empty (unit %s)", u.Code)
		case !contains(UnitTypes, u.Type):
			return fieldError(f, at+".type", "unknown unit type %q (unit %s)", u.Type, u.Code)
		}
		codes[u.Code] = true
		if u.Parent == "" {
			roots++
		}
	}
	if roots != 1 {
		return fieldError(f, "units", "want exactly one root unit, have %d", roots)
	}
	for i, u := range c.Units {
		if u.Parent == "" {
			continue
		}
		if !codes[u.Parent] {
			return fieldError(f, fmt.Sprintf("units[%d].parent", i), "unknown parent unit %q (unit %s)", u.Parent, u.Code)
		}
		// Walk up; a cycle never reaches the root.
		seen := map[string]bool{}
		for p := u.Code; p != ""; p = c.unit(p).Parent {
			if seen[p] {
				return fieldError(f, fmt.Sprintf("units[%d].parent", i), "cycle through unit %q", p)
			}
			seen[p] = true
		}
	}

	users, staffCodes := map[string]bool{}, map[string]bool{}
	for i, s := range c.Staff {
		at := fmt.Sprintf("staff[%d]", i)
		switch {
		case s.Username == "":
			return fieldError(f, at+".username", "empty")
		case !isLowerASCII(s.Username):
			return fieldError(f, at+".username", "%q: want lowercase ascii letters and digits", s.Username)
		case users[s.Username]:
			return fieldError(f, at+".username", "duplicate username %q", s.Username)
		case s.Name == "":
			return fieldError(f, at+".name", "empty (staff %s)", s.Username)
		case s.NameEn == "":
			return fieldError(f, at+".name_en", "empty (staff %s)", s.Username)
		case s.StaffCode == "":
			return fieldError(f, at+".staff_code", "empty (staff %s)", s.Username)
		case staffCodes[s.StaffCode]:
			return fieldError(f, at+".staff_code", "duplicate staff code %q", s.StaffCode)
		case !codes[s.Unit]:
			return fieldError(f, at+".unit", "unknown unit %q (staff %s)", s.Unit, s.Username)
		case len(s.Roles) == 0:
			return fieldError(f, at+".roles", "no roles (staff %s)", s.Username)
		}
		for _, r := range s.Roles {
			if !contains(Roles, r) {
				return fieldError(f, at+".roles", "unknown role %q (staff %s)", r, s.Username)
			}
		}
		users[s.Username] = true
		staffCodes[s.StaffCode] = true
	}

	slugs := map[string]bool{}
	for i, col := range c.Columns {
		at := fmt.Sprintf("columns[%d]", i)
		switch {
		case col.Slug == "":
			return fieldError(f, at+".slug", "empty")
		case slugs[col.Slug]:
			return fieldError(f, at+".slug", "duplicate column %q", col.Slug)
		case col.Name == "":
			return fieldError(f, at+".name", "empty (column %s)", col.Slug)
		case col.NameEn == "":
			return fieldError(f, at+".name_en", "empty (column %s)", col.Slug)
		case col.ReviewLevels < 1 || col.ReviewLevels > 3:
			return fieldError(f, at+".review_levels", "%d out of range 1..3 (column %s)", col.ReviewLevels, col.Slug)
		}
		slugs[col.Slug] = true
	}
	themes := map[string]bool{}
	for i, t := range c.Themes {
		at := fmt.Sprintf("themes[%d]", i)
		switch {
		case t.Slug == "":
			return fieldError(f, at+".slug", "empty")
		case themes[t.Slug]:
			return fieldError(f, at+".slug", "duplicate theme %q", t.Slug)
		case t.Name == "":
			return fieldError(f, at+".name", "empty (theme %s)", t.Slug)
		case t.NameEn == "":
			return fieldError(f, at+".name_en", "empty (theme %s)", t.Slug)
		}
		themes[t.Slug] = true
	}
	return nil
}

func isLowerASCII(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// statesPastSubmitted need a responsible editor.
var statesPastSubmitted = map[string]bool{
	"review2": true, "review3": true, "rejected": true, "approved": true,
	"scheduled": true, "published": true, "corrected": true, "retracted": true,
}

func (c *Corpus) validateArticle(a *ArticleSpec) error {
	f := a.File
	if !contains(Languages, a.Language) {
		return fieldError(f, "language", "unknown language %q", a.Language)
	}
	if !contains(States, a.State) {
		return fieldError(f, "state", "unknown state %q", a.State)
	}
	col := c.column(a.Column)
	if col == nil {
		return fieldError(f, "column", "unknown column %q", a.Column)
	}
	if a.TranslationOf != "" {
		src := "articles/" + a.TranslationOf
		i := slices.IndexFunc(c.Articles, func(o ArticleSpec) bool { return o.File == src })
		switch {
		case i < 0 || src >= f:
			return fieldError(f, "translation_of", "%q is not an article seeded before this one", a.TranslationOf)
		case c.Articles[i].Language == a.Language || c.Articles[i].TranslationOf != "":
			return fieldError(f, "translation_of", "%q is in the same language or is itself a translation", a.TranslationOf)
		}
	}
	if a.State == "review2" && col.ReviewLevels < 2 {
		return fieldError(f, "state", "review2 in column %q with %d review level(s)", col.Slug, col.ReviewLevels)
	}
	if a.State == "review3" && col.ReviewLevels < 3 {
		return fieldError(f, "state", "review3 in column %q with %d review level(s)", col.Slug, col.ReviewLevels)
	}
	for _, t := range a.Themes {
		if c.theme(t) == nil {
			return fieldError(f, "themes", "unknown theme %q", t)
		}
	}
	if len(a.Tags) == 0 || len(a.Tags) > 5 {
		return fieldError(f, "tags", "%d tags, want 1..5", len(a.Tags))
	}
	if c.unit(a.Unit) == nil {
		return fieldError(f, "unit", "unknown unit %q", a.Unit)
	}
	author := c.staff(a.Author)
	if author == nil {
		return fieldError(f, "author", "unknown staff %q", a.Author)
	}
	if !hasAnyRole(author, "correspondent", "editor", "editor_in_chief") && !(a.TranslationOf != "" && hasAnyRole(author, "translator")) {
		return fieldError(f, "author", "staff %q is neither correspondent nor editor (nor the translator of a translation)", a.Author)
	}
	// An author writes for their own unit and the units below it; staff of
	// a publicity center write on behalf of the unit the center serves.
	home := author.Unit
	if u := c.unit(home); u != nil && u.Type == "publicity_center" && u.Parent != "" {
		home = u.Parent
	}
	if !c.IsAncestorOrSelf(home, a.Unit) {
		return fieldError(f, "author", "staff %q (unit %s) does not belong to unit %s or its ancestors", a.Author, author.Unit, a.Unit)
	}
	if a.Editor != "" {
		ed := c.staff(a.Editor)
		if ed == nil {
			return fieldError(f, "editor", "unknown staff %q", a.Editor)
		}
		if !hasAnyRole(ed, "editor", "editor_in_chief") || ed.Unit != "HEB-XC" {
			return fieldError(f, "editor", "staff %q is not an editor at HEB-XC", a.Editor)
		}
	} else if statesPastSubmitted[a.State] {
		return fieldError(f, "editor", "required for state %q", a.State)
	}
	switch a.State {
	case "corrected", "rejected", "retracted":
		if a.Note == "" {
			return fieldError(f, "note", "required for state %q", a.State)
		}
	}
	return nil
}
