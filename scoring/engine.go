// Package scoring runs the incentive mechanism: it turns what happened —
// pieces submitted and adopted, the channels they went out on, placements in
// outside media, leaders' endorsements, reads, missed quotas — into points,
// under the version of the rules in effect on the day of each event, and
// keeps the points ledger equal to what the rules say.
//
// The ledger only grows. Scoring computes the entries the events call for
// (Desired) and compares them with the ledger (Reconcile): an entry already
// there is left alone, a missing one is appended, and one whose event was
// undone (a retraction, a withdrawn endorsement) or whose amount changed is
// reversed by a new entry — never edited. Running it again on the same events
// appends nothing, and every total is the sum of its entries.
package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Facts are the events scoring reads.
type Facts struct {
	// Articles are every article submitted or published at least once.
	Articles []*herald.Article
	// Submitted is when each article was first submitted for review.
	Submitted map[int64]time.Time
	// Placements are the records of pieces carried outside Herald.
	Placements []*herald.Placement
	// Recognitions are editors' records of endorsements and first reports.
	Recognitions []*herald.Recognition
	// Reads are each piece's reads by month (months that have ended).
	Reads []herald.MonthReads
	// Spikes are the read spikes flagged in those months, with their
	// review: a month with a flagged spike is held, a voided spike's excess
	// is taken out of its month, a released one changes nothing.
	Spikes []*herald.ReadSpike
	// Quotas are the units' monthly targets.
	Quotas []*herald.Quota
}

// Desired returns the ledger entries the facts call for under the rule
// versions (in order), as of now: one per (event, beneficiary), keyed so that
// the same event always makes the same key. Months that have not ended earn
// no read points and owe no quota yet.
func Desired(f Facts, versions []*herald.RuleSet, now time.Time) []*herald.LedgerEntry {
	d := &desired{versions: versions, byKey: map[string]*herald.LedgerEntry{}}
	thisMonth := monthOf(now)
	articles := map[int64]*herald.Article{}
	adopted := map[string]int{} // unit/month → pieces adopted
	for _, a := range f.Articles {
		articles[a.ID] = a
		if at, ok := f.Submitted[a.ID]; ok {
			d.piece(a, herald.SourceSubmission, a.ID, "", herald.CSTDay(at), func(r *herald.Rules) herald.Points { return r.Submission })
		}
		if !counts(a) {
			continue
		}
		day := herald.CSTDay(*a.PublishedAt)
		adopted[unitMonth(a.UnitID, monthOf(day))]++
		d.piece(a, herald.SourceAdoption, a.ID, "", day, func(r *herald.Rules) herald.Points { return r.AdoptionPoints(a.Kind) })
		for _, c := range a.Channels {
			if c != herald.ChannelWebsite {
				d.piece(a, herald.SourceChannel, a.ID, string(c), day, func(r *herald.Rules) herald.Points { return r.Channel[c] })
			}
		}
	}
	for _, pl := range f.Placements {
		if a := articles[pl.ArticleID]; a != nil && pl.Status == herald.PlacementVerified {
			d.piece(a, herald.SourcePlacement, pl.ID, "", pl.Date, func(r *herald.Rules) herald.Points { return r.Placement[pl.Level] })
		}
	}
	for _, rc := range f.Recognitions {
		if a := articles[rc.ArticleID]; a != nil && counts(a) && rc.WithdrawnAt == nil {
			d.piece(a, herald.SourceRecognition, rc.ID, "", rc.Day, func(r *herald.Rules) herald.Points { return r.Bonus[rc.Kind] })
		}
	}
	d.reads(f.Reads, f.Spikes, articles, thisMonth)
	for _, q := range f.Quotas {
		month, err := time.ParseInLocation("2006-01", q.Month, herald.CST)
		if err != nil || !month.Before(thisMonth) {
			continue
		}
		last := month.AddDate(0, 1, -1)
		short := q.Target - adopted[unitMonth(q.UnitID, month)]
		rs := herald.RulesOn(d.versions, last)
		if short <= 0 || rs == nil || rs.Rules.MissedQuota == 0 {
			continue
		}
		d.add(herald.Beneficiary{Kind: herald.ForUnit, ID: q.UnitID}, -herald.Points(short)*rs.Rules.MissedQuota, rs.Version,
			herald.SourceQuota, q.UnitID, 0, q.Month, last, fmt.Sprintf("%d of %d pieces", q.Target-short, q.Target))
	}
	out := make([]*herald.LedgerEntry, 0, len(d.byKey))
	for _, e := range d.byKey {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *herald.LedgerEntry) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// counts reports whether a piece's adoption counts: it was published and
// not retracted. A retraction takes back everything the piece earned but
// the submission.
func counts(a *herald.Article) bool {
	return a.PublishedAt != nil && a.Status != herald.StatusRetracted
}

type desired struct {
	versions []*herald.RuleSet
	byKey    map[string]*herald.LedgerEntry
}

// piece credits a piece's authors and unit with what the rules in effect on
// day give for the event.
func (d *desired) piece(a *herald.Article, source string, sourceID int64, detail string, day time.Time, points func(*herald.Rules) herald.Points) {
	rs := herald.RulesOn(d.versions, day)
	if rs == nil {
		return
	}
	p := points(&rs.Rules)
	if p == 0 {
		return
	}
	for _, s := range Split(p, authors(a), rs.Rules.Split) {
		d.add(herald.Beneficiary{Kind: herald.ForStaff, ID: s.staff}, s.points, rs.Version, source, sourceID, a.ID, detail, day, "")
	}
	if u := p * herald.Points(rs.Rules.Split.UnitPercent) / 100; u != 0 && a.UnitID != 0 {
		d.add(herald.Beneficiary{Kind: herald.ForUnit, ID: a.UnitID}, u, rs.Version, source, sourceID, a.ID, detail, day, "")
	}
}

func (d *desired) add(b herald.Beneficiary, p herald.Points, version int, source string, sourceID, articleID int64, detail string, day time.Time, note string) {
	key := baseKey(source, sourceID, detail, b)
	d.byKey[key] = &herald.LedgerEntry{Key: key, Beneficiary: b, Points: p, RuleVersion: version, Source: source, SourceID: sourceID,
		ArticleID: articleID, Day: herald.CSTDay(day), Note: note}
}

// reads turns each piece's monthly reads, as their spikes' reviews leave
// them, into points, capped per month and over the piece's life, in month
// order.
func (d *desired) reads(reads []herald.MonthReads, spikes []*herald.ReadSpike, articles map[int64]*herald.Article, thisMonth time.Time) {
	reads = slices.Clone(reads)
	slices.SortFunc(reads, func(a, b herald.MonthReads) int {
		return cmp.Or(cmp.Compare(a.ArticleID, b.ArticleID), a.Month.Compare(b.Month))
	})
	reviewed := reviewedMonths(spikes)
	earned := map[int64]herald.Points{} // by piece, so far
	for _, mr := range reads {
		a := articles[mr.ArticleID]
		if a == nil || !counts(a) || !mr.Month.Before(thisMonth) {
			continue
		}
		month := reviewed[pieceMonth{mr.ArticleID, mr.Month.Format("2006-01")}]
		if month.held {
			continue
		}
		last := mr.Month.AddDate(0, 1, -1)
		rs := herald.RulesOn(d.versions, last)
		if rs == nil {
			continue
		}
		p := ReadPoints(max(0, mr.Reads-month.voided), earned[a.ID], rs.Rules.Reads)
		earned[a.ID] += p
		if p != 0 {
			d.piece(a, herald.SourceReads, a.ID, mr.Month.Format("2006-01"), last, func(*herald.Rules) herald.Points { return p })
		}
	}
}

// pieceMonth is a piece's month, YYYY-MM.
type pieceMonth struct {
	article int64
	month   string
}

// spikeOutcome is what a month's read spikes do to its reads: a spike still
// flagged holds them all; voided spikes take out their excess.
type spikeOutcome struct {
	held   bool
	voided int
}

// reviewedMonths sums the spikes' outcomes by piece and month.
func reviewedMonths(spikes []*herald.ReadSpike) map[pieceMonth]spikeOutcome {
	out := map[pieceMonth]spikeOutcome{}
	for _, sp := range spikes {
		k := pieceMonth{sp.ArticleID, sp.Month()}
		o := out[k]
		switch sp.Status {
		case herald.SpikeFlagged:
			o.held = true
		case herald.SpikeVoided:
			o.voided += sp.Excess()
		}
		out[k] = o
	}
	return out
}

// ReadPoints is what a piece's reads in a month earn, given what its reads
// earned in earlier months: Points for every Per reads, at most CapPerMonth,
// and no more than what is left of CapPerPiece.
func ReadPoints(reads int, earlier herald.Points, r herald.ReadRule) herald.Points {
	if r.Per <= 0 || r.Points <= 0 || reads <= 0 {
		return 0
	}
	p := herald.Points(reads/r.Per) * r.Points
	if r.CapPerMonth > 0 {
		p = min(p, r.CapPerMonth)
	}
	if r.CapPerPiece > 0 {
		p = max(0, min(p, r.CapPerPiece-earlier))
	}
	return p
}

// share is one author's part of a piece's points.
type share struct {
	staff  int64
	points herald.Points
}

// Split shares a piece's points among its staff authors, in byline order:
// a sole author gets all; otherwise the first gets FirstAuthorPercent and
// the others share the rest equally, the hundredths left over going to the
// earliest of them, so that the parts always add up to the whole.
func Split(p herald.Points, staff []int64, s herald.Split) []share {
	switch len(staff) {
	case 0:
		return nil
	case 1:
		return []share{{staff[0], p}}
	}
	first := p * herald.Points(s.FirstAuthorPercent) / 100
	rest := p - first
	n := herald.Points(len(staff) - 1)
	out := []share{{staff[0], first}}
	each, left := rest/n, rest%n
	for i, id := range staff[1:] {
		part := each
		if herald.Points(i) < abs(left) {
			part += sign(left)
		}
		out = append(out, share{id, part})
	}
	return slices.DeleteFunc(out, func(s share) bool { return s.points == 0 })
}

func abs(p herald.Points) herald.Points {
	if p < 0 {
		return -p
	}
	return p
}

func sign(p herald.Points) herald.Points {
	if p < 0 {
		return -1
	}
	return 1
}

// authors are the staff bylines of a piece, each once, in order; a piece
// with none (only outside writers) credits whoever created it.
func authors(a *herald.Article) []int64 {
	var ids []int64
	for _, au := range a.Authors {
		if au.StaffID != 0 && !slices.Contains(ids, au.StaffID) {
			ids = append(ids, au.StaffID)
		}
	}
	if len(ids) == 0 && a.CreatedBy != 0 {
		ids = []int64{a.CreatedBy}
	}
	return ids
}

// baseKey names an event's points for a beneficiary.
func baseKey(source string, sourceID int64, detail string, b herald.Beneficiary) string {
	k := source + "/" + strconv.FormatInt(sourceID, 10)
	if detail != "" {
		k += "/" + detail
	}
	return k + "/" + string(b.Kind) + "/" + strconv.FormatInt(b.ID, 10)
}

// reversalPrefix starts the key of an entry that reverses another: the
// reversed entry's key follows.
const reversalPrefix = "rev:"

// baseOf is the base key an entry belongs to: its own key without the
// "#n" of a re-issue, or the reversed entry's.
func baseOf(key string) string {
	key = strings.TrimPrefix(key, reversalPrefix)
	if i := strings.LastIndexByte(key, '#'); i >= 0 {
		key = key[:i]
	}
	return key
}

// Grace is how long after a month ends entries may still be dated in it: a
// month's totals are final Grace days after its end, so a ranking notice
// issued after that never changes. Later corrections post to the day they
// are made.
const Grace = 5

// OpenFrom is the first day entries may be dated on at now: the start of the
// month Grace days ago.
func OpenFrom(now time.Time) time.Time {
	return monthOf(herald.CSTDay(now).AddDate(0, 0, -Grace))
}

// Reconcile returns the entries to append at now so that the ledger nets
// exactly the desired entries: for each base key whose net differs from
// what is desired, every live entry is reversed and, unless nothing is
// desired, the desired amount is issued again under the next "#n" key.
// Desired entries already netted are left alone, so a second call returns
// nothing. Entries whose day falls in a closed month (see Grace) are dated
// today instead, with the event's day in their note.
func Reconcile(desired, ledger []*herald.LedgerEntry, now time.Time) []*herald.LedgerEntry {
	type group struct {
		net      herald.Points
		issues   int                   // originals under the base key
		live     []*herald.LedgerEntry // originals not reversed
		reversed map[string]bool
	}
	groups := map[string]*group{}
	get := func(base string) *group {
		g := groups[base]
		if g == nil {
			g = &group{reversed: map[string]bool{}}
			groups[base] = g
		}
		return g
	}
	for _, e := range ledger {
		g := get(baseOf(e.Key))
		g.net += e.Points
		if rest, ok := strings.CutPrefix(e.Key, reversalPrefix); ok {
			g.reversed[rest] = true
		} else {
			g.issues++
		}
	}
	for _, e := range ledger {
		if !strings.HasPrefix(e.Key, reversalPrefix) {
			if g := groups[baseOf(e.Key)]; !g.reversed[e.Key] {
				g.live = append(g.live, e)
			}
		}
	}
	want := map[string]*herald.LedgerEntry{}
	for _, e := range desired {
		want[e.Key] = e
		get(e.Key)
	}
	bases := make([]string, 0, len(groups))
	for b := range groups {
		bases = append(bases, b)
	}
	slices.Sort(bases)
	var out []*herald.LedgerEntry
	for _, base := range bases {
		g, w := groups[base], want[base]
		target := herald.Points(0)
		if w != nil {
			target = w.Points
		}
		if g.net == target {
			continue
		}
		for _, e := range g.live {
			out = append(out, &herald.LedgerEntry{Key: reversalPrefix + e.Key, Beneficiary: e.Beneficiary, Points: -e.Points,
				RuleVersion: e.RuleVersion, Source: e.Source, SourceID: e.SourceID, ArticleID: e.ArticleID, Day: e.Day, Reverses: e.ID,
				Note: "reversed: the event was undone or its points changed"})
		}
		if w != nil && target != 0 {
			e := *w
			if g.issues > 0 {
				e.Key = fmt.Sprintf("%s#%d", base, g.issues+1)
			}
			out = append(out, &e)
		}
	}
	open, today := OpenFrom(now), herald.CSTDay(now)
	for _, e := range out {
		if e.Day.Before(open) {
			e.Note = strings.TrimSpace(e.Note + " (for " + e.Day.Format(time.DateOnly) + ", a closed month)")
			e.Day = today
		}
	}
	return out
}

func monthOf(t time.Time) time.Time {
	y, m, _ := t.In(herald.CST).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, herald.CST)
}

func unitMonth(unit int64, month time.Time) string {
	return fmt.Sprintf("%d/%s", unit, month.Format("2006-01"))
}
