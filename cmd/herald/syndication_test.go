package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/iptctest"
)

// The done-when of the partner feeds: on `herald demo`, the partner's token
// pulls today's stories as NINJS (and as NewsML-G2), valid against the IPTC
// schemas — whatever the time of day.
func TestDemoPartnerPullsTodaysStories(t *testing.T) {
	srv := startServer(t, "demo", filepath.Join(t.TempDir(), "demo.db"))
	get := func(query string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.url+"/api/v1/syndication/items"+query, nil)
		req.Header.Set("Authorization", "Bearer "+demo.PartnerToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", query, res.Status, body)
		}
		return res, body
	}
	_, body := get("")
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) < 2 {
		t.Fatalf("today's stories: %d, want the demo's news of today\n%s", len(page.Items), body)
	}
	for _, it := range page.Items {
		iptctest.ValidateNINJS(t, it)
	}
	res, xml := get("?format=newsml")
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.iptc.g2.newsmessage+xml; charset=utf-8" {
		t.Fatalf("NewsML Content-Type %q", ct)
	}
	iptctest.ValidateNewsMLDoc(t, xml)
}
