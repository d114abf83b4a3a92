package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/heraldnews/herald/internal/testenv"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/sqlite"
)

// doctor runs `herald doctor` in-process with the given environment.
func doctor(t *testing.T, environ map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"doctor"}, args...), strings.NewReader(""), &out, &out,
		func(k string) string { return environ[k] })
	return out.String(), err
}

// migratedSQLite makes a SQLite database in dir with the first n embedded
// migrations applied (all when n < 0).
func migratedSQLite(t *testing.T, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "herald.db")
	s, err := sqlite.OpenNoMigrate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all := sqlite.Migrations()
	names, _ := fs.Glob(all, "*.sql")
	if n >= 0 {
		names = names[:n]
	}
	some := fstest.MapFS{}
	for _, name := range names {
		b, _ := fs.ReadFile(all, name)
		some[name] = &fstest.MapFile{Data: b}
	}
	if _, err := s.Migrate(context.Background(), some); err != nil {
		t.Fatal(err)
	}
	return path
}

// listener holds a TCP port on loopback until the test ends.
func listener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string { return fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)) }

func TestDoctor(t *testing.T) {
	// a server that answers /healthz like a running herald
	herald := listener(t)
	go http.Serve(herald, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }))
	other := listener(t) // holds its port, answers nothing
	relay := listener(t) // a "mail relay": the dial is all doctor does
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) (env map[string]string, args []string)
		wantErr bool
		want    []string // parts of the output
	}{
		{"healthy", func(t *testing.T, dir string) (map[string]string, []string) {
			db := migratedSQLite(t, dir, -1)
			return map[string]string{"HERALD_BASE_URL": "https://news.example.gov.cn"},
				[]string{"--db", db, "--addr", "127.0.0.1:0", "--video-dir", filepath.Join(dir, "videos")}
		}, false, []string{"ok: configuration is valid", "answers", "ok: schema is current (" + newestMigration(t) + ")",
			"ok: data folder (SQLite)", "ok: listen address 127.0.0.1:0 can be bound", "ok: base URL https://news.example.gov.cn is absolute https",
			"ok: mail relay not configured", "0 problem(s), 1 warning(s)"}}, // the video folder is created at start
		{"database from a secret file, mail relay reachable", func(t *testing.T, dir string) (map[string]string, []string) {
			db := migratedSQLite(t, dir, -1)
			secret := filepath.Join(dir, "db-path")
			os.WriteFile(secret, []byte(db+"\n"), 0o600)
			os.Mkdir(filepath.Join(dir, "videos"), 0o750)
			return map[string]string{"HERALD_DB_FILE": secret, "HERALD_SMTP_ADDR": relay.Addr().String(), "HERALD_MAIL_FROM": "news@example.gov.cn",
					"HERALD_BASE_URL": "https://news.example.gov.cn", "HERALD_VIDEO_DIR": filepath.Join(dir, "videos"), "HERALD_ADDR": "127.0.0.1:0"},
				nil
		}, false, []string{"ok: mail relay " + relay.Addr().String() + " is reachable", "ok: video folder (--video-dir)", "0 problem(s), 0 warning(s)"}},
		{"invalid configuration", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--addr", "nonsense"}
		}, true, []string{"problem: configuration: option addr"}},
		{"mail relay unreachable, no sender", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--smtp-addr", closedPort(t),
				"--base-url", "https://news.example.gov.cn", "--video-dir", dir}
		}, true, []string{"is not reachable", "--mail-from \"\" is not an e-mail address", "2 problem(s)"}},
		{"migrations pending", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, 3), "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, false, []string{"warning: schema: ", "migration(s) pending (0004_sessions.sql", "herald migrate"}},
		{"database migrated by a newer herald", func(t *testing.T, dir string) (map[string]string, []string) {
			db := migratedSQLite(t, dir, -1)
			s, err := sqlite.OpenNoMigrate(db)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.DB().Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', 'x')`); err != nil {
				t.Fatal(err)
			}
			return nil, []string{"--db", db, "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, true, []string{"problem: schema: the database has migrations this binary does not know (9999_future.sql)"}},
		{"database file missing", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", filepath.Join(dir, "none.db"), "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, false, []string{"warning: database SQLite", "does not exist yet"}},
		{"not a database", func(t *testing.T, dir string) (map[string]string, []string) {
			db := filepath.Join(dir, "junk.db")
			os.WriteFile(db, bytes.Repeat([]byte("this is not SQLite "), 400), 0o600)
			return nil, []string{"--db", db, "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, true, []string{"problem: database SQLite"}},
		{"video folder is a file", func(t *testing.T, dir string) (map[string]string, []string) {
			file := filepath.Join(dir, "videos")
			os.WriteFile(file, nil, 0o600)
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", file}
		}, true, []string{"is not a folder"}},
		{"video folder under a file", func(t *testing.T, dir string) (map[string]string, []string) {
			file := filepath.Join(dir, "plain")
			os.WriteFile(file, nil, 0o600)
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", filepath.Join(file, "videos")}
		}, true, []string{"problem: video folder (--video-dir)", "not a directory"}},
		{"address in use by another program", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", other.Addr().String(), "--video-dir", dir}
		}, true, []string{"problem: listen address " + other.Addr().String() + " is in use by another program"}},
		{"address in use by a running herald", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", herald.Addr().String(), "--video-dir", dir}
		}, false, []string{"ok: listen address " + herald.Addr().String() + " is in use by a running server that answers /healthz"}},
		{"http base URL in public", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", dir, "--base-url", "http://news.example.gov.cn"}
		}, false, []string{"warning: base URL http://news.example.gov.cn is not https"}},
		{"http base URL with the newsletter", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", dir, "--base-url", "http://news.example.gov.cn",
				"--smtp-addr", relay.Addr().String(), "--mail-from", "news@example.gov.cn"}
		}, true, []string{"problem: base URL http://news.example.gov.cn is not https, which the newsletter refuses"}},
		{"http base URL on loopback", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, false, []string{"ok: base URL http://127.0.0.1:0 (from --addr: --base-url is not set) is http on loopback"}},
		{"TLS key missing", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", migratedSQLite(t, dir, -1), "--addr", "127.0.0.1:0", "--video-dir", dir, "--tls-cert", filepath.Join(dir, "cert.pem")}
		}, true, []string{"problem: TLS: --tls-cert and --tls-key go together"}},
		{"PostgreSQL", func(t *testing.T, dir string) (map[string]string, []string) {
			dsn := pgtest.SchemaDSN(t)
			if _, err := cli(t, "", "migrate", "--db", dsn); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"HERALD_DB": dsn}, []string{"--addr", "127.0.0.1:0", "--video-dir", dir, "--base-url", "https://news.example.gov.cn"}
		}, false, []string{"ok: database PostgreSQL postgres://", "answers", "ok: schema is current", "herald replicas at up to 20 each", "0 problem(s), 0 warning(s)"}},
		{"PostgreSQL unreachable", func(t *testing.T, dir string) (map[string]string, []string) {
			return nil, []string{"--db", "postgres://herald:secret@" + closedPort(t) + "/herald?connect_timeout=2", "--addr", "127.0.0.1:0", "--video-dir", dir}
		}, true, []string{"problem: database PostgreSQL postgres://herald:xxxxx@"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, args := tc.setup(t, t.TempDir())
			out, err := doctor(t, env, args...)
			if (err != nil) != tc.wantErr {
				t.Errorf("error %v, want error: %v\n%s", err, tc.wantErr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, ":secret@") {
				t.Errorf("output shows a password:\n%s", out)
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.HasPrefix(line, "ok: ") && !strings.HasPrefix(line, "warning: ") && !strings.HasPrefix(line, "problem: ") &&
					!strings.HasSuffix(line, "warning(s)") {
					t.Errorf("line %q is neither ok, warning nor problem", line)
				}
			}
		})
	}
}
