package newsroom

import (
	"context"
	"net/http"
	"strconv"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
)

// deliveryRow is one delivery of an article, as its page lists it.
type deliveryRow struct {
	Delivery *herald.Delivery
	// Retry offers to queue the failed delivery's job again; Requeued says
	// that it is queued or running already, and the status will follow.
	Retry, Requeued bool
}

// articleDeliveries lists an article's deliveries, newest change first. For
// the failed ones it finds their job, so that the page offers a retry only
// where there is a job to retry, and only to those who manage the queue.
func (s *Server) articleDeliveries(ctx context.Context, st *herald.Staff, a *herald.Article) ([]deliveryRow, error) {
	ds, _, err := s.Store.FindDeliveries(ctx, herald.DeliveryFilter{ArticleID: a.ID})
	if err != nil {
		return nil, err
	}
	var failed []*herald.Delivery
	for _, d := range ds {
		if d.Status == herald.DeliveryFailed {
			failed = append(failed, d)
		}
	}
	jobs, err := s.deliveryJobs(ctx, failed)
	if err != nil {
		return nil, err
	}
	rows := make([]deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryRow{Delivery: d}
		if j := jobs[d.ID]; j != nil {
			rows[i].Retry = mayManageJobs(st) && (j.Status == herald.JobFailed || j.Status == herald.JobCancelled)
			rows[i].Requeued = j.Status == herald.JobQueued || j.Status == herald.JobRunning
		}
	}
	return rows, nil
}

// deliveryJobBatch is how many jobs deliveryJobs reads at a time.
const deliveryJobBatch = 500

// deliveryJobs finds, for each delivery, the job that carries out its current
// action, among the jobs not done. The queue keeps one job per delivery,
// action and version (its key), so there is at most one; a failed delivery's
// job is failed, cancelled, or queued again.
func (s *Server) deliveryJobs(ctx context.Context, ds []*herald.Delivery) (map[int64]*herald.Job, error) {
	out := map[int64]*herald.Job{}
	if len(ds) == 0 {
		return out, nil
	}
	want := make(map[int64]*herald.Delivery, len(ds))
	for _, d := range ds {
		want[d.ID] = d
	}
	open := []herald.JobStatus{herald.JobQueued, herald.JobRunning, herald.JobFailed, herald.JobCancelled}
	for offset := 0; len(out) < len(want); offset += deliveryJobBatch {
		jobs, _, err := s.Store.FindJobs(ctx, herald.JobFilter{Kind: delivery.KindDeliver, Statuses: open, Limit: deliveryJobBatch, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			p := payloadOf(j)
			if d := want[p.Delivery]; d != nil && p.Action == d.Action && p.Version == d.Version {
				out[d.ID] = j
			}
		}
		if len(jobs) < deliveryJobBatch {
			break
		}
	}
	return out, nil
}

// retryDelivery queues the job of a failed delivery again, from the
// article's page.
func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	if !mayManageJobs(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "jobs.forbidden")))
		return
	}
	a, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	notFound := herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "delivery.not_found"))
	deliveryID, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		s.fail(w, r, req, notFound)
		return
	}
	d, err := s.Store.FindDeliveryByID(ctx, deliveryID)
	if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && d.ArticleID != a.ID {
		s.fail(w, r, req, notFound)
		return
	} else if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Status != herald.DeliveryFailed {
		s.fail(w, r, req, herald.Errorf(herald.ECONFLICT, "%s", s.msgs.T(req.lang, "delivery.not_failed", s.msgs.T(req.lang, "delivery.status."+string(d.Status)))))
		return
	}
	jobs, err := s.deliveryJobs(ctx, []*herald.Delivery{d})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	j := jobs[d.ID]
	if j == nil {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "delivery.no_job")))
		return
	}
	if err := s.changeJobTo(ctx, req, j.ID, false); err != nil {
		s.fail(w, r, req, s.jobError(ctx, req.lang, j.ID, false, err))
		return
	}
	http.Redirect(w, r, withFlash("/newsroom/articles/"+strconv.FormatInt(a.ID, 10), "delivery_retried"), http.StatusSeeOther)
}
