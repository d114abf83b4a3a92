package main

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
)

// doctorTimeout bounds each check that waits on the network or the database,
// so that doctor answers quickly about a deployment whose peers are away.
const doctorTimeout = 5 * time.Second

// report collects the findings of doctor, one line each.
type report struct {
	w                  io.Writer
	problems, warnings int
}

func (r *report) ok(format string, args ...any) {
	r.line("ok", format, args...)
}

// line prints one finding on one line, even when an error it quotes spans several.
func (r *report) line(level, format string, args ...any) {
	text := strings.NewReplacer("\r", "", "\n\t", "; ", "\n", "; ").Replace(fmt.Sprintf(format, args...))
	fmt.Fprintln(r.w, level+": "+text)
}

// warn is something that works but is likely not what a production
// deployment wants; it does not fail doctor.
func (r *report) warn(format string, args ...any) {
	r.warnings++
	r.line("warning", format, args...)
}

// problem is something that stops herald from serving, or serving right.
func (r *report) problem(format string, args ...any) {
	r.problems++
	r.line("problem", format, args...)
}

// cmdDoctor checks a deployment's configuration, read as serve reads it
// (flags, HERALD_* environment and _FILE twins, config file), and prints one
// line per check. It fails (exit status 1) when a check found a problem;
// warnings alone do not fail it.
func cmdDoctor(ctx context.Context, e env, args []string) error {
	fs, resolve := flags(e, "doctor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := &report{w: e.stdout}
	c, err := resolve()
	if err != nil {
		r.problem("configuration: %v (fix that flag, HERALD_* variable or config-file line; `herald doctor -h` lists them)", err)
		return r.result()
	}
	r.ok("configuration is valid%s", configSource(c))
	checkDatabase(ctx, c, r)
	checkFolders(c, r)
	checkFilmStorage(ctx, c, r)
	checkListen(ctx, c, r)
	checkBaseURL(c, r)
	checkTLS(c, r)
	checkSMTP(ctx, c, r)
	return r.result()
}

func (r *report) result() error {
	fmt.Fprintf(r.w, "%d problem(s), %d warning(s)\n", r.problems, r.warnings)
	if r.problems > 0 {
		return fmt.Errorf("doctor found %d problem(s)", r.problems)
	}
	return nil
}

func configSource(c *config.Config) string {
	if p := c.Get("config"); p != "" {
		return " (config file " + p + ")"
	}
	return ""
}

// checkDatabase opens the database without migrating it, asks it a trivial
// question, and compares the migrations it has applied with those embedded
// in this binary.
func checkDatabase(ctx context.Context, c *config.Config, r *report) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	db := c.DB()
	var (
		store      *sqlstore.Store
		embedded   fs.FS
		err        error
		engineName string
	)
	if isPostgres(db) {
		engineName = "PostgreSQL " + redact(db)
		embedded = postgres.Migrations()
		store, err = postgres.OpenNoMigrate(ctx, db)
		if err != nil {
			r.problem("database %s: %v (check host, port, user, password and database in --db / HERALD_DB(_FILE), and that the server accepts this host in pg_hba.conf)", engineName, err)
			return
		}
	} else {
		abs, _ := filepath.Abs(db)
		engineName = "SQLite " + abs
		embedded = sqlite.Migrations()
		info, err := os.Stat(db)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			r.warn("database %s does not exist yet: `herald migrate` or the first `herald serve` creates it (if it should exist, --db is wrong or relative to another working directory)", engineName)
			return
		case err != nil:
			r.problem("database %s: %v (give the herald user access to the file and its folder)", engineName, err)
			return
		case info.IsDir():
			r.problem("database %s is a folder (--db names the database file, e.g. /var/lib/herald/herald.db)", engineName)
			return
		}
		store, err = sqlite.OpenNoMigrate(db)
		if err != nil {
			r.problem("database %s: %v (is it a Herald SQLite file? restore a backup into a new file with `herald restore`)", engineName, err)
			return
		}
	}
	defer store.Close()
	if err := store.Ping(ctx); err != nil {
		r.problem("database %s does not answer: %v (is it a Herald database, and reachable?)", engineName, err)
		return
	}
	r.ok("database %s answers", engineName)
	checkMigrations(ctx, store.DB(), embedded, r)
	if store.Engine() == "postgres" {
		checkPostgresConnections(ctx, store.DB(), r)
	}
}

// checkMigrations compares schema_migrations with the embedded migrations.
func checkMigrations(ctx context.Context, db *sql.DB, embedded fs.FS, r *report) {
	want, err := fs.Glob(embedded, "*.sql")
	if err != nil || len(want) == 0 {
		r.problem("this binary embeds no migrations (%v): rebuild it", err)
		return
	}
	sort.Strings(want)
	rows, err := db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		r.warn("schema: the database has no migrations applied (an empty database; `herald migrate` or the first `herald serve` applies all %d)", len(want))
		return
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			r.problem("schema: reading schema_migrations: %v", err)
			return
		}
		applied[name] = true
	}
	if err := rows.Err(); err != nil {
		r.problem("schema: reading schema_migrations: %v", err)
		return
	}
	var pending, unknown []string
	for _, name := range want {
		if !applied[name] {
			pending = append(pending, name)
		}
		delete(applied, name)
	}
	for name := range applied {
		unknown = append(unknown, name)
	}
	sort.Strings(unknown)
	switch {
	case len(unknown) > 0:
		r.problem("schema: the database has migrations this binary does not know (%s): it was migrated by a newer herald; run that version (migrations are one-way) or restore a backup taken before the upgrade", strings.Join(unknown, ", "))
	case len(pending) > 0:
		r.warn("schema: %d migration(s) pending (%s … %s): back up (`herald backup FILE`), then run `herald migrate`, or let `herald serve` apply them at start", len(pending), pending[0], pending[len(pending)-1])
	default:
		r.ok("schema is current (%s)", want[len(want)-1])
	}
}

// checkPostgresConnections compares the connections herald may open per
// process with what the server allows, to say how many replicas fit.
func checkPostgresConnections(ctx context.Context, db *sql.DB, r *report) {
	var max, reserved int
	if err := db.QueryRowContext(ctx, `SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int`).Scan(&max, &reserved); err != nil {
		r.warn("PostgreSQL connections: cannot read max_connections: %v", err)
		return
	}
	replicas := (max - reserved) / postgres.PoolSize
	switch {
	case replicas < 1:
		r.problem("PostgreSQL allows %d connections (max_connections %d, %d reserved) but one herald opens up to %d: raise max_connections", max-reserved, max, reserved, postgres.PoolSize)
	case replicas < 2:
		r.warn("PostgreSQL allows %d connections (max_connections %d, %d reserved), room for one herald replica only at up to %d each: raise max_connections before scaling out (or put PgBouncer in front)", max-reserved, max, reserved, postgres.PoolSize)
	default:
		r.ok("PostgreSQL allows %d connections, room for %d herald replicas at up to %d each (leave some for backups, migrations and psql)", max-reserved, replicas, postgres.PoolSize)
	}
}

// checkFolders checks that each folder herald writes to exists and takes a
// file, or, if missing, that herald may create it.
func checkFolders(c *config.Config, r *report) {
	type folder struct{ what, path string }
	var folders []folder
	if !isPostgres(c.DB()) {
		folders = append(folders, folder{"data folder (SQLite)", filepath.Dir(c.DB())})
	}
	if c.Get("media-s3-endpoint") == "" {
		folders = append(folders, folder{"video folder (--video-dir)", c.Get("video-dir")})
	}
	if d := c.Get("export-dir"); d != "" {
		folders = append(folders, folder{"export folder (--export-dir)", d})
	}
	for _, f := range folders {
		abs, _ := filepath.Abs(f.path)
		info, err := os.Stat(abs)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			parent := existingAncestor(abs)
			if err := writable(parent); err != nil {
				r.problem("%s %s does not exist and cannot be made in %s: %v (create it, owned by the user herald runs as)", f.what, abs, parent, err)
			} else {
				r.warn("%s %s does not exist yet; herald will create it in %s (create it beforehand to choose its owner and mode)", f.what, abs, parent)
			}
		case err != nil:
			r.problem("%s %s: %v", f.what, abs, err)
		case !info.IsDir():
			r.problem("%s %s is not a folder (point the option at a folder)", f.what, abs)
		default:
			if err := writable(abs); err != nil {
				r.problem("%s %s is not writable: %v (chown it to the user herald runs as; under systemd, list it in ReadWritePaths)", f.what, abs, err)
			} else {
				r.ok("%s %s is writable", f.what, abs)
			}
		}
	}
}

// checkFilmStorage checks object storage for films, when configured: that the
// settings make sense and that the bucket takes (and gives back) a small file.
func checkFilmStorage(ctx context.Context, c *config.Config, r *report) {
	if c.Get("media-s3-endpoint") == "" {
		return
	}
	films, err := filmStorage(c)
	if err != nil {
		r.problem("%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	where := strings.TrimSuffix(c.Get("media-s3-endpoint"), "/") + "/" + c.Get("media-s3-bucket")
	if err := films.Check(ctx); err != nil {
		r.problem("film storage %s does not take files: %v (check the endpoint, the bucket, the keys and the key's write permission)", where, err)
		return
	}
	r.ok("film storage %s takes files", where)
}

// existingAncestor is the nearest folder above path that exists.
func existingAncestor(path string) string {
	for {
		parent := filepath.Dir(path)
		if _, err := os.Stat(parent); err == nil || parent == path {
			return parent
		}
		path = parent
	}
}

// writable creates and removes an empty file in dir, an existing folder.
func writable(dir string) error { return media.Dir(dir).Check(context.Background()) }

// checkListen binds the listen address and lets it go. An address in use is
// fine when what answers there is a herald (its /healthz says "ok").
func checkListen(ctx context.Context, c *config.Config, r *report) {
	addr := c.Addr()
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		r.ok("listen address %s can be bound", addr)
		return
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		if healthy(ctx, addr, c.Get("tls-cert") != "") {
			r.ok("listen address %s is in use by a running server that answers /healthz (this herald?)", addr)
		} else {
			r.problem("listen address %s is in use by another program (stop it, or choose another --addr)", addr)
		}
	case errors.Is(err, syscall.EACCES):
		r.problem("listen address %s: %v (ports below 1024 need CAP_NET_BIND_SERVICE: listen on 8080 behind a proxy, or grant the capability)", addr, err)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		r.problem("listen address %s: %v (the host is not an address of this machine: use 0.0.0.0 or one of its addresses)", addr, err)
	default:
		r.problem("listen address %s: %v", addr, err)
	}
}

// healthy reports whether GET /healthz at addr answers 200.
func healthy(ctx context.Context, addr string, useTLS bool) bool {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return false
	}
	// the certificate is for the public name, not the address dialled; this
	// probe sends nothing secret
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// checkBaseURL wants an absolute https URL: links in feeds, mails and the
// microblog, and secure session cookies, depend on it.
func checkBaseURL(c *config.Config, r *report) {
	raw := c.BaseURL()
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		r.problem("base URL %q is not an absolute URL (set --base-url https://news.example.gov.cn)", raw)
		return
	}
	if u.RawQuery != "" || u.Fragment != "" {
		r.problem("base URL %q carries a query or fragment (give only scheme, host and an optional path)", raw)
		return
	}
	implicit := ""
	if c.Get("base-url") == "" {
		implicit = " (from --addr: --base-url is not set)"
	}
	switch {
	case u.Scheme == "https":
		r.ok("base URL %s is absolute https", raw)
	case loopback(u.Hostname()):
		r.ok("base URL %s%s is http on loopback: fine for trying out, set --base-url https://… before going public", raw, implicit)
	case c.Get("smtp-addr") != "":
		r.problem("base URL %s%s is not https, which the newsletter refuses when --smtp-addr is set: set --base-url https://…", raw, implicit)
	default:
		r.warn("base URL %s%s is not https: readers' sessions, the microblog and mail links need HTTPS (set --base-url https://… and terminate TLS at the proxy or with --tls-cert)", raw, implicit)
	}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTLS loads the certificate pair when herald serves HTTPS itself.
func checkTLS(c *config.Config, r *report) {
	cert, key := c.Get("tls-cert"), c.Get("tls-key")
	switch {
	case cert == "" && key == "":
		return
	case cert == "" || key == "":
		r.problem("TLS: --tls-cert and --tls-key go together (give both, or neither to serve plain HTTP behind a proxy)")
		return
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		r.problem("TLS: %v (check the PEM files and that the herald user can read them)", err)
		return
	}
	if leaf := pair.Leaf; leaf != nil && time.Now().After(leaf.NotAfter) {
		r.problem("TLS: the certificate %s expired on %s (renew it)", cert, leaf.NotAfter.Format(time.DateOnly))
		return
	}
	r.ok("TLS certificate and key %s load", cert)
}

// checkSMTP dials the mail relay, when one is configured, and sends nothing.
func checkSMTP(ctx context.Context, c *config.Config, r *report) {
	relay := c.Get("smtp-addr")
	if relay == "" {
		r.ok("mail relay not configured (--smtp-addr): e-mail subscriptions are off")
		return
	}
	if _, err := herald.NormalizeEmail(c.Get("mail-from")); err != nil {
		r.problem("mail: --smtp-addr is set but --mail-from %q is not an e-mail address (give the newsletter's sender, e.g. news@example.gov.cn)", c.Get("mail-from"))
	}
	d := net.Dialer{Timeout: doctorTimeout}
	conn, err := d.DialContext(ctx, "tcp", relay)
	if err != nil {
		r.problem("mail relay %s is not reachable: %v (check --smtp-addr, the relay, and the firewall between)", relay, err)
		return
	}
	conn.Close()
	r.ok("mail relay %s is reachable (no mail sent)", relay)
}
