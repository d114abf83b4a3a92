// Package storetest is the conformance suite every herald.Store engine passes:
// the same cases run on SQLite and on PostgreSQL.
package storetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// Opener returns a new, empty, migrated store; the test's cleanup closes it.
type Opener func(t testing.TB) herald.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Units", func(t *testing.T) { testUnits(t, open(t)) })
	t.Run("Staff", func(t *testing.T) { testStaff(t, open(t)) })
	t.Run("Sections", func(t *testing.T) { testSections(t, open(t)) })
	t.Run("Articles", func(t *testing.T) { testArticles(t, open(t)) })
	t.Run("ArticleFilters", func(t *testing.T) { testArticleFilters(t, open(t)) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testConcurrentUpdates(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("Workflow", func(t *testing.T) { testWorkflow(t, open(t)) })
	t.Run("Backup", func(t *testing.T) { testBackup(t, open) })
	t.Run("AppendOnly", func(t *testing.T) { testAppendOnly(t, open(t)) })
	t.Run("Settings", func(t *testing.T) { testSettings(t, open(t)) })
	t.Run("Views", func(t *testing.T) { testViews(t, open(t)) })
	t.Run("Analytics", func(t *testing.T) { testAnalytics(t, open(t)) })
	t.Run("Tips", func(t *testing.T) { testTips(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Media", func(t *testing.T) { testMedia(t, open(t)) })
	t.Run("Autosaves", func(t *testing.T) { testAutosaves(t, open(t)) })
	t.Run("Words", func(t *testing.T) { testWords(t, open(t)) })
	t.Run("Preferences", func(t *testing.T) { testPreferences(t, open(t)) })
	t.Run("EventFilters", func(t *testing.T) { testEventFilters(t, open(t)) })
	t.Run("Channels", func(t *testing.T) { testChannels(t, open(t)) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("Jobs", func(t *testing.T) { testJobs(t, open(t)) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open(t)) })
	t.Run("Fediverse", func(t *testing.T) { testFediverse(t, open(t)) })
	t.Run("Periodicals", func(t *testing.T) { testPeriodicals(t, open(t)) })
	t.Run("Translations", func(t *testing.T) { testTranslations(t, open(t)) })
	t.Run("Partners", func(t *testing.T) { testPartners(t, open(t)) })
	t.Run("ChangeWindow", func(t *testing.T) { testChangeWindow(t, open(t)) })
	t.Run("Incentive", func(t *testing.T) { testIncentive(t, open(t)) })
	t.Run("Training", func(t *testing.T) { testTraining(t, open(t)) })
	t.Run("Spikes", func(t *testing.T) { testSpikes(t, open) })
	t.Run("Works", func(t *testing.T) { testWorks(t, open(t)) })
	t.Run("Topics", func(t *testing.T) { testTopics(t, open(t)) })
	t.Run("Newsletter", func(t *testing.T) { testNewsletter(t, open) })
	t.Run("Planning", func(t *testing.T) { testPlanning(t, open) })
	t.Run("Notifications", func(t *testing.T) { testNotifications(t, open(t)) })
	t.Run("Rates", func(t *testing.T) { testRates(t, open(t)) })
}

// T0 is the suite's fixed clock start.
var T0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func ev(actor int64) herald.Event { return herald.Event{At: T0, ActorID: actor} }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries code (and, if field is set, names field).
func wantCode(t testing.TB, err error, code, field string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field == "" {
		return
	}
	for _, f := range herald.ErrorFields(err) {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %q", err, field)
}

// World is a small province: a department with its publicity center, a city
// bureau with a county bureau, and staff of every role.
type World struct {
	Dept, Center, City, County       *herald.Unit
	Admin, Chief, Editor, Editor2    *herald.Staff
	Writer, CountyWriter, CityEditor *herald.Staff
	Viewer                           *herald.Staff
	News, Local                      *herald.Column // 3 and 1 review levels
	Theme                            *herald.Theme
}

// NewWorld fills s with the small province.
func NewWorld(t testing.TB, s herald.Store) *World {
	t.Helper()
	ctx := context.Background()
	w := &World{}
	unit := func(parent *herald.Unit, code, name string, typ herald.UnitType) *herald.Unit {
		u := &herald.Unit{Code: code, Name: name, Type: typ}
		if parent != nil {
			u.ParentID = parent.ID
		}
		must(t, s.CreateUnit(ctx, u, ev(0)))
		return u
	}
	w.Dept = unit(nil, "HEB", "河北省司法厅", herald.UnitDepartment)
	w.Center = unit(w.Dept, "HEB-XC", "宣传中心", herald.UnitPublicityCenter)
	w.City = unit(w.Dept, "SJZ", "石家庄市司法局", herald.UnitCityBureau)
	w.County = unit(w.City, "SJZ-ZD", "正定县司法局", herald.UnitCountyBureau)
	staff := func(username, name, code string, u *herald.Unit, roles ...herald.Role) *herald.Staff {
		st := &herald.Staff{Username: username, Name: name, StaffCode: code, UnitID: u.ID, Roles: roles}
		must(t, s.CreateStaff(ctx, st, ev(0)))
		return st
	}
	w.Admin = staff("admin", "管理员", "AD001", w.Center, herald.RoleAdmin)
	w.Chief = staff("wangyalan", "王亚兰", "DW110", w.Center, herald.RoleEditorInChief)
	w.Editor = staff("editor", "李编辑", "DW120", w.Center, herald.RoleEditor)
	w.Editor2 = staff("editor2", "赵编辑", "DW121", w.Center, herald.RoleEditor)
	w.Writer = staff("writer", "张通讯", "SJZ001", w.City, herald.RoleCorrespondent)
	w.CountyWriter = staff("countywriter", "刘通讯", "ZD001", w.County, herald.RoleCorrespondent)
	w.CityEditor = staff("cityeditor", "陈编辑", "SJZ002", w.City, herald.RoleEditor)
	w.Viewer = staff("leader", "罗领导", "HEB001", w.Dept, herald.RoleViewer)
	w.News = &herald.Column{Slug: "headlines", Name: "司法要闻", ReviewLevels: 3, Position: 1}
	must(t, s.CreateColumn(ctx, w.News, ev(0)))
	w.Local = &herald.Column{Slug: "grassroots", Name: "基层传真", ReviewLevels: 1, Position: 2}
	must(t, s.CreateColumn(ctx, w.Local, ev(0)))
	w.Theme = &herald.Theme{Slug: "xiongan", Name: "雄安新区建设"}
	must(t, s.CreateTheme(ctx, w.Theme, ev(0)))
	return w
}

// Content returns valid article content in column c.
func Content(c *herald.Column, title string) herald.ArticleContent {
	return herald.ArticleContent{
		Title: title, Body: "<p>" + title + "。全市法律援助中心当天受理咨询一百二十件。</p>", Language: "zh-CN",
		ColumnID: c.ID, Source: "石家庄市司法局", Tags: []string{"法律援助"},
	}
}

func testUnits(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	t.Run("duplicate code", func(t *testing.T) {
		err := s.CreateUnit(ctx, &herald.Unit{Code: "SJZ", Name: "重复", Type: herald.UnitCityBureau, ParentID: w.Dept.ID}, ev(0))
		wantCode(t, err, herald.ECONFLICT, "code")
	})
	t.Run("second root", func(t *testing.T) {
		err := s.CreateUnit(ctx, &herald.Unit{Code: "X", Name: "另一个", Type: herald.UnitDepartment}, ev(0))
		wantCode(t, err, herald.EINVALID, "parent_id")
	})
	t.Run("unknown parent", func(t *testing.T) {
		err := s.CreateUnit(ctx, &herald.Unit{Code: "Y", Name: "孤儿", Type: herald.UnitCountyBureau, ParentID: 9999}, ev(0))
		wantCode(t, err, herald.EINVALID, "parent_id")
	})
	t.Run("bad fields", func(t *testing.T) {
		err := s.CreateUnit(ctx, &herald.Unit{Code: "lower", Name: "", Type: "bank", ParentID: w.Dept.ID}, ev(0))
		wantCode(t, err, herald.EINVALID, "code")
		for _, f := range []string{"name", "type"} {
			wantCode(t, err, herald.EINVALID, f)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		_, err := s.UpdateUnit(ctx, w.City.ID, herald.UnitUpdate{ParentID: &w.County.ID}, ev(0))
		wantCode(t, err, herald.EINVALID, "parent_id")
	})
	t.Run("update and find", func(t *testing.T) {
		name := "正定县司法局（更名）"
		u, err := s.UpdateUnit(ctx, w.County.ID, herald.UnitUpdate{Name: &name}, ev(w.Admin.ID))
		must(t, err)
		if u.Name != name || u.Code != "SJZ-ZD" {
			t.Fatalf("updated unit = %+v", u)
		}
		got, err := s.FindUnitByID(ctx, w.County.ID)
		must(t, err)
		if got.Name != name || got.ParentID != w.City.ID {
			t.Fatalf("found unit = %+v", got)
		}
		kids, total, err := s.FindUnits(ctx, herald.UnitFilter{ParentID: w.Dept.ID})
		must(t, err)
		if total != 2 || len(kids) != 2 {
			t.Fatalf("children of dept: %d (total %d), want 2", len(kids), total)
		}
		page, total, err := s.FindUnits(ctx, herald.UnitFilter{Limit: 2, Offset: 1})
		must(t, err)
		if len(page) != 2 || total != 4 {
			t.Fatalf("page = %d units, total %d; want 2 of 4", len(page), total)
		}
		_, err = s.FindUnitByID(ctx, 424242)
		wantCode(t, err, herald.ENOTFOUND, "")
		events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityUnit, EntityID: w.County.ID})
		must(t, err)
		if len(events) != 2 || events[0].Action != "create" || events[1].Action != "update" || events[1].ActorID != w.Admin.ID {
			t.Fatalf("unit events = %+v", events)
		}
	})
}

func testStaff(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	t.Run("duplicate username", func(t *testing.T) {
		err := s.CreateStaff(ctx, &herald.Staff{Username: "editor", Name: "重名", StaffCode: "ZZ1", UnitID: w.City.ID, Roles: []herald.Role{herald.RoleViewer}}, ev(0))
		wantCode(t, err, herald.ECONFLICT, "username")
	})
	t.Run("duplicate staff code", func(t *testing.T) {
		err := s.CreateStaff(ctx, &herald.Staff{Username: "newbie", Name: "新人", StaffCode: "DW110", UnitID: w.City.ID, Roles: []herald.Role{herald.RoleViewer}}, ev(0))
		wantCode(t, err, herald.ECONFLICT, "staff_code")
	})
	t.Run("unknown unit and role", func(t *testing.T) {
		err := s.CreateStaff(ctx, &herald.Staff{Username: "newbie", Name: "新人", StaffCode: "NB1", UnitID: 9999, Roles: []herald.Role{herald.RoleViewer}}, ev(0))
		wantCode(t, err, herald.EINVALID, "unit_id")
		err = s.CreateStaff(ctx, &herald.Staff{Username: "newbie", Name: "新人", StaffCode: "NB1", UnitID: w.City.ID, Roles: []herald.Role{"boss"}}, ev(0))
		wantCode(t, err, herald.EINVALID, "roles")
	})
	t.Run("find", func(t *testing.T) {
		got, err := s.FindStaffByID(ctx, w.Chief.ID)
		must(t, err)
		if got.Byline() != "王亚兰_DW110" || !got.HasRole(herald.RoleEditorInChief) || !got.Active() {
			t.Fatalf("chief = %+v", got)
		}
		editors, total, err := s.FindStaff(ctx, herald.StaffFilter{Role: herald.RoleEditor})
		must(t, err)
		if total != 3 || len(editors) != 3 {
			t.Fatalf("%d editors, want 3", total)
		}
		byName, _, err := s.FindStaff(ctx, herald.StaffFilter{Username: "writer"})
		must(t, err)
		if len(byName) != 1 || byName[0].ID != w.Writer.ID {
			t.Fatalf("by username: %+v", byName)
		}
	})
	t.Run("update roles, skills, disable", func(t *testing.T) {
		roles := []herald.Role{herald.RoleTranslator, herald.RoleCorrespondent, herald.RoleTranslator}
		skills := []string{"英语翻译", "摄影"}
		yes := true
		st, err := s.UpdateStaff(ctx, w.Writer.ID, herald.StaffUpdate{Roles: &roles, Skills: &skills, Disabled: &yes}, herald.Event{At: T0, ActorID: w.Admin.ID, Action: "disable"})
		must(t, err)
		got, err := s.FindStaffByID(ctx, w.Writer.ID)
		must(t, err)
		if len(got.Roles) != 2 || got.Roles[0] != herald.RoleCorrespondent || got.Roles[1] != herald.RoleTranslator {
			t.Fatalf("roles = %v", got.Roles)
		}
		if len(got.Skills) != 2 || got.Active() || st.Active() || !got.DisabledAt.Equal(T0) {
			t.Fatalf("staff after update = %+v", got)
		}
		events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityStaff, EntityID: w.Writer.ID})
		must(t, err)
		if len(events) != 2 || events[1].Action != "disable" {
			t.Fatalf("events = %+v", events)
		}
	})
	t.Run("invalid update changes nothing", func(t *testing.T) {
		empty := ""
		_, err := s.UpdateStaff(ctx, w.Editor.ID, herald.StaffUpdate{Name: &empty}, ev(w.Admin.ID))
		wantCode(t, err, herald.EINVALID, "name")
		got, _ := s.FindStaffByID(ctx, w.Editor.ID)
		if got.Name != "李编辑" {
			t.Fatalf("name changed to %q", got.Name)
		}
	})
}

func testSections(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	err := s.CreateColumn(ctx, &herald.Column{Slug: "headlines", Name: "重复", ReviewLevels: 1}, ev(0))
	wantCode(t, err, herald.ECONFLICT, "slug")
	err = s.CreateColumn(ctx, &herald.Column{Slug: "Bad Slug", Name: "x", ReviewLevels: 4}, ev(0))
	wantCode(t, err, herald.EINVALID, "slug")
	wantCode(t, err, herald.EINVALID, "review_levels")
	two := 2
	c, err := s.UpdateColumn(ctx, w.Local.ID, herald.ColumnUpdate{ReviewLevels: &two}, ev(w.Admin.ID))
	must(t, err)
	if c.ReviewLevels != 2 {
		t.Fatalf("review levels = %d", c.ReviewLevels)
	}
	cols, err := s.FindColumns(ctx)
	must(t, err)
	if len(cols) != 2 || cols[0].Slug != "headlines" || cols[1].ReviewLevels != 2 {
		t.Fatalf("columns = %+v", cols)
	}
	desc := "推动雄安新区法治建设"
	th, err := s.UpdateTheme(ctx, w.Theme.ID, herald.ThemeUpdate{Description: &desc}, ev(w.Admin.ID))
	must(t, err)
	themes, err := s.FindThemes(ctx)
	must(t, err)
	if len(themes) != 1 || themes[0].Description != desc || th.Description != desc {
		t.Fatalf("themes = %+v", themes)
	}
	_, err = s.UpdateTheme(ctx, 999, herald.ThemeUpdate{Description: &desc}, ev(0))
	wantCode(t, err, herald.ENOTFOUND, "")
}

func testArticles(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	c := Content(w.News, "省司法厅召开全省法律援助工作推进会")
	c.ThemeIDs = []int64{w.Theme.ID}
	c.Authors = []herald.Author{{StaffID: w.Writer.ID}, {Name: "通讯员 李明"}}
	c.Tags = []string{"推进会", "法律援助", "推进会"}
	a := &herald.Article{ArticleContent: c, UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
	if a.ID == 0 || a.Version != 1 {
		t.Fatalf("created article = %+v", a)
	}
	got, err := s.FindArticleByID(ctx, a.ID)
	must(t, err)
	if got.Title != c.Title || len(got.Authors) != 2 || got.Authors[1].Name != "通讯员 李明" ||
		len(got.Tags) != 2 || got.Tags[0] != "推进会" && got.Tags[1] != "推进会" || len(got.ThemeIDs) != 1 || !got.CreatedAt.Equal(T0) {
		t.Fatalf("found article = %+v", got)
	}

	t.Run("bad references name the field and change nothing", func(t *testing.T) {
		bad := Content(w.News, "标题")
		bad.ThemeIDs = []int64{777}
		bad.EditorID = 888
		err := s.CreateArticle(ctx, &herald.Article{ArticleContent: bad, UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}, ev(w.Writer.ID))
		wantCode(t, err, herald.EINVALID, "theme_ids")
		wantCode(t, err, herald.EINVALID, "editor_id")
		_, total, _ := s.FindArticles(ctx, herald.ArticleFilter{})
		if total != 1 {
			t.Fatalf("%d articles after a refused create, want 1", total)
		}
	})

	t.Run("content change keeps a revision", func(t *testing.T) {
		at := T0.Add(time.Minute)
		up, err := s.UpdateArticle(ctx, a.ID, func(x *herald.Article) (herald.ArticleChange, error) {
			x.Title = "省司法厅召开法律援助推进会"
			return herald.ArticleChange{Event: herald.Event{At: at, ActorID: w.Writer.ID, Action: "edit"}}, nil
		})
		must(t, err)
		if up.Version != 2 || !up.UpdatedAt.Equal(at) {
			t.Fatalf("after edit: version %d updated %v", up.Version, up.UpdatedAt)
		}
		revs, err := s.FindRevisions(ctx, a.ID)
		must(t, err)
		if len(revs) != 2 || revs[0].Content.Title != c.Title || revs[1].Content.Title != up.Title || revs[1].SavedBy != w.Writer.ID {
			t.Fatalf("revisions = %+v", revs)
		}
	})

	t.Run("status change without content change keeps no revision", func(t *testing.T) {
		_, err := s.UpdateArticle(ctx, a.ID, func(x *herald.Article) (herald.ArticleChange, error) {
			x.Status, x.ReviewLevel = herald.StatusSubmitted, 1
			return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Writer.ID, Action: "submit"}}, nil
		})
		must(t, err)
		revs, _ := s.FindRevisions(ctx, a.ID)
		if len(revs) != 2 {
			t.Fatalf("%d revisions, want 2", len(revs))
		}
		events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
		last := events[len(events)-1]
		if last.Action != "submit" || last.FromStatus != "draft" || last.ToStatus != "submitted" {
			t.Fatalf("last event = %+v", last)
		}
	})

	t.Run("a failing change changes nothing", func(t *testing.T) {
		before, _ := s.FindArticleByID(ctx, a.ID)
		events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
		_, err := s.UpdateArticle(ctx, a.ID, func(x *herald.Article) (herald.ArticleChange, error) {
			x.Title = "不该保存"
			return herald.ArticleChange{}, herald.Errorf(herald.ECONFLICT, "no")
		})
		wantCode(t, err, herald.ECONFLICT, "")
		_, err = s.UpdateArticle(ctx, a.ID, func(x *herald.Article) (herald.ArticleChange, error) {
			x.Title = ""
			return herald.ArticleChange{Event: herald.Event{At: T0, Action: "edit"}}, nil
		})
		wantCode(t, err, herald.EINVALID, "title")
		after, _ := s.FindArticleByID(ctx, a.ID)
		events2, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
		if after.Title != before.Title || after.Version != before.Version || len(events2) != len(events) {
			t.Fatalf("refused change left traces: %q v%d, %d events", after.Title, after.Version, len(events2))
		}
	})

	t.Run("revision lookups", func(t *testing.T) {
		r, err := s.FindRevision(ctx, a.ID, 1)
		must(t, err)
		if r.Content.Title != c.Title {
			t.Fatalf("revision 1 title %q", r.Content.Title)
		}
		_, err = s.FindRevision(ctx, a.ID, 99)
		wantCode(t, err, herald.ENOTFOUND, "")
		_, err = s.FindRevisions(ctx, 99999)
		wantCode(t, err, herald.ENOTFOUND, "")
	})
}

func testArticleFilters(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	mk := func(title string, unit *herald.Unit, col *herald.Column, status herald.Status, themed bool, at time.Time) *herald.Article {
		c := Content(col, title)
		if themed {
			c.ThemeIDs = []int64{w.Theme.ID}
		}
		a := &herald.Article{ArticleContent: c, UnitID: unit.ID, Status: status, CreatedBy: w.Writer.ID}
		switch status {
		case herald.StatusPublished:
			a.PublishedAt = &at
		case herald.StatusScheduled:
			a.ScheduledAt = &at
		}
		must(t, s.CreateArticle(ctx, a, herald.Event{At: at, ActorID: w.Writer.ID}))
		return a
	}
	mk("一", w.City, w.News, herald.StatusPublished, true, T0.Add(1*time.Hour))
	mk("二", w.County, w.Local, herald.StatusPublished, false, T0.Add(2*time.Hour))
	mk("三", w.City, w.News, herald.StatusDraft, false, T0.Add(3*time.Hour))
	mk("四", w.City, w.News, herald.StatusScheduled, false, T0.Add(4*time.Hour))
	mk("五", w.City, w.News, herald.StatusScheduled, false, T0.Add(48*time.Hour))

	ids := func(as []*herald.Article) string {
		var b strings.Builder
		for _, a := range as {
			fmt.Fprintf(&b, "%s ", a.Title)
		}
		return strings.TrimSpace(b.String())
	}
	cutoff := T0.Add(5 * time.Hour)
	tests := []struct {
		name   string
		filter herald.ArticleFilter
		want   string
		total  int
	}{
		{"published newest first", herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished}, "二 一", 2},
		{"by unit", herald.ArticleFilter{UnitIDs: []int64{w.County.ID}}, "二", 1},
		{"no units", herald.ArticleFilter{UnitIDs: []int64{}}, "", 0},
		{"by column", herald.ArticleFilter{ColumnID: w.Local.ID}, "二", 1},
		{"by theme", herald.ArticleFilter{ThemeID: w.Theme.ID}, "一", 1},
		{"due", herald.ArticleFilter{Statuses: []herald.Status{herald.StatusScheduled}, ScheduledBefore: &cutoff, Order: herald.ByScheduled}, "四", 1},
		{"page", herald.ArticleFilter{Order: herald.ByUpdated, Limit: 2, Offset: 1}, "四 三", 5},
	}
	t.Run("by IDs", func(t *testing.T) {
		all, _, err := s.FindArticles(ctx, herald.ArticleFilter{Order: herald.ByID})
		must(t, err)
		got, total, err := s.FindArticles(ctx, herald.ArticleFilter{IDs: []int64{all[1].ID, all[3].ID}, Order: herald.ByID})
		must(t, err)
		if len(got) != 2 || total != 2 || got[0].ID != all[1].ID || got[1].ID != all[3].ID {
			t.Fatalf("by IDs: %d articles (total %d)", len(got), total)
		}
		if none, _, _ := s.FindArticles(ctx, herald.ArticleFilter{IDs: []int64{}}); len(none) != 0 {
			t.Fatalf("an empty ID list matched %d articles", len(none))
		}
	})
	t.Run("no body, no count", func(t *testing.T) {
		got, total, err := s.FindArticles(ctx, herald.ArticleFilter{NoBody: true, NoCount: true, Limit: 2})
		must(t, err)
		if len(got) != 2 || got[0].Body != "" || got[0].Title == "" || total != -1 {
			t.Fatalf("got %d articles, body %q, total %d", len(got), got[0].Body, total)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.FindArticles(ctx, tt.filter)
			must(t, err)
			if ids(got) != tt.want || (len(got) > 0 && total != tt.total) {
				t.Fatalf("got %q (total %d), want %q (total %d)", ids(got), total, tt.want, tt.total)
			}
		})
	}
}

func testConcurrentUpdates(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	a := &herald.Article{ArticleContent: Content(w.Local, "并发"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	must(t, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateArticle(ctx, a.ID, func(x *herald.Article) (herald.ArticleChange, error) {
				x.Summary += fmt.Sprintf("[%d]", i)
				return herald.ArticleChange{Event: herald.Event{At: T0, ActorID: w.Writer.ID, Action: "edit"}}, nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	got, err := s.FindArticleByID(ctx, a.ID)
	must(t, err)
	if got.Version != n+1 || strings.Count(got.Summary, "[") != n {
		t.Fatalf("after %d concurrent edits: version %d, summary %q (lost updates)", n, got.Version, got.Summary)
	}
	revs, _ := s.FindRevisions(ctx, a.ID)
	if len(revs) != n+1 {
		t.Fatalf("%d revisions, want %d", len(revs), n+1)
	}
}

func testTokens(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	hash := strings.Repeat("ab", 32)
	tok := &herald.Token{StaffID: w.Editor.ID, Name: "脚本", Hash: hash}
	must(t, s.CreateToken(ctx, tok, ev(w.Editor.ID)))
	err := s.CreateToken(ctx, &herald.Token{StaffID: w.Editor.ID, Name: "again", Hash: hash}, ev(w.Editor.ID))
	wantCode(t, err, herald.ECONFLICT, "hash")
	got, err := s.FindTokenByHash(ctx, hash)
	must(t, err)
	if got.ID != tok.ID || got.StaffID != w.Editor.ID || got.LastUsedAt != nil {
		t.Fatalf("token = %+v", got)
	}
	must(t, s.TouchToken(ctx, tok.ID, T0.Add(time.Hour)))
	list, err := s.FindTokens(ctx, w.Editor.ID)
	must(t, err)
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(T0.Add(time.Hour)) {
		t.Fatalf("tokens = %+v", list)
	}
	must(t, s.DeleteToken(ctx, tok.ID, ev(w.Editor.ID)))
	_, err = s.FindTokenByHash(ctx, hash)
	wantCode(t, err, herald.ENOTFOUND, "")
	wantCode(t, s.DeleteToken(ctx, tok.ID, ev(w.Editor.ID)), herald.ENOTFOUND, "")
}

// Dumps compares two backups, ignoring the header (engine and time).
func dumpBody(t testing.TB, s herald.Store) string {
	var buf bytes.Buffer
	must(t, s.Dump(context.Background(), &buf))
	zr, err := gzip.NewReader(&buf)
	must(t, err)
	b, err := io.ReadAll(zr)
	must(t, err)
	_, body, _ := strings.Cut(string(b), "\n")
	return body
}

func testBackup(t *testing.T, open Opener) {
	ctx := context.Background()
	src, dst := open(t), open(t)
	w := NewWorld(t, src)
	// Re-parent a unit under a later one, so the dump must cope with a parent
	// whose ID is higher than its child's.
	late := &herald.Unit{Code: "LATE", Name: "后建单位", Type: herald.UnitCityBureau, ParentID: w.Dept.ID}
	must(t, src.CreateUnit(ctx, late, ev(0)))
	_, err := src.UpdateUnit(ctx, w.County.ID, herald.UnitUpdate{ParentID: &late.ID}, ev(0))
	must(t, err)
	a := &herald.Article{ArticleContent: Content(w.News, "备份"), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
	a.ArticleContent.Authors = []herald.Author{{StaffID: w.Writer.ID}, {Name: "通讯员"}}
	must(t, src.CreateArticle(ctx, a, ev(w.Writer.ID)))
	must(t, src.CreateToken(ctx, &herald.Token{StaffID: w.Editor.ID, Name: "t", Hash: strings.Repeat("cd", 32)}, ev(w.Editor.ID)))
	must(t, src.UpdateSettings(ctx, &herald.SiteSettings{SiteName: "河北司法行政网", Hotline: "0311-87908405"}, ev(0)))
	must(t, src.AddViews(ctx, []herald.ViewCount{{ArticleID: a.ID, Hour: T0, Channel: "web", Views: 7}}))
	must(t, src.CreateTip(ctx, &herald.Tip{Contact: "x@example.com", Subject: "报料", Body: "内容",
		Attachments: []herald.TipAttachment{{Filename: "a.png", ContentType: "image/png", Data: []byte("\x89PNG\x00\xff binary")}}}, ev(0)))
	must(t, src.CreateMedia(ctx, &herald.Media{SHA256: "ff", Format: "png", Width: 2, Height: 1, UploadedBy: w.Writer.ID,
		Renditions: []herald.MediaRendition{{Name: "original", ContentType: "image/png", Width: 2, Height: 1, Data: []byte("\x89PNG\x00\xfe")}}}, ev(w.Writer.ID)))
	must(t, src.PutAutosave(ctx, &herald.Autosave{ArticleID: a.ID, StaffID: w.Writer.ID, BaseVersion: 1, Content: a.ArticleContent, SavedAt: T0}))
	must(t, src.CreateWord(ctx, &herald.SensitiveWord{Word: "布署", Kind: herald.WordMistaken, Suggestion: "部署"}, ev(w.Admin.ID)))

	var buf bytes.Buffer
	must(t, src.Dump(ctx, &buf))
	must(t, dst.Load(ctx, bytes.NewReader(buf.Bytes())))
	if a, b := dumpBody(t, src), dumpBody(t, dst); a != b {
		t.Fatalf("restored database differs from the original:\n%s\n---\n%s", a, b)
	}
	// The restored store keeps working: new rows get fresh IDs.
	u := &herald.Unit{Code: "NEW", Name: "新单位", Type: herald.UnitCityBureau, ParentID: w.Dept.ID}
	must(t, dst.CreateUnit(ctx, u, ev(0)))
	if u.ID <= late.ID {
		t.Fatalf("new unit ID %d reuses a restored ID (max %d)", u.ID, late.ID)
	}
	wantCode(t, dst.Load(ctx, bytes.NewReader(buf.Bytes())), herald.ECONFLICT, "")
	// A damaged backup is refused whole and leaves the target empty.
	fresh := open(t)
	wantCode(t, fresh.Load(ctx, bytes.NewReader(buf.Bytes()[:buf.Len()*2/3])), herald.EINVALID, "")
	if units, _, _ := fresh.FindUnits(ctx, herald.UnitFilter{}); len(units) != 0 {
		t.Fatalf("a refused restore left %d units", len(units))
	}
	wantCode(t, fresh.Load(ctx, strings.NewReader("not a backup")), herald.EINVALID, "")
}
