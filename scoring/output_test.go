package scoring_test

import (
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/storetest"
)

// The output report counts, for units and staff, the pieces first submitted
// and first published in a span, adopted pieces by channel, verified
// placements dated in the span by level, and the median time from the first
// submission to publication.
func TestOutput(t *testing.T) {
	e := channeltest.New(t, nil)
	svc := scoring.New(e.Store, e.Clock, e.Log)
	w := e.World
	month := scoring.MonthPeriod(e.Now.AddDate(0, -3, 0)).Start // a closed month, nothing else in it
	at := func(day, hour int) time.Time { return month.AddDate(0, 0, day-1).Add(time.Duration(hour) * time.Hour) }

	type step struct {
		action string
		status herald.Status
		at     time.Time
	}
	piece := func(unit *herald.Unit, title string, channels []herald.Channel, authors []*herald.Staff, steps ...step) *herald.Article {
		t.Helper()
		a := &herald.Article{ArticleContent: storetest.Content(w.Local, title), UnitID: unit.ID, CreatedBy: authors[0].ID, Status: herald.StatusDraft}
		a.Channels = channels
		for _, au := range authors {
			a.Authors = append(a.Authors, herald.Author{StaffID: au.ID})
		}
		if err := e.Store.CreateArticle(e.Ctx, a, herald.Event{At: steps[0].at.Add(-time.Hour), ActorID: authors[0].ID}); err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			var err error
			a, err = e.Store.UpdateArticle(e.Ctx, a.ID, func(a *herald.Article) (herald.ArticleChange, error) {
				a.Status = st.status
				if st.status == herald.StatusPublished && a.PublishedAt == nil {
					p := st.at
					a.PublishedAt = &p
				}
				return herald.ArticleChange{Event: herald.Event{At: st.at, ActorID: w.Editor.ID, Action: st.action}}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	submit := func(t time.Time) step { return step{"submit", herald.StatusSubmitted, t} }
	publish := func(t time.Time) step { return step{"publish", herald.StatusPublished, t} }
	web, micro := herald.ChannelWebsite, herald.ChannelMicroblog

	// 石家庄: reviewed in 6 hours, on two channels, by two authors
	a := piece(w.City, "法律援助进村", []herald.Channel{web, micro}, []*herald.Staff{w.Writer, w.CountyWriter}, submit(at(3, 10)), publish(at(3, 16)))
	// rejected once: 48 hours from the first submission
	piece(w.City, "宪法宣传周", []herald.Channel{web}, []*herald.Staff{w.Writer},
		submit(at(5, 10)), step{"reject", herald.StatusRejected, at(5, 12)}, submit(at(6, 9)), publish(at(7, 10)))
	// submitted the month before: adopted in the span, not submitted in it (30 hours)
	piece(w.City, "上月报送", []herald.Channel{web}, []*herald.Staff{w.Writer}, submit(at(0, 8)), publish(at(1, 14)))
	// published before the span, placed in it
	old := piece(w.City, "旧稿", []herald.Channel{web}, []*herald.Staff{w.Writer}, submit(at(-10, 8)), publish(at(-9, 8)))
	// 正定: submitted, not published; and a piece published then retracted
	piece(w.County, "待审稿件", []herald.Channel{web}, []*herald.Staff{w.CountyWriter}, submit(at(8, 9)))
	piece(w.County, "撤回稿件", []herald.Channel{web}, []*herald.Staff{w.CountyWriter}, submit(at(9, 9)), publish(at(9, 11)),
		step{"retract", herald.StatusRetracted, at(10, 9)})
	// published after the span
	piece(w.City, "下月发布", []herald.Channel{web}, []*herald.Staff{w.Writer}, submit(at(33, 9)), publish(at(35, 9)))

	placement := func(article *herald.Article, outlet string, level herald.OutletLevel, day time.Time, status herald.PlacementStatus) {
		t.Helper()
		if err := e.Store.CreatePlacement(e.Ctx, &herald.Placement{ArticleID: article.ID, Outlet: outlet, Level: level, Date: herald.CSTDay(day),
			Page: "第2版", Status: status, Evidence: "/media/1-0123456789abcdef/large.jpg"}, herald.Event{At: day}); err != nil {
			t.Fatal(err)
		}
	}
	placement(a, "河北日报", herald.LevelProvincial, at(4, 0), herald.PlacementVerified)
	placement(a, "石家庄日报", herald.LevelCity, at(4, 0), herald.PlacementPending) // not verified
	placement(old, "法治日报", herald.LevelCentral, at(2, 0), herald.PlacementVerified)
	placement(old, "燕赵都市报", herald.LevelProvincial, at(-5, 0), herald.PlacementVerified) // before the span

	units, staff, err := svc.Output(e.Ctx, scoring.OutputFilter{From: month, Until: month.AddDate(0, 1, -1)})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]scoring.Output{}
	for _, o := range append(units, staff...) {
		byName[o.Name] = o
	}
	city, county := byName[w.City.Name], byName[w.County.Name]
	if city.Submitted != 2 || city.Adopted != 3 || city.ByChannel[web] != 3 || city.ByChannel[micro] != 1 {
		t.Errorf("石家庄: submitted %d adopted %d channels %v, want 2, 3, website 3 and microblog 1", city.Submitted, city.Adopted, city.ByChannel)
	}
	if city.Placements[herald.LevelProvincial] != 1 || city.Placements[herald.LevelCentral] != 1 || city.Placements[herald.LevelCity] != 0 {
		t.Errorf("石家庄's placements = %v, want one provincial and one central", city.Placements)
	}
	if m, ok := city.MedianTurnaround(); !ok || m != 30*time.Hour {
		t.Errorf("石家庄's median turnaround = %v (%v), want 30h of 6h, 30h, 48h", m, ok)
	}
	if county.Submitted != 2 || county.Adopted != 0 {
		t.Errorf("正定: submitted %d adopted %d, want 2 and 0 (one pending, one retracted)", county.Submitted, county.Adopted)
	}
	if _, ok := county.MedianTurnaround(); ok {
		t.Error("正定 has a turnaround without an adopted piece")
	}
	if units[0].Name != w.City.Name {
		t.Errorf("units are not most adopted first: %v", units[0].Name)
	}
	writer, second := byName[w.Writer.Name], byName[w.CountyWriter.Name]
	if writer.Adopted != 3 || writer.Submitted != 2 || second.Adopted != 1 || second.Submitted != 3 {
		t.Errorf("staff: %s adopted %d submitted %d, %s adopted %d submitted %d; want 3, 2, 1, 3 (a joint piece counts for each author)",
			w.Writer.Name, writer.Adopted, writer.Submitted, w.CountyWriter.Name, second.Adopted, second.Submitted)
	}
	if second.Unit != w.County.Name {
		t.Errorf("a member's unit = %q, want %q", second.Unit, w.County.Name)
	}

	// narrowed to the county's unit: only its pieces, and whoever wrote them
	units, staff, err = svc.Output(e.Ctx, scoring.OutputFilter{From: month, Until: month.AddDate(0, 1, -1), UnitIDs: []int64{w.County.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Name != w.County.Name || len(staff) != 1 || staff[0].Submitted != 2 {
		t.Errorf("narrowed to 正定: units %+v staff %+v", units, staff)
	}

	// the report agrees with the quotas' count of adopted pieces
	adopted, err := svc.AdoptedByUnit(e.Ctx, scoring.MonthPeriod(month))
	if err != nil {
		t.Fatal(err)
	}
	if adopted[w.City.ID] != 3 || adopted[w.County.ID] != 0 {
		t.Errorf("AdoptedByUnit = %v, disagrees with the output report", adopted)
	}

	if _, _, err := svc.Output(e.Ctx, scoring.OutputFilter{From: month, Until: month.AddDate(0, 0, -1)}); herald.ErrorCode(err) != herald.EINVALID {
		t.Errorf("a span ending before it starts: %v", err)
	}
}
