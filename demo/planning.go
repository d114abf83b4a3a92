package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/planning"
)

// seedPlanning makes the publicity centre's coverage plan of the
// Beijing-Tianjin-Hebei theme, given a week ago to three city bureaus
// through the planning service: Cangzhou's piece came back as the article
// on legal aid for workers in Beijing and Tianjin published today, which
// completed it; Tangshan's writer accepted and started theirs; Baoding's
// is still waiting for someone to take it on, due in two days.
func seedPlanning(ctx context.Context, s herald.Store, now time.Time, staff map[string]*herald.Staff,
	units map[string]*herald.Unit, themes map[string]*herald.Theme) error {
	theme := themes["jing-jin-ji"]
	done, _, err := s.FindArticles(ctx, herald.ArticleFilter{UnitIDs: []int64{units["CZ"].ID}, ThemeID: theme.ID,
		Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1, NoBody: true})
	if err != nil {
		return err
	}
	if len(done) == 0 {
		return fmt.Errorf("no published Cangzhou piece on %s", theme.Name)
	}
	article := done[0]
	clock := now.AddDate(0, 0, -7)
	svc := planning.New(s, func() time.Time { return clock })
	start := herald.CSTDay(clock)
	plan := &herald.TopicPlan{
		Title: "京津冀协同发展司法行政协作宣传", ThemeID: theme.ID, Occasion: "京津冀司法行政协同发展联席会议成果宣传",
		Brief:    "围绕三地公证“跨省通办”、人民调解联动和法律援助协作，各市局各报一篇反映群众办事体验的稿件，配发现场照片。",
		Channels: []herald.Channel{herald.ChannelWebsite, herald.ChannelMicroblog, herald.ChannelPublicAccount},
		Start:    start, End: start.AddDate(0, 0, 30), UnitIDs: []int64{units["TS"].ID, units["CZ"].ID, units["BD"].ID},
	}
	chief := staff["wangyalan"]
	if err := svc.CreatePlan(ctx, chief, plan); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	clock = clock.Add(20 * time.Minute)
	given, err := svc.Assign(ctx, chief, herald.Assignment{PlanID: plan.ID, Title: "京津冀协作惠民见闻",
		Brief: "选取一个跨省通办或联动调解的真实事例，写清群众少跑了哪些路，1500字以内。", Due: herald.CSTDay(now).AddDate(0, 0, 2)},
		[]planning.Target{{UnitID: units["TS"].ID, AssigneeID: staff["dongwei"].ID}, {UnitID: units["CZ"].ID, AssigneeID: staff["xuqiang"].ID}, {UnitID: units["BD"].ID}})
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	tangshan, cangzhou := given[0], given[1]
	base := clock
	// handed in once it ran (the corpus publishes it today): linking a
	// published article completes the assignment at once
	handedIn := article.PublishedAt.Add(30 * time.Minute)
	if handedIn.After(now) {
		handedIn = now
	}
	steps := []struct {
		who string
		id  int64
		act planning.Action
		at  time.Time
		req planning.Request
	}{
		{"xuqiang", cangzhou.ID, planning.ActAccept, base.Add(3 * time.Hour), planning.Request{}},
		{"dongwei", tangshan.ID, planning.ActAccept, base.Add(26 * time.Hour), planning.Request{}},
		{"xuqiang", cangzhou.ID, planning.ActStart, base.Add(27 * time.Hour), planning.Request{}},
		{"dongwei", tangshan.ID, planning.ActStart, base.Add(50 * time.Hour), planning.Request{}},
		{"xuqiang", cangzhou.ID, planning.ActSubmit, handedIn, planning.Request{ArticleID: article.ID}},
	}
	for _, st := range steps {
		clock = st.at
		if _, err := svc.Do(ctx, staff[st.who], st.id, st.act, st.req); err != nil {
			return fmt.Errorf("%s %s: %w", st.who, st.act, err)
		}
	}
	return nil
}
