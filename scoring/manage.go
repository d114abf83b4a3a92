package scoring

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

// Who may do what with the incentive mechanism's records.
var (
	// reviewers verify and reject placements.
	reviewers = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}
	// recognisers record leaders' endorsements and first reports.
	recognisers = []herald.Role{herald.RoleEditorInChief}
	// quotaSetters give units their monthly quotas.
	quotaSetters = []herald.Role{herald.RoleEditorInChief, herald.RoleAdmin}
	// ruleMakers write new versions of the scoring rules.
	ruleMakers = []herald.Role{herald.RoleAdmin}
)

func may(actor *herald.Staff, roles []herald.Role, what string) error {
	if actor == nil || !actor.Active() || !actor.HasRole(roles...) {
		return herald.Errorf(herald.EFORBIDDEN, "You may not %s.", what)
	}
	return nil
}

// event is an audit event by actor now.
func (s *Service) event(actor *herald.Staff) herald.Event {
	return herald.Event{At: s.Clock.Now(), ActorID: actor.ID}
}

// changed asks for a scoring run after a change that earns or takes back
// points; a failure to queue is logged, for the hourly run catches up.
func (s *Service) changed(ctx context.Context) {
	if err := s.Queue(ctx); err != nil {
		s.Log.Error("queue scoring", "error", err)
	}
}

// RecordPlacement records, for an editor to check, that an article ran in
// an outside outlet. Its authors, its unit's staff and editors may record
// it; the evidence must be an image uploaded to Herald.
func (s *Service) RecordPlacement(ctx context.Context, actor *herald.Staff, pl *herald.Placement) error {
	if actor == nil || !actor.Active() {
		return herald.Errorf(herald.EFORBIDDEN, "Sign in to record placements.")
	}
	a, err := s.Store.FindArticleByID(ctx, pl.ArticleID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return herald.Invalid("article_id", "no article has ID %d", pl.ArticleID)
	} else if err != nil {
		return err
	}
	if !a.IsAuthor(actor.ID) && a.UnitID != actor.UnitID && !actor.HasRole(reviewers...) {
		return herald.Errorf(herald.EFORBIDDEN, "Only the authors of a piece, its unit and editors record where it ran.")
	}
	if err := s.checkEvidence(ctx, pl.Evidence); err != nil {
		return err
	}
	pl.PartnerID, pl.CreatedBy, pl.Status = 0, actor.ID, herald.PlacementPending
	pl.Outlet, pl.Page, pl.URL = strings.TrimSpace(pl.Outlet), strings.TrimSpace(pl.Page), strings.TrimSpace(pl.URL)
	return s.Store.CreatePlacement(ctx, pl, s.event(actor))
}

// checkEvidence accepts the path of an image uploaded to Herald.
func (s *Service) checkEvidence(ctx context.Context, evidence string) error {
	if evidence == "" {
		return herald.Invalid("evidence", "is required: upload a clipping or screenshot of the piece as it ran")
	}
	id, key, _, ok := herald.ParseMediaURL(evidence)
	if !ok {
		return herald.Invalid("evidence", "must be an image uploaded to Herald")
	}
	m, err := s.Store.FindMediaByID(ctx, id)
	if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && m.Key() != key {
		return herald.Invalid("evidence", "must be an image uploaded to Herald")
	}
	return err
}

// ReviewPlacement verifies a placement or rejects it with a reason. Nobody
// reviews a placement they recorded themselves.
func (s *Service) ReviewPlacement(ctx context.Context, actor *herald.Staff, id int64, verify bool, reason string) (*herald.Placement, error) {
	if err := may(actor, reviewers, "review placements"); err != nil {
		return nil, err
	}
	pl, err := s.Store.ReviewPlacement(ctx, id, s.event(actor), func(pl *herald.Placement) error {
		if pl.CreatedBy == actor.ID {
			return herald.Errorf(herald.EFORBIDDEN, "Another editor must review a placement you recorded.")
		}
		pl.Status, pl.Reason = herald.PlacementRejected, strings.TrimSpace(reason)
		if verify {
			pl.Status, pl.Reason = herald.PlacementVerified, ""
		}
		return nil
	})
	if err == nil {
		s.changed(ctx)
	}
	return pl, err
}

// Recognize records a leader's endorsement or a first report of a
// published piece.
func (s *Service) Recognize(ctx context.Context, actor *herald.Staff, r *herald.Recognition) error {
	if err := may(actor, recognisers, "record endorsements and first reports"); err != nil {
		return err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := s.Store.CreateRecognition(ctx, r, s.event(actor)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// WithdrawRecognition takes back a recognition recorded in error.
func (s *Service) WithdrawRecognition(ctx context.Context, actor *herald.Staff, id int64) (*herald.Recognition, error) {
	if err := may(actor, recognisers, "withdraw endorsements and first reports"); err != nil {
		return nil, err
	}
	r, err := s.Store.WithdrawRecognition(ctx, id, s.event(actor))
	if err == nil {
		s.changed(ctx)
	}
	return r, err
}

// SetQuota gives a unit its target for a month.
func (s *Service) SetQuota(ctx context.Context, actor *herald.Staff, q *herald.Quota) error {
	if err := may(actor, quotaSetters, "set quotas"); err != nil {
		return err
	}
	if err := s.Store.SetQuota(ctx, q, s.event(actor)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// CreateRules stores a new version of the rules, taking effect on a day
// that is not in the past.
func (s *Service) CreateRules(ctx context.Context, actor *herald.Staff, rs *herald.RuleSet) error {
	if err := may(actor, ruleMakers, "change the scoring rules"); err != nil {
		return err
	}
	if err := s.Store.CreateRules(ctx, rs, s.event(actor)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// MayRecognize tells the pages whether to offer the recognition forms; the
// methods above enforce the same rules.
func MayRecognize(st *herald.Staff) bool { return may(st, recognisers, "") == nil }

// MayReview tells whether st may verify and reject placements.
func MayReview(st *herald.Staff) bool { return may(st, reviewers, "") == nil }

// MaySetQuotas tells whether st may set units' quotas.
func MaySetQuotas(st *herald.Staff) bool { return may(st, quotaSetters, "") == nil }

// MayMakeRules tells whether st may write new versions of the rules.
func MayMakeRules(st *herald.Staff) bool { return may(st, ruleMakers, "") == nil }
