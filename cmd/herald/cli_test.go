package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs herald in-process and returns its output and error.
func cli(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &out, func(k string) string {
		if k == "HERALD_LOG_LEVEL" {
			return "warn"
		}
		return ""
	})
	return out.String(), err
}

func TestUserAndUnitCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	steps := []struct {
		args    []string
		stdin   string
		wantErr string // a part of the error, or "" for success
		wantOut string
	}{
		{[]string{"unit", "add", "--db", db, "--code", "HEB", "--name", "河北省司法厅", "--type", "department"}, "", "", "Added unit HEB"},
		{[]string{"unit", "add", "--db", db, "--code", "SJZ", "--name", "石家庄市司法局", "--type", "city_bureau"}, "", "parent_id", ""},
		{[]string{"unit", "add", "--db", db, "--code", "SJZ", "--name", "石家庄市司法局", "--type", "bank", "--parent", "HEB"}, "", "type", ""},
		{[]string{"unit", "add", "--db", db, "--code", "SJZ", "--name", "石家庄市司法局", "--type", "city_bureau", "--parent", "HEB"}, "", "", "Added unit SJZ"},
		{[]string{"unit", "add", "--db", db, "--code", "SJZ", "--name", "重复", "--type", "city_bureau", "--parent", "HEB"}, "", "code: is already taken", ""},
		{[]string{"unit", "list", "--db", db}, "", "", "  SJZ"},
		{[]string{"user", "add", "--db", db, "--username", "wangyalan", "--name", "王亚兰", "--code", "DW110", "--unit", "HEB", "--roles", "editor_in_chief"}, "a long password\n", "", "王亚兰_DW110"},
		{[]string{"user", "add", "--db", db, "--username", "X y", "--name", "", "--code", "dw", "--unit", "HEB", "--roles", "boss"}, "short\n", "username", ""},
		{[]string{"user", "add", "--db", db, "--username", "li", "--name", "李", "--code", "L1", "--unit", "NOPE", "--roles", "editor"}, "a long password\n", `no unit with code "NOPE"`, ""},
		{[]string{"user", "passwd", "--db", db, "wangyalan"}, "tiny\n", "password: must be at least 10 characters", ""},
		{[]string{"user", "passwd", "--db", db, "wangyalan"}, "another long password\n", "", "Password of wangyalan changed"},
		{[]string{"user", "disable", "--db", db, "wangyalan"}, "", "", "wangyalan is now disabled"},
		{[]string{"user", "list", "--db", db}, "", "", "false"},
		{[]string{"user", "disable", "--db", db, "nobody"}, "", `no user "nobody"`, ""},
		{[]string{"migrate", "--db", db}, "", "", "The sqlite database is at schema " + newestMigration(t)},
		{[]string{"serve", "--db", db, "--addr", "nonsense"}, "", "option addr", ""},
		{[]string{"frobnicate"}, "", "unknown command", ""},
		{[]string{"version"}, "", "", "herald dev"},
	}
	for _, st := range steps {
		out, err := cli(t, st.stdin, st.args...)
		name := strings.Join(st.args[:min(2, len(st.args))], " ")
		switch {
		case st.wantErr == "" && err != nil:
			t.Fatalf("%s: %v\n%s", name, err, out)
		case st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)):
			t.Fatalf("%s: error %v, want one containing %q", name, err, st.wantErr)
		case !strings.Contains(out, st.wantOut):
			t.Fatalf("%s: output %q lacks %q", name, out, st.wantOut)
		}
	}
}

// newestMigration is the name of the last SQLite migration, which migrate
// must report.
func newestMigration(t *testing.T) string {
	files, err := filepath.Glob(filepath.Join("..", "..", "sqlite", "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return filepath.Base(files[len(files)-1])
}
