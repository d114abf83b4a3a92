package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/workflow"
)

// linkCheckTime bounds how long a page waits for the links of an article to
// answer; links still unanswered then are reported as not reachable in time.
const linkCheckTime = 4 * time.Second

// checkReport runs the pre-publish checklist of the article's column over c.
func (s *Server) checkReport(ctx context.Context, c herald.ArticleContent) (checklist.Report, error) {
	cols, err := s.Store.FindColumns(ctx)
	if err != nil {
		return checklist.Report{}, err
	}
	policy := checklist.DefaultPolicy()
	for _, col := range cols {
		if col.ID == c.ColumnID {
			if p, err := checklist.ParsePolicy(col.Checklist); err == nil {
				policy = p
			}
		}
	}
	words, err := s.Store.FindWords(ctx)
	if err != nil {
		return checklist.Report{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, linkCheckTime)
	defer cancel()
	return checklist.Check(ctx, c, policy, checklist.FromSensitiveWords(words), s.Links), nil
}

// checkBeforeReview refuses to submit or approve a piece whose required
// checks fail, naming them; the article page shows the details.
func (s *Server) checkBeforeReview(r *http.Request, req *request, a *herald.Article, act workflow.Action) error {
	if act != workflow.ActSubmit && act != workflow.ActApprove {
		return nil
	}
	rep, err := s.checkReport(r.Context(), a.ArticleContent)
	if err != nil {
		return err
	}
	failed := rep.Failed(checklist.Required)
	if len(failed) == 0 {
		return nil
	}
	names := make([]string, len(failed))
	for i, it := range failed {
		names[i] = s.msgs.T(req.lang, "checklist.rule."+string(it.Rule))
	}
	return herald.Invalid("checklist", "%s", s.msgs.T(req.lang, "checks.blocked", strings.Join(names, "、")))
}

// checkView is the checklist as the article page shows it.
type checkView struct {
	Report   checklist.Report
	Blocking bool
	Body     string // the body with each listed word marked, when there are hits
}

// articleChecks is shown to those who may submit or approve the piece.
func (s *Server) articleChecks(ctx context.Context, a *herald.Article, actions []workflow.Action) (*checkView, error) {
	shown := false
	for _, act := range actions {
		shown = shown || act == workflow.ActSubmit || act == workflow.ActApprove || act == workflow.ActEdit
	}
	if !shown {
		return nil, nil
	}
	rep, err := s.checkReport(ctx, a.ArticleContent)
	if err != nil {
		return nil, err
	}
	v := &checkView{Report: rep, Blocking: rep.Blocking()}
	for _, it := range rep.Items {
		if len(it.Hits) > 0 {
			words, err := s.Store.FindWords(ctx)
			if err != nil {
				return nil, err
			}
			v.Body = checklist.Highlight(a.Body, checklist.FromSensitiveWords(words))
		}
	}
	return v, nil
}

// InternalLink reports whether a site path names something the portal serves:
// a published article or an uploaded image; other site paths (columns,
// themes, pages) are taken as fine.
func (s *Server) InternalLink(ctx context.Context, path string) bool {
	if id, key, _, ok := herald.ParseMediaURL(path); ok {
		m, err := s.Store.FindMediaByID(ctx, id)
		return err == nil && m.Key() == key
	}
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(path, "/m"), "/articles/%d.html", &id); err == nil {
		a, err := s.Store.FindArticleByID(ctx, id)
		return err == nil && a.Status == herald.StatusPublished
	}
	return true
}
