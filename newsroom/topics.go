package newsroom

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/topics"
)

// The special-topic pages (专题): editors create topics and arrange their
// sections and articles; the editor-in-chief publishes and withdraws them
// (package topics). Every change is a form posted with the topic's version,
// answered by a redirect to the topic's page, or by the page again with the
// reason when it was refused.

// topicsService is the service the topic pages run on.
func (s *Server) topicsService() *topics.Service {
	if s.Topics != nil {
		return s.Topics
	}
	return topics.New(s.Store, s.Auth.Clock)
}

// topicsView is what the topic pages' template gets: the list, or one topic.
type topicsView struct {
	List *topicList
	One  *topicPage
}

// topicList lists the topics with the form that starts one.
type topicList struct {
	Topics []*herald.SpecialTopic
	New    topicForm
}

// topicForm is the form of a topic's own fields, with the stored values or
// those of a refused post.
type topicForm struct {
	Slug, Title, Intro, Cover string
	Version                   int
	Fields                    map[string]string
	Problems                  []string
}

// topicPage is one topic: its fields, its sections with their articles, and
// the forms that change them.
type topicPage struct {
	Topic      *herald.SpecialTopic
	Form       topicForm
	Sections   []topicSectionView
	Candidates []*herald.Article // offered by the form that adds an article
	CanPublish bool
	Problem    string // why the last change was refused
}

type topicSectionView struct {
	Index   int
	Heading string
	Items   []topicItemView
}

type topicItemView struct {
	ID          int64
	Article     *herald.Article // nil if it is gone
	First, Last bool
}

func topicPath(id int64) string { return "/newsroom/topics/" + idText(id) }

// refuseTopicViewers answers 403 to those who may not curate topics; the
// navigation does not offer them the pages.
func (s *Server) refuseTopicViewers(w http.ResponseWriter, r *http.Request, req *request) bool {
	if topics.MayCurate(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "topics.forbidden")))
	return true
}

func (s *Server) topicsPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderTopics(w, r, req, http.StatusOK, topicForm{})
}

func (s *Server) renderTopics(w http.ResponseWriter, r *http.Request, req *request, status int, form topicForm) {
	if s.refuseTopicViewers(w, r, req) {
		return
	}
	ts, err := s.topicsService().List(r.Context(), req.staff)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "topics", req, s.msgs.T(req.lang, "topics.title"), &topicsView{List: &topicList{Topics: ts, New: form}})
}

// topicFormFrom reads the topic's own fields from a post.
func topicFormFrom(r *http.Request) topicForm {
	f := topicForm{Slug: r.PostFormValue("slug"), Title: r.PostFormValue("title"), Intro: r.PostFormValue("intro"), Cover: r.PostFormValue("cover_image")}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

// topicRefused fills the form's problems from err, in lang, next to its fields.
func (s *Server) topicRefused(f *topicForm, lang string, err error) {
	f.Fields, f.Problems = fieldProblems(err, func(fe herald.FieldError) string {
		return s.patternProblemText(lang, fe, topicProblemPatterns)
	}, "slug", "title", "intro", "cover_image")
}

// topicProblemPatterns translate the field messages of topics that
// problemText does not know.
var topicProblemPatterns = []problemPattern{
	{regexp.MustCompile(`^is taken by another topic$`), "topics.problem.slug_taken"},
	{regexp.MustCompile(`^cannot change once the topic has been published`), "topics.problem.slug_published"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "topics.problem.too_long"},
	{regexp.MustCompile(`^must be a path starting with / or an http\(s\) URL`), "admin.problem.url"},
}

func (s *Server) createTopic(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseTopicViewers(w, r, req) {
		return
	}
	form := topicFormFrom(r)
	t := &herald.SpecialTopic{Slug: form.Slug, Title: form.Title, Intro: form.Intro, CoverImage: form.Cover}
	if heading := strings.TrimSpace(r.PostFormValue("section")); heading != "" {
		t.Sections = []herald.TopicSection{{Heading: heading}}
	}
	err := s.topicsService().Create(r.Context(), req.staff, t)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, topicPath(t.ID)+"?done=topic_created", http.StatusSeeOther)
	case herald.EINVALID, herald.ECONFLICT:
		s.topicRefused(&form, req.lang, err)
		s.renderTopics(w, r, req, httpx.Status(err), form)
	default:
		s.fail(w, r, req, err)
	}
}

func (s *Server) topicPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderTopic(w, r, req, http.StatusOK, nil, nil)
}

// renderTopic shows a topic; form, when set, is a refused post of its
// fields, and refusal the reason another change was refused.
func (s *Server) renderTopic(w http.ResponseWriter, r *http.Request, req *request, status int, form *topicForm, refusal error) {
	if s.refuseTopicViewers(w, r, req) {
		return
	}
	ctx := r.Context()
	t, err := loadByID(s, r, req, "topics.not_found", func(ctx context.Context, id int64) (*herald.SpecialTopic, error) {
		return s.topicsService().Get(ctx, req.staff, id)
	})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	page := &topicPage{Topic: t, CanPublish: topics.MayPublish(req.staff),
		Form: topicForm{Slug: t.Slug, Title: t.Title, Intro: t.Intro, Cover: t.CoverImage, Version: t.Version}}
	if form != nil {
		page.Form = *form
		page.Form.Version = t.Version
	}
	if refusal != nil {
		page.Problem = herald.ErrorMessage(refusal)
		if herald.ErrorCode(refusal) == herald.ECONFLICT {
			page.Problem = s.msgs.T(req.lang, "topics.conflict") + " " + page.Problem
		}
	}
	ids := t.ArticleIDs()
	byID := map[int64]*herald.Article{}
	if len(ids) > 0 {
		as, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		for _, a := range as {
			byID[a.ID] = a
		}
	}
	for i, sec := range t.Sections {
		v := topicSectionView{Index: i, Heading: sec.Heading}
		for j, id := range sec.ArticleIDs {
			v.Items = append(v.Items, topicItemView{ID: id, Article: byID[id], First: j == 0, Last: j == len(sec.ArticleIDs)-1})
		}
		page.Sections = append(page.Sections, v)
	}
	if page.Candidates, err = s.topicCandidates(ctx, ids); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "topics", req, t.Title, &topicsView{One: page})
}

// topicCandidates are the articles the add form offers: the published
// profiles and videos, then the latest published pieces, less those listed.
func (s *Server) topicCandidates(ctx context.Context, listed []int64) ([]*herald.Article, error) {
	var out []*herald.Article
	seen := map[int64]bool{}
	for _, id := range listed {
		seen[id] = true
	}
	published := []herald.Status{herald.StatusPublished}
	for _, f := range []herald.ArticleFilter{{Kind: herald.KindProfile, Limit: 100}, {Kind: herald.KindVideo, Limit: 100}, {Limit: 60}} {
		f.Statuses, f.Order, f.NoBody, f.NoCount = published, herald.ByPublished, true, true
		as, _, err := s.Store.FindArticles(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// saveTopic changes a topic's own fields.
func (s *Server) saveTopic(w http.ResponseWriter, r *http.Request, req *request) {
	form := topicFormFrom(r)
	s.changeTopic(w, r, req, form.Version, topics.Edit(form.Slug, form.Title, form.Intro, form.Cover), &form)
}

// topicAction makes one of the changes the topic page's buttons post.
func (s *Server) topicAction(w http.ResponseWriter, r *http.Request, req *request) {
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	article := formID(r.PostFormValue("article_id"))
	if ref := strings.TrimSpace(r.PostFormValue("article_ref")); ref != "" {
		article = articleRef(ref)
	}
	section, _ := strconv.Atoi(r.PostFormValue("section"))
	var c topics.Change
	switch r.PathValue("action") {
	case "add_section":
		c = topics.AddSection(r.PostFormValue("heading"))
	case "remove_section":
		c = topics.RemoveSection(section)
	case "add_item":
		c = topics.AddItem(section, article)
	case "remove_item":
		c = topics.RemoveItem(article)
	case "move_up":
		c = topics.MoveItem(article, -1)
	case "move_down":
		c = topics.MoveItem(article, 1)
	case "publish":
		c = topics.Publish()
	case "unpublish":
		c = topics.Unpublish()
	default:
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "topics.not_found")))
		return
	}
	s.changeTopic(w, r, req, version, c, nil)
}

// articleRef reads an article named by its ID or by an address of it
// ("/articles/12.html", "/newsroom/articles/12"); 0 when it names none.
func articleRef(ref string) int64 {
	ref = strings.TrimSuffix(strings.TrimSuffix(ref, "/"), ".html")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// changeTopic applies c and goes back to the topic's page, or shows the page
// with the reason the change was refused.
func (s *Server) changeTopic(w http.ResponseWriter, r *http.Request, req *request, version int, c topics.Change, form *topicForm) {
	if s.refuseTopicViewers(w, r, req) {
		return
	}
	t, err := loadByID(s, r, req, "topics.not_found", func(ctx context.Context, id int64) (*herald.SpecialTopic, error) {
		return s.topicsService().Update(ctx, req.staff, id, version, c)
	})
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, topicPath(t.ID)+"?done=topic_"+c.Action, http.StatusSeeOther)
	case herald.EINVALID, herald.ECONFLICT:
		status := httpx.Status(err)
		if form != nil {
			s.topicRefused(form, req.lang, err)
			err = nil
			if len(form.Problems) > 0 {
				err = herald.Errorf(herald.EINVALID, "%s", strings.Join(form.Problems, " "))
			}
		}
		s.renderTopic(w, r, req, status, form, err)
	default:
		s.fail(w, r, req, err)
	}
}

// backToTopic answers a GET of a change's address (a reload after signing in
// again) with the topic's page.
func (s *Server) backToTopic(w http.ResponseWriter, r *http.Request, req *request) {
	http.Redirect(w, r, topicPath(formID(r.PathValue("id"))), http.StatusSeeOther)
}
