package auth_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/storetest"
)

// The RFC 6238 test vectors for SHA-1, last six digits.
func TestTOTPCodeVectors(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		if got, err := auth.TOTPCode(secret, time.Unix(unix, 0)); err != nil || got != want {
			t.Errorf("code at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
	u, err := url.Parse(auth.TOTPURI("河北司法", "wangyalan", secret))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret || !strings.Contains(u.Path, "wangyalan") {
		t.Fatalf("uri %v, %v", u, err)
	}
	if a, b := auth.NewTOTPSecret(), auth.NewTOTPSecret(); a == b || len(a) != 32 {
		t.Fatalf("secrets %q %q", a, b)
	}
}

func TestSecondFactorSignIn(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	w := storetest.NewWorld(t, s)
	now := storetest.T0
	svc := auth.NewService(s, func() time.Time { return now })
	secret := auth.NewTOTPSecret()
	code := func() string { c, _ := auth.TOTPCode(secret, now); return c }

	if err := svc.EnableTOTP(ctx, w.Editor, secret, "000000"); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("enabling with a wrong code: %v", err)
	}
	if err := svc.EnableTOTP(ctx, w.Editor, secret, code()); err != nil {
		t.Fatal(err)
	}
	editor, _ := s.FindStaffByID(ctx, w.Editor.ID)
	if editor.TOTPSecret != secret {
		t.Fatal("secret not stored")
	}
	now = now.Add(time.Minute)
	cookie, sess, err := svc.StartSession(ctx, editor, "test")
	if err != nil || !sess.Pending {
		t.Fatalf("session %+v, %v: want pending", sess, err)
	}
	if _, _, err := svc.SessionStaff(ctx, cookie); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
		t.Fatalf("a pending session is admitted: %v", err)
	}
	if _, err := svc.SecondFactor(ctx, cookie, "123", "10.0.0.1"); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("short code: %v", err)
	}
	// A code from two minutes ago is outside the window.
	old, _ := auth.TOTPCode(secret, now.Add(-2*time.Minute))
	if _, err := svc.SecondFactor(ctx, cookie, old, "10.0.0.1"); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("stale code: %v", err)
	}
	if _, err := svc.SecondFactor(ctx, cookie, code(), "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if st, _, err := svc.SessionStaff(ctx, cookie); err != nil || st.ID != w.Editor.ID {
		t.Fatalf("verified session: %v, %v", st, err)
	}
	// The same code does not open a second sign-in.
	cookie2, _, _ := svc.StartSession(ctx, editor, "test")
	if _, err := svc.SecondFactor(ctx, cookie2, code(), "10.0.0.1"); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("replayed code: %v", err)
	}
	// Guessing is limited like passwords are.
	for range 5 {
		svc.SecondFactor(ctx, cookie2, "999999", "10.0.0.1")
	}
	now = now.Add(30 * time.Second)
	if _, err := svc.SecondFactor(ctx, cookie2, code(), "10.0.0.1"); herald.ErrorCode(err) != herald.ERATELIMITED {
		t.Fatalf("after five wrong codes: %v", err)
	}
	if err := svc.DisableTOTP(ctx, w.Editor.ID, w.Admin.ID); err != nil {
		t.Fatal(err)
	}
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityStaff})
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "totp_enable") || !strings.Contains(got, "totp_disable") {
		t.Fatalf("staff events %s", got)
	}
}
