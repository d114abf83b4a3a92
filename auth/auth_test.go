package auth_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
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
	s := openStore(t)
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

// TestLimiterWindow counts failed sign-ins in the database: two limiters on
// one store stand for two servers behind a load balancer, which share the
// count.
func TestLimiterWindow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	one, two := auth.NewLimiter(s, 3, 5, 15*time.Minute), auth.NewLimiter(s, 3, 5, 15*time.Minute)
	allow := func(l *auth.Limiter, user, client string, at time.Time) bool {
		t.Helper()
		ok, err := l.Allow(ctx, user, client, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	fail := func(l *auth.Limiter, user, client string, at time.Time) {
		t.Helper()
		if err := l.Fail(ctx, user, client, at); err != nil {
			t.Fatal(err)
		}
	}
	t0 := storetest.T0
	for i, l := range []*auth.Limiter{one, two, one} {
		if !allow(l, "wang", "10.0.0.1", t0) {
			t.Fatalf("attempt %d refused", i+1)
		}
		fail(l, "wang", "10.0.0.1", t0)
	}
	if allow(one, "wang", "10.0.0.2", t0) || allow(two, "wang", "10.0.0.2", t0) {
		t.Fatal("a fourth failure for one username is allowed from another address or on the other server")
	}
	if !allow(two, "li", "10.0.0.2", t0) {
		t.Fatal("another username from another address is refused")
	}
	if !allow(one, "wang", "10.0.0.1", t0.Add(16*time.Minute)) {
		t.Fatal("the window does not slide")
	}
	for i, u := range []string{"a", "b", "c", "d", "e"} {
		fail([]*auth.Limiter{one, two}[i%2], u, "10.0.0.9", t0)
	}
	if allow(one, "f", "10.0.0.9", t0) {
		t.Fatal("one address may try unlimited usernames")
	}
	if err := two.Reset(ctx, "wang"); err != nil {
		t.Fatal(err)
	}
	if !allow(one, "wang", "10.0.0.3", t0) {
		t.Fatal("Reset does not forgive the username")
	}
}

// TestSignInLimitSharedByServers signs in through two services on one store,
// as two servers behind nginx would take turns: the fifth wrong password is
// the last, whichever server takes the sixth try, even with the right one.
func TestSignInLimitSharedByServers(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	w := storetest.NewWorld(t, s)
	now := storetest.T0
	clock := func() time.Time { return now }
	const password = "司法行政宣传2026"
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateStaff(ctx, w.Editor.ID, herald.StaffUpdate{PasswordHash: &hash}, herald.Event{At: now, Action: "password"}); err != nil {
		t.Fatal(err)
	}
	servers := []*auth.Service{auth.NewService(s, clock), auth.NewService(s, clock)}
	for i := range 5 {
		if _, err := servers[i%2].Login(ctx, w.Editor.Username, "wrong-password-"+strconv.Itoa(i), "198.51.100.7"); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	for _, srv := range servers {
		if _, err := srv.Login(ctx, w.Editor.Username, password, "203.0.113.5"); herald.ErrorCode(err) != herald.ERATELIMITED {
			t.Errorf("after five failures on two servers, the right password is answered %v, want rate limited", err)
		}
	}
	now = now.Add(16 * time.Minute)
	if st, err := servers[1].Login(ctx, w.Editor.Username, password, "203.0.113.5"); err != nil || st.ID != w.Editor.ID {
		t.Fatalf("after the window: %v, %v", st, err)
	}
}

// openStore opens a new SQLite store in the test's folder, closed with the test.
func openStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
