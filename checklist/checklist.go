// Package checklist is the pre-publish checklist shown when an article is
// submitted and again before it is approved: is there a title of a sensible
// length, a summary, a cover image, alt text on every image, do the links
// resolve, does the text contain a listed sensitive or commonly mistaken word
// (错敏词), is the piece filed under a theme, with a source and a responsible
// editor. Each column says, in a Policy, which checks are required, which only
// recommended and which are off.
//
// The package is pure logic over the root types; link checking is delegated to
// a LinkChecker so that callers (and tests) decide how links are probed.
package checklist

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// Rule identifies one check. The identifiers are stable: they are stored in
// each column's checklist policy and form the catalog keys checklist.rule.<rule>.
type Rule string

// The checks, see Rules for their display order.
const (
	RuleTitle       Rule = "title"        // the title is present
	RuleTitleLength Rule = "title_length" // the title is MinTitleRunes..MaxTitleRunes characters, or MinTitleWords..MaxTitleWords words when mostly Latin
	RuleSummary     Rule = "summary"      // the summary is present and at most MaxSummaryRunes characters
	RuleCover       Rule = "cover"        // a cover image is set
	RuleImageAlt    Rule = "image_alt"    // every <img> in the body has non-empty alt text
	RuleLinks       Rule = "links"        // every link and image in the body resolves
	RuleWords       Rule = "words"        // no listed sensitive or mistaken word in title, subtitle, summary or body
	RuleThemes      Rule = "themes"       // the article is filed under at least one theme
	RuleSource      Rule = "source"       // the source is given
	RuleEditor      Rule = "editor"       // the responsible editor is set
)

// Rules lists every rule in display order.
var Rules = []Rule{RuleTitle, RuleTitleLength, RuleSummary, RuleCover, RuleImageAlt, RuleLinks, RuleWords, RuleThemes, RuleSource, RuleEditor}

// Limits the checks apply.
const (
	MinTitleRunes   = 5   // shortest title, in characters, counting a Chinese character as one
	MaxTitleRunes   = 40  // longest title, in characters
	MinTitleWords   = 3   // shortest mostly-Latin title, in words
	MaxTitleWords   = 20  // longest mostly-Latin title, in words
	MaxSummaryRunes = 200 // longest summary, in characters
)

// Severity says how a failed check counts.
type Severity string

// Severities. A failed Required check blocks submission and approval; a failed
// Recommended one is shown as a warning; an Off check is not run.
const (
	Required    Severity = "required"
	Recommended Severity = "recommended"
	Off         Severity = "off"
)

// Severities lists every severity.
var Severities = []Severity{Required, Recommended, Off}

// Policy says, per column, how each rule counts. Missing rules count as
// DefaultPolicy says.
type Policy map[Rule]Severity

var defaultPolicy = Policy{
	RuleTitle:       Required,
	RuleTitleLength: Required,
	RuleSummary:     Recommended,
	RuleCover:       Recommended,
	RuleImageAlt:    Required,
	RuleLinks:       Recommended,
	RuleWords:       Required,
	RuleThemes:      Recommended,
	RuleSource:      Required,
	RuleEditor:      Off, // Herald names the final-level approver; a column may still ask for it
}

// DefaultPolicy returns the policy of a column that sets none: title, title
// length, words, image alt text and source are required; links, summary, cover
// and themes are recommended; the responsible editor is not checked, since
// the workflow makes the final-level approver the responsible editor.
func DefaultPolicy() Policy { return maps.Clone(defaultPolicy) }

// ParsePolicy converts a column's stored checklist (herald.Column.Checklist)
// into a Policy and validates it.
func ParsePolicy(m map[string]string) (Policy, error) {
	p := make(Policy, len(m))
	for r, s := range m {
		p[Rule(r)] = Severity(s)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate returns an EINVALID error on the field "checklist" naming every
// unknown rule and severity.
func (p Policy) Validate() error {
	var msgs []string
	for _, r := range slices.Sorted(maps.Keys(p)) {
		if !slices.Contains(Rules, r) {
			msgs = append(msgs, fmt.Sprintf("unknown rule %q", r))
		} else if !slices.Contains(Severities, p[r]) {
			msgs = append(msgs, fmt.Sprintf("rule %q: severity must be required, recommended or off, not %q", r, p[r]))
		}
	}
	if len(msgs) > 0 {
		return herald.Invalid("checklist", "%s", strings.Join(msgs, "; "))
	}
	return nil
}

// Severity returns how rule r counts under p: p's own setting when valid, else
// the default; Off for unknown rules.
func (p Policy) Severity(r Rule) Severity {
	if s, ok := p[r]; ok && slices.Contains(Severities, s) {
		return s
	}
	if s, ok := defaultPolicy[r]; ok {
		return s
	}
	return Off
}

// Item is the outcome of one check.
type Item struct {
	Rule     Rule
	Severity Severity
	OK       bool
	Message  string   // catalog key, such as "checklist.title_length.too_long"
	Args     []any    // arguments of the message, such as the length and the limit
	Details  []string // image srcs lacking alt text; "href: reason" for each broken link
	Hits     []Hit    // listed words found (RuleWords only)
}

// Report is the outcome of every check that is not off, in display order.
type Report struct {
	Items []Item
}

// Blocking reports whether some required check failed.
func (r Report) Blocking() bool { return len(r.Failed(Required)) > 0 }

// Failed returns the failed items of severity sev.
func (r Report) Failed(sev Severity) []Item {
	var out []Item
	for _, it := range r.Items {
		if !it.OK && it.Severity == sev {
			out = append(out, it)
		}
	}
	return out
}

// Check runs every check that p does not turn off over c, screening the text
// against words. links probes each distinct link and image of the body,
// several at once; when links is nil the links check is skipped and its item
// omitted.
func Check(ctx context.Context, c herald.ArticleContent, p Policy, words []Word, links LinkChecker) Report {
	var rep Report
	var body *bodyScan
	scan := func() *bodyScan {
		if body == nil {
			body = scanBody(c.Body, false)
		}
		return body
	}
	for _, r := range Rules {
		sev := p.Severity(r)
		if sev == Off || r == RuleLinks && links == nil {
			continue
		}
		it := Item{Rule: r, Severity: sev, OK: true, Message: "checklist." + string(r) + ".ok"}
		fail := func(msg string, args ...any) {
			it.OK, it.Message, it.Args = false, "checklist."+string(r)+"."+msg, args
		}
		switch r {
		case RuleTitle:
			if strings.TrimSpace(c.Title) == "" {
				fail("missing")
			}
		case RuleTitleLength:
			n, latin := titleLength(c.Title)
			switch {
			case latin && n < MinTitleWords:
				fail("too_few_words", n, MinTitleWords)
			case latin && n > MaxTitleWords:
				fail("too_many_words", n, MaxTitleWords)
			case !latin && n < MinTitleRunes:
				fail("too_short", n, MinTitleRunes)
			case !latin && n > MaxTitleRunes:
				fail("too_long", n, MaxTitleRunes)
			}
		case RuleSummary:
			s := strings.TrimSpace(c.Summary)
			if s == "" {
				fail("missing")
			} else if n := utf8.RuneCountInString(s); n > MaxSummaryRunes {
				fail("too_long", n, MaxSummaryRunes)
			}
		case RuleCover:
			if strings.TrimSpace(c.CoverImage) == "" {
				fail("missing")
			}
		case RuleImageAlt:
			for i, img := range scan().images {
				if strings.TrimSpace(img.alt) == "" {
					src := img.src
					if src == "" {
						src = fmt.Sprintf("img #%d", i+1)
					}
					it.Details = append(it.Details, src)
				}
			}
			if len(it.Details) > 0 {
				fail("missing", len(it.Details))
			}
		case RuleLinks:
			it.Details = checkLinks(ctx, scan().links, links)
			if len(it.Details) > 0 {
				fail("broken", len(it.Details))
			}
		case RuleWords:
			it.Hits = screen(c, compile(words), scan())
			if len(it.Hits) > 0 {
				fail("found", len(it.Hits))
			}
		case RuleThemes:
			if len(c.ThemeIDs) == 0 {
				fail("missing")
			}
		case RuleSource:
			if strings.TrimSpace(c.Source) == "" {
				fail("missing")
			}
		case RuleEditor:
			if c.EditorID <= 0 {
				fail("missing")
			}
		}
		rep.Items = append(rep.Items, it)
	}
	return rep
}

// titleLength measures a title: in characters, or, when Latin words outnumber
// Chinese (Japanese, Korean) characters, in words, CJK characters counting as
// one word each. latin says which.
func titleLength(title string) (n int, latin bool) {
	title = strings.TrimSpace(title)
	cjk, words, inWord := 0, 0, false
	for _, r := range title {
		switch {
		case isCJK(r):
			cjk++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !inWord {
				words++
			}
			inWord = true
		case inWord && (r == '\'' || r == '’' || r == '-'):
			// inside a word: don't, state-of-the-art
		default:
			inWord = false
		}
	}
	if words > cjk {
		return words + cjk, true
	}
	return utf8.RuneCountInString(title), false
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// linkWorkers is how many links Check probes at once; the LinkChecker may
// limit this further.
const linkWorkers = 8

// checkLinks probes each distinct href and returns "href: reason" for the broken
// ones, in the order they appear.
func checkLinks(ctx context.Context, hrefs []string, check LinkChecker) []string {
	var uniq []string
	seen := map[string]bool{}
	for _, h := range hrefs {
		if !seen[h] {
			seen[h] = true
			uniq = append(uniq, h)
		}
	}
	errs := make([]error, len(uniq))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(linkWorkers, len(uniq)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = check(ctx, uniq[i])
			}
		})
	}
	for i := range uniq {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []string
	for i, err := range errs {
		if err != nil {
			out = append(out, uniq[i]+": "+err.Error())
		}
	}
	return out
}

// screen finds the listed words in the title, subtitle, summary and body.
func screen(c herald.ArticleContent, m *matcher, body *bodyScan) []Hit {
	if len(m.pats) == 0 {
		return nil
	}
	var hits []Hit
	add := func(field string, b *block) {
		for _, x := range m.matches(b.fold) {
			hits = append(hits, Hit{Word: m.pats[x.pat].word, Field: field, Context: b.context(x.start, x.end)})
		}
	}
	for _, f := range []struct{ name, text string }{{"title", c.Title}, {"subtitle", c.Subtitle}, {"summary", c.Summary}} {
		for _, b := range plainBlocks(f.text) {
			add(f.name, &b)
		}
	}
	for i := range body.blocks {
		add("body", &body.blocks[i])
	}
	return hits
}

// contextRunes is how many characters of context a hit shows on each side.
const contextRunes = 12

// context returns the text around runes [start, end) of b.
func (b *block) context(start, end int) string {
	from, to := max(0, start-contextRunes), min(len(b.orig), end+contextRunes)
	var sb strings.Builder
	if from > 0 {
		sb.WriteString("…")
	}
	sb.WriteString(string(b.orig[from:to]))
	if to < len(b.orig) {
		sb.WriteString("…")
	}
	return sb.String()
}
