// Command testrun is `make test`: it checks the import rules, builds the
// browser apps and the WebAssembly engine (web/build) that the binary
// embeds, vets the packages it tests (all of them by default), finds or
// starts PostgreSQL, an S3 server (versitygw) and an SMTP server (mailpit),
// finds or installs Chromium for the browser tests and poppler-utils for
// the report tests, exports where they are to the tests, runs `go test`
// and stops what it started, also on Ctrl-C. It works on a bare machine
// with only Go (installing what is missing where it can) and in CI; it
// never skips a test for a missing service.
//
//	go run ./cmd/testrun [go test args...]   default: -count=1 -timeout 14m -ldflags=-w ./... (slowest packages first)
//	go run ./cmd/testrun check-imports       only the import rules
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv/pgclones"
)

var defaultTestArgs = slices.Concat([]string{"-count=1", "-timeout", "14m", noDWARF}, slowestFirst, []string{"./..."})

// noDWARF links the test binaries without debugging information, which
// only a debugger reads (stack traces and profiles use the symbol table,
// which stays): linking the 37 test binaries took 87 CPU-seconds with it
// and 65 without, on two cores that the tests keep busy.
const noDWARF = "-ldflags=-w"

// slowestFirst are the packages whose tests take longest, longest first
// (web/app/apptest 154 s, api 148 s, internal/faults 95 s, web 75 s,
// cmd/patrolsync 34 s, internal/client 19 s in a fresh clone on a quiet
// 2-core machine, 2026-12-05, after testtime17 made the api and web tests
// parallel; docs/benchmarks.md "testtime17"). go test starts
// packages in the order they are named (./... then adds the rest once
// each), -p of them at a time (the number of CPUs). In import-path order
// the longest, the guard app's browser tests, came last: it started when
// the others were nearly done and ran on alone. Started first, the long
// ones overlap each other and the short ones fill in around them.
var slowestFirst = []string{"./web/app/apptest", "./api", "./web", "./internal/faults", "./cmd/patrolsync", "./internal/client"}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 1 && args[0] == "check-imports" {
		return exitCode(phase("imports", func() error { return checkImports(context.Background()) }))
	}
	if len(args) == 1 && args[0] == "check-vulns" {
		return exitCode(phase("vulncheck", func() error { return vulncheck(context.Background()) }))
	}
	if len(args) == 0 {
		args = defaultTestArgs
	}
	// Ctrl-C reaches go test through the terminal's process group; the
	// services run in their own groups and are stopped here, after it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var stack cleanups
	defer stack.run()
	start := time.Now()
	err := runAll(ctx, &stack, args)
	logf("total %s", since(start))
	if ctx.Err() != nil {
		logf("interrupted")
		return 130
	}
	return exitCode(err)
}

// runAll is make test: the services (on a fresh machine, installs of
// minutes: apt-get's downloads, go install's compiles) start first and
// overlap everything that does not need them: the import rules, the web
// build (the packages that embed it must compile with it), vet, and the
// compiling of the test packages. Only the tests wait for them.
func runAll(ctx context.Context, stack *cleanups, testArgs []string) error {
	servicesCtx, cancelServices := context.WithCancel(ctx)
	defer cancelServices()
	services := make(chan error, 1)
	go func() {
		services <- phase("services", func() error { return startServices(servicesCtx, stack) })
	}()
	// The vulnerability check's preparation (download the advisories,
	// index them, compile govulncheck) runs beside everything else at the
	// lowest CPU priority (vulncheck.go: lowPriority); its analysis runs
	// after the tests. Beside the tests, the analysis made the test phase
	// longer by more than it takes alone (docs/benchmarks.md, testtime19).
	vulnCtx, cancelVuln := context.WithCancel(ctx)
	defer cancelVuln()
	prepared := make(chan error, 1)
	go func() { prepared <- phase("vulncheck-prepare", func() error { return prepareVulncheck(vulnCtx) }) }()
	err := phase("imports", func() error { return checkImports(ctx) })
	if err == nil {
		err = phase("web", func() error { return goCommand(ctx, "run", "./web/build", "-quiet") })
	}
	if err == nil {
		err = phase("vet", func() error { return goCommand(ctx, vetArgs(testArgs)...) })
	}
	if err == nil && slices.Equal(testArgs, defaultTestArgs) {
		err = phase("compile-tests", func() error { return compileTests(ctx) })
	}
	if err != nil {
		cancelServices()
	}
	if err := errors.Join(err, <-services); err != nil {
		cancelVuln()
		return err
	}
	testErr := phase("test", func() error { return goCommand(ctx, append([]string{"test"}, testArgs...)...) })
	// Each test process leaves its next database made ahead (testenv's
	// clone pool); with every process ended, they all go now.
	if err := pgclones.DropLeft(context.WithoutCancel(ctx), os.Getenv("TEST_DATABASE_URL")); err != nil {
		logf("left test databases on the server (the next run drops them): %v", err)
	}
	if testErr != nil || ctx.Err() != nil {
		cancelVuln()
		return testErr
	}
	if err := <-prepared; err != nil {
		return err
	}
	return phase("vulncheck", func() error { return vulncheck(ctx) })
}

// compileTests compiles every package with its tests into the build
// cache (go list -export compiles without linking), so that go test only
// links and runs: on a fresh machine this happens while the services
// still install. Only for the default arguments: other go test flags
// (-race, tags) compile differently.
func compileTests(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, goTool(), "list", "-test", "-export", "-f", "{{.Export}}", "./...")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr // the list of export files says nothing; errors do
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	logf("go list -test -export ./... (compile the tests)")
	return cmd.Run()
}

// startServices finds or starts PostgreSQL, S3, Chromium and the other
// test tools side by side: each may need a slow install, and none waits
// for the others (apt-get itself takes turns).
func startServices(ctx context.Context, stack *cleanups) error {
	results := make(chan error, 5)
	go func() { results <- setupPostgres(ctx, stack) }()
	go func() { results <- setupS3(ctx, stack) }()
	go func() { results <- setupChromium(ctx) }()
	go func() { results <- setupTools(ctx) }()
	go func() { results <- setupSMTP(ctx, stack) }() // mailpit, for the email tests (smtp.go)
	return errors.Join(<-results, <-results, <-results, <-results, <-results)
}

// phase runs one step and prints how long it took.
func phase(name string, step func() error) error {
	start := time.Now()
	logf("%s ...", name)
	err := step()
	if err != nil {
		logf("%s FAILED after %s: %v", name, since(start), err)
		return err
	}
	logf("%s ok in %s", name, since(start))
	return nil
}

// goCommand runs the go tool with streamed output. On Ctrl-C it is sent an
// interrupt, so go test can report which test was running, and killed
// if it has not stopped 15 seconds later.
func goCommand(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	logf("go %s", shellJoin(args))
	return cmd.Run()
}

// exitCode passes on a child's status, and 1 for our own failures.
func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		return 1
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "testrun: "+format+"\n", args...)
}

func since(start time.Time) time.Duration {
	return time.Since(start).Round(10 * time.Millisecond)
}
