package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/iptctest"
	"github.com/heraldnews/herald/storetest"
)

func TestAPartnerPullsTodaysStoriesAndReportsAPlacement(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		chief, editor := ts.as(t, w.Chief), ts.as(t, w.Editor)

		editor.do("POST", "/api/v1/partners", map[string]any{"slug": "hebei-legal-daily", "name": "河北法制报", "kind": "newspaper", "level": "provincial"}).
			must(t, http.StatusForbidden)
		chief.do("POST", "/api/v1/partners", map[string]any{"slug": "bad slug", "name": "", "kind": "tv", "level": "provincial"}).must(t, http.StatusBadRequest)
		var made struct {
			Token   string
			Partner herald.Partner
		}
		chief.do("POST", "/api/v1/partners", map[string]any{"slug": "hebei-legal-daily", "name": "河北法制报", "kind": "newspaper", "level": "provincial",
			"languages": []string{"zh-CN"}}).must(t, http.StatusCreated).decode(t, &made)
		if !strings.HasPrefix(made.Token, "hrp_") || made.Partner.Format != herald.FormatNINJS {
			t.Fatalf("made %+v", made)
		}
		partner := &client{t: t, base: ts.url, token: made.Token}

		// today's stories: three for print (one retracted since), one for the
		// website only, one in English, one from yesterday
		story := func(title, lang string, at time.Time, status herald.Status, channels ...herald.Channel) int64 {
			c := storetest.Content(w.News, title)
			c.Language, c.Channels = lang, append([]herald.Channel{herald.ChannelWebsite}, channels...)
			a := &herald.Article{ArticleContent: c, UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: status, PublishedAt: &at, Version: 1}
			if status == herald.StatusRetracted {
				a.RetractedAt = &at
			}
			if err := s.CreateArticle(t.Context(), a, herald.Event{At: at, ActorID: w.Editor.ID}); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		morning := herald.CSTDay(ts.now).Add(9 * time.Hour)
		first := story("全省法律援助工作推进会召开", "zh-CN", morning, herald.StatusPublished, herald.ChannelPrint)
		story("仅在网站发布", "zh-CN", morning.Add(time.Minute), herald.StatusPublished)
		second := story("石家庄开展普法进社区", "zh-CN", morning.Add(2*time.Minute), herald.StatusPublished, herald.ChannelPrint)
		story("Legal aid conference held", "en", morning.Add(3*time.Minute), herald.StatusPublished, herald.ChannelPrint)
		retracted := story("已撤回的稿件", "zh-CN", morning.Add(4*time.Minute), herald.StatusRetracted, herald.ChannelPrint)
		yesterday := story("昨天的稿件", "zh-CN", morning.Add(-24*time.Hour), herald.StatusPublished, herald.ChannelPrint)

		// paged two at a time, following the next links
		var uris, statuses []string
		path := "/api/v1/syndication/items?limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("the next links do not end")
			}
			var page struct {
				Items []map[string]any
				Next  string
			}
			res := partner.do("GET", path, nil).must(t, http.StatusOK)
			res.decode(t, &page)
			if (page.Next == "") != (res.header.Get("Link") == "") {
				t.Fatalf("next %q but Link %q", page.Next, res.header.Get("Link"))
			}
			for _, it := range page.Items {
				uris, statuses = append(uris, it["uri"].(string)), append(statuses, it["pubstatus"].(string))
			}
			path = page.Next
		}
		want := []string{herald.ArticlePath(first), herald.ArticlePath(second), herald.ArticlePath(retracted)}
		if len(uris) != 3 || !strings.HasSuffix(uris[0], want[0]) || !strings.HasSuffix(uris[1], want[1]) || !strings.HasSuffix(uris[2], want[2]) ||
			!slices.Equal(statuses, []string{"usable", "usable", "canceled"}) {
			t.Fatalf("pulled %v %v, want %v", uris, statuses, want)
		}
		// an earlier window has yesterday's
		var old struct{ Items []map[string]any }
		day := herald.CSTDay(ts.now)
		partner.do("GET", "/api/v1/syndication/items?since="+day.AddDate(0, 0, -1).Format(time.DateOnly)+"&until="+day.Format(time.DateOnly), nil).
			must(t, http.StatusOK).decode(t, &old)
		if len(old.Items) != 1 || !strings.HasSuffix(old.Items[0]["uri"].(string), herald.ArticlePath(yesterday)) {
			t.Fatalf("yesterday = %v", old.Items)
		}
		// NewsML: one newsMessage with every item, valid against the schema
		res := partner.do("GET", "/api/v1/syndication/items?format=newsml", nil).must(t, http.StatusOK)
		if !strings.HasPrefix(res.header.Get("Content-Type"), "application/vnd.iptc.g2.newsmessage+xml") || strings.Count(string(res.body), "<newsItem ") != 3 {
			t.Fatalf("NewsML %s:\n%s", res.header.Get("Content-Type"), res.body)
		}
		iptctest.ValidateNewsMLDoc(t, res.body)
		partner.do("GET", "/api/v1/syndication/items?format=newsml&since="+day.AddDate(0, 0, -5).Format(time.DateOnly)+"&until="+
			day.AddDate(0, 0, -4).Format(time.DateOnly), nil).must(t, http.StatusNoContent)
		// one item; not one it is not offered
		var one struct{ Headlines []struct{ Value string } }
		partner.do("GET", fmt.Sprintf("/api/v1/syndication/items/%d", second), nil).must(t, http.StatusOK).decode(t, &one)
		if len(one.Headlines) == 0 || one.Headlines[0].Value != "石家庄开展普法进社区" {
			t.Fatalf("item = %v", one)
		}
		partner.do("GET", fmt.Sprintf("/api/v1/syndication/items/%d", second+1), nil).must(t, http.StatusNotFound)

		// bad windows name the parameter
		for q, field := range map[string]string{"since=yesterday": "since", "limit=0": "limit", "format=rss": "format", "after=x": "after",
			"since=2026-12-01&until=2026-11-01": "since"} {
			res := partner.do("GET", "/api/v1/syndication/items?"+q, nil).must(t, http.StatusBadRequest)
			if !strings.Contains(string(res.body), `"`+field+`"`) {
				t.Errorf("%s: %s does not name %s", q, res.body, field)
			}
		}
		// the tokens do not open each other's doors
		editor.do("GET", "/api/v1/syndication/items", nil).must(t, http.StatusUnauthorized)
		partner.do("GET", "/api/v1/partners", nil).must(t, http.StatusUnauthorized)
		(&client{t: t, base: ts.url}).do("GET", "/api/v1/syndication/items", nil).must(t, http.StatusUnauthorized)

		// placements come back
		today := day.Format(time.DateOnly)
		var pl herald.Placement
		partner.do("POST", "/api/v1/syndication/placements", map[string]any{"article_id": first, "date": today, "page": "第3版"}).
			must(t, http.StatusCreated).decode(t, &pl)
		if pl.Outlet != "河北法制报" || pl.Level != herald.LevelProvincial || pl.Status != herald.PlacementVerified || pl.PartnerID != made.Partner.ID {
			t.Fatalf("placement = %+v", pl)
		}
		partner.do("POST", "/api/v1/syndication/placements", map[string]any{"article_id": first, "date": today, "page": "第3版"}).must(t, http.StatusConflict)
		for body, field := range map[string]string{
			fmt.Sprintf(`{"article_id": %d, "date": %q, "page": "1"}`, second+1, today):                                    "article_id",
			fmt.Sprintf(`{"article_id": %d, "date": %q, "page": "1"}`, second, day.AddDate(0, 0, 2).Format(time.DateOnly)): "date",
			fmt.Sprintf(`{"article_id": %d, "date": "26/11/2026", "page": "1"}`, second):                                   "date",
			fmt.Sprintf(`{"article_id": %d, "date": %q}`, second, today):                                                   "page",
		} {
			res := partner.do("POST", "/api/v1/syndication/placements", body).must(t, http.StatusBadRequest)
			if !strings.Contains(string(res.body), `"`+field+`"`) {
				t.Errorf("%s: %s does not name %s", body, res.body, field)
			}
		}
		var placements struct {
			Items []herald.Placement
			Total int
		}
		editor.do("GET", fmt.Sprintf("/api/v1/articles/%d/placements", first), nil).must(t, http.StatusOK).decode(t, &placements)
		if placements.Total != 1 || placements.Items[0].Page != "第3版" {
			t.Fatalf("the article's placements = %+v", placements)
		}

		// a new token shuts the old one out; so does disabling
		chief.do("POST", fmt.Sprintf("/api/v1/partners/%d/token", made.Partner.ID), map[string]any{"version": made.Partner.Version + 5}).must(t, http.StatusConflict)
		var rotated struct {
			Token   string
			Partner herald.Partner
		}
		chief.do("POST", fmt.Sprintf("/api/v1/partners/%d/token", made.Partner.ID), map[string]any{"version": made.Partner.Version}).
			must(t, http.StatusOK).decode(t, &rotated)
		partner.do("GET", "/api/v1/syndication/items", nil).must(t, http.StatusUnauthorized)
		partner.token = rotated.Token
		partner.do("GET", "/api/v1/syndication/items", nil).must(t, http.StatusOK)
		chief.do("PATCH", fmt.Sprintf("/api/v1/partners/%d", made.Partner.ID), map[string]any{"version": rotated.Partner.Version, "disabled": true}).
			must(t, http.StatusOK)
		partner.do("GET", "/api/v1/syndication/items", nil).must(t, http.StatusUnauthorized)

		var partners struct{ Items []herald.Partner }
		editor.do("GET", "/api/v1/partners", nil).must(t, http.StatusOK).decode(t, &partners)
		if len(partners.Items) != 1 || !partners.Items[0].Disabled || partners.Items[0].LastPullAt == nil {
			t.Fatalf("partners = %+v", partners.Items)
		}
		if b, _ := json.Marshal(partners.Items[0]); strings.Contains(string(b), "token") {
			t.Fatalf("a partner's JSON shows its token hash: %s", b)
		}
	})
}
