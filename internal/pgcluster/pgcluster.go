// Package pgcluster runs a private PostgreSQL server for one test, in a
// temporary folder on a free loopback port, so that fault drills can stop and
// restart it without disturbing the shared test server. It uses the
// PostgreSQL binaries installed on the machine (Debian's postgresql package);
// without them tests skip, or fail under CI=true.
package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/heraldnews/herald/internal/testenv"
)

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	// DSN connects to its database "herald" as the superuser postgres.
	DSN  string
	Port int
	bin  string // folder of initdb, pg_ctl
	data string
	as   string // the system user the server runs as ("" for the current one)
	t    testing.TB
}

// binDir finds the newest installed PostgreSQL's binaries.
func binDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { // 9 < 15 < 17, numerically
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("no pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
}

// Start initialises and starts a server; it is stopped and removed when the
// test ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		testenv.Missing(t, "fault drills need PostgreSQL's server binaries (apt-get install postgresql): %v", err)
	}
	c := &Cluster{bin: bin, t: t}
	// PostgreSQL refuses to run as root: run it as the postgres user then,
	// in a folder that user owns.
	base, err := os.MkdirTemp("", "herald-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	c.data = filepath.Join(base, "data")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			testenv.Missing(t, "running PostgreSQL as root needs a postgres system user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(base, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = "postgres"
	}
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Port = testenv.FreePort(t)
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nmax_connections = 100\n", c.Port, base)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(conf)
	f.Close()
	c.StartAgain()
	t.Cleanup(func() { c.run("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop") })
	admin, err := sql.Open("pgx", fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE herald"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/herald?sslmode=disable", c.Port)
	return c
}

// Stop shuts the server down the way an operator's restart does (fast mode:
// sessions are ended, transactions in flight roll back).
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// StartAgain starts the stopped server and waits until it takes connections.
func (c *Cluster) StartAgain() {
	c.t.Helper()
	log := filepath.Join(filepath.Dir(c.data), "server.log")
	if out, err := c.run("pg_ctl", "-D", c.data, "-l", log, "-w", "-t", "60", "start"); err != nil {
		b, _ := os.ReadFile(log)
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port))
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("PostgreSQL did not listen on port %d", c.Port)
}

// run runs one of the server's programs, as the postgres user when we are root.
func (c *Cluster) run(name string, args ...string) (string, error) {
	var cmd *exec.Cmd
	if c.as != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.as, "--", filepath.Join(c.bin, name)}, args...)...)
	} else {
		cmd = exec.Command(filepath.Join(c.bin, name), args...)
	}
	cmd.Dir = "/"
	// Output goes to a file, not a pipe: the server pg_ctl starts would hold
	// a pipe open, and reading it would never end.
	out, err := os.CreateTemp("", "herald-pg-out-")
	if err != nil {
		return "", err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	b, _ := os.ReadFile(out.Name())
	return strings.TrimSpace(string(b)), err
}
