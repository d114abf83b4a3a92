package newsroom_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/syndication"
)

// TestBrowserPartners opens the partner pages, for the editor-in-chief who
// manages them and an editor who reads them, and an article's page with its
// placements, in headless Chromium on a phone (375 px) and a desktop
// (1280 px): axe-core finds no serious accessibility problem and no page
// scrolls sideways. On the phone the editor-in-chief adds a partner from the
// navigation and gets its token, which works; rotates it; and is told when
// someone else changed the partner first.
func TestBrowserPartners(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	ctx := context.Background()
	const chief, editor, viewer = "wangyalan", "guoting", "zhoulixin"
	d.meet(t, chief, editor, viewer)
	ps, err := d.store.FindPartners(ctx)
	if err != nil || len(ps) == 0 {
		t.Fatalf("the demo's partners: %v", err)
	}
	partner := ps[0]
	path := fmt.Sprintf("/newsroom/partners/%d", partner.ID)
	pls, _, err := d.store.FindPlacements(ctx, herald.PlacementFilter{PartnerID: partner.ID, Limit: 1})
	if err != nil || len(pls) == 0 {
		t.Fatalf("the demo's placements: %v", err)
	}
	article := articlePath(pls[0].ArticleID)

	audit := func(p *page, where string) {
		t.Helper()
		browsertest.Audit(t, p.ctx, axe, where)
		if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s scrolls sideways by %d px", where, over)
		}
	}
	for _, width := range []int64{375, 1280} {
		for _, c := range []struct{ who, path string }{{chief, "/newsroom/partners"}, {chief, path}, {editor, "/newsroom/partners"},
			{editor, path}, {viewer, article}} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(c.path)
			audit(p, fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width))
		}
	}

	t.Run("AddAPartnerOnAPhone", func(t *testing.T) {
		p := d.as(t, chief)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/")
		p.submit(`header nav a[href="/newsroom/partners"]`) // 合作媒体
		p.typeIn("#name", "燕赵都市报")
		p.typeIn("#slug", "yanzhao-metro")
		p.setValue("#level", "city")
		p.typeIn("#languages", "zh-CN")
		p.typeIn("#push_url", "https://push.example.cn/herald")
		p.submit(`form.partner-form button[type=submit]`) // 添加并生成令牌
		token := p.text("#partner-token")
		if !strings.HasPrefix(token, syndication.TokenPrefix) {
			t.Fatalf("the page after adding shows the token %q", token)
		}
		if loc := p.location(); strings.Contains(loc, token) {
			t.Errorf("the token is in the address %s", loc)
		}
		got, err := syndication.New(d.store, d.clock, "", nil).Authenticate(ctx, token)
		if err != nil || got.Name != "燕赵都市报" || got.Level != herald.LevelCity {
			t.Fatalf("the token shown: %+v, %v", got, err)
		}
		if curl := p.text("pre.curl"); !strings.Contains(curl, token) || !strings.Contains(curl, d.url+"/api/v1/syndication/items") {
			t.Errorf("the pull example is %q", curl)
		}
		audit(p, "the new partner's token at 375px")

		p.submit(`button.partner-rotate`) // 更换令牌
		rotated := p.text("#partner-token")
		if !strings.HasPrefix(rotated, syndication.TokenPrefix) || rotated == token {
			t.Fatalf("after rotating the page shows %q", rotated)
		}
		if _, err := syndication.New(d.store, d.clock, "", nil).Authenticate(ctx, token); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
			t.Errorf("the old token after rotating: %v", err)
		}
		audit(p, "the rotated token at 375px")
	})

	t.Run("ConflictIsShown", func(t *testing.T) {
		p := d.as(t, chief)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open(path)
		// Someone else changes the partner meanwhile.
		if _, err := d.store.UpdatePartner(ctx, partner.ID, herald.Event{At: d.clock()}, func(p *herald.Partner) error {
			p.Name = "河北法制报社"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		p.clear("#name")
		p.typeIn("#name", "河北法制报（改）")
		resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS("button.partner-save")))
		if err != nil || resp == nil || resp.Status != 409 {
			t.Fatalf("saving a stale partner: %+v, %v", resp, err)
		}
		if msg := p.alert(); !strings.HasPrefix(msg, "这家合作媒体已被他人修改") {
			t.Errorf("the conflict says %q", msg)
		}
		if name := browsertest.Eval[string](t, p.ctx, `document.getElementById('name').value`); name != "河北法制报（改）" {
			t.Errorf("the name is now %q, want the chief's own kept", name)
		}
		audit(p, "partner conflict at 375px")
	})
}
