package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/workflow"
)

// Password is every demo account's password.
const Password = "herald-demo-2026"

// PartnerToken is the demo partner newspaper's token: fixed, like the
// passwords, so that the demo's welcome can show a pull that works.
const PartnerToken = "hrp_demo-hebei-legal-daily-2026"

// Seeded is what Seed made, for printing login details.
type Seeded struct {
	Staff    map[string]*herald.Staff // by username
	Articles int                      // the corpus's
	History  int                      // the year before it (see seedHistory)
}

// Option changes what Seed seeds.
type Option func(*options)

type options struct {
	noHistory, noSubscribers bool
	videos                   media.Files // the films' store (topics.go)
}

// WithoutHistory seeds the corpus without the year of history before it
// (no rules, ledger, quotas, history pieces, followers or subscribers): for
// tests that do not need them and would rather start in a second than in five.
func WithoutHistory() Option { return func(o *options) { o.noHistory = true } }

// WithoutSubscribers leaves out the year's fictional newsletter subscribers:
// for a demo that can send mail, where each publication would mail them.
func WithoutSubscribers() Option { return func(o *options) { o.noSubscribers = true } }

// Seed fills an empty store with the demo province and drives every article
// through the real workflow to the state its file names, so the audit log,
// revisions and review trail are those a real newsroom would have. now is the
// demo's present: article times are shifted so that the newest published piece
// is a few hours old, except the seed page's article, which keeps its 2019 time.
func Seed(ctx context.Context, s herald.Store, now time.Time, opts ...Option) (*Seeded, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	c, err := LoadCorpus()
	if err != nil {
		return nil, err
	}
	clock := now
	tick := func() time.Time { return clock }
	wf := workflow.NewService(s, tick)
	wf.Follow = delivery.Follow
	ev := func() herald.Event { return herald.Event{At: clock.UTC().Truncate(time.Microsecond)} }

	units := map[string]*herald.Unit{}
	for _, spec := range c.Units { // the file lists parents before children
		u := &herald.Unit{Code: spec.Code, Name: spec.Name, NameEn: spec.NameEn, Type: herald.UnitType(spec.Type)}
		if spec.Parent != "" {
			u.ParentID = units[spec.Parent].ID
		}
		if err := s.CreateUnit(ctx, u, ev()); err != nil {
			return nil, fmt.Errorf("unit %s: %w", spec.Code, err)
		}
		units[spec.Code] = u
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	out := &Seeded{Staff: map[string]*herald.Staff{}}
	for _, spec := range c.Staff {
		st := &herald.Staff{Username: spec.Username, Name: spec.Name, NameEn: spec.NameEn, StaffCode: spec.StaffCode,
			UnitID: units[spec.Unit].ID, Skills: spec.Skills, PasswordHash: hash, Email: spec.Email}
		for _, r := range spec.Roles {
			st.Roles = append(st.Roles, herald.Role(r))
		}
		if err := s.CreateStaff(ctx, st, ev()); err != nil {
			return nil, fmt.Errorf("staff %s: %w", spec.Username, err)
		}
		out.Staff[st.Username] = st
	}
	columns := map[string]*herald.Column{}
	for _, spec := range c.Columns {
		col := &herald.Column{Slug: spec.Slug, Name: spec.Name, NameEn: spec.NameEn, ReviewLevels: spec.ReviewLevels, Position: spec.Position, Checklist: spec.Checklist}
		if err := s.CreateColumn(ctx, col, ev()); err != nil {
			return nil, fmt.Errorf("column %s: %w", spec.Slug, err)
		}
		columns[spec.Slug] = col
	}
	themes := map[string]*herald.Theme{}
	for _, spec := range c.Themes {
		th := &herald.Theme{Slug: spec.Slug, Name: spec.Name, NameEn: spec.NameEn, Description: spec.Description}
		if err := s.CreateTheme(ctx, th, ev()); err != nil {
			return nil, fmt.Errorf("theme %s: %w", spec.Slug, err)
		}
		themes[spec.Slug] = th
	}

	if err := s.UpdateSettings(ctx, SeedSettings(), ev()); err != nil {
		return nil, fmt.Errorf("site settings: %w", err)
	}
	for _, w := range checklist.CommonWords() {
		if err := s.CreateWord(ctx, &w, ev()); err != nil {
			return nil, fmt.Errorf("word %s: %w", w.Word, err)
		}
	}

	times := demoTimes(c.Articles, now)
	seeded := map[string]int64{}
	for i, spec := range c.Articles {
		at := times[i]
		// Written and reviewed in the hours before its time; scheduled pieces were
		// approved a day before the present.
		clock = at.Add(-6 * time.Hour)
		if spec.State == "scheduled" {
			clock = now.Add(-24 * time.Hour)
		}
		if err := seedArticle(ctx, wf, spec, out.Staff, units, columns, themes, &clock, at, seeded); err != nil {
			return nil, fmt.Errorf("article %s: %w", spec.File, err)
		}
		out.Articles++
	}
	if !o.noHistory {
		if out.History, err = seedHistory(ctx, s, now, out.Staff, units, columns, themes); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
	}
	if err := seedReadHistory(ctx, s, now); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	if err := seedBulletin(ctx, s, units["HEB"], now); err != nil {
		return nil, fmt.Errorf("bulletin: %w", err)
	}
	if err := seedPartner(ctx, s, now); err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	if err := seedPlanning(ctx, s, now, out.Staff, units, themes); err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	if err := seedTraining(ctx, s, now, out.Staff, units, seeded["000.txt"]); err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}
	if err := seedTopics(ctx, s, wf, &clock, now, out.Staff, units, columns, themes, seeded, o.videos); err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	if !o.noHistory {
		if err := seedFollowers(ctx, s, now); err != nil {
			return nil, err
		}
		if !o.noSubscribers {
			if err := seedSubscribers(ctx, s, now, columns, themes); err != nil {
				return nil, err
			}
		}
	}
	if !o.noHistory {
		// the points of the year, as the hourly scoring would have given them
		start := historyStart(now)
		if _, err := scoring.New(s, func() time.Time { return now }, nil).Replay(ctx, start, now, (scoring.Grace-1)*24*time.Hour); err != nil {
			return nil, fmt.Errorf("scoring: %w", err)
		}
	}
	return out, nil
}

// seedBulletin makes the department's monthly bulletin with this month's
// issue started: the month's six newest Chinese stories, for an editor to
// reorder and print.
func seedBulletin(ctx context.Context, s herald.Store, dept *herald.Unit, now time.Time) error {
	ev := herald.Event{At: now.UTC().Truncate(time.Microsecond)}
	p := &herald.Periodical{Slug: "bulletin", Name: "河北司法行政宣传", NameEn: "Hebei Judicial Administration Bulletin", UnitID: dept.ID}
	if err := s.CreatePeriodical(ctx, p, ev); err != nil {
		return err
	}
	recent, _, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN",
		Order: herald.ByPublished, Limit: 6, NoBody: true})
	if err != nil {
		return err
	}
	is := &herald.Issue{PeriodicalID: p.ID, Volume: now.In(CST).Year(), Number: int(now.In(CST).Month()), Date: herald.CSTDay(now),
		EditorNote: "本期聚焦公共法律服务和基层法治建设，刊发各地司法行政工作新进展。"}
	for _, a := range recent {
		is.ArticleIDs = append(is.ArticleIDs, a.ID)
	}
	return s.CreateIssue(ctx, is, ev)
}

// seedPartner adds the provincial legal newspaper as a partner that pulls
// the print channel's stories, with the placements it reported of three
// stories from the days before.
func seedPartner(ctx context.Context, s herald.Store, now time.Time) error {
	ev := herald.Event{At: now.UTC().Truncate(time.Microsecond)}
	p := &herald.Partner{Slug: "hebei-legal-daily", Name: "河北法制报", Kind: herald.KindNewspaper, Level: herald.LevelProvincial,
		Format: herald.FormatNINJS, TokenHash: auth.HashToken(PartnerToken)}
	if err := s.CreatePartner(ctx, p, ev); err != nil {
		return err
	}
	before := herald.CSTDay(now)
	older, _, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Channel: herald.ChannelPrint,
		PublishedBefore: &before, Order: herald.ByPublished, Limit: 3, NoBody: true})
	if err != nil {
		return err
	}
	for i, a := range older {
		day := herald.CSTDay(a.PublishedAt.AddDate(0, 0, 1)) // in the next morning's paper
		if day.After(before) {
			day = before
		}
		pl := &herald.Placement{ArticleID: a.ID, PartnerID: p.ID, Outlet: p.Name, Level: p.Level, Date: day,
			Page: fmt.Sprintf("第%d版", 2+i), Status: herald.PlacementVerified}
		if err := s.CreatePlacement(ctx, pl, herald.Event{At: ev.At, Comment: "reported by partner " + p.Slug}); err != nil {
			return err
		}
	}
	return nil
}

// Read channels' typical shares of a story's reads on a provincial justice
// department's site: most readers come on phones and through the public
// account; feeds and the newsletter bring a few.
var readShares = []struct {
	channel string
	share   float64
}{
	{herald.ReadMobile, 0.40}, {herald.ReadWeb, 0.24}, {herald.ReadWeChat, 0.18},
	{herald.ReadMicroblog, 0.08}, {herald.ReadMail, 0.06}, {herald.ReadFeed, 0.04},
}

// referrerWeights are the sites that send the portal's readers, by weight.
var referrerWeights = []struct {
	host   string
	weight float64
}{
	{"www.baidu.com", 30}, {"mp.weixin.qq.com", 22}, {"weibo.com", 12}, {"news.hebei.gov.cn", 10},
	{"m.toutiao.com", 7}, {"www.so.com", 5}, {"cn.bing.com", 4}, {"www.sogou.com", 4}, {"www.moj.gov.cn", 4},
}

// readBursts are the days something outside — a national site's link, a
// post forwarded across the province's groups — sent a crowd to a story well
// after its launch: the first story published in the window (ages before the
// present) whose launch brought minAppeal readers or more, on its day age.
// The read-spike rule (analytics.DefaultSpikeRule) must flag both: a day of
// burstShare of the launch's reads at age 8 or 9 is some 50 times what the
// decay expects then and 3 to 4 times the rule's threshold (5 × the median of
// the week before, itself 11 to 19 times the day's decay).
var readBursts = []struct {
	publishedAfter, publishedBefore time.Duration
	minAppeal                       float64
	age                             int
}{
	{publishedAfter: 35 * 24 * time.Hour, publishedBefore: 56 * 24 * time.Hour, minAppeal: 1500, age: 9},
	{publishedAfter: 14 * 24 * time.Hour, publishedBefore: 28 * 24 * time.Hour, minAppeal: 1500, age: 8},
}

// burstShare is a burst day's reads as a share of the story's launch day's.
const burstShare = 0.8

// seedReadHistory gives every published article the reads its readers would
// have left over its life (up to a year, up to now): most on the first days,
// decaying, then a trickle from search, more for later stories as the
// audience grew, and for two stories a burst (readBursts); spread over the
// read channels, with the sites that referred them and the distinct readers
// of each day and of the whole site. The random source is fixed, so that a
// given present always makes the same history.
func seedReadHistory(ctx context.Context, s herald.Store, now time.Time) error {
	published, _, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByID, NoBody: true, NoCount: true})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2019, 1219))
	var refTotal float64
	for _, r := range referrerWeights {
		refTotal += r.weight
	}
	b := &herald.ReadBatch{}
	siteReaders := map[string]float64{}
	burstDone := make([]bool, len(readBursts))
	for _, a := range published {
		// a full day's reads at its launch, more as the audience grew: some
		// 1.5 million reads a year in all
		appeal := (300 + rng.Float64()*2700) * audience(now, *a.PublishedAt) / meanAudience
		burstAge := -1
		for i, rb := range readBursts {
			if age := now.Sub(*a.PublishedAt); !burstDone[i] && appeal >= rb.minAppeal && age >= rb.publishedAfter && age < rb.publishedBefore {
				burstDone[i], burstAge = true, rb.age
			}
		}
		shares := make([]float64, len(readShares))
		sum := 0.0
		for i, c := range readShares { // each story draws its own mix
			shares[i] = c.share * (0.6 + 0.8*rng.Float64())
			sum += shares[i]
		}
		pub := *a.PublishedAt
		end := earliest(now, pub.AddDate(1, 0, 0))
		for age, day := 0, herald.CSTDay(pub); day.Before(end); age, day = age+1, day.AddDate(0, 0, 1) {
			// Readers read from 7:00 to 23:00; the first and the last day
			// count the part of that after publication and before now.
			from, until := latest(pub, day.Add(7*time.Hour)), earliest(end, day.Add(23*time.Hour))
			if !until.After(from) {
				continue
			}
			part := until.Sub(from).Hours() / 16
			// The first week falls off like 1/(1+age²), then by e every five days.
			expect := appeal / (1 + float64(min(age, 7)*min(age, 7))) * math.Exp(-float64(max(age-7, 0))/5) * part
			if age == burstAge { // another launch day, from elsewhere
				expect = appeal * burstShare * part
			}
			if age > 10 && expect < 1 { // the long tail: now and then someone finds it by search
				expect = 0
				if rng.Float64() < 0.03 {
					expect = 1 + float64(rng.IntN(3))
				}
			}
			reads := int(expect * (0.75 + 0.5*rng.Float64()))
			if reads == 0 {
				continue
			}
			dayKey := day.Format(time.DateOnly)
			counts := make([]int, len(readShares))
			counts[0] = reads // phones take what the others leave
			for i := 1; i < len(readShares); i++ {
				counts[i] = min(counts[0], int(float64(reads)*shares[i]/sum+rng.Float64()))
				counts[0] -= counts[i]
			}
			for i, n := range counts {
				hour := from.Add(time.Duration(rng.Int64N(int64(until.Sub(from))))).Truncate(time.Hour)
				switch {
				case n == 0:
				case now.Sub(day) < 32*24*time.Hour: // by the hour, as the month's hot lists read them
					b.Views = append(b.Views, herald.ViewCount{ArticleID: a.ID, Hour: hour, Channel: readShares[i].channel, Views: n})
				default: // older days by the day, which is all the charts read (and quicker to load)
					b.DayViews = append(b.DayViews, herald.DayViewCount{ArticleID: a.ID, Day: dayKey, Channel: readShares[i].channel, Views: n})
				}
			}
			// About a third of the portal's reads came from a link on another
			// site: a few reads from a site or two, many from all of them.
			referred := int(float64(reads)*(shares[0]+shares[1])/sum*0.35 + rng.Float64())
			hosts := make([]int, len(referrerWeights))
			if referred <= 2*len(hosts) {
				for range referred {
					x := rng.Float64() * refTotal
					i := 0
					for ; i < len(hosts)-1 && x >= referrerWeights[i].weight; i++ {
						x -= referrerWeights[i].weight
					}
					hosts[i]++
				}
			} else {
				for i, r := range referrerWeights {
					hosts[i] = int(float64(referred)*r.weight/refTotal + rng.Float64())
				}
			}
			for i, n := range hosts {
				if n > 0 {
					b.Referrers = append(b.Referrers, herald.ReferrerCount{ArticleID: a.ID, Day: dayKey, Host: referrerWeights[i].host, Views: n})
				}
			}
			readers := max(1, int(float64(reads)*(0.8+0.12*rng.Float64())))
			b.ReaderCounts = append(b.ReaderCounts, herald.ReaderCount{ArticleID: a.ID, Day: dayKey, Readers: readers})
			siteReaders[dayKey] += float64(readers)
		}
	}
	for day, n := range siteReaders { // readers of several stories count once
		b.ReaderCounts = append(b.ReaderCounts, herald.ReaderCount{Day: day, Readers: max(1, int(n*0.72))})
	}
	return s.AddReads(ctx, b)
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// demoTimes moves the corpus's 2026 times to the present: the day of its
// newest published story becomes today, whole days keep their times of day,
// and whatever would then lie in the future, or in the last hour — the
// drafts and reviews the corpus has after that story — happens in the hours
// before instead, ten minutes apart in its order (closer after midnight, so
// that they stay today's). So today has its news and
// the desk its work in progress, whatever the time of day the demo starts.
// Scheduled pieces keep the shift and so stay in the future; the 2019 seed
// course keeps its own dates.
func demoTimes(articles []ArticleSpec, now time.Time) []time.Time {
	var newest time.Time
	for _, a := range articles {
		if (a.State == "published" || a.State == "corrected") && a.Time.After(newest) {
			newest = a.Time
		}
	}
	shift := herald.CSTDay(now).Sub(herald.CSTDay(newest))
	times := make([]time.Time, len(articles))
	var past []int // the stories of the present days, which must lie before now
	for i, a := range articles {
		times[i] = a.Time
		if a.Time.Year() == 2019 {
			continue
		}
		times[i] = a.Time.Add(shift)
		if a.State != "scheduled" {
			past = append(past, i)
		}
	}
	slices.SortStableFunc(past, func(x, y int) int { return times[x].Compare(times[y]) })
	// slots returns the last of n slots, an hour before now, and the
	// distance between two; early in the day they share the time since
	// midnight, so that they are still today's
	today := herald.CSTDay(now)
	slots := func(n int) (last time.Time, step time.Duration) {
		last, step = now.Add(-time.Hour), 10*time.Minute
		if last.Add(-time.Duration(n) * step).Before(today) {
			step = now.Sub(today) / time.Duration(n+1)
			last = now.Add(-step)
		}
		return last, step
	}
	// the newest n go into the slots: those after the last slot, and any
	// older one that the slots would otherwise overtake
	n := 0
	for n < len(past) {
		last, step := slots(n + 1)
		if !times[past[len(past)-1-n]].After(last.Add(-time.Duration(n) * step)) {
			break
		}
		n++
	}
	last, step := slots(n)
	for rank, i := range past[len(past)-n:] {
		times[i] = last.Add(-time.Duration(n-1-rank) * step).Truncate(time.Second)
	}
	return times
}

// seedArticle drives one article to its state; seeded maps the files seeded
// so far to their articles, for translations to name their originals.
func seedArticle(ctx context.Context, wf *workflow.Service, spec ArticleSpec, staff map[string]*herald.Staff,
	units map[string]*herald.Unit, columns map[string]*herald.Column, themes map[string]*herald.Theme, clock *time.Time, at time.Time,
	seeded map[string]int64) error {
	author, editor := staff[spec.Author], staff[spec.Editor]
	col := columns[spec.Column]
	content := herald.ArticleContent{
		Title: spec.Title, Subtitle: spec.Subtitle, Summary: spec.Summary, Body: spec.Body, Source: spec.Source,
		Language: spec.Language, ColumnID: col.ID, Tags: slices.Clone(spec.Tags), Authors: []herald.Author{{StaffID: author.ID}},
		Kind: spec.Kind, Figure: spec.Figure, Video: spec.Video,
	}
	if editor != nil {
		content.EditorID = editor.ID
	}
	for _, n := range spec.ExtraAuthors {
		content.Authors = append(content.Authors, herald.Author{Name: n})
	}
	// the demo's Chinese news also goes to the microblog, the public
	// account and the partner newspapers, so its deliveries show in the
	// newsroom and the partner's pull has today's stories
	if !strings.HasPrefix(spec.Language, "en") {
		content.Channels = []herald.Channel{herald.ChannelMicroblog, herald.ChannelPublicAccount, herald.ChannelPrint}
		if spec.Kind == herald.KindVideo { // a film does not go to print
			content.Channels = content.Channels[:2]
		}
	}
	for _, t := range spec.Themes {
		content.ThemeIDs = append(content.ThemeIDs, themes[t].ID)
	}
	a, err := wf.Create(ctx, author, workflow.Draft{ArticleContent: content, UnitID: units[spec.Unit].ID, TranslationOf: seeded[spec.TranslationOf]})
	if err != nil {
		return err
	}
	seeded[strings.TrimPrefix(spec.File, "articles/")] = a.ID
	step := func(actor *herald.Staff, act workflow.Action, req workflow.Request) error {
		*clock = clock.Add(40 * time.Minute)
		_, err := wf.Do(ctx, actor, a.ID, act, req)
		if err != nil {
			return fmt.Errorf("%s by %s: %w", act, actor.Username, err)
		}
		return nil
	}
	if spec.State == "draft" {
		return nil
	}
	if err := step(author, workflow.ActSubmit, workflow.Request{}); err != nil {
		return err
	}
	reviewers := reviewersFor(staff, author, editor, col.ReviewLevels)
	approvals := col.ReviewLevels
	switch spec.State {
	case "submitted", "rejected":
		approvals = 0
	case "review2":
		approvals = 1
	case "review3":
		approvals = 2
	}
	comments := []string{"一审通过。", "二审通过，请终审。", "终审通过，同意发布。"}
	for lvl := range approvals {
		if err := step(reviewers[lvl], workflow.ActApprove, workflow.Request{Comment: comments[lvl]}); err != nil {
			return err
		}
	}
	switch spec.State {
	case "submitted", "review2", "review3", "approved":
		return nil
	case "rejected":
		return step(reviewers[0], workflow.ActReject, workflow.Request{Comment: spec.Note})
	case "scheduled":
		return step(editor, workflow.ActPublish, workflow.Request{At: &at})
	}
	*clock = at.Add(-40 * time.Minute)
	if err := step(editor, workflow.ActPublish, workflow.Request{}); err != nil {
		return err
	}
	switch spec.State {
	case "corrected":
		*clock = at.Add(20 * time.Hour)
		cur, err := wf.Get(ctx, editor, a.ID)
		if err != nil {
			return err
		}
		fixed := cur.ArticleContent.Clone()
		fixed.Body += "<p>（" + spec.Note + "）</p>"
		return step(editor, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: spec.Note})
	case "retracted":
		*clock = at.Add(20 * time.Hour)
		return step(chief(staff), workflow.ActRetract, workflow.Request{Comment: spec.Note})
	}
	return nil
}

// reviewersFor picks a different reviewer for each level, none of them the
// author: publicity-center editors for levels 1 and 2 (the responsible editor
// first when there is only one level), the editor-in-chief for level 3.
func reviewersFor(staff map[string]*herald.Staff, author, editor *herald.Staff, levels int) []*herald.Staff {
	eic := chief(staff)
	var editors []*herald.Staff
	if editor != nil && editor.ID != author.ID && editor.ID != eic.ID {
		editors = append(editors, editor)
	}
	for _, name := range sortedKeys(staff) {
		st := staff[name]
		if st.HasRole(herald.RoleEditor) && st.UnitID == eic.UnitID && st.ID != author.ID && !slices.Contains(editors, st) {
			editors = append(editors, st)
		}
	}
	if levels == 1 && editor != nil && editor.ID != author.ID {
		return []*herald.Staff{editor}
	}
	return []*herald.Staff{editors[0], editors[1], eic}
}

func chief(staff map[string]*herald.Staff) *herald.Staff {
	for _, name := range sortedKeys(staff) {
		if staff[name].HasRole(herald.RoleEditorInChief) {
			return staff[name]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Synthesize adds n published articles made by recombining the corpus's
// paragraphs, for benchmarks and load tests. They are written straight to the
// store (one event each), not driven through review, and their titles say they
// are synthetic.
func Synthesize(ctx context.Context, s herald.Store, n int, now time.Time, seed uint64) error {
	c, err := LoadCorpus()
	if err != nil {
		return err
	}
	var paragraphs []string
	for _, a := range c.Articles {
		for _, p := range strings.SplitAfter(a.Body, "</p>") {
			if p = strings.TrimSpace(p); strings.HasPrefix(p, "<p>") {
				paragraphs = append(paragraphs, p)
			}
		}
	}
	cols, err := s.FindColumns(ctx)
	if err != nil {
		return err
	}
	units, _, err := s.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return err
	}
	editors, _, err := s.FindStaff(ctx, herald.StaffFilter{Role: herald.RoleEditor})
	if err != nil || len(editors) == 0 || len(cols) == 0 {
		return fmt.Errorf("synthesize needs a seeded store: %v", err)
	}
	rng := rand.New(rand.NewPCG(seed, 2026))
	for i := range n {
		src := c.Articles[rng.IntN(len(c.Articles))]
		var body strings.Builder
		for range 3 + rng.IntN(5) {
			body.WriteString(paragraphs[rng.IntN(len(paragraphs))])
		}
		at := now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
		ed := editors[rng.IntN(len(editors))]
		a := &herald.Article{
			ArticleContent: herald.ArticleContent{
				Title: fmt.Sprintf("%s（合成稿 %d）", src.Title, i+1), Summary: src.Summary, Body: body.String(), Source: src.Source,
				Language: src.Language, ColumnID: cols[rng.IntN(len(cols))].ID, EditorID: ed.ID, Tags: slices.Clone(src.Tags),
				Authors: []herald.Author{{StaffID: ed.ID}},
			},
			UnitID: units[rng.IntN(len(units))].ID, Status: herald.StatusPublished, CreatedBy: ed.ID, PublishedAt: &at,
		}
		if err := s.CreateArticle(ctx, a, herald.Event{At: at, ActorID: ed.ID, Action: "import"}); err != nil {
			return err
		}
	}
	return nil
}

// SeedSettings are the site settings of the seed page: its supervisor and
// guidance, copyright, filing and licence numbers, disclaimer, hotline,
// submission group and legal counsel, and the public account it asks readers
// to follow.
func SeedSettings() *herald.SiteSettings {
	return &herald.SiteSettings{
		SiteName:        "河北共产党员网",
		SiteNameEn:      "Hebei Communist Party Member Network",
		Description:     "河北省司法行政系统新闻发布平台：司法要闻、工作动态、基层传真、普法宣传、公共法律服务。",
		Supervisor:      "中共河北省委",
		Guidance:        "中共河北省委组织部",
		Copyright:       "河北共产党员网",
		ICP:             "冀ICP备13012861号-1",
		NewsLicence:     "冀新网备132014010号",
		Disclaimer:      "本网站所载信息不代表河北共产党员网观点。本网站文字内容归河北共产党员网所有，任何单位及个人未经许可，不得擅自转载使用。",
		Hotline:         "0311-87908405",
		SubmissionGroup: "QQ群 619736383",
		LegalCounsel:    "陈淑琴（河北冀华律师事务所）",
		AboutHTML: "<p>河北共产党员网由中共河北省委主办、中共河北省委组织部指导，" +
			"刊发全省司法行政系统的新闻动态、法治宣传和公共法律服务信息。</p>" +
			"<p>本网坚持正确舆论导向，稿件实行三级审核，每篇稿件署明责任编辑。</p>",
		ContactHTML: "<p>新闻热线：0311-87908405</p><p>投稿咨询 QQ 群：619736383</p>" +
			"<p>报料请使用<a href=\"/tips/\">在线报料</a>，我们会认真阅读每一条线索。</p>",
		PublicAccountName: "河北司法行政在线",
		PublicAccountURL:  "/feed.xml",
	}
}
