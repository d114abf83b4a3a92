package auth_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
)

func TestPasswords(t *testing.T) {
	hash, err := auth.HashPassword("司法行政宣传2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with the chosen parameters", hash)
	}
	other, _ := auth.HashPassword("司法行政宣传2026")
	if hash == other {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !auth.CheckPassword(hash, "司法行政宣传2026") || auth.CheckPassword(hash, "司法行政宣传2027") {
		t.Fatal("CheckPassword accepts the wrong password or refuses the right one")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$bad$bad", "plain", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA"} {
		if auth.CheckPassword(bad, "x") {
			t.Errorf("CheckPassword(%q) accepted", bad)
		}
	}
	for _, pw := range []string{"short", strings.Repeat("长", 257), "bad\xffutf8-password"} {
		if _, err := auth.HashPassword(pw); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("HashPassword(%q) = %v, want invalid", pw, err)
		}
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(t, s)
	now := storetest.T0
	svc := auth.NewService(s, func() time.Time { return now })

	secret, tok, err := svc.IssueToken(ctx, w.Editor, "发稿脚本", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "hrd_") || strings.Contains(tok.Hash, secret) || tok.Hash != auth.HashToken(secret) {
		t.Fatalf("secret %q, stored hash %q", secret, tok.Hash)
	}
	st, _, err := svc.Authenticate(ctx, secret)
	if err != nil || st.ID != w.Editor.ID {
		t.Fatalf("Authenticate = %v, %v", st, err)
	}
	for _, bad := range []string{"", "hrd_", secret + "x", strings.ToUpper(secret), "Bearer " + secret} {
		if _, _, err := svc.Authenticate(ctx, bad); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
			t.Errorf("Authenticate(%q) = %v, want unauthorized", bad, err)
		}
	}
	now = now.Add(25 * time.Hour)
	if _, _, err := svc.Authenticate(ctx, secret); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
		t.Errorf("expired token accepted: %v", err)
	}
	forever, _, _ := svc.IssueToken(ctx, w.Writer, "no expiry", 0)
	yes := true
	if _, err := s.UpdateStaff(ctx, w.Writer.ID, herald.StaffUpdate{Disabled: &yes}, herald.Event{At: now, Action: "disable"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Authenticate(ctx, forever); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
		t.Errorf("a disabled account's token is accepted: %v", err)
	}
}

func TestLimiterWindow(t *testing.T) {
	l := auth.NewLimiter(3, 5, 15*time.Minute)
	t0 := storetest.T0
	for i := range 3 {
		if !l.Allow("wang", "10.0.0.1", t0) {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Fail("wang", "10.0.0.1", t0)
	}
	if l.Allow("wang", "10.0.0.2", t0) {
		t.Fatal("a fourth failure for one username is allowed from another address")
	}
	if !l.Allow("li", "10.0.0.2", t0) {
		t.Fatal("another username from another address is refused")
	}
	if !l.Allow("wang", "10.0.0.1", t0.Add(16*time.Minute)) {
		t.Fatal("the window does not slide")
	}
	for _, u := range []string{"a", "b"} {
		l.Fail(u, "10.0.0.9", t0)
	}
	l.Fail("c", "10.0.0.9", t0)
	l.Fail("d", "10.0.0.9", t0)
	l.Fail("e", "10.0.0.9", t0)
	if l.Allow("f", "10.0.0.9", t0) {
		t.Fatal("one address may try unlimited usernames")
	}
	l.Reset("wang")
	if !l.Allow("wang", "10.0.0.3", t0) {
		t.Fatal("Reset does not forgive the username")
	}
}
