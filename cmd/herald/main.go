// Command herald runs Herald: the public news portal, the newsroom API and the
// tools to operate them. Run `herald help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

const usage = `Herald: newsroom and publicity-work platform.

Usage: herald <command> [flags]

Commands:
  serve      run the server (portal, newsroom API)
  demo       run the server on a fresh SQLite file filled with a demo province
  migrate    bring the database schema up to date
  user       add | passwd | list | disable | enable staff accounts
  unit       add | list units
  export     render the public portal into a folder as static files
  backup     write an online, consistent backup of the database to a file
  restore    load a backup into a new, empty database
  doctor     check the configuration, database, folders, address and relay of a deployment
  search     reindex (rebuild the search index, also on running servers) | query WORDS
  version    print the version

Every command takes the configuration flags (herald <command> -h lists them);
each also reads HERALD_* environment variables and an optional config file.
`

func main() {
	if os.Getenv("GOGC") == "" {
		// Collect garbage less often than Go's default: the portal serves pages
		// from memory and allocates briefly per request; measured +19% requests/s.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "herald:", err)
		}
		os.Exit(1)
	}
}

// env is how commands read the environment (injectable for tests).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, e, rest)
	case "demo":
		return cmdDemo(ctx, e, rest)
	case "migrate":
		return cmdMigrate(ctx, e, rest)
	case "user":
		return cmdUser(ctx, e, rest)
	case "unit":
		return cmdUnit(ctx, e, rest)
	case "export":
		return cmdExport(ctx, e, rest)
	case "backup":
		return cmdBackup(ctx, e, rest)
	case "restore":
		return cmdRestore(ctx, e, rest)
	case "doctor":
		return cmdDoctor(ctx, e, rest)
	case "search":
		return cmdSearch(ctx, e, rest)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "herald", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
