package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/htmlsafe"
	"github.com/heraldnews/herald/textdiff"
)

// Service runs the editorial workflow over a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	// Changed, if set, is called after every committed change of an article
	// (the portal uses it to re-render at once).
	Changed func(a *herald.Article)
	// Gate, if set, must pass before a piece is submitted or approved (the
	// pre-publish checklist); its error stops the step.
	Gate func(ctx context.Context, a *herald.Article) error
	// Follow, if set, returns the jobs a change of an article from status from
	// calls for beyond the workflow's own (deliveries to its channels); they
	// are queued in the transaction of the change.
	Follow func(from herald.Status, a *herald.Article) []*herald.Job
}

// NewService returns a workflow service.
func NewService(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

// Draft is a new article: its content and the unit it is written for (0 for the
// author's own unit).
type Draft struct {
	herald.ArticleContent
	UnitID int64 `json:"unit_id"`
	// TranslationOf makes the draft a translation of that article, which the
	// author must be able to see.
	TranslationOf int64 `json:"translation_of,omitempty"`
}

// Request carries what an action needs besides the article.
type Request struct {
	// Version, when not 0, must equal the article's version, so that a change
	// based on a stale copy is refused instead of overwriting someone's work.
	Version int
	// Comment is the reviewer's comment, the rejection reason, the correction
	// note or the retraction reason.
	Comment string
	// Content is the new content, for edits and corrections.
	Content *herald.ArticleContent
	// At is when to publish; nil or a time not after now publishes at once.
	At *time.Time
}

// MaxCommentRunes limits comments and notes.
const MaxCommentRunes = 2000

func (s *Service) facts(ctx context.Context) (Facts, map[int64]*herald.Column, error) {
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return Facts{}, nil, err
	}
	cols, err := s.Store.FindColumns(ctx)
	if err != nil {
		return Facts{}, nil, err
	}
	byID := make(map[int64]*herald.Column, len(cols))
	for _, c := range cols {
		byID[c.ID] = c
	}
	return Facts{Units: herald.NewUnitTree(units)}, byID, nil
}

// Create starts a new draft.
func (s *Service) Create(ctx context.Context, actor *herald.Staff, d Draft) (*herald.Article, error) {
	if actor == nil {
		return nil, herald.Errorf(herald.EUNAUTHORIZED, "Sign in first.")
	}
	f, cols, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	a := &herald.Article{ArticleContent: d.ArticleContent.Clone(), UnitID: d.UnitID, Status: herald.StatusDraft, CreatedBy: actor.ID,
		TranslationOf: d.TranslationOf}
	if d.TranslationOf != 0 {
		src, err := s.Store.FindArticleByID(ctx, d.TranslationOf)
		if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && !CanView(actor, src, f) {
			return nil, herald.Invalid("translation_of", "no article has ID %d", d.TranslationOf)
		} else if err != nil {
			return nil, err
		}
	}
	if a.UnitID == 0 {
		a.UnitID = actor.UnitID
	}
	if f.Units.Unit(a.UnitID) == nil {
		return nil, herald.Invalid("unit_id", "no unit has ID %d", a.UnitID)
	}
	if len(a.Authors) == 0 {
		a.Authors = []herald.Author{{StaffID: actor.ID}}
	}
	a.Body = htmlsafe.Sanitize(a.Body)
	if err := Check(ActCreate, actor, a, f); err != nil {
		return nil, err
	}
	if a.ColumnID != 0 && cols[a.ColumnID] == nil {
		return nil, herald.Invalid("column_id", "no column has ID %d", a.ColumnID)
	}
	ev := herald.Event{At: s.Clock.Now(), ActorID: actor.ID, Action: string(ActCreate)}
	if err := s.Store.CreateArticle(ctx, a, ev); err != nil {
		return nil, err
	}
	return a, nil
}

// Do takes an action on an article, checking the rules and recording the audit
// event in the same transaction as the change. A nil actor is the scheduler.
func (s *Service) Do(ctx context.Context, actor *herald.Staff, id int64, act Action, req Request) (*herald.Article, error) {
	if act == ActCreate || !slices.Contains(Actions, act) {
		return nil, herald.Errorf(herald.EINVALID, "Unknown action %q.", act)
	}
	if err := checkRequest(act, req); err != nil {
		return nil, err
	}
	f, cols, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	gated := 0 // the version the gate passed, if it ran
	if s.Gate != nil && (act == ActSubmit || act == ActApprove) {
		// Outside the write transaction: the gate may probe links. The
		// transaction below refuses the step if the article changed meanwhile.
		a, err := s.Store.FindArticleByID(ctx, id)
		if err == nil && (actor == nil || CanView(actor, a, f)) {
			err, gated = s.Gate(ctx, a), a.Version
		}
		if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
			return nil, err
		}
	}
	now := s.Clock.Now()
	if act == ActPublish && req.At != nil && req.At.After(now) {
		act = ActSchedule
	} else if act == ActSchedule && !req.At.After(now) {
		return nil, herald.Invalid("at", "must be in the future; to publish now, publish without a time")
	}
	a, err := s.Store.UpdateArticle(ctx, id, func(a *herald.Article) (herald.ArticleChange, error) {
		if actor != nil && !CanView(actor, a, f) {
			return herald.ArticleChange{}, herald.Errorf(herald.ENOTFOUND, "Article %d not found.", id)
		}
		if gated != 0 && gated != a.Version {
			return herald.ArticleChange{}, herald.Errorf(herald.ECONFLICT, "The article changed while it was being checked; try again.")
		}
		if err := CheckVersion(a, req.Version); err != nil {
			return herald.ArticleChange{}, err
		}
		f.Column = cols[a.ColumnID]
		if err := Check(act, actor, a, f); err != nil {
			return herald.ArticleChange{}, err
		}
		ev := herald.Event{At: now, Action: string(act), Level: a.ReviewLevel, Comment: strings.TrimSpace(req.Comment)}
		if actor != nil {
			ev.ActorID = actor.ID
		}
		change := herald.ArticleChange{Event: ev}
		from := a.Status
		change.Jobs = func(a *herald.Article) []*herald.Job {
			var jobs []*herald.Job
			if a.Status == herald.StatusScheduled {
				jobs = append(jobs, publishJob(a))
			}
			if s.Follow != nil {
				jobs = append(jobs, s.Follow(from, a)...)
			}
			return jobs
		}
		return change, apply(act, actor, a, req, f, cols, now, &change)
	})
	if err == nil && s.Changed != nil {
		s.Changed(a)
	}
	return a, err
}

// CheckVersion refuses with ECONFLICT a change made on version had of a when
// a is at another version now; 0 checks nothing. Forms that store something
// before the change (a film upload) check early with it.
func CheckVersion(a *herald.Article, had int) error {
	if had != 0 && had != a.Version {
		return herald.Errorf(herald.ECONFLICT,
			"The article was changed by someone else (version %d, you had %d); reload it and try again.", a.Version, had)
	}
	return nil
}

// checkRequest refuses requests that miss what their action needs.
func checkRequest(act Action, req Request) error {
	comment := strings.TrimSpace(req.Comment)
	var p herald.Problems
	if !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > MaxCommentRunes {
		p.Add("comment", "must be valid text of at most %d characters", MaxCommentRunes)
	}
	switch act {
	case ActReject:
		if comment == "" {
			p.Add("comment", "is required: tell the author what to change")
		}
	case ActCorrect:
		if comment == "" {
			p.Add("comment", "is required: the correction note readers will see")
		}
		if req.Content == nil {
			p.Add("content", "is required: the corrected article")
		}
	case ActRetract:
		if comment == "" {
			p.Add("comment", "is required: the reason for the retraction")
		}
	case ActEdit:
		if req.Content == nil {
			p.Add("content", "is required")
		}
	case ActSchedule:
		if req.At == nil {
			p.Add("at", "is required: when to publish")
		}
	}
	if req.Content != nil && act != ActEdit && act != ActCorrect {
		p.Add("content", "is only accepted by edit and correct")
	}
	return p.Err()
}

// apply makes the change of an allowed action.
func apply(act Action, actor *herald.Staff, a *herald.Article, req Request, f Facts, cols map[int64]*herald.Column, now time.Time, change *herald.ArticleChange) error {
	switch act {
	case ActEdit, ActCorrect:
		c := req.Content.Clone()
		c.Body = htmlsafe.Sanitize(c.Body)
		if c.ColumnID != a.ColumnID {
			if cols[c.ColumnID] == nil {
				return herald.Invalid("column_id", "no column has ID %d", c.ColumnID)
			}
			if a.Status != herald.StatusDraft && a.Status != herald.StatusRejected {
				return herald.Invalid("column_id", "can only change while the article is a draft (the column sets its review levels)")
			}
		}
		a.ArticleContent = c
		if act == ActCorrect {
			a.CorrectionNote = change.Event.Comment
			a.CorrectedAt = &now
			change.RevisionNote = "correction: " + change.Event.Comment
		}
	case ActSubmit:
		var p herald.Problems
		if strings.TrimSpace(a.Body) == "" {
			p.Add("body", "is required before submission")
		}
		if f.Column == nil {
			p.Add("column_id", "is required before submission")
		}
		if err := p.Err(); err != nil {
			return err
		}
		a.Status, a.ReviewLevel, a.Reviewers = herald.StatusSubmitted, 1, []int64{}
		change.Event.Level = 1
	case ActWithdraw:
		a.Status, a.ReviewLevel, a.Reviewers = herald.StatusDraft, 0, []int64{}
	case ActApprove:
		a.Reviewers = append(a.Reviewers, actor.ID)
		if a.ReviewLevel >= f.Column.ReviewLevels {
			a.Status, a.ReviewLevel = herald.StatusApproved, 0
			if a.EditorID == 0 {
				a.EditorID = actor.ID
			}
		} else {
			a.ReviewLevel++
		}
	case ActReject:
		a.Status, a.ReviewLevel, a.Reviewers, a.ScheduledAt = herald.StatusRejected, 0, []int64{}, nil
	case ActPublish:
		if actor == nil && (a.ScheduledAt == nil || a.ScheduledAt.After(now)) {
			return herald.Errorf(herald.ECONFLICT, "The article is not due yet.")
		}
		a.Status, a.ScheduledAt = herald.StatusPublished, nil
		if a.PublishedAt == nil {
			a.PublishedAt = &now
		}
		if a.EditorID == 0 && actor != nil {
			a.EditorID = actor.ID
		}
	case ActSchedule:
		at := req.At.UTC().Truncate(time.Microsecond)
		a.Status, a.ScheduledAt = herald.StatusScheduled, &at
		change.Event.Comment = strings.TrimSpace(change.Event.Comment + " " + at.Format(time.RFC3339))
	case ActUnschedule:
		a.Status, a.ScheduledAt = herald.StatusApproved, nil
	case ActRetract:
		a.Status, a.RetractedAt = herald.StatusRetracted, &now
	}
	return nil
}

// PublishDue publishes every scheduled article whose time has come and returns
// how many it published. Run it at start-up (to catch up after downtime) and
// every second after. With several processes on one database each article is
// published once: the row lock and the state check make the others' attempts
// conflicts, which are skipped.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	due, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{
		Statuses: []herald.Status{herald.StatusScheduled}, ScheduledBefore: &now, Order: herald.ByScheduled, Limit: 100,
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range due {
		_, err := s.Do(ctx, nil, a.ID, ActPublish, Request{})
		switch herald.ErrorCode(err) {
		case "":
			n++
		case herald.ECONFLICT, herald.ENOTFOUND:
		default:
			return n, err
		}
	}
	return n, nil
}

// KindPublish is the job that publishes a scheduled article when its time
// comes.
const KindPublish = "workflow.publish"

// publishJob is the job that publishes a scheduled article at its time; its key
// names the time, so a rescheduled article gets a job of its own and the old
// one finds nothing to do.
func publishJob(a *herald.Article) *herald.Job {
	at := a.ScheduledAt.UnixMicro()
	return &herald.Job{Kind: KindPublish, Key: fmt.Sprintf("%s/%d/%d", KindPublish, a.ID, at),
		Payload: []byte(fmt.Sprintf(`{"article":%d,"at":%d}`, a.ID, at)), RunAt: *a.ScheduledAt}
}

// RunPublishJob is the handler of KindPublish: it publishes the article if it
// is still scheduled for the job's time (a rescheduled, unscheduled, rejected
// or already published article is left alone). Run early, it fails so that
// the queue tries again.
func (s *Service) RunPublishJob(ctx context.Context, j *herald.Job) error {
	var p struct {
		Article int64 `json:"article"`
		At      int64 `json:"at"`
	}
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return herald.Errorf(herald.EINVALID, "publish job %d: %v", j.ID, err)
	}
	a, err := s.Store.FindArticleByID(ctx, p.Article)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if a.Status != herald.StatusScheduled || a.ScheduledAt.UnixMicro() != p.At {
		return nil
	}
	if a.ScheduledAt.After(s.Clock.Now()) {
		return fmt.Errorf("article %d is not due until %s", a.ID, a.ScheduledAt.Format(time.RFC3339))
	}
	_, err = s.Do(ctx, nil, p.Article, ActPublish, Request{})
	switch herald.ErrorCode(err) {
	case herald.ECONFLICT, herald.ENOTFOUND:
		return nil // changed or published meanwhile, by someone else
	}
	return err
}

// QueueScheduled queues the publication job of every scheduled article, due or
// not: at start-up it catches articles scheduled before the queue existed or
// while a job was cancelled; the jobs' keys keep it from queueing one twice.
func (s *Service) QueueScheduled(ctx context.Context) (int, error) {
	scheduled, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusScheduled}, NoCount: true})
	if err != nil || len(scheduled) == 0 {
		return 0, err
	}
	jobs := make([]*herald.Job, len(scheduled))
	for i, a := range scheduled {
		jobs[i] = publishJob(a)
	}
	return len(jobs), s.Store.EnqueueJobs(ctx, s.Clock.Now(), jobs...)
}

// Get returns an article the actor may see.
func (s *Service) Get(ctx context.Context, actor *herald.Staff, id int64) (*herald.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	f, _, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	if !CanView(actor, a, f) {
		return nil, herald.Errorf(herald.ENOTFOUND, "Article %d not found.", id)
	}
	return a, nil
}

// List returns the articles matching filter that the actor may see: published
// ones anywhere, others only within the actor's scope.
func (s *Service) List(ctx context.Context, actor *herald.Staff, filter herald.ArticleFilter) ([]*herald.Article, int, error) {
	onlyPublished := len(filter.Statuses) > 0 && !slices.ContainsFunc(filter.Statuses, func(st herald.Status) bool { return st != herald.StatusPublished })
	if !onlyPublished {
		if actor == nil {
			filter.Statuses = []herald.Status{herald.StatusPublished}
		} else {
			units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
			if err != nil {
				return nil, 0, err
			}
			tree := herald.NewUnitTree(units)
			visible := tree.Subtree(tree.ScopeRoot(actor.UnitID))
			if filter.UnitIDs != nil {
				visible = slices.DeleteFunc(visible, func(id int64) bool { return !slices.Contains(filter.UnitIDs, id) })
			}
			filter.UnitIDs = visible
		}
	}
	return s.Store.FindArticles(ctx, filter)
}

// Revisions lists the revisions of an article the actor may see.
func (s *Service) Revisions(ctx context.Context, actor *herald.Staff, id int64) ([]*herald.Revision, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.FindRevisions(ctx, id)
}

// Revision returns one revision of an article the actor may see.
func (s *Service) Revision(ctx context.Context, actor *herald.Staff, id int64, number int) (*herald.Revision, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.FindRevision(ctx, id, number)
}

// FieldDiff is how one field differs between two revisions.
type FieldDiff struct {
	Field string          `json:"field"`
	Lines []textdiff.Line `json:"lines"`
}

// Diff compares two revisions of an article field by field, the body paragraph
// by paragraph, and returns only the fields that differ.
func (s *Service) Diff(ctx context.Context, actor *herald.Staff, id int64, from, to int) ([]FieldDiff, error) {
	a, err := s.Revision(ctx, actor, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.FindRevision(ctx, id, to)
	if err != nil {
		return nil, err
	}
	return DiffContent(&a.Content, &b.Content), nil
}

// SourceChanges tells whether a translation's source has changed since the
// revision the translation follows: it returns the source's latest revision
// and, when that is newer, what changed between the two. An original has no
// source: 0 and nil.
func (s *Service) SourceChanges(ctx context.Context, actor *herald.Staff, a *herald.Article) (int, []FieldDiff, error) {
	if a.TranslationOf == 0 {
		return 0, nil, nil
	}
	revs, err := s.Revisions(ctx, actor, a.TranslationOf)
	if err != nil || len(revs) == 0 {
		return 0, nil, err
	}
	latest := revs[len(revs)-1].Number
	if latest <= a.SourceRevision {
		return latest, nil, nil
	}
	diffs, err := s.Diff(ctx, actor, a.TranslationOf, a.SourceRevision, latest)
	return latest, diffs, err
}

// ActFollowSource is the audited step that marks a translation as following
// a newer revision of its source, once the translator has brought it up to
// date.
const ActFollowSource = "follow_source"

// FollowSource sets the source revision translation id follows to rev, which
// must be a revision the source has. Whoever may edit the translation now (or
// correct it, once published) may; like any step it is refused when the
// translation is no longer at version (0 skips that check), and it is audited.
func (s *Service) FollowSource(ctx context.Context, actor *herald.Staff, id int64, version, rev int) (*herald.Article, error) {
	cur, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if cur.TranslationOf == 0 {
		return nil, herald.Invalid("source_revision", "only a translation follows a source")
	}
	latest, _, err := s.SourceChanges(ctx, actor, cur)
	if err != nil {
		return nil, err
	}
	if rev < 1 || rev > latest {
		return nil, herald.Invalid("source_revision", "must be a revision of the source, 1 to %d", latest)
	}
	f, cols, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	a, err := s.Store.UpdateArticle(ctx, id, func(a *herald.Article) (herald.ArticleChange, error) {
		if !CanView(actor, a, f) {
			return herald.ArticleChange{}, herald.Errorf(herald.ENOTFOUND, "Article %d not found.", id)
		}
		if err := CheckVersion(a, version); err != nil {
			return herald.ArticleChange{}, err
		}
		f.Column = cols[a.ColumnID]
		if err := Check(ActEdit, actor, a, f); err != nil && Check(ActCorrect, actor, a, f) != nil {
			return herald.ArticleChange{}, err
		}
		a.SourceRevision = rev
		return herald.ArticleChange{Event: herald.Event{At: now, ActorID: actor.ID, Action: ActFollowSource,
			Comment: "source revision " + strconv.Itoa(rev)}}, nil
	})
	if err == nil && s.Changed != nil {
		s.Changed(a)
	}
	return a, err
}

// DiffContent compares two contents field by field.
func DiffContent(a, b *herald.ArticleContent) []FieldDiff {
	lines := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	authors := func(c *herald.ArticleContent) []string {
		var out []string
		for _, au := range c.Authors {
			if au.StaffID != 0 {
				out = append(out, "staff:"+itoa(au.StaffID))
			} else {
				out = append(out, au.Name)
			}
		}
		return out
	}
	ids := func(xs []int64) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = itoa(x)
		}
		return out
	}
	fields := []struct {
		name string
		a, b []string
	}{
		{"title", lines(a.Title), lines(b.Title)},
		{"subtitle", lines(a.Subtitle), lines(b.Subtitle)},
		{"summary", lines(a.Summary), lines(b.Summary)},
		{"body", textdiff.HTMLBlocks(a.Body), textdiff.HTMLBlocks(b.Body)},
		{"cover_image", lines(a.CoverImage), lines(b.CoverImage)},
		{"source", lines(a.Source), lines(b.Source)},
		{"language", lines(a.Language), lines(b.Language)},
		{"column_id", ids([]int64{a.ColumnID}), ids([]int64{b.ColumnID})},
		{"editor_id", ids([]int64{a.EditorID}), ids([]int64{b.EditorID})},
		{"authors", authors(a), authors(b)},
		{"theme_ids", ids(a.ThemeIDs), ids(b.ThemeIDs)},
		{"tags", a.Tags, b.Tags},
		{"channels", channelNames(a.Channels), channelNames(b.Channels)},
		{"kind", lines(string(a.Kind)), lines(string(b.Kind))},
		{"figure", a.Figure.DiffLines(), b.Figure.DiffLines()},
		{"video", a.Video.DiffLines(), b.Video.DiffLines()},
	}
	var out []FieldDiff
	for _, f := range fields {
		if d := textdiff.Lines(f.a, f.b); textdiff.Changed(d) {
			out = append(out, FieldDiff{Field: f.name, Lines: d})
		}
	}
	return out
}

func itoa(x int64) string { return strconv.FormatInt(x, 10) }

// Allowed returns, for each article, the actions actor may take on it now, in
// the order of Actions: what the newsroom offers.
func (s *Service) Allowed(ctx context.Context, actor *herald.Staff, articles []*herald.Article) (map[int64][]Action, error) {
	f, cols, err := s.facts(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]Action, len(articles))
	for _, a := range articles {
		f.Column = cols[a.ColumnID]
		for _, act := range Actions {
			if act == ActCreate || act == ActSchedule {
				continue // creating is not an action on an article; scheduling is publishing with a time
			}
			if Check(act, actor, a, f) == nil {
				out[a.ID] = append(out[a.ID], act)
			}
		}
	}
	return out, nil
}

func channelNames(cs []herald.Channel) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
