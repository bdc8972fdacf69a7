package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for CREATE/DROP DATABASE and statistics
)

// runSpawned creates a database, starts the binary on it, loads it, stops
// it, and drops the database, whatever happens in between.
func runSpawned(ctx context.Context, opts options, stdout, stderr io.Writer) (err error) {
	admin, err := sql.Open("pgx", opts.postgres)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := "patrolsync_bench_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	fmt.Fprintf(stderr, "created database %s\n", name)
	defer func() {
		if opts.keep {
			fmt.Fprintf(stderr, "kept database %s: drop it with DROP DATABASE %s WITH (FORCE)\n", name, name)
			return
		}
		dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, dropErr := admin.ExecContext(dropCtx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); dropErr != nil {
			err = errors.Join(err, fmt.Errorf("drop database %s: %w", name, dropErr))
		}
	}()
	databaseURL, err := withDatabase(opts.postgres, name)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "patrolsync-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	serverURL, err := withParams(databaseURL, opts.connParams)
	if err != nil {
		return err
	}
	blobs := "file://" + filepath.Join(dir, "blobs")
	if opts.blobs == "s3" {
		gateway, err := startVersitygw(ctx, dir, stderr)
		if err != nil {
			return err
		}
		defer gateway.stop()
		blobs = gateway.blobURL("patrolsync-bench")
	}
	env := append(os.Environ(), "PATROLSYNC_DATABASE_URL="+serverURL, "PATROLSYNC_BLOBS="+blobs,
		"PATROLSYNC_VAR_DIR="+dir, "PATROLSYNC_LOG_LEVEL=warn",
		// Only the set-up's logins hash passwords; cost 4 keeps 200 of them short.
		"PATROLSYNC_BCRYPT_COST=4",
		// Simulated devices push back to back, far faster than phones; the
		// per-session push limit would turn the measurement into 429s.
		"PATROLSYNC_PUSH_RATE=0")
	password := randomHex(12)
	for _, args := range [][]string{
		{"migrate"},
		{"org", "create", "--slug", "bench", "--name", "Benchmark"},
		{"user", "create", "--org", "bench", "--email", "admin@bench.invalid", "--password", password, "--role", "admin"},
	} {
		cmd := exec.CommandContext(ctx, opts.spawn, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %v: %w", opts.spawn, args, err)
		}
	}
	// Replicas share the database and the var directory (its generated
	// secrets sign the tokens every replica must accept).
	var servers []*serverProcess
	var urls []string
	defer func() {
		for _, server := range servers {
			err = errors.Join(err, server.stop())
		}
	}()
	for i := range opts.replicas {
		addr := addr
		if i > 0 {
			if addr, err = freeLoopbackAddr(); err != nil {
				return err
			}
		}
		server, err := startServer(opts.spawn, append(slices.Clone(env), "PATROLSYNC_ADDR="+addr, "PATROLSYNC_BASE_URL=http://"+addr), stderr)
		if err != nil {
			return err
		}
		servers = append(servers, server)
		urls = append(urls, "http://"+addr)
	}
	target := loadTarget{baseURL: urls[0], replicas: urls, adminEmail: "admin@bench.invalid", adminPassword: password,
		materialize: materializer(databaseURL)}
	for _, u := range urls {
		if err := newAPI(u, 1).waitReady(ctx, 30*time.Second); err != nil {
			return err
		}
	}
	pids := make([]int, len(servers))
	for i, server := range servers {
		pids[i] = server.cmd.Process.Pid
	}
	machine := describeMachine(ctx, admin)
	var reference *rawReference
	if opts.reference && opts.scenario == "push" {
		if reference, err = newRawReference(ctx, databaseURL); err != nil {
			return err
		}
		defer reference.close()
	}
	var summary []roundFigures
	var loadErr error
	for round := 1; round <= opts.rounds; round++ {
		last := round == opts.rounds
		if opts.rounds > 1 {
			fmt.Fprintf(stderr, "round %d of %d\n", round, opts.rounds)
		}
		cpu := &cpuObserver{serverPIDs: pids, admin: admin, database: name}
		activity := &activitySampler{admin: admin, database: name}
		observers := []observer{cpu, activity}
		if opts.analyze && round == 1 {
			observers = append([]observer{analyzer{url: databaseURL, progress: stderr}}, observers...)
		}
		database := &tableObserver{url: databaseURL}
		if err := database.snapshot(ctx, &database.before); err != nil {
			return err
		}
		var checks *consistency
		if opts.check && last {
			checks = newConsistency(target, opts)
			observers = append(observers, checks)
		}
		report, err := scenarioLoad(ctx, opts, target, stderr, observers...)
		loadErr = errors.Join(loadErr, err)
		if report == nil {
			return loadErr
		}
		measured, all, unit := report.units()
		sections := []section{machine.section(round, opts), cpu.section(measured, unit), activity.section()}
		if r, ok := report.(interface {
			slowestSeconds() (time.Time, []slowSecond)
		}); ok {
			sections = append(sections, activity.slowestSection(r.slowestSeconds()))
		}
		if checks != nil {
			sections = append(sections, checks.section(ctx, databaseURL))
			loadErr = errors.Join(loadErr, checks.failure())
		}
		if last {
			// Statistics are flushed by backends as they go idle or exit:
			// read them after the servers have stopped and closed their
			// connections.
			for _, server := range servers {
				loadErr = errors.Join(loadErr, server.stop())
			}
		}
		// Before the last round's end the servers still run: their
		// backends publish what they counted within a second of going
		// idle, so a figure may miss the last second's (round 2 of 3 on
		// the tables round 1 filled is what this is read for).
		if err := database.snapshot(context.Background(), &database.after); err != nil {
			loadErr = errors.Join(loadErr, err)
		} else {
			sections = append(sections, database.section(all, unit))
		}
		figures := roundFigures{round: round}
		figures.rate, figures.p99 = report.headline()
		figures.server, figures.postgres, figures.measured = cpu.perUnit(measured)
		if reference != nil {
			raw, err := reference.measure(ctx, admin, name, opts, stderr)
			if err != nil {
				return errors.Join(loadErr, err)
			}
			figures.raw = raw
			sections = append(sections, raw.section())
		}
		report.addSections(sections...)
		report.print(stdout)
		summary = append(summary, figures)
	}
	printSummary(stdout, machine, opts, summary)
	return loadErr
}

// analyzer runs ANALYZE when the measured window opens. The tables start
// empty, and the server's prepared statements keep the generic plans made
// for empty tables until statistics change, which autovacuum does within a
// minute in production but not within a short benchmark.
type analyzer struct {
	url      string
	progress io.Writer
}

func (a analyzer) begin(ctx context.Context) {
	db, err := sql.Open("pgx", a.url)
	if err == nil {
		_, err = db.ExecContext(ctx, "ANALYZE")
		db.Close()
	}
	if err != nil {
		fmt.Fprintln(a.progress, "ANALYZE failed:", err)
	}
}

func (analyzer) end(context.Context) {}

// serverProcess is the spawned patrolsync serve.
type serverProcess struct {
	cmd    *exec.Cmd
	exited chan error
	done   bool
}

func startServer(binary string, env []string, stderr io.Writer) (*serverProcess, error) {
	cmd := exec.Command(binary, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, stderr, stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", binary, err)
	}
	s := &serverProcess{cmd: cmd, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	return s, nil
}

// stop sends SIGTERM, waits for a graceful exit, and kills after 30 s. It
// may be called more than once.
func (s *serverProcess) stop() error {
	if s.done {
		return nil
	}
	s.done = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled() {
			return nil
		}
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
		return errors.New("server did not stop within 30 s of SIGTERM; killed")
	}
}

func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func withDatabase(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("--postgres: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// withParams adds query parameters (a=b&c=d) to a database URL.
func withParams(databaseURL, params string) (string, error) {
	if params == "" {
		return databaseURL, nil
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", err
	}
	extra, err := url.ParseQuery(params)
	if err != nil {
		return "", fmt.Errorf("--connection-params: %w", err)
	}
	query := u.Query()
	for name, values := range extra {
		query[name] = values
	}
	u.RawQuery = query.Encode()
	return u.String(), nil
}
