package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

func TestSearchRespectsScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	drafts, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusDraft, herald.StatusSubmitted}})
	if err != nil || len(drafts) == 0 {
		t.Fatalf("the demo has no unpublished article: %v", err)
	}
	units, _, _ := f.store.FindUnits(ctx, herald.UnitFilter{})
	tree := herald.NewUnitTree(units)
	staff, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{})
	// a draft, someone who may see it and someone who may not
	var draft *herald.Article
	var insider, outsider string
	for _, d := range drafts {
		insider, outsider = "", ""
		for _, st := range staff {
			if !st.Active() {
				continue
			}
			if tree.Within(d.UnitID, tree.ScopeRoot(st.UnitID)) {
				insider = st.Username
			} else {
				outsider = st.Username
			}
		}
		if insider != "" && outsider != "" {
			draft = d
			break
		}
	}
	if draft == nil {
		t.Fatal("no draft with both an insider and an outsider in the demo")
	}
	q := "/newsroom/search?q=" + url.QueryEscape(`"`+draft.Title+`"`)

	in := f.browser(t)
	in.login(insider)
	code, body := in.get(q)
	if code != http.StatusOK || !strings.Contains(body, `/newsroom/articles/`+itoa(draft.ID)+`"`) || !strings.Contains(body, `<mark class="hit">`) {
		t.Fatalf("%s cannot find the draft %q of their scope: %d\n%s", insider, draft.Title, code, body)
	}

	out := f.browser(t)
	out.login(outsider)
	if code, body := out.get(q); code != http.StatusOK || strings.Contains(body, `/newsroom/articles/`+itoa(draft.ID)+`"`) {
		t.Fatalf("%s found a draft outside their scope: %d", outsider, code)
	}

	// bad input names the field and changes nothing
	for _, bad := range []string{"?q=x&from=yesterday", "?q=x&column=abc", "?q=%ff", "?q=" + strings.Repeat("法", 300), "?q=x&status=lost"} {
		if code, body := in.get("/newsroom/search" + bad); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400\n%.300s", bad, code, body)
		}
	}
	if code, _ := in.get(`/newsroom/search?q=` + url.QueryEscape(`"((* OR -`)); code != http.StatusOK {
		t.Errorf("operator soup: %d", code)
	}
}
