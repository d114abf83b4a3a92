package newsroom

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/heraldnews/herald"
)

// TestRuleProblemsAreTranslated checks that every problem the rules can be
// refused with names an input of the form (so it shows next to it) and
// reads in Chinese, so that a change of the rules' messages is noticed here.
func TestRuleProblemsAreTranslated(t *testing.T) {
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{msgs: c}
	inputs := map[string]bool{"effective_from": true, "note": true}
	for _, g := range ruleGroups {
		for _, f := range g.fields {
			inputs[f.name] = true
		}
	}
	if len(inputs) != 27 {
		t.Errorf("the form has %d inputs, want 25 numbers, the day and the note", len(inputs))
	}
	all := func(v int64) herald.Rules { // every field of the form at v
		var r herald.Rules
		for _, g := range ruleGroups {
			for _, f := range g.fields {
				f.set(&r, v)
			}
		}
		return r
	}
	bad := []*herald.RuleSet{
		{Rules: all(-1), Note: strings.Repeat("注", 501)},
		{EffectiveFrom: time.Now(), Rules: all(2_000_000)},
		{EffectiveFrom: time.Now(), Rules: herald.Rules{Reads: herald.ReadRule{Points: 100},
			Placement: map[herald.OutletLevel]herald.Points{herald.LevelCounty: 500, herald.LevelCity: 100}}},
		{EffectiveFrom: time.Now(), Rules: herald.Rules{Reads: herald.ReadRule{Per: 20_000_000, CapPerMonth: 500, CapPerPiece: 100}}},
	}
	seen := map[string]bool{}
	for _, rs := range bad {
		fes := herald.ErrorFields(rs.Validate())
		if len(fes) == 0 {
			t.Fatalf("rules meant to be invalid passed validation: %+v", rs)
		}
		for _, fe := range fes {
			if !inputs[fe.Field] {
				t.Errorf("%s (%q) names no input of the form", fe.Field, fe.Message)
			}
			msg := s.ruleProblemText("zh-CN", fe)
			if msg == fe.Message || !strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: %q reads %q in Chinese", fe.Field, fe.Message, msg)
			}
			if en := s.ruleProblemText("en", fe); strings.Contains(en, "%!") {
				t.Errorf("%s: %q reads %q in English", fe.Field, fe.Message, en)
			}
			seen[fe.Field] = true
		}
	}
	for _, want := range []string{"reads.per", "placement.city", "reads.cap_per_month", "split.unit_percent", "note", "effective_from"} {
		if !seen[want] {
			t.Errorf("no case refuses %s", want)
		}
	}
	// A version read back from the form is the version that filled it.
	want := all(0)
	want.Adoption = map[herald.ArticleKind]herald.Points{herald.KindNews: 350, herald.KindPhoto: 5}
	want.Reads = herald.ReadRule{Per: 1000, Points: 50, CapPerMonth: 200}
	want.Split = herald.Split{FirstAuthorPercent: 60, UnitPercent: 100}
	var got herald.Rules
	for _, g := range ruleGroups {
		for _, f := range g.fields {
			v, err := parseRuleValue(f.kind, f.format(&want))
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			f.set(&got, v)
		}
	}
	if got.Adoption[herald.KindNews] != 350 || got.Adoption[herald.KindPhoto] != 5 || len(got.Adoption) != 2 || got.Channel != nil ||
		got.Reads != want.Reads || got.Split != want.Split {
		t.Errorf("the rules through the form: %+v, want %+v", got, want)
	}
}
