package s3test

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestServer checks the harness with its own requests alone, without
// Herald's media package.
func TestServer(t *testing.T) {
	srv := Start(t)
	if got := srv.Objects(t); len(got) != 0 {
		t.Fatalf("a new bucket holds %q", got)
	}
	put := func(key, body string) int {
		t.Helper()
		status, answer, err := srv.call(http.MethodPut, "/"+srv.Bucket+"/"+key, "", []byte(body))
		if err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		if status != http.StatusOK {
			t.Logf("put %s: %d %s", key, status, answer)
		}
		return status
	}
	if status := put("videos/a.mp4", "film"); status != http.StatusOK {
		t.Fatalf("put: %d", status)
	}
	status, _, err := srv.call(http.MethodPost, "/"+srv.Bucket+"/videos/b.mp4", "uploads=", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("create multipart upload: %d %v", status, err)
	}
	if got, want := srv.Objects(t), []string{"videos/a.mp4"}; !slices.Equal(got, want) {
		t.Errorf("objects %q, want %q", got, want)
	}
	if got, want := srv.Uploads(t), []string{"videos/b.mp4"}; !slices.Equal(got, want) {
		t.Errorf("uploads %q, want %q", got, want)
	}

	srv.SetReadOnly(t, true)
	if status := put("videos/c.mp4", "refused"); status != http.StatusForbidden {
		t.Errorf("put into a read-only bucket: %d, want 403", status)
	}
	if got, want := srv.Objects(t), []string{"videos/a.mp4"}; !slices.Equal(got, want) {
		t.Errorf("read-only: objects %q, want %q", got, want)
	}
	srv.SetReadOnly(t, false)
	if status := put("videos/c.mp4", "accepted"); status != http.StatusOK {
		t.Errorf("put into a bucket writable again: %d", status)
	}
	srv.call(http.MethodDelete, "/"+srv.Bucket+"/videos/c.mp4", "", nil)

	srv.Stop(t)
	if _, _, err := srv.call(http.MethodGet, "/"+srv.Bucket, "list-type=2", nil); err == nil {
		t.Error("a stopped server answered")
	}
	// Someone else takes the gateway's port: the launch must say so, for
	// Start to try other ports.
	taken, err := net.Listen("tcp", strings.TrimPrefix(srv.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	srv.since = len(srv.output.String())
	if err := srv.launchGateway(); !errors.Is(err, errPortTaken) {
		t.Errorf("launch on a taken port: %v", err)
	}
	srv.stopGateway()
	taken.Close()
	srv.Restart(t)
	if got, want := srv.Objects(t), []string{"videos/a.mp4"}; !slices.Equal(got, want) {
		t.Errorf("after a restart: objects %q, want %q", got, want)
	}
}
