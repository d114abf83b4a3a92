package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func resolve(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	res := Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return res(func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "herald.conf")
	os.WriteFile(file, []byte("# comment\naddr = 127.0.0.1:7000\nlog-level = warn\nlog-format = json\n"), 0o600)
	secret := filepath.Join(dir, "dsn")
	os.WriteFile(secret, []byte("postgres://u:p@db/herald\n"), 0o600)

	c, err := resolve(t, []string{"--config", file, "--log-level", "debug"}, map[string]string{
		"HERALD_ADDR": "127.0.0.1:9000", "HERALD_DB_FILE": secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		"addr":       "127.0.0.1:9000",           // env beats file
		"log-level":  "debug",                    // flag beats file
		"log-format": "json",                     // file beats default
		"db":         "postgres://u:p@db/herald", // _FILE twin
		"max-body":   "8388608",                  // default
	}
	for k, want := range checks {
		if got := c.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if c.BaseURL() != "http://127.0.0.1:9000" {
		t.Errorf("base URL = %q", c.BaseURL())
	}
}

func TestBadValuesNameTheOption(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nonsense"}, nil, "addr"},
		{nil, map[string]string{"HERALD_LOG_LEVEL": "loud"}, "HERALD_LOG_LEVEL"},
		{[]string{"--max-body", "-1"}, nil, "max-body"},
		{[]string{"--base-url", "ftp://x"}, nil, "base-url"},
		{[]string{"--shutdown-timeout", "soon"}, nil, "shutdown-timeout"},
		{[]string{"--config", "/nonexistent/herald.conf"}, nil, "config file"},
	}
	for _, tt := range tests {
		_, err := resolve(t, tt.args, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("args %v env %v: error %v, want one naming %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestConfigFileRejectsUnknownKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c")
	os.WriteFile(file, []byte("adr = 1.2.3.4:5\n"), 0o600)
	if _, err := resolve(t, []string{"--config", file}, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("error = %v", err)
	}
}

// TestREADMEDocumentsEveryOption keeps the README's configuration reference
// complete.
func TestREADMEDocumentsEveryOption(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Options {
		if !strings.Contains(string(b), "--"+o.Name) || !strings.Contains(string(b), o.Env()) {
			t.Errorf("README.md does not document --%s / %s", o.Name, o.Env())
		}
	}
}
