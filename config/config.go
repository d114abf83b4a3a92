// Package config is Herald's one registry of options. Each option is set, from
// highest precedence to lowest, by a command-line flag (--db), an environment
// variable (HERALD_DB, or HERALD_DB_FILE naming a file that holds the value, for
// secrets), a line of the config file (db = …), or its default.
package config

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald/httpx"
)

// Option is one setting.
type Option struct {
	Name    string // flag name and config-file key
	Default string
	Usage   string
	Secret  bool // never printed; a _FILE twin is the way to pass it
	check   func(string) error
}

// Env is the option's environment variable.
func (o Option) Env() string {
	return "HERALD_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

// Options lists every option.
var Options = []Option{
	{Name: "config", Usage: "path of a config file of `key = value` lines (keys as the flag names)"},
	{Name: "addr", Default: "127.0.0.1:8080", Usage: "address to listen on, HOST:PORT", check: checkAddr},
	{Name: "trusted-proxies", Usage: "addresses or networks of the load balancers in front (e.g. 127.0.0.1,10.0.0.5): their X-Forwarded-For names the client for rate limits, reader counts and logs", check: checkProxies},
	{Name: "db", Default: "data/herald.db", Usage: "database: a SQLite file path, or a postgres:// URL", Secret: true},
	{Name: "base-url", Usage: "public URL of the site, e.g. https://news.example.gov.cn (default: http://ADDR)", check: checkURL},
	{Name: "log-level", Default: "info", Usage: "log level: debug, info, warn or error", check: oneOf("debug", "info", "warn", "error")},
	{Name: "log-format", Default: "text", Usage: "log format: text or json", check: oneOf("text", "json")},
	{Name: "max-body", Default: "8388608", Usage: "largest request body accepted, in bytes", check: checkInt(1024, 1<<30)},
	{Name: "shutdown-timeout", Default: "15s", Usage: "how long a stopping server waits for requests in flight", check: checkDuration},
	{Name: "job-lease", Default: "1m", Usage: "how long a job stays with a server that stopped answering before another takes it over", check: checkDuration},
	{Name: "export-dir", Usage: "also publish the portal as static files into this folder, kept up to date as articles are published"},
	{Name: "tls-cert", Usage: "certificate chain (PEM file) to serve HTTPS directly, without a proxy in front; with tls-key"},
	{Name: "tls-key", Usage: "private key (PEM file) of tls-cert"},
	{Name: "fediverse-columns", Default: "false", Usage: "make each column a microblog (ActivityPub) account of its own, beside the site's", check: oneOf("true", "false")},
	{Name: "fediverse-allow-private", Default: "false", Usage: "let the microblog connect to private and loopback addresses (tests and closed networks only)", check: oneOf("true", "false")},
	{Name: "smtp-addr", Usage: "mail relay HOST:PORT for the newsletter (e-mail subscriptions); empty turns subscriptions off", check: checkOptionalAddr},
	{Name: "smtp-tls", Default: "opportunistic", Usage: "STARTTLS to the relay: required, opportunistic or off", check: oneOf("required", "opportunistic", "off")},
	{Name: "smtp-user", Usage: "user name for SMTP AUTH (needs smtp-tls=required unless the relay is on this host)"},
	{Name: "smtp-password", Usage: "password for SMTP AUTH", Secret: true},
	{Name: "mail-from", Usage: "sender address of the newsletter, e.g. news@example.gov.cn"},
	{Name: "mail-from-name", Usage: "sender name of the newsletter (default: the site's name)"},
	{Name: "mail-rate", Default: "5", Usage: "most newsletter mails a second this server sends", check: checkInt(1, 1000)},
	{Name: "video-dir", Default: "data/videos", Usage: "folder the films of video pieces are kept in (they are too large for the database)"},
	{Name: "media-s3-endpoint", Usage: "keep films in S3-compatible object storage at this URL (e.g. https://s3.example.com) instead of --video-dir; replicas share it", check: checkURL},
	{Name: "media-s3-bucket", Usage: "bucket of the object storage (it must exist)"},
	{Name: "media-s3-region", Default: "us-east-1", Usage: "signing region of the object storage"},
	{Name: "media-s3-access-key", Usage: "access key of the object storage"},
	{Name: "media-s3-secret-key", Usage: "secret key of the object storage", Secret: true},
	{Name: "media-s3-prefix", Usage: "prefix of Herald's keys in the bucket, such as herald/ (to share a bucket)"},
	{Name: "video-max-bytes", Default: "524288000", Usage: "largest film a video piece may carry, in bytes (default 500 MB)", check: checkInt(1<<20, 1<<40)},
	{Name: "metrics-token", Usage: "bearer token Prometheus must send to read /metrics; without one, /metrics answers only unproxied loopback requests", Secret: true},
	{Name: "scheduler-interval", Default: "1s", Usage: "how often the job queue (scheduled publications, deliveries) is checked for due work when idle", check: checkDuration},
}

// Config holds resolved option values.
type Config struct {
	values map[string]string
}

// Get returns an option's value.
func (c *Config) Get(name string) string { return c.values[name] }

// Addr is the listen address.
func (c *Config) Addr() string { return c.values["addr"] }

// DB is the database path or URL.
func (c *Config) DB() string { return c.values["db"] }

// BaseURL is the site's public URL, without a trailing slash.
func (c *Config) BaseURL() string {
	if u := c.values["base-url"]; u != "" {
		return strings.TrimSuffix(u, "/")
	}
	return "http://" + c.Addr()
}

// MaxBody is the largest request body, in bytes.
func (c *Config) MaxBody() int64 {
	n, _ := strconv.ParseInt(c.values["max-body"], 10, 64)
	return n
}

// Duration returns a duration option.
func (c *Config) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(c.values[name])
	return d
}

// Set overrides a value (for subcommands that pick their own defaults, such as demo).
func (c *Config) Set(name, value string) { c.values[name] = value }

// Flags registers every option on fs and returns a resolver to call after fs.Parse.
func Flags(fs *flag.FlagSet) func(getenv func(string) string) (*Config, error) {
	flags := map[string]*string{}
	for _, o := range Options {
		def := o.Default
		if o.Secret {
			def = "" // shown as "" in -help; the real default applies below
		}
		flags[o.Name] = fs.String(o.Name, def, o.Usage+" (env "+o.Env()+")")
	}
	return func(getenv func(string) string) (*Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		c := &Config{values: map[string]string{}}
		for _, o := range Options {
			c.values[o.Name] = o.Default
		}
		path := getenv("HERALD_CONFIG")
		if set["config"] {
			path = *flags["config"]
		}
		if path != "" {
			if err := c.readFile(path); err != nil {
				return nil, err
			}
		}
		for _, o := range Options {
			if v := getenv(o.Env()); v != "" {
				c.values[o.Name] = v
			} else if file := getenv(o.Env() + "_FILE"); file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					return nil, fmt.Errorf("%s_FILE: %w", o.Env(), err)
				}
				c.values[o.Name] = strings.TrimSpace(string(b))
			}
			if set[o.Name] {
				c.values[o.Name] = *flags[o.Name]
			}
		}
		c.values["config"] = path
		for _, o := range Options {
			if o.check != nil {
				if err := o.check(c.values[o.Name]); err != nil {
					return nil, fmt.Errorf("option %s (--%s, %s): %w", o.Name, o.Name, o.Env(), err)
				}
			}
		}
		return c, nil
	}
}

func (c *Config) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `"`)
		if !ok || !known(key) || key == "config" {
			return fmt.Errorf("config file %s line %d: expected `key = value` with a known key, got %q", path, n, line)
		}
		c.values[key] = value
	}
	return sc.Err()
}

func known(name string) bool {
	for _, o := range Options {
		if o.Name == name {
			return true
		}
	}
	return false
}

func checkAddr(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("must be HOST:PORT, e.g. 127.0.0.1:8080")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535")
	}
	return nil
}

// checkOptionalAddr allows an empty address (the feature is off).
func checkOptionalAddr(v string) error {
	if v == "" {
		return nil
	}
	return checkAddr(v)
}

func checkProxies(v string) error {
	_, err := httpx.ParseProxies(v)
	return err
}

func checkURL(v string) error {
	if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return fmt.Errorf("must start with http:// or https://")
	}
	return nil
}

func oneOf(vals ...string) func(string) error {
	return func(v string) error {
		for _, x := range vals {
			if v == x {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(vals, ", "))
	}
}

func checkInt(lo, hi int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

func checkDuration(v string) error {
	if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		return fmt.Errorf("must be a positive duration such as 500ms, 15s or 2m")
	}
	return nil
}
