package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/demo"
)

func TestTwoStepSignIn(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("guoting")
	_, page := b.get("/newsroom/account")
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]{32})"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "<svg") {
		t.Fatalf("account page offers no secret and QR code:\n%.2000s", page)
	}
	secret := m[1]
	if code, _, body := b.post("/newsroom/account/totp", url.Values{"csrf": {b.csrf(page)}, "secret": {secret}, "code": {"000000"}}); code != http.StatusBadRequest || !strings.Contains(body, "验证码不正确") {
		t.Fatalf("wrong enrolment code: %d %.300s", code, body)
	}
	code, _ := auth.TOTPCode(secret, *f.now)
	if status, loc, _ := b.post("/newsroom/account/totp", url.Values{"csrf": {b.csrf(page)}, "secret": {secret}, "code": {code}}); status != http.StatusSeeOther || loc != "/newsroom/account?done=1" {
		t.Fatalf("enrol: %d %s", status, loc)
	}
	if _, page := b.get("/newsroom/account"); !strings.Contains(page, "已启用") {
		t.Fatal("account page does not say two-step verification is on")
	}

	// Next sign-in: the password alone opens nothing.
	*f.now = f.now.Add(time.Minute)
	c := f.browser(t)
	status, loc, _ := c.post("/newsroom/login", url.Values{"username": {"guoting"}, "password": {demo.Password}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/login/code") {
		t.Fatalf("password step: %d %s", status, loc)
	}
	if status, _ := c.get("/newsroom/"); status != http.StatusSeeOther {
		t.Fatalf("desk before the code: %d", status)
	}
	_, form := c.get(loc)
	if status, _, body := c.post("/newsroom/login/code", url.Values{"csrf": {c.csrf(form)}, "code": {"123456"}, "next": {"/newsroom/"}}); status != http.StatusBadRequest || !strings.Contains(body, "验证码不正确") {
		t.Fatalf("wrong code: %d %.300s", status, body)
	}
	code, _ = auth.TOTPCode(secret, *f.now)
	if status, loc, _ := c.post("/newsroom/login/code", url.Values{"csrf": {c.csrf(form)}, "code": {code}, "next": {"/newsroom/"}}); status != http.StatusSeeOther || loc != "/newsroom/" {
		t.Fatalf("right code: %d %s", status, loc)
	}
	if status, _ := c.get("/newsroom/"); status != http.StatusOK {
		t.Fatalf("desk after the code: %d", status)
	}

	// Turning it off needs the password.
	_, page = c.get("/newsroom/account")
	if status, _, _ := c.post("/newsroom/account/totp/disable", url.Values{"csrf": {c.csrf(page)}, "password": {"wrong"}}); status != http.StatusBadRequest {
		t.Fatalf("disable with a wrong password: %d", status)
	}
	if status, _, _ := c.post("/newsroom/account/totp/disable", url.Values{"csrf": {c.csrf(page)}, "password": {demo.Password}}); status != http.StatusSeeOther {
		t.Fatalf("disable: %d", status)
	}
	f.browser(t).login("guoting")
}

func TestLanguagePreferenceFollowsTheAccount(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("liuxiaomin")
	_, page := b.get("/newsroom/")
	if !strings.Contains(page, `<html lang="zh-CN">`) {
		t.Fatal("desk is not in Chinese by default")
	}
	if status, _, _ := b.post("/newsroom/account/language", url.Values{"csrf": {b.csrf(page)}, "lang": {"fr"}}); status != http.StatusBadRequest {
		t.Fatalf("unknown language: %d", status)
	}
	if status, _, _ := b.post("/newsroom/account/language", url.Values{"csrf": {b.csrf(page)}, "lang": {"en"}}); status != http.StatusSeeOther {
		t.Fatalf("choose English: %d", status)
	}
	// Another browser, no cookies: the account's language wins.
	c := f.browser(t)
	c.login("liuxiaomin")
	if _, page := c.get("/newsroom/"); !strings.Contains(page, `<html lang="en">`) {
		t.Fatal("a new browser does not get the account's language")
	}
	st, _, _ := f.store.FindStaff(context.Background(), herald.StaffFilter{Username: "liuxiaomin"})
	if st[0].Language != "en" {
		t.Fatalf("stored language %q", st[0].Language)
	}
}

func TestPagesForbidForeignScripts(t *testing.T) {
	f := newFixture(t)
	res, err := http.Get(f.url + "/newsroom/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP %q", csp)
	}
}

func TestAdminClearsALostSecondFactor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "guoting"})
	secret := auth.NewTOTPSecret()
	if _, err := f.store.UpdateStaff(ctx, st[0].ID, herald.StaffUpdate{TOTPSecret: &secret}, herald.Event{At: *f.now, ActorID: st[0].ID}); err != nil {
		t.Fatal(err)
	}
	admin := f.browser(t)
	admin.login("zhaojun")
	_, page := admin.get("/newsroom/admin/staff/" + itoa(st[0].ID))
	if !strings.Contains(page, "/totp\"") {
		t.Fatal("the staff page offers no way to clear the second factor")
	}
	if code, _, _ := admin.post("/newsroom/admin/staff/"+itoa(st[0].ID)+"/totp", url.Values{"csrf": {admin.csrf(page)}}); code != http.StatusSeeOther {
		t.Fatalf("clear: %d", code)
	}
	f.browser(t).login("guoting") // straight to the desk: no code asked
}

func TestLanguageSwitchStaysOnSite(t *testing.T) {
	f := newFixture(t)
	for referer, want := range map[string]string{
		"https://evil.example/newsroom/x":  "/newsroom/",
		f.url + "/newsroom/audit?entity=x": "/newsroom/audit?entity=x",
		f.url + "/api/v1/units":            "/newsroom/",
		"":                                 "/newsroom/",
	} {
		req, _ := http.NewRequest("GET", f.url+"/newsroom/lang/en", nil)
		req.Header.Set("Referer", referer)
		res, err := f.browser(t).c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("Referer %q: back to %q, want %q", referer, loc, want)
		}
	}
}
