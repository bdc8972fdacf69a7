// Command patrolsync is the server and its operator tools: serve, migrate,
// seed, org and user administration.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // site time zones must resolve on machines without tzdata

	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/config"
	"github.com/patrolsync/patrolsync/internal/errs"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `patrolsync — offline-first patrol and inspection server

Usage:
  patrolsync serve [--addr A] [--database URL] [--blobs URL] [--demo]
  patrolsync migrate [--database URL]
  patrolsync seed --demo
  patrolsync org create --slug S --name N
  patrolsync user create --org SLUG --email E --password P --role R [--name N] [--site CODE]...
  patrolsync device simulate --server URL --email E --password P --template KEY --inspections N [--countersigner EMAIL:PASSWORD] [--drop-rate 0.3] [--state-dir DIR] [--seed S]
  patrolsync healthcheck [--url URL]
  patrolsync audit verify [--org SLUG]
  patrolsync version

Settings come from PATROLSYNC_* environment variables (see README.md);
flags override them.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "patrolsync:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for a command used wrongly, 1 for everything else that
// failed (a broken audit chain included).
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errs.Is(err, errs.Invalid), errs.Is(err, errs.Malformed):
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errs.E("patrolsync", errs.Malformed, "a subcommand is required")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, getenv)
	case "migrate":
		return migrate(ctx, rest, getenv)
	case "seed":
		return seedCmd(ctx, rest, stdout, getenv)
	case "org":
		return orgCmd(ctx, rest, stdout, getenv)
	case "user":
		return userCmd(ctx, rest, stdout, getenv)
	case "device":
		return deviceCmd(ctx, rest, stdout)
	case "healthcheck":
		return healthcheck(ctx, rest, stdout, getenv)
	case "audit":
		return auditCmd(ctx, rest, stdout, getenv)
	case "version":
		fmt.Fprintln(stdout, "patrolsync", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return errs.E("patrolsync", errs.Malformed, "unknown subcommand "+cmd)
}

// settings parses flags, which override the environment, and loads Config.
// Every command accepts --database and --blobs.
func settings(fs *flag.FlagSet, args []string, getenv func(string) string) (config.Config, error) {
	database := fs.String("database", "", "database URL (PATROLSYNC_DATABASE_URL)")
	blobs := fs.String("blobs", "", "blob store URL (PATROLSYNC_BLOBS)")
	addr := fs.String("addr", "", "listen address (PATROLSYNC_ADDR)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate chain: serve HTTPS (PATROLSYNC_TLS_CERT)")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert (PATROLSYNC_TLS_KEY)")
	if err := fs.Parse(args); err != nil {
		return config.Config{}, errs.E("patrolsync", errs.Malformed, err)
	}
	overrides := map[string]string{
		"PATROLSYNC_DATABASE_URL": *database, "PATROLSYNC_BLOBS": *blobs, "PATROLSYNC_ADDR": *addr,
		"PATROLSYNC_TLS_CERT": *tlsCert, "PATROLSYNC_TLS_KEY": *tlsKey,
	}
	return config.Load(func(name string) string {
		if v := overrides[name]; v != "" {
			return v
		}
		return getenv(name)
	})
}

func logger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func migrate(ctx context.Context, args []string, getenv func(string) string) error {
	cfg, err := settings(flag.NewFlagSet("migrate", flag.ContinueOnError), args, getenv)
	if err != nil {
		return err
	}
	cfg.Migrate = true
	log := logger(cfg, os.Stderr)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	current, _, err := a.DB.SchemaVersion(ctx)
	log.Info("schema up to date", "version", current)
	return err
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
