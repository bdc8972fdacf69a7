package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patrolsync/patrolsync/internal/testenv/pgbin"
)

// localPostgres is where CI and most developer machines have a server.
const localPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupPostgres sets TEST_DATABASE_URL: the caller's, a server on 5432,
// or a throwaway cluster started here from local (or freshly installed)
// binaries.
func setupPostgres(ctx context.Context, stack *cleanups) error {
	if given := os.Getenv("TEST_DATABASE_URL"); given != "" {
		if err := pingPostgres(ctx, given); err != nil {
			return fmt.Errorf("TEST_DATABASE_URL=%s does not answer: %w", redactURL(given), err)
		}
		logf("postgres at %s (from TEST_DATABASE_URL)", redactURL(given))
		return nil
	}
	if err := pingPostgres(ctx, localPostgres); err == nil {
		logf("postgres at %s (already running)", localPostgres)
		return os.Setenv("TEST_DATABASE_URL", localPostgres)
	} else {
		logf("postgres: nothing usable at %s (%v); starting a throwaway cluster", localPostgres, err)
	}
	bin, err := postgresBinaries(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	adminURL, err := startCluster(ctx, bin, stack)
	if err != nil {
		return err
	}
	logf("postgres at %s (throwaway cluster from %s, started in %s)", adminURL, bin, since(start))
	return os.Setenv("TEST_DATABASE_URL", adminURL)
}

func pingPostgres(ctx context.Context, databaseURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// postgresURL is the admin URL of a cluster on a loopback port.
func postgresURL(port int) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: hostPort(port), Path: "/postgres", RawQuery: "sslmode=disable"}
	return u.String()
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// postgresBinaries finds the directory holding initdb and postgres,
// installing Debian's package when that is possible.
func postgresBinaries(ctx context.Context) (string, error) {
	if dir := pgbin.Find(); dir != "" {
		return dir, nil
	}
	if os.Geteuid() != 0 || !fileExists("/etc/debian_version") {
		return "", fmt.Errorf("no PostgreSQL for the tests: TEST_DATABASE_URL is unset, nothing answers at %s, "+
			"and no initdb/postgres binaries are in /usr/lib/postgresql/*/bin or PATH. Either install the server "+
			"(Debian/Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server; "+
			"macOS: brew install postgresql@16) or set TEST_DATABASE_URL to an admin URL of a server where "+
			"the user may create databases, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			localPostgres)
	}
	logf("postgres: no binaries found; installing Debian's postgresql package")
	if err := aptInstall(ctx, "postgresql"); err != nil {
		return "", err
	}
	if dir := pgbin.Find(); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("installed postgresql but found no initdb under /usr/lib/postgresql/*/bin")
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// startCluster runs initdb and postgres in a temporary directory, as the
// postgres OS user when we are root (PostgreSQL refuses to run as root),
// and registers its stop.
func startCluster(ctx context.Context, bin string, stack *cleanups) (string, error) {
	dir, err := os.MkdirTemp("", "patrolsync-pg-")
	if err != nil {
		return "", err
	}
	stack.add(func() { os.RemoveAll(dir) })
	credential, err := clusterOwner(dir)
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: credential}
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %w\n%s", err, out)
	}
	for attempt := 1; ; attempt++ {
		adminURL, err := runPostgres(ctx, bin, dir, credential, stack)
		if err == nil || attempt == 3 || ctx.Err() != nil {
			return adminURL, err
		}
		logf("postgres: start failed (%v); retrying on another port", err)
	}
}

// clusterOwner chowns dir to the postgres user when running as root and
// returns the credential to run the server with (nil: as ourselves).
func clusterOwner(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	account, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as another user, and there is no 'postgres' user: %w "+
			"(create one: useradd --system postgres)", err)
	}
	uid, _ := strconv.Atoi(account.Uid)
	gid, _ := strconv.Atoi(account.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// runPostgres starts the server on a free port with durability off (a
// throwaway cluster has nothing to keep) and waits until it answers.
func runPostgres(ctx context.Context, bin, dir string, credential *syscall.Credential, stack *cleanups) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"),
		"-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: credential}
	logPath := filepath.Join(dir, "postgres.log")
	srv, err := startServer("postgres", cmd, logPath, syscall.SIGQUIT)
	if err != nil {
		return "", err
	}
	// SIGINT is PostgreSQL's fast shutdown: it ends sessions and stops.
	stack.add(func() { srv.stop(syscall.SIGINT, 10*time.Second) })
	adminURL := postgresURL(port)
	ready := func(ctx context.Context) error { return pingPostgres(ctx, adminURL) }
	if err := srv.waitReady(ctx, time.Minute, ready); err != nil {
		srv.stop(syscall.SIGINT, 5*time.Second)
		return "", fmt.Errorf("%w%s", err, tail(logPath, 15))
	}
	return adminURL, nil
}
