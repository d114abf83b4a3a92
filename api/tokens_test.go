package api_test

import (
	"context"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/directory"
)

// An account with two-step verification gets an API token only with a code:
// the password alone is not enough, here as in the newsroom.
func TestTokenNeedsTheSecondFactor(t *testing.T) {
	engines(t, func(t *testing.T, s herald.Store) {
		ts := newServer(t, s)
		w := ts.world
		ctx := context.Background()
		if err := directory.NewService(s, nil).SetPassword(ctx, nil, w.Editor.ID, "", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		secret := auth.NewTOTPSecret()
		if _, err := s.UpdateStaff(ctx, w.Editor.ID, herald.StaffUpdate{TOTPSecret: &secret}, herald.Event{At: ts.now}); err != nil {
			t.Fatal(err)
		}
		anon := &client{t: t, base: ts.url}
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "editor", "password": "correct horse battery"}).must(t, 400)
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "editor", "password": "correct horse battery", "code": "000000"}).must(t, 400)
		code, _ := auth.TOTPCode(secret, ts.now)
		anon.do("POST", "/api/v1/tokens", map[string]string{"username": "editor", "password": "correct horse battery", "code": code}).must(t, 201)
	})
}
