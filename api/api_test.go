package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/api"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/syndication"
	"github.com/heraldnews/herald/workflow"
)

// engines runs a test on SQLite and, when configured, on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, s herald.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.MustOpen(t)) })
}

// client talks to a test server as one staff member.
type client struct {
	t     *testing.T
	base  string
	token string
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, b, res.Header}
}

// must fails unless the response has the status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

type testServer struct {
	store   herald.Store
	world   *storetest.World
	search  *search.Service // its index is empty until a test builds it
	scoring *scoring.Service
	handler http.Handler
	url     string
	now     time.Time
}

func newServer(t testing.TB, s herald.Store) *testServer {
	ts := &testServer{store: s, world: storetest.NewWorld(t, s), now: storetest.T0}
	clock := func() time.Time { return ts.now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts.search = search.NewService(s, clock, log)
	srv := &api.Server{
		Store: s, Auth: auth.NewService(s, clock), Directory: directory.NewService(s, clock),
		Workflow: workflow.NewService(s, clock), Search: ts.search, Log: log, MaxBodyBytes: 64 << 10,
		Periodicals: periodicals.New(s, clock), Syndication: syndication.New(s, clock, "https://news.example.gov.cn", log),
		Scoring: scoring.New(s, clock, log),
	}
	ts.scoring = srv.Scoring
	ts.handler = srv.Handler()
	hs := httptest.NewServer(ts.handler)
	t.Cleanup(hs.Close)
	ts.url = hs.URL
	return ts
}

// as returns a client holding a fresh token of st.
func (ts *testServer) as(t *testing.T, st *herald.Staff) *client {
	secret, _, err := auth.NewService(ts.store, nil).IssueToken(context.Background(), st, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: ts.url, token: secret}
}

func TestArticleThroughThreeLevelsToRetraction(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		ctx := context.Background()
		if err := directory.NewService(s, nil).SetPassword(ctx, nil, w.Chief.ID, "", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		anon := &client{t: t, base: ts.url}
		var tok struct {
			Token string `json:"token"`
		}
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "wangyalan", "password": "wrong password"}).must(t, 401)
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "wangyalan", "password": "correct horse battery"}).must(t, 201).decode(t, &tok)
		chief := &client{t: t, base: ts.url, token: tok.Token}
		var me herald.Staff
		chief.do("GET", "/api/v1/me", nil).must(t, 200).decode(t, &me)
		if me.Byline() != "王亚兰_DW110" {
			t.Fatalf("me = %+v", me)
		}

		writer, ed1, ed2 := ts.as(t, w.Writer), ts.as(t, w.Editor), ts.as(t, w.Editor2)
		var a herald.Article
		writer.do("POST", "/api/v1/articles", map[string]any{
			"title": "石家庄市举办民法典宣传月活动", "body": `<p>活动现场发放资料3000余份。</p><script>x()</script>`,
			"column_id": w.News.ID, "theme_ids": []int64{w.Theme.ID}, "tags": []string{"民法典"}, "source": "石家庄市司法局",
		}).must(t, 201).decode(t, &a)
		if strings.Contains(a.Body, "script") || a.Status != herald.StatusDraft || a.UnitID != w.City.ID {
			t.Fatalf("created %+v", a)
		}
		id := fmt.Sprint(a.ID)
		writer.do("PATCH", "/api/v1/articles/"+id, map[string]any{"version": a.Version, "summary": "宣传月活动覆盖全市"}).must(t, 200).decode(t, &a)
		writer.do("POST", "/api/v1/articles/"+id+"/submit", nil).must(t, 200)
		ed1.do("POST", "/api/v1/articles/"+id+"/approve", map[string]string{"comment": "一审同意"}).must(t, 200)
		ed2.do("POST", "/api/v1/articles/"+id+"/approve", map[string]string{"comment": "二审同意"}).must(t, 200)
		chief.do("POST", "/api/v1/articles/"+id+"/approve", map[string]string{"comment": "终审同意"}).must(t, 200).decode(t, &a)
		if a.Status != herald.StatusApproved || a.EditorID != w.Chief.ID {
			t.Fatalf("after three levels: %s, editor %d", a.Status, a.EditorID)
		}
		chief.do("POST", "/api/v1/articles/"+id+"/publish", nil).must(t, 200).decode(t, &a)
		if a.Status != herald.StatusPublished || a.PublishedAt == nil {
			t.Fatalf("after publish: %+v", a)
		}
		chief.do("POST", "/api/v1/articles/"+id+"/retract", map[string]string{"comment": "内容需核实"}).must(t, 200).decode(t, &a)
		if a.Status != herald.StatusRetracted {
			t.Fatalf("after retract: %s", a.Status)
		}

		var events api.List[herald.Event]
		chief.do("GET", "/api/v1/articles/"+id+"/events", nil).must(t, 200).decode(t, &events)
		var steps []string
		for _, e := range events.Items {
			steps = append(steps, fmt.Sprintf("%s:%s→%s@%d", e.Action, e.FromStatus, e.ToStatus, e.Level))
		}
		want := "create:→draft@0 edit:draft→draft@0 submit:draft→submitted@1 approve:submitted→submitted@1 " +
			"approve:submitted→submitted@2 approve:submitted→approved@3 publish:approved→published@0 retract:published→retracted@0"
		if strings.Join(steps, " ") != want {
			t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(steps, " "), want)
		}
		actors := []int64{w.Writer.ID, w.Writer.ID, w.Writer.ID, w.Editor.ID, w.Editor2.ID, w.Chief.ID, w.Chief.ID, w.Chief.ID}
		for i, e := range events.Items {
			if e.ActorID != actors[i] {
				t.Errorf("event %d (%s) by %d, want %d", i, e.Action, e.ActorID, actors[i])
			}
		}
		var diff struct {
			Fields []workflow.FieldDiff `json:"fields"`
		}
		chief.do("GET", "/api/v1/articles/"+id+"/diff?from=1&to=2", nil).must(t, 200).decode(t, &diff)
		if len(diff.Fields) != 1 || diff.Fields[0].Field != "summary" {
			t.Fatalf("diff 1→2 = %+v", diff.Fields)
		}
	})
}

func TestBadRequestsAreRefusedAndChangeNothing(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		writer, editor, other := ts.as(t, w.Writer), ts.as(t, w.Editor), ts.as(t, w.CountyWriter)
		var a herald.Article
		writer.do("POST", "/api/v1/articles", map[string]any{"title": "草稿", "body": "<p>正文</p>", "column_id": w.Local.ID}).must(t, 201).decode(t, &a)
		id := fmt.Sprint(a.ID)
		snapshot := func() string {
			got, err := s.FindArticleByID(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			events, _ := s.FindEvents(context.Background(), herald.EventFilter{})
			_, total, _ := s.FindArticles(context.Background(), herald.ArticleFilter{})
			return fmt.Sprintf("v%d %s %s events=%d articles=%d", got.Version, got.Status, got.Title, len(events), total)
		}
		before := snapshot()
		huge := `{"title":"` + strings.Repeat("字", 30000) + `","column_id":1}`
		tests := []struct {
			name   string
			c      *client
			method string
			path   string
			body   any
			status int
			field  string
		}{
			{"no token", &client{t: t, base: ts.url}, "POST", "/api/v1/articles", map[string]any{"title": "x"}, 401, ""},
			{"bad token", &client{t: t, base: ts.url, token: "hrd_forged"}, "GET", "/api/v1/articles", nil, 401, ""},
			{"unknown field", writer, "POST", "/api/v1/articles", map[string]any{"title": "x", "column_id": w.Local.ID, "status": "published"}, 400, "status"},
			{"wrong type", writer, "POST", "/api/v1/articles", map[string]any{"title": 5, "column_id": w.Local.ID}, 400, "title"},
			{"not json", writer, "POST", "/api/v1/articles", "{title:", 400, ""},
			{"trailing data", writer, "POST", "/api/v1/articles", `{"title":"x","column_id":1} {}`, 400, ""},
			{"empty body", writer, "POST", "/api/v1/articles", "", 400, ""},
			{"missing title", writer, "POST", "/api/v1/articles", map[string]any{"column_id": w.Local.ID}, 400, "title"},
			{"unknown column", writer, "POST", "/api/v1/articles", map[string]any{"title": "x", "column_id": 999}, 400, "column_id"},
			{"oversize", writer, "POST", "/api/v1/articles", huge, 413, ""},
			{"malformed id", writer, "GET", "/api/v1/articles/abc", nil, 400, "id"},
			{"negative id", writer, "POST", "/api/v1/articles/-3/submit", nil, 400, "id"},
			{"missing article", writer, "GET", "/api/v1/articles/424242", nil, 404, ""},
			{"illegal transition", editor, "POST", "/api/v1/articles/" + id + "/approve", nil, 409, ""},
			{"illegal publish", editor, "POST", "/api/v1/articles/" + id + "/publish", nil, 409, ""},
			{"forbidden: correspondent retracts", writer, "POST", "/api/v1/articles/" + id + "/retract", map[string]string{"comment": "x"}, 403, ""},
			{"forbidden: other unit's draft is invisible", other, "PATCH", "/api/v1/articles/" + id, map[string]any{"version": 1, "title": "改"}, 404, ""},
			{"stale version", writer, "PATCH", "/api/v1/articles/" + id, map[string]any{"version": 99, "title": "改"}, 409, ""},
			{"missing version", writer, "PATCH", "/api/v1/articles/" + id, map[string]any{"title": "改"}, 400, "version"},
			{"reject without comment", editor, "POST", "/api/v1/articles/" + id + "/reject", nil, 400, "comment"},
			{"at on approve", editor, "POST", "/api/v1/articles/" + id + "/approve", map[string]any{"at": "2026-12-01T00:00:00Z"}, 400, "at"},
			{"bad status filter", writer, "GET", "/api/v1/articles?status=nonsense", nil, 400, "status"},
			{"bad limit", writer, "GET", "/api/v1/articles?limit=100000", nil, 400, "limit"},
			{"correspondent adds unit", writer, "POST", "/api/v1/units", map[string]any{"code": "X", "name": "x", "type": "city_bureau", "parent_id": w.Dept.ID}, 403, ""},
			{"editor adds staff", editor, "POST", "/api/v1/staff", map[string]any{"username": "x"}, 403, ""},
			{"events need admin", writer, "GET", "/api/v1/events", nil, 403, ""},
			{"unknown endpoint", writer, "GET", "/api/v1/nothing", nil, 404, ""},
			{"wrong method", writer, "DELETE", "/api/v1/articles/" + id, nil, 405, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.c.t = t
				res := tt.c.do(tt.method, tt.path, tt.body)
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if tt.status == 405 {
					return
				}
				var p api.Problem
				res.decode(t, &p)
				if p.Status != tt.status || p.Detail == "" || p.Code == "" {
					t.Fatalf("problem = %+v", p)
				}
				if tt.field != "" {
					found := false
					for _, f := range p.Errors {
						found = found || f.Field == tt.field
					}
					if !found {
						t.Fatalf("problem does not name field %q: %s", tt.field, res.body)
					}
				}
				if after := snapshot(); after != before {
					t.Fatalf("a refused request changed the database: %s → %s", before, after)
				}
			})
		}
	})
}

func TestAdminManagesDirectory(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		admin := ts.as(t, w.Admin)
		var u herald.Unit
		admin.do("POST", "/api/v1/units", map[string]any{"code": "SJZ-XH", "name": "新华区司法局", "type": "county_bureau", "parent_id": w.City.ID}).must(t, 201).decode(t, &u)
		admin.do("POST", "/api/v1/units", map[string]any{"code": "SJZ-XH", "name": "重复", "type": "county_bureau", "parent_id": w.City.ID}).must(t, 409)
		var st herald.Staff
		admin.do("POST", "/api/v1/staff", map[string]any{"username": "Newbie", "name": "新通讯员", "staff_code": "XH001",
			"unit_id": u.ID, "roles": []string{"correspondent"}, "password": "a long enough password"}).must(t, 201).decode(t, &st)
		if st.Username != "newbie" || st.UnitID != u.ID {
			t.Fatalf("staff = %+v", st)
		}
		res := admin.do("POST", "/api/v1/staff", map[string]any{"username": "x", "name": "", "staff_code": "bad code", "unit_id": u.ID, "roles": []string{"boss"}, "password": "short"})
		res.must(t, 400)
		var p api.Problem
		res.decode(t, &p)
		fields := map[string]bool{}
		for _, f := range p.Errors {
			fields[f.Field] = true
		}
		for _, f := range []string{"username", "name", "staff_code", "roles", "password"} {
			if !fields[f] {
				t.Errorf("problem does not name %s: %s", f, res.body)
			}
		}
		// The new correspondent signs in, changes their password, and is disabled.
		anon := &client{t: t, base: ts.url}
		var tok struct {
			Token string `json:"token"`
		}
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "newbie", "password": "a long enough password"}).must(t, 201).decode(t, &tok)
		me := &client{t: t, base: ts.url, token: tok.Token}
		me.do("PUT", fmt.Sprintf("/api/v1/staff/%d/password", st.ID), map[string]string{"current_password": "wrong", "new_password": "another long password"}).must(t, 400)
		me.do("PUT", fmt.Sprintf("/api/v1/staff/%d/password", st.ID), map[string]string{"current_password": "a long enough password", "new_password": "another long password"}).must(t, 204)
		admin.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", st.ID), map[string]any{"disabled": true}).must(t, 200)
		me.do("GET", "/api/v1/me", nil).must(t, 401)
		admin.do("PATCH", fmt.Sprintf("/api/v1/staff/%d", w.Admin.ID), map[string]any{"disabled": true}).must(t, 400)
		var events api.List[herald.Event]
		admin.do("GET", fmt.Sprintf("/api/v1/events?entity=staff&entity_id=%d", st.ID), nil).must(t, 200).decode(t, &events)
		var actions []string
		for _, e := range events.Items {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "create,password_change,disable" {
			t.Fatalf("staff events = %v", actions)
		}
	})
}

func TestSignInIsRateLimited(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := newServer(t, s)
	anon := &client{t: t, base: ts.url}
	for range 5 {
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "editor", "password": "guess"}).must(t, 401)
	}
	anon.do("POST", "/api/v1/tokens", map[string]string{"username": "editor", "password": "guess"}).must(t, 429)
}

func TestSettingsAndTips(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		admin, editor, writer := ts.as(t, w.Admin), ts.as(t, w.Editor), ts.as(t, w.Writer)
		set := map[string]any{"site_name": "河北共产党员网", "hotline": "0311-87908405", "icp": "冀ICP备13012861号-1", "mailbox": "news@example.gov.cn"}
		editor.do("PUT", "/api/v1/settings", set).must(t, 403)
		admin.do("PUT", "/api/v1/settings", map[string]any{"site_name": "x", "mailbox": "not-mail"}).must(t, 400)
		var got herald.SiteSettings
		admin.do("PUT", "/api/v1/settings", set).must(t, 200).decode(t, &got)
		writer.do("GET", "/api/v1/settings", nil).must(t, 200).decode(t, &got)
		if got.Hotline != "0311-87908405" || got.ICP != "冀ICP备13012861号-1" {
			t.Fatalf("settings = %+v", got)
		}
		tip := &herald.Tip{Contact: "13800000000", Subject: "报料", Body: "内容",
			Attachments: []herald.TipAttachment{{Filename: "图.png", ContentType: "image/png", Data: []byte("\x89PNG data")}}}
		if err := s.CreateTip(context.Background(), tip, herald.Event{At: storetest.T0}); err != nil {
			t.Fatal(err)
		}
		writer.do("GET", "/api/v1/tips", nil).must(t, 403)
		var tips api.List[herald.Tip]
		editor.do("GET", "/api/v1/tips", nil).must(t, 200).decode(t, &tips)
		if tips.Total != 1 || len(tips.Items[0].Attachments) != 1 {
			t.Fatalf("tips = %+v", tips)
		}
		res := editor.do("GET", fmt.Sprintf("/api/v1/tips/%d/attachments/%d", tip.ID, tips.Items[0].Attachments[0].ID), nil).must(t, 200)
		if string(res.body) != "\x89PNG data" {
			t.Fatalf("attachment body %q", res.body)
		}
	})
}
