package newsroom

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// The scoring rules page (积分规则): the versions of the rules, each one's
// amounts as a table, and the form that writes the next version. Editors,
// editors-in-chief and administrators read it; administrators write
// (scoring.MayMakeRules). A version applies from its day on and never
// changes points already earned, so the form offers no way to edit one.

// rulesReaders may see the rules and the quotas.
var rulesReaders = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief, herald.RoleAdmin}

// mayReadRules tells whether st may see the scoring rules.
func mayReadRules(st *herald.Staff) bool {
	return st != nil && st.Active() && st.HasRole(rulesReaders...)
}

// mayReadQuotas tells whether st may see the units' quotas: those who
// read the rules.
func mayReadQuotas(st *herald.Staff) bool { return mayReadRules(st) }

// ruleFieldKind is what a rule field holds.
type ruleFieldKind int

const (
	pointsField  ruleFieldKind = iota // points with at most two decimals
	readsField                        // a whole number of reads
	percentField                      // a whole percentage
)

// ruleField is one number of the rules: its name is the one the rules'
// validation names it by ("reads.per"), so that a problem shows next to
// its input.
type ruleField struct {
	name string
	kind ruleFieldKind
	get  func(r *herald.Rules) int64
	set  func(r *herald.Rules, v int64)
}

// ruleGroup is a group of rule fields, shown as one table and one fieldset.
type ruleGroup struct {
	key    string // rules.group.<key>
	fields []ruleField
}

func pointsRule(name string, p func(r *herald.Rules) *herald.Points) ruleField {
	return ruleField{name: name, kind: pointsField,
		get: func(r *herald.Rules) int64 { return int64(*p(r)) }, set: func(r *herald.Rules, v int64) { *p(r) = herald.Points(v) }}
}

func intRule(name string, kind ruleFieldKind, n func(r *herald.Rules) *int) ruleField {
	return ruleField{name: name, kind: kind,
		get: func(r *herald.Rules) int64 { return int64(*n(r)) }, set: func(r *herald.Rules, v int64) { *n(r) = int(v) }}
}

// mapRule is a field of one of the rules' maps: a zero amount is left out.
func mapRule[K ~string](prefix string, key K, m func(r *herald.Rules) *map[K]herald.Points) ruleField {
	return ruleField{name: prefix + "." + string(key), kind: pointsField,
		get: func(r *herald.Rules) int64 { return int64((*m(r))[key]) },
		set: func(r *herald.Rules, v int64) {
			switch {
			case v == 0:
				delete(*m(r), key) // a no-op on a nil map
			case *m(r) == nil:
				*m(r) = map[K]herald.Points{key: herald.Points(v)}
			default:
				(*m(r))[key] = herald.Points(v)
			}
		}}
}

// ruleGroups are the rules' fields, in the order the page shows them.
var ruleGroups = func() []ruleGroup {
	adoption := ruleGroup{key: "adoption", fields: []ruleField{pointsRule("submission", func(r *herald.Rules) *herald.Points { return &r.Submission })}}
	for _, k := range herald.ArticleKinds {
		adoption.fields = append(adoption.fields, mapRule("adoption", k, func(r *herald.Rules) *map[herald.ArticleKind]herald.Points { return &r.Adoption }))
	}
	channel := ruleGroup{key: "channel"}
	for _, c := range herald.Channels {
		if c != herald.ChannelWebsite {
			channel.fields = append(channel.fields, mapRule("channel", c, func(r *herald.Rules) *map[herald.Channel]herald.Points { return &r.Channel }))
		}
	}
	placement := ruleGroup{key: "placement"}
	for _, l := range herald.OutletLevels {
		placement.fields = append(placement.fields, mapRule("placement", l, func(r *herald.Rules) *map[herald.OutletLevel]herald.Points { return &r.Placement }))
	}
	bonus := ruleGroup{key: "bonus"}
	for _, k := range herald.RecognitionKinds {
		bonus.fields = append(bonus.fields, mapRule("bonus", k, func(r *herald.Rules) *map[herald.RecognitionKind]herald.Points { return &r.Bonus }))
	}
	reads := ruleGroup{key: "reads", fields: []ruleField{
		intRule("reads.per", readsField, func(r *herald.Rules) *int { return &r.Reads.Per }),
		pointsRule("reads.points", func(r *herald.Rules) *herald.Points { return &r.Reads.Points }),
		pointsRule("reads.cap_per_month", func(r *herald.Rules) *herald.Points { return &r.Reads.CapPerMonth }),
		pointsRule("reads.cap_per_piece", func(r *herald.Rules) *herald.Points { return &r.Reads.CapPerPiece }),
	}}
	quota := ruleGroup{key: "quota", fields: []ruleField{pointsRule("missed_quota", func(r *herald.Rules) *herald.Points { return &r.MissedQuota })}}
	split := ruleGroup{key: "split", fields: []ruleField{
		intRule("split.first_author_percent", percentField, func(r *herald.Rules) *int { return &r.Split.FirstAuthorPercent }),
		intRule("split.unit_percent", percentField, func(r *herald.Rules) *int { return &r.Split.UnitPercent }),
	}}
	return []ruleGroup{adoption, channel, placement, bonus, reads, quota, split}
}()

// format writes a field's value as the form and the table show it.
func (f ruleField) format(r *herald.Rules) string {
	if f.kind == pointsField {
		return herald.Points(f.get(r)).String()
	}
	return strconv.FormatInt(f.get(r), 10)
}

// rulesView is what the rules page's template gets.
type rulesView struct {
	Versions []ruleVersion
	Shown    *ruleVersion // the version whose rules the table shows
	Tables   []ruleTable
	CanMake  bool
	Form     *rulesForm
}

// ruleVersion is one version in the list.
type ruleVersion struct {
	Version                   int
	EffectiveFrom, Note, By   string
	CreatedAt                 time.Time
	Current, Future, Selected bool
}

// ruleTable is one group of a version's rules.
type ruleTable struct {
	ID, Caption, Hint string
	Rows              []ruleTableRow
}

// ruleTableRow is one amount of the rules, with its unit.
type ruleTableRow struct{ Label, Value string }

// rulesForm is the form that writes the next version, holding the latest
// version's values or those of a refused post.
type rulesForm struct {
	Next, Basis          int // the version it makes, the one it was filled from
	EffectiveFrom, Note  string
	Min                  string // the earliest day it may take effect
	Groups               []ruleFieldset
	NoteError, DateError string
	Problems             []string
	Refused              bool
}

// ruleFieldset is a group of the form's inputs.
type ruleFieldset struct {
	ID, Legend, Hint string
	Inputs           []ruleInput
}

// ruleInput is one number input of the form.
type ruleInput struct {
	Name, ID, Label, Value, Unit, Mode, Error, Hint string
}

func (s *Server) refuseRuleReaders(w http.ResponseWriter, r *http.Request, req *request) bool {
	if mayReadRules(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "rules.forbidden")))
	return true
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseRuleReaders(w, r, req) {
		return
	}
	s.renderRules(w, r, req, http.StatusOK, nil)
}

// renderRules draws the rules page; a refused form is shown as posted.
func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, req *request, status int, refused *rulesForm) {
	versions, err := s.Store.FindRules(r.Context())
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	today := herald.CSTDay(s.Auth.Clock.Now())
	current := herald.RulesOn(versions, today)
	d := &rulesView{CanMake: scoring.MayMakeRules(req.staff)}
	shown := current
	if v, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		for _, rs := range versions {
			if rs.Version == v {
				shown = rs
			}
		}
	}
	if shown == nil && len(versions) > 0 {
		shown = versions[len(versions)-1] // only versions still to come
	}
	names := map[int64]string{}
	for i := len(versions) - 1; i >= 0; i-- { // the newest first
		rs := versions[i]
		if _, ok := names[rs.CreatedBy]; !ok {
			if st, err := s.Store.FindStaffByID(r.Context(), rs.CreatedBy); err == nil {
				names[rs.CreatedBy] = st.Byline()
			}
		}
		v := ruleVersion{Version: rs.Version, EffectiveFrom: rs.EffectiveFrom.Format(time.DateOnly), Note: rs.Note, By: names[rs.CreatedBy],
			CreatedAt: rs.CreatedAt, Current: rs == current, Future: rs.EffectiveFrom.After(today), Selected: rs == shown}
		d.Versions = append(d.Versions, v)
	}
	for i := range d.Versions {
		if d.Versions[i].Selected {
			d.Shown = &d.Versions[i]
			d.Tables = s.ruleTables(req.lang, &shown.Rules)
		}
	}
	if d.CanMake {
		d.Form = refused
		if d.Form == nil {
			d.Form = s.newRulesForm(req.lang, versions, today)
		}
		fillRulesForm(d.Form, versions, today)
	}
	s.render(w, r, status, "rules", req, s.msgs.T(req.lang, "rules.title"), d)
}

// ruleTables describes a version's rules in lang.
func (s *Server) ruleTables(lang string, rules *herald.Rules) []ruleTable {
	out := make([]ruleTable, len(ruleGroups))
	for i, g := range ruleGroups {
		t := ruleTable{ID: "rules-" + g.key, Caption: s.msgs.T(lang, "rules.group."+g.key), Hint: s.msgs.T(lang, "rules.group_hint."+g.key)}
		for _, f := range g.fields {
			t.Rows = append(t.Rows, ruleTableRow{Label: s.msgs.T(lang, "rules.field."+f.name), Value: s.msgs.T(lang, unitKey(f.kind), f.format(rules))})
		}
		out[i] = t
	}
	return out
}

func unitKey(k ruleFieldKind) string {
	return map[ruleFieldKind]string{pointsField: "rules.points", readsField: "rules.reads", percentField: "rules.percent"}[k]
}

// newRulesForm is the form filled from the latest version (zeros before
// the first), taking effect tomorrow or the day after the latest's.
func (s *Server) newRulesForm(lang string, versions []*herald.RuleSet, today time.Time) *rulesForm {
	f := &rulesForm{}
	var basis herald.Rules
	day := today.AddDate(0, 0, 1)
	if n := len(versions); n > 0 {
		last := versions[n-1]
		basis, f.Basis = last.Rules, last.Version
		if after := last.EffectiveFrom.AddDate(0, 0, 1); after.After(day) {
			day = after
		}
	}
	f.EffectiveFrom = day.Format(time.DateOnly)
	values := map[string]string{}
	for _, g := range ruleGroups {
		for _, fd := range g.fields {
			values[fd.name] = fd.format(&basis)
		}
	}
	f.Groups = s.ruleFieldsets(lang, values, nil)
	return f
}

// fillRulesForm sets what the form shows beside the values.
func fillRulesForm(f *rulesForm, versions []*herald.RuleSet, today time.Time) {
	f.Next = 1
	if n := len(versions); n > 0 {
		f.Next = versions[n-1].Version + 1
	}
	f.Min = today.Format(time.DateOnly)
}

// ruleFieldsets are the form's inputs holding values, with the problems
// next to them.
func (s *Server) ruleFieldsets(lang string, values, problems map[string]string) []ruleFieldset {
	out := make([]ruleFieldset, len(ruleGroups))
	for i, g := range ruleGroups {
		fs := ruleFieldset{ID: "form-" + g.key, Legend: s.msgs.T(lang, "rules.group."+g.key), Hint: s.msgs.T(lang, "rules.group_hint."+g.key)}
		for _, f := range g.fields {
			in := ruleInput{Name: f.name, ID: ruleInputID(f.name), Label: s.msgs.T(lang, "rules.field."+f.name), Value: values[f.name],
				Error: problems[f.name], Mode: "decimal"}
			switch f.kind {
			case pointsField:
				in.Unit = s.msgs.T(lang, "rules.unit.points")
			case readsField:
				in.Unit, in.Mode = s.msgs.T(lang, "rules.unit.reads"), "numeric"
			case percentField:
				in.Unit, in.Mode = "%", "numeric"
			}
			if hint := "rules.hint." + f.name; s.msgs.T(lang, hint) != hint {
				in.Hint = s.msgs.T(lang, hint)
			}
			fs.Inputs = append(fs.Inputs, in)
		}
		out[i] = fs
	}
	return out
}

// ruleInputID is the element ID of a field's input: "reads-per".
func ruleInputID(name string) string { return "rule-" + strings.ReplaceAll(name, ".", "-") }

func (s *Server) createRules(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseRuleReaders(w, r, req) {
		return
	}
	if !scoring.MayMakeRules(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "rules.makers_only")))
		return
	}
	values := map[string]string{}
	problems := map[string]string{}
	var rules herald.Rules
	for _, g := range ruleGroups {
		for _, f := range g.fields {
			text := strings.TrimSpace(r.PostFormValue(f.name))
			values[f.name] = text
			v, err := parseRuleValue(f.kind, text)
			if err != nil {
				problems[f.name] = s.msgs.T(req.lang, map[ruleFieldKind]string{pointsField: "rules.problem.points",
					readsField: "rules.problem.reads", percentField: "rules.problem.whole"}[f.kind])
				continue
			}
			f.set(&rules, v)
		}
	}
	form := &rulesForm{EffectiveFrom: strings.TrimSpace(r.PostFormValue("effective_from")), Note: strings.TrimSpace(r.PostFormValue("note")), Refused: true}
	rs := &herald.RuleSet{Rules: rules, Note: form.Note}
	if day, err := time.ParseInLocation(time.DateOnly, form.EffectiveFrom, herald.CST); err == nil {
		rs.EffectiveFrom = day
	} else if form.EffectiveFrom == "" {
		form.DateError = s.msgs.T(req.lang, "admin.problem.required")
	} else {
		form.DateError = s.msgs.T(req.lang, "rules.problem.date")
	}
	// Refuse the whole form at once: a number that is not one, and what the
	// rules' own checks say of the others.
	if len(problems) > 0 || form.DateError != "" {
		if err := rs.Validate(); err != nil {
			s.ruleProblems(req.lang, err, problems, form)
		}
		s.refuseRules(w, r, req, http.StatusBadRequest, form, values, problems)
		return
	}
	err := s.scoringService().CreateRules(r.Context(), req.staff, rs)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, withFlash("/newsroom/rules?version="+strconv.Itoa(rs.Version), "rules_created"), http.StatusSeeOther)
	case herald.EINVALID:
		s.ruleProblems(req.lang, err, problems, form)
		s.refuseRules(w, r, req, http.StatusBadRequest, form, values, problems)
	case herald.ECONFLICT: // a version takes effect on that day or later already
		versions, ferr := s.Store.FindRules(r.Context())
		if ferr != nil || len(versions) == 0 {
			s.fail(w, r, req, err)
			return
		}
		last := versions[len(versions)-1]
		form.DateError = s.msgs.T(req.lang, "rules.problem.after_last", last.Version, last.EffectiveFrom.Format(time.DateOnly))
		s.refuseRules(w, r, req, http.StatusConflict, form, values, problems)
	default:
		s.fail(w, r, req, err)
	}
}

// refuseRules shows the rules page with the refused form as posted.
func (s *Server) refuseRules(w http.ResponseWriter, r *http.Request, req *request, status int, form *rulesForm, values, problems map[string]string) {
	form.Groups = s.ruleFieldsets(req.lang, values, problems)
	s.renderRules(w, r, req, status, form)
}

// parseRuleValue reads a field: points with at most two decimals, or a
// whole number; blank is zero, which earns nothing.
func parseRuleValue(kind ruleFieldKind, text string) (int64, error) {
	if text == "" {
		return 0, nil
	}
	if kind == pointsField {
		p, err := herald.ParsePoints(text)
		return int64(p), err
	}
	n, err := strconv.ParseInt(text, 10, 32)
	return n, err
}

// ruleProblems puts the rules' field problems, in lang, next to their
// inputs (a field that already has one keeps it); the others go above the form.
func (s *Server) ruleProblems(lang string, err error, fields map[string]string, form *rulesForm) {
	fes := herald.ErrorFields(err)
	if len(fes) == 0 {
		form.Problems = append(form.Problems, herald.ErrorMessage(err))
	}
	known := map[string]bool{}
	for _, g := range ruleGroups {
		for _, f := range g.fields {
			known[f.name] = true
		}
	}
	for _, fe := range fes {
		msg := s.ruleProblemText(lang, fe)
		switch {
		case fe.Field == "effective_from":
			if form.DateError == "" {
				form.DateError = msg
			}
		case fe.Field == "note":
			form.NoteError = msg
		case known[fe.Field]:
			if _, had := fields[fe.Field]; !had {
				fields[fe.Field] = msg
			}
		default:
			form.Problems = append(form.Problems, msg)
		}
	}
}

// ruleProblemPatterns translate the rules' field messages; the captured
// text is the catalog text's arguments.
var ruleProblemPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^must be from 0 to ([0-9.]+) points$`), "rules.problem.amount"},
	{regexp.MustCompile(`^earns less than a ([a-z_]+) placement \(([-0-9.]+) < ([-0-9.]+)\): a higher outlet must not count for less$`), "rules.problem.placement"},
	{regexp.MustCompile(`^must be at least 1 read when reads earn points \(it divides the reads\)$`), "rules.problem.per_required"},
	{regexp.MustCompile(`^must be from 0 to 10,000,000 reads$`), "rules.problem.per_range"},
	{regexp.MustCompile(`^is more than the cap per piece \(([-0-9.]+) > ([-0-9.]+)\): a month could never reach it$`), "rules.problem.cap_month"},
	{regexp.MustCompile(`^must be from 0 to 100$`), "rules.problem.percent"},
	{regexp.MustCompile(`^must be text of at most (\d+) characters$`), "rules.problem.note"},
	{regexp.MustCompile(`^may not be in the past: a change of the rules never rewrites points already earned$`), "rules.problem.past"},
}

// ruleProblemText is a problem of the rules in lang.
func (s *Server) ruleProblemText(lang string, fe herald.FieldError) string {
	for _, p := range ruleProblemPatterns {
		m := p.re.FindStringSubmatch(fe.Message)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, v := range m[1:] {
			args[i] = v
			if p.key == "rules.problem.placement" && i == 0 {
				args[i] = s.msgs.T(lang, "rules.field.placement."+v)
			}
		}
		return s.msgs.T(lang, p.key, args...)
	}
	return s.problemText(lang, fe)
}
