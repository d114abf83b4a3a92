package scoring

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// PeriodKind is the length of a ranking's period.
type PeriodKind string

// Period kinds.
const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Period is a month, quarter or year (CST): the days from Start up to End.
type Period struct {
	Kind       PeriodKind
	Start, End time.Time
}

// ParsePeriod reads "2026-11" (a month), "2026-Q4" (a quarter) or "2026"
// (a year).
func ParsePeriod(s string) (Period, error) {
	bad := herald.Invalid("period", "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)")
	s = strings.TrimSpace(s)
	if y, q, ok := strings.Cut(s, "-Q"); ok {
		year, err1 := strconv.Atoi(y)
		n, err2 := strconv.Atoi(q)
		if err1 != nil || err2 != nil || n < 1 || n > 4 || year < 2000 || year > 2100 {
			return Period{}, bad
		}
		start := time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, herald.CST)
		return Period{Quarter, start, start.AddDate(0, 3, 0)}, nil
	}
	if m, err := time.ParseInLocation("2006-01", s, herald.CST); err == nil {
		return Period{Month, m, m.AddDate(0, 1, 0)}, nil
	}
	if y, err := strconv.Atoi(s); err == nil && y >= 2000 && y <= 2100 {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, herald.CST)
		return Period{Year, start, start.AddDate(1, 0, 0)}, nil
	}
	return Period{}, bad
}

// MonthPeriod is the month a time falls in.
func MonthPeriod(t time.Time) Period {
	m := monthOf(t)
	return Period{Month, m, m.AddDate(0, 1, 0)}
}

// String is the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p.Kind {
	case Quarter:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())+2)/3)
	case Year:
		return strconv.Itoa(p.Start.Year())
	}
	return p.Start.Format("2006-01")
}

// Label names the period in Chinese: 2026年11月, 2026年第四季度, 2026年度.
func (p Period) Label() string {
	switch p.Kind {
	case Quarter:
		return fmt.Sprintf("%d年第%s季度", p.Start.Year(), []string{"一", "二", "三", "四"}[(int(p.Start.Month())-1)/3])
	case Year:
		return fmt.Sprintf("%d年度", p.Start.Year())
	}
	return fmt.Sprintf("%d年%d月", p.Start.Year(), p.Start.Month())
}

// Final reports whether the period's totals can no longer change at now:
// its last month has closed (see Grace).
func (p Period) Final(now time.Time) bool { return !p.End.After(OpenFrom(now)) }

// Row is one place of a ranking.
type Row struct {
	Rank        int                      `json:"rank"` // 1, 2, 2, 4 for ties
	Beneficiary herald.Beneficiary       `json:"beneficiary"`
	Name        string                   `json:"name"`
	Unit        string                   `json:"unit,omitempty"` // a staff member's unit
	Points      herald.Points            `json:"points"`
	BySource    map[string]herald.Points `json:"by_source"`
	Adopted     int                      `json:"adopted"` // pieces published in the period
	Entries     int                      `json:"entries"`
}

// Ranking orders the units or the staff of a period by points.
type Ranking struct {
	Period Period
	Kind   herald.BeneficiaryKind
	Rows   []Row
	Final  bool // the period is closed: the numbers will not change
}

// Rankings computes the units' and the staff's rankings of a period from
// the ledger; every row's points are the sum of its entries.
func (s *Service) Rankings(ctx context.Context, p Period) (units, staff *Ranking, err error) {
	entries, _, err := s.Store.FindLedger(ctx, herald.LedgerFilter{From: p.Start, To: p.End})
	if err != nil {
		return nil, nil, err
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, nil, err
	}
	final := p.Final(s.Clock.Now())
	units, staff = &Ranking{Period: p, Kind: herald.ForUnit, Final: final}, &Ranking{Period: p, Kind: herald.ForStaff, Final: final}
	rows := map[herald.Beneficiary]*Row{}
	adopted := map[herald.Beneficiary]map[int64]bool{}
	for _, e := range entries {
		r := rows[e.Beneficiary]
		if r == nil {
			r = &Row{Beneficiary: e.Beneficiary, BySource: map[string]herald.Points{}}
			rows[e.Beneficiary] = r
			adopted[e.Beneficiary] = map[int64]bool{}
		}
		r.Points += e.Points
		r.BySource[e.Source] += e.Points
		r.Entries++
		if e.Source == herald.SourceAdoption && e.Reverses == 0 {
			adopted[e.Beneficiary][e.ArticleID] = true
		}
	}
	for b, r := range rows {
		r.Adopted = len(adopted[b])
		r.Name, r.Unit = names.of(b)
		if b.Kind == herald.ForUnit {
			units.Rows = append(units.Rows, *r)
		} else {
			staff.Rows = append(staff.Rows, *r)
		}
	}
	rank(units.Rows)
	rank(staff.Rows)
	return units, staff, nil
}

// rank sorts rows by points, then name, and numbers them with ties sharing
// a place (1, 2, 2, 4).
func rank(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Beneficiary.ID, b.Beneficiary.ID))
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Points == rows[i-1].Points {
			rows[i].Rank = rows[i-1].Rank
		}
	}
}

// directory names beneficiaries.
type directory struct {
	units map[int64]*herald.Unit
	staff map[int64]*herald.Staff
}

func (s *Service) names(ctx context.Context) (*directory, error) {
	d := &directory{units: map[int64]*herald.Unit{}, staff: map[int64]*herald.Staff{}}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		d.units[u.ID] = u
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{})
	if err != nil {
		return nil, err
	}
	for _, st := range staff {
		d.staff[st.ID] = st
	}
	return d, nil
}

// root is the name of the unit at the top of the tree: the department that
// issues notices.
func (d *directory) root() string {
	var top *herald.Unit
	for _, u := range d.units {
		if u.ParentID == 0 && (top == nil || u.ID < top.ID) {
			top = u
		}
	}
	if top == nil {
		return ""
	}
	return top.Name
}

// of is a beneficiary's name and, for staff, their unit's.
func (d *directory) of(b herald.Beneficiary) (name, unit string) {
	if b.Kind == herald.ForUnit {
		if u := d.units[b.ID]; u != nil {
			return u.Name, ""
		}
		return fmt.Sprintf("#%d", b.ID), ""
	}
	st := d.staff[b.ID]
	if st == nil {
		return fmt.Sprintf("#%d", b.ID), ""
	}
	if u := d.units[st.UnitID]; u != nil {
		unit = u.Name
	}
	return st.Name, unit
}
