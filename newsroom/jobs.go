package newsroom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
)

// jobsPageSize is how many jobs the jobs page shows at a time.
const jobsPageSize = 25

// jobErrorPreview is how many characters of a job's last error the list shows
// before the rest is folded away.
const jobErrorPreview = 120

// jobOrder is the order of the unfiltered list and of the chart: what needs
// a person first, then what is under way, then what is over.
var jobOrder = []herald.JobStatus{herald.JobFailed, herald.JobQueued, herald.JobRunning, herald.JobCancelled, herald.JobDone}

// jobManagers may see the job queue and retry or cancel its jobs.
var jobManagers = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief, herald.RoleAdmin}

// mayManageJobs reports whether st may see and act on the job queue.
func mayManageJobs(st *herald.Staff) bool { return st.Active() && st.HasRole(jobManagers...) }

// jobsData is the jobs page: how many jobs are in each state, and a page of
// them.
type jobsData struct {
	Status                    string // the status filter, "" for all
	Bars                      []jobBar
	Total                     int // jobs in every state
	Rows                      []jobRow
	PageNo, Pages, Prev, Next int
	Back                      string // this page's address, where its forms return to
}

// jobBar is one bar of the chart: a state, its count and the bar's length in
// percent of the longest.
type jobBar struct {
	Status  herald.JobStatus
	Count   int
	Percent int
}

// jobRow is one job of the list with what its payload points at.
type jobRow struct {
	Job          *herald.Job
	Kind         string           // the kind, in the reader's language
	ArticleID    int64            // the article the job is about, 0 when none
	Article      *herald.Article  // that article, when the reader may see it
	Delivery     *herald.Delivery // the delivery a deliver job carries out
	ErrorPreview string           // the start of the last error, when it is long
	Retry        bool             // the job may be queued again
	Cancel       bool             // the job may be given up
}

// jobPayload is what the payloads of the jobs the page knows carry: a
// delivery's ({"delivery":12,"action":"create","version":4}) or an
// article's ({"article":7}).
type jobPayload struct {
	Delivery int64  `json:"delivery"`
	Article  int64  `json:"article"`
	Action   string `json:"action"`
	Version  int    `json:"version"`
}

func payloadOf(j *herald.Job) jobPayload {
	var p jobPayload
	json.Unmarshal(j.Payload, &p) // a payload of another shape points at nothing
	return p
}

func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request, req *request) {
	if !mayManageJobs(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "jobs.forbidden")))
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := &jobsData{Status: q.Get("status")}
	order := jobOrder
	if d.Status != "" {
		if !herald.JobStatus(d.Status).Valid() {
			s.fail(w, r, req, herald.Invalid("status", "must be a job status"))
			return
		}
		order = []herald.JobStatus{herald.JobStatus(d.Status)}
	}
	counts, err := s.Store.CountJobs(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	longest := 0
	for _, st := range jobOrder {
		d.Total += counts[st]
		longest = max(longest, counts[st])
	}
	for _, st := range jobOrder {
		b := jobBar{Status: st, Count: counts[st]}
		if longest > 0 && b.Count > 0 {
			b.Percent = max(1, b.Count*100/longest) // a state with jobs always shows a sliver
		}
		d.Bars = append(d.Bars, b)
	}
	listed := 0
	for _, st := range order {
		listed += counts[st]
	}
	d.PageNo, _ = strconv.Atoi(q.Get("page"))
	d.PageNo = max(d.PageNo, 1)
	d.Pages = (listed + jobsPageSize - 1) / jobsPageSize
	if d.PageNo > 1 {
		d.Prev = d.PageNo - 1
	}
	if d.PageNo < d.Pages {
		d.Next = d.PageNo + 1
	}
	jobs, err := s.jobsInOrder(ctx, order, counts, (d.PageNo-1)*jobsPageSize, jobsPageSize)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Rows, err = s.jobRows(ctx, req, jobs); err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Back = jobsURL(d.Status, d.PageNo)
	s.render(w, r, http.StatusOK, "jobs", req, s.msgs.T(req.lang, "jobs.title"), d)
}

// jobsURL is the address of a page of the jobs list.
func jobsURL(status string, page int) string {
	v := url.Values{}
	if status != "" {
		v.Set("status", status)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/newsroom/jobs"
	}
	return "/newsroom/jobs?" + v.Encode()
}

// jobsInOrder returns limit jobs from offset of the list that shows the jobs
// of each state in order, each state's newest first. counts says how many
// each state holds, so that a page asks only the states it shows.
func (s *Server) jobsInOrder(ctx context.Context, order []herald.JobStatus, counts map[herald.JobStatus]int, offset, limit int) ([]*herald.Job, error) {
	var out []*herald.Job
	for _, st := range order {
		if limit == 0 {
			break
		}
		if offset >= counts[st] {
			offset -= counts[st]
			continue
		}
		jobs, _, err := s.Store.FindJobs(ctx, herald.JobFilter{Statuses: []herald.JobStatus{st}, Limit: limit, Offset: offset})
		if err != nil {
			return nil, err
		}
		out = append(out, jobs...)
		limit -= min(limit, len(jobs))
		offset = 0
	}
	return out, nil
}

// jobRows describes jobs for the list: their kind by name, and the article
// each is about, linked when the reader may see it.
func (s *Server) jobRows(ctx context.Context, req *request, jobs []*herald.Job) ([]jobRow, error) {
	rows := make([]jobRow, len(jobs))
	deliveries := map[int64]*herald.Delivery{}
	var articleIDs []int64
	for i, j := range jobs {
		row := jobRow{Job: j, Kind: j.Kind,
			Retry:  j.Status == herald.JobFailed || j.Status == herald.JobCancelled,
			Cancel: j.Status == herald.JobQueued || j.Status == herald.JobFailed}
		// kinds the catalogs name ("jobs.kind.delivery.deliver") show their
		// name; others show themselves
		if key := "jobs.kind." + j.Kind; s.msgs[Languages[0]][key] != "" {
			row.Kind = s.msgs.T(req.lang, key)
		}
		if utf8.RuneCountInString(j.LastError) > jobErrorPreview {
			row.ErrorPreview = string([]rune(j.LastError)[:jobErrorPreview]) + "…"
		}
		p := payloadOf(j)
		switch {
		case j.Kind == delivery.KindDeliver && p.Delivery > 0:
			dl, ok := deliveries[p.Delivery]
			if !ok {
				var err error
				dl, err = s.Store.FindDeliveryByID(ctx, p.Delivery)
				if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
					return nil, err
				}
				deliveries[p.Delivery] = dl
			}
			if dl != nil {
				row.Delivery, row.ArticleID = dl, dl.ArticleID
			}
		case p.Article > 0:
			row.ArticleID = p.Article
		}
		if row.ArticleID != 0 && !slices.Contains(articleIDs, row.ArticleID) {
			articleIDs = append(articleIDs, row.ArticleID)
		}
		rows[i] = row
	}
	visible, err := s.visibleArticles(ctx, req.staff, articleIDs)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Article = visible[rows[i].ArticleID]
	}
	return rows, nil
}

// visibleArticles returns those of the articles that st may see (published
// ones, and the others of their unit's scope), without their bodies: the job
// queue serves the whole province, and a title out of scope is not to be shown.
func (s *Server) visibleArticles(ctx context.Context, st *herald.Staff, ids []int64) (map[int64]*herald.Article, error) {
	out := map[int64]*herald.Article{}
	if len(ids) == 0 {
		return out, nil
	}
	inScope, _, err := s.Workflow.List(ctx, st, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	published, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, Statuses: []herald.Status{herald.StatusPublished}, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	for _, a := range append(inScope, published...) {
		out[a.ID] = a
	}
	return out, nil
}

func (s *Server) retryJob(w http.ResponseWriter, r *http.Request, req *request) {
	s.changeJob(w, r, req, false)
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, req *request) {
	s.changeJob(w, r, req, true)
}

// changeJobTo retries or cancels a job, and tells JobChanged.
func (s *Server) changeJobTo(ctx context.Context, req *request, id int64, cancel bool) error {
	ev := herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID}
	change := s.Store.RetryJob
	if cancel {
		change = s.Store.CancelJob
	}
	j, err := change(ctx, id, ev)
	if err == nil && s.JobChanged != nil {
		err = s.JobChanged(ctx, j)
	}
	return err
}

// changeJob retries or cancels a job from the jobs page and goes back to it.
func (s *Server) changeJob(w http.ResponseWriter, r *http.Request, req *request, cancel bool) {
	if !mayManageJobs(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "jobs.forbidden")))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "jobs.not_found")))
		return
	}
	done := "job_retried"
	if cancel {
		done = "job_cancelled"
	}
	if err := s.changeJobTo(r.Context(), req, id, cancel); err != nil {
		s.fail(w, r, req, s.jobError(r.Context(), req.lang, id, cancel, err))
		return
	}
	back := "/newsroom/jobs"
	if b := r.PostFormValue("back"); b != "" {
		back = safeNext(b)
	}
	http.Redirect(w, r, withFlash(back, done), http.StatusSeeOther)
}

// jobError says in the reader's language why a job could not be retried or
// cancelled: it is gone, or it is in a state that does not allow it (someone
// else acted on it first, or the runner took it meanwhile).
func (s *Server) jobError(ctx context.Context, lang string, id int64, cancel bool, err error) error {
	switch herald.ErrorCode(err) {
	case herald.ENOTFOUND:
		return herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(lang, "jobs.not_found"))
	case herald.ECONFLICT:
		j, ferr := s.Store.FindJobByID(ctx, id)
		if ferr != nil {
			return err
		}
		key := "jobs.conflict_retry"
		if cancel {
			key = "jobs.conflict_cancel"
		}
		return herald.Errorf(herald.ECONFLICT, "%s", s.msgs.T(lang, key, id, s.msgs.T(lang, "jobs.status."+string(j.Status))))
	}
	return err
}

// withFlash adds the flash message named done to a newsroom address, in
// place of any it had.
func withFlash(path, done string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	q.Set("done", done)
	u.RawQuery = q.Encode()
	return u.String()
}
