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

// Notice is a period's ranking notice (通报) as data: the pages, the PDF and
// the spreadsheet all render this one value, so their numbers agree.
type Notice struct {
	Period     Period
	Title      string
	Salutation string   // 各市司法局，厅机关各处室：
	Paragraphs []string // before the tables
	Tables     []NoticeTable
	Closing    []string
	Issuer     string
	Date       time.Time
	Final      bool
}

// NoticeTable is one table of a notice; it is also one sheet of its
// spreadsheet.
type NoticeTable struct {
	Name    string // the sheet's name: 单位排名
	Heading string // 一、单位积分排名
	Columns []NoticeColumn
	Rows    [][]any // string, int or herald.Points cells
}

// NoticeColumn is a column of a notice table.
type NoticeColumn struct {
	Header  string
	Numeric bool
}

// StaffShown is how many staff the notice ranks; the ledger has them all.
const StaffShown = 30

// Notice builds the notice of a period from its rankings, the units'
// quotas and the rules in effect.
func (s *Service) Notice(ctx context.Context, p Period) (*Notice, error) {
	units, staff, err := s.Rankings(ctx, p)
	if err != nil {
		return nil, err
	}
	settings, err := s.Store.FindSettings(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	versions, err := s.Store.FindRules(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	n := &Notice{
		Period:     p,
		Title:      fmt.Sprintf("关于%s全省司法行政宣传工作积分情况的通报", p.Label()),
		Salutation: "各市（含定州、辛集市）司法局，厅机关各处室、直属各单位：",
		Issuer:     cmp.Or(dir.root(), settings.SiteName),
		Date:       herald.CSTDay(now),
		Final:      units.Final,
	}
	n.Paragraphs = append(n.Paragraphs, fmt.Sprintf("根据%s，现将%s全省司法行政系统宣传工作积分情况通报如下。", rulesCited(versions, p), p.Label()))
	if !n.Final {
		n.Paragraphs = append(n.Paragraphs, fmt.Sprintf("（本期尚未结束，积分截至%s，以期满后%d日的数据为准。）", now.In(herald.CST).Format("2006年1月2日15:04"), Grace))
	}
	var total herald.Points
	for _, r := range units.Rows {
		total += r.Points
	}
	n.Paragraphs = append(n.Paragraphs, fmt.Sprintf("本期共有%d个单位、%d名同志获得积分，合计%s分。", len(units.Rows), len(staff.Rows), total))

	ut := NoticeTable{Name: "单位排名", Heading: "一、单位积分排名", Columns: []NoticeColumn{
		{"名次", true}, {"单位", false}, {"采用稿件", true}, {"见报积分", true}, {"阅读积分", true}, {"扣分", true}, {"总积分", true}}}
	for _, r := range units.Rows {
		deduct := r.BySource[herald.SourceQuota]
		ut.Rows = append(ut.Rows, []any{r.Rank, r.Name, r.Adopted, r.BySource[herald.SourcePlacement], r.BySource[herald.SourceReads], deduct, r.Points})
	}
	st := NoticeTable{Name: "个人排名", Heading: fmt.Sprintf("二、个人积分排名（前%d名）", min(StaffShown, len(staff.Rows))), Columns: []NoticeColumn{
		{"名次", true}, {"姓名", false}, {"单位", false}, {"采用稿件", true}, {"见报积分", true}, {"总积分", true}}}
	for _, r := range staff.Rows[:min(StaffShown, len(staff.Rows))] {
		st.Rows = append(st.Rows, []any{r.Rank, r.Name, r.Unit, r.Adopted, r.BySource[herald.SourcePlacement], r.Points})
	}
	n.Tables = append(n.Tables, ut, st)
	qt, err := s.quotaTable(ctx, p, dir)
	if err != nil {
		return nil, err
	}
	if len(qt.Rows) > 0 {
		n.Tables = append(n.Tables, qt)
	}
	n.Closing = []string{
		"希望受到通报表扬的单位和个人再接再厉；排名靠后、未完成任务的单位要查找差距，进一步加强宣传信息报送工作，推动全省司法行政宣传工作再上新台阶。",
	}
	return n, nil
}

// rulesCited names the rule versions in effect during the period.
func rulesCited(versions []*herald.RuleSet, p Period) string {
	var nums []string
	for i, v := range versions {
		end := p.End
		if i+1 < len(versions) {
			end = versions[i+1].EffectiveFrom
		}
		if v.EffectiveFrom.Before(p.End) && end.After(p.Start) {
			nums = append(nums, strconv.Itoa(v.Version))
		}
	}
	if len(nums) == 0 {
		return "《全省司法行政宣传工作积分规则》"
	}
	return "《全省司法行政宣传工作积分规则》（第" + strings.Join(nums, "、") + "版）"
}

// quotaTable shows each unit's quotas in the period against the pieces it
// had adopted.
func (s *Service) quotaTable(ctx context.Context, p Period, names *directory) (NoticeTable, error) {
	t := NoticeTable{Name: "任务完成", Heading: "三、任务完成情况", Columns: []NoticeColumn{
		{"单位", false}, {"任务数", true}, {"采用数", true}, {"完成率", true}}}
	quotas, err := s.Store.AllQuotas(ctx)
	if err != nil {
		return t, err
	}
	targets := map[int64]int{}
	for _, q := range quotas {
		if m, err := time.ParseInLocation("2006-01", q.Month, herald.CST); err == nil && !m.Before(p.Start) && m.Before(p.End) {
			targets[q.UnitID] += q.Target
		}
	}
	if len(targets) == 0 {
		return t, nil
	}
	adopted, err := s.AdoptedByUnit(ctx, p)
	if err != nil {
		return t, err
	}
	ids := make([]int64, 0, len(targets))
	for id := range targets {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int64) int {
		ra, rb := rate(adopted[a], targets[a]), rate(adopted[b], targets[b])
		if ra != rb {
			return rb - ra
		}
		return int(a - b)
	})
	for _, id := range ids {
		name, _ := names.of(herald.Beneficiary{Kind: herald.ForUnit, ID: id})
		t.Rows = append(t.Rows, []any{name, targets[id], adopted[id], fmt.Sprintf("%d%%", rate(adopted[id], targets[id]))})
	}
	return t, nil
}

// adoptingStatuses are the states a published piece may be in and still
// count as adopted: any but a draft and a retraction (see counts).
var adoptingStatuses = []herald.Status{herald.StatusSubmitted, herald.StatusRejected, herald.StatusApproved, herald.StatusScheduled,
	herald.StatusPublished}

// AdoptedByUnit counts each unit's pieces published in a period and not
// retracted, as quotas count them.
func (s *Service) AdoptedByUnit(ctx context.Context, p Period) (map[int64]int, error) {
	// PublishedAfter is strict; times are kept to the microsecond
	after, before := p.Start.Add(-time.Microsecond), p.End
	published, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{Statuses: adoptingStatuses,
		PublishedAfter: &after, PublishedBefore: &before, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, a := range published {
		if counts(a) {
			out[a.UnitID]++
		}
	}
	return out, nil
}

// rate is done over target as a whole percentage; a target of 0 is met.
func rate(done, target int) int {
	if target <= 0 {
		return 100
	}
	return done * 100 / target
}
