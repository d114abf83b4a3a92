package newsroom

import (
	"context"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/workflow"
)

// linkCheckTime bounds how long a page waits for the links of an article to
// answer; links still unanswered then are reported as not reachable in time.
const linkCheckTime = 4 * time.Second

// checkView is the checklist as the article page shows it.
type checkView struct {
	Report   checklist.Report
	Blocking bool
	Body     string // the body with each listed word marked, when there are hits
}

// articleChecks is shown to those who may submit, approve or edit the piece;
// the workflow's gate enforces the same checks.
func (s *Server) articleChecks(ctx context.Context, a *herald.Article, actions []workflow.Action) (*checkView, error) {
	shown := false
	for _, act := range actions {
		shown = shown || act == workflow.ActSubmit || act == workflow.ActApprove || act == workflow.ActEdit
	}
	if !shown {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, linkCheckTime)
	defer cancel()
	rep, words, err := checklist.Screen(ctx, s.Store, a.ArticleContent, s.Links)
	if err != nil {
		return nil, err
	}
	v := &checkView{Report: rep, Blocking: rep.Blocking()}
	for _, it := range rep.Items {
		if len(it.Hits) > 0 {
			v.Body = checklist.Highlight(a.Body, words)
			break
		}
	}
	return v, nil
}

// gateMessage says, in lang, which required checks stopped a step; ok is
// false for other errors.
func (s *Server) gateMessage(lang string, err error) (msg string, ok bool) {
	var names []string
	for _, f := range herald.ErrorFields(err) {
		if f.Field == checklist.GateField {
			names = append(names, s.msgs.T(lang, "checklist.rule."+f.Message))
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return s.msgs.T(lang, "checks.blocked", strings.Join(names, "、")), true
}
