// Command bench is the load tool. It has two scenarios:
//
//   - push (the default) measures push ingest: simulated devices, each
//     signed in as a guard, push whole inspections of the bank branch's
//     opening check (30 answers and four signatures: the declarations,
//     start, one answer.set per item, submit, in one batch, as a phone
//     does when it comes back online) for a fixed time, and the tool
//     reports inspections per second and push latency. With --rate the
//     devices start inspections on a fixed schedule instead (an open
//     load), and the tool also reports how far behind schedule they fell.
//   - day simulates guards' working days: every device signs in, pulls
//     everything, then loops over a patrol round (checkpoint scans of a
//     materialised round), an inspection with photos and a signature
//     (declared, uploaded to the presigned URL, completed) and an
//     incremental pull, and the tool reports throughput and latency per
//     endpoint.
//
// It either drives a server that is already running (--server with an
// admin account) or starts one itself on a fresh PostgreSQL database that it
// drops afterwards (--spawn with a built patrolsync binary). It only ever
// talks to loopback addresses, and it always stops by itself: the load runs
// for --duration, at most ten minutes.
//
//	go build -o /tmp/patrolsync ./cmd/patrolsync
//	go run ./bench --spawn /tmp/patrolsync --devices 200 --duration 30s
//	go run ./bench --spawn /tmp/patrolsync --devices 200 --rate 500 --duration 30s
//	go run ./bench --spawn /tmp/patrolsync --scenario day --blobs s3 --devices 20 --duration 10s
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
	"time"

	"github.com/google/uuid"
)

// maxDuration bounds a run whatever the flags say.
const maxDuration = 10 * time.Minute

// The scenarios' templates. Issue 17 counts CPU per 30-answer inspection:
// cu-opening-check's passing inspection answers exactly 30 items.
// night-patrol-round's answers 14 (its per-area notes show only for an
// anomaly) and it is the day's, for its top-level photo item.
const (
	defaultPushTemplate = "cu-opening-check"
	defaultDayTemplate  = "night-patrol-round"
)

// maxRate bounds --rate: far above what one machine can push, low enough
// that a mistyped rate is refused rather than run.
const maxRate = 100_000

type options struct {
	server            string
	adminEmail        string
	adminPassword     string
	spawn             string
	postgres          string
	devices           int
	devicesPerGuard   int
	duration          time.Duration
	warmup            time.Duration
	template          string
	quiet             bool
	keep              bool
	analyze           bool
	connParams        string
	scenario          string
	declare           string
	blobs             string
	photos            int
	think             time.Duration
	maxRequests       int
	rate              float64
	rounds            int
	reference         bool
	referenceDuration time.Duration
	replicas          int
	check             bool
	checkEvery        time.Duration
	cpuProfile        string
}

func main() {
	// The tool's live heap is small (a few MB: the devices, their plans,
	// the latencies so far), so the default GOGC collects after every few
	// MB of request garbage: on two cores shared with the server that is
	// CPU taken from what is measured. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// A push takes 49 fresh ids (the inspection, 8 media, 40 mutations):
	// their random bits come from uuid's pool, refilled 16 ids' worth at a
	// time, rather than from one crypto/rand read (and a heap allocation)
	// each; still random UUIDv7s, each drawn once.
	uuid.EnableRandPool()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if opts.spawn != "" {
		return runSpawned(ctx, opts, stdout, stderr)
	}
	target := loadTarget{baseURL: opts.server, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword}
	report, err := scenarioLoad(ctx, opts, target, stderr)
	if report != nil {
		report.print(stdout)
	}
	return err
}

// result is what a scenario measured, printed as Markdown.
type result interface {
	print(w io.Writer)
	addSections(s ...section)
	// units is what CPU (measured window) and database work (whole load)
	// are divided by.
	units() (measured, all int, unit string)
	// headline is the rate of units in the window and the p99 of the
	// push latency (0 where there is none).
	headline() (rate float64, p99 time.Duration)
}

// scenarioLoad runs the chosen scenario; the result is nil when nothing
// was measured.
func scenarioLoad(ctx context.Context, opts options, target loadTarget, progress io.Writer, observers ...observer) (result, error) {
	if opts.cpuProfile != "" {
		observers = append(observers, &cpuProfiler{path: opts.cpuProfile, progress: progress})
	}
	if opts.scenario == "day" {
		r, err := runDays(ctx, opts, target, progress, observers...)
		if r == nil {
			return nil, err
		}
		return r, err
	}
	r, err := runLoad(ctx, opts, target, progress, observers...)
	if r == nil {
		return nil, err
	}
	return r, err
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server, "server", "", "base URL of a running server on a loopback address, e.g. http://127.0.0.1:8080")
	fs.StringVar(&o.adminEmail, "admin-email", "", "an admin of the organisation to load (with --server)")
	fs.StringVar(&o.adminPassword, "admin-password", "", "that admin's password (with --server)")
	fs.StringVar(&o.spawn, "spawn", "", "path of a built patrolsync binary: start it on a fresh database and stop it after")
	fs.StringVar(&o.postgres, "postgres", defaultAdminURL(), "with --spawn: a PostgreSQL server where databases may be created")
	fs.IntVar(&o.devices, "devices", 200, "concurrent devices")
	fs.IntVar(&o.devicesPerGuard, "devices-per-guard", 10, "devices signed in as the same guard")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the load runs after the warm-up (at most 10m)")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "load before measuring starts (connections, caches, pool)")
	fs.StringVar(&o.template, "template", "", "key of the standard template to fill in (default: "+defaultPushTemplate+
		" with --scenario push, 30 answers and four signatures; "+defaultDayTemplate+" with --scenario day, which has a photo item)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress line every second")
	fs.BoolVar(&o.analyze, "analyze", true, "with --spawn: ANALYZE the database when the warm-up ends, as autovacuum would "+
		"within a minute in production (false: measure query plans made for empty tables)")
	fs.StringVar(&o.connParams, "connection-params", "", "with --spawn: query parameters added to the server's database URL, "+
		"e.g. default_query_exec_mode=cache_describe")
	fs.BoolVar(&o.keep, "keep", false, "with --spawn: keep the database afterwards, to look at query plans")
	fs.StringVar(&o.scenario, "scenario", "push", "push: whole inspections pushed back to back; day: guards' days "+
		"(sign-in, full pull, then rounds, inspections with photos, incremental pulls)")
	fs.StringVar(&o.declare, "declare", "push", "with --scenario push: how each inspection's signature is declared: push "+
		"(a media.declare mutation in the inspection's own batch, one request) or request (POST /v1/media first, two requests)")
	fs.StringVar(&o.blobs, "blobs", "file", "with --spawn: where the server keeps media: file (a temporary directory) "+
		"or s3 (a versitygw started on loopback, from PATH or $(go env GOPATH)/bin)")
	fs.IntVar(&o.photos, "photos", 2, "with --scenario day: photos per inspection (besides the signature)")
	fs.DurationVar(&o.think, "think", 0, "with --scenario day: pause between a device's steps (0: back to back)")
	fs.IntVar(&o.maxRequests, "max-requests", 1_000_000, "with --scenario day: no new loop starts once this many requests were sent")
	fs.Float64Var(&o.rate, "rate", 0, "with --scenario push: inspections per second the whole fleet starts on a fixed schedule, "+
		"at most one in flight per device (0: closed loop, each device back to back)")
	fs.IntVar(&o.rounds, "rounds", 1, "with --spawn: run the load this many times on the same servers and database, "+
		"each followed by the raw-insert reference, and end with a summary")
	fs.BoolVar(&o.reference, "reference", true, "with --spawn and --scenario push: after each round, insert the same rows "+
		"with plain pgx (the raw-insert reference) and report CPU per inspection as a ratio to it")
	fs.DurationVar(&o.referenceDuration, "reference-duration", 10*time.Second, "how long each raw-insert reference runs")
	fs.IntVar(&o.replicas, "replicas", 1, "with --spawn: server replicas on the one database; devices are spread over them")
	fs.BoolVar(&o.check, "check", false, "with --spawn and --scenario push: in the last round, pull incrementally from every "+
		"replica during the load and prove afterwards that every acknowledged inspection was applied and stored exactly "+
		"once and that every puller's cursor missed nothing")
	fs.DurationVar(&o.checkEvery, "check-every", time.Second, "with --check: each puller, once at the end of the log, waits "+
		"this long before it pulls again, as a phone syncs every so often (0: pull again at once, a spin of about 300 "+
		"pulls a second that adds to the measured round far more work than a fleet's pulls)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the load tool over the measured window to this file "+
		"(with --rounds, of the last round); the sampling adds to the tool's own CPU figure")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.template == "" {
		o.template = defaultPushTemplate
		if o.scenario == "day" {
			o.template = defaultDayTemplate
		}
	}
	var problems []error
	if (o.spawn == "") == (o.server == "") {
		problems = append(problems, errors.New("give exactly one of --server and --spawn"))
	}
	if o.server != "" && (o.adminEmail == "" || o.adminPassword == "") {
		problems = append(problems, errors.New("--server needs --admin-email and --admin-password"))
	}
	if o.server != "" {
		if err := requireLoopback(o.server); err != nil {
			problems = append(problems, err)
		}
	}
	if o.spawn != "" {
		if err := requireLoopbackDatabase(o.postgres); err != nil {
			problems = append(problems, err)
		}
	}
	if o.devices < 1 || o.devices > 2000 {
		problems = append(problems, errors.New("--devices must be 1..2000"))
	}
	if o.scenario != "push" && o.scenario != "day" {
		problems = append(problems, errors.New("--scenario must be push or day"))
	}
	if o.declare != "push" && o.declare != "request" {
		problems = append(problems, errors.New("--declare must be push or request"))
	}
	if o.blobs != "file" && o.blobs != "s3" {
		problems = append(problems, errors.New("--blobs must be file or s3"))
	}
	if o.blobs == "s3" && o.spawn == "" {
		problems = append(problems, errors.New("--blobs s3 needs --spawn (a running server has its own store)"))
	}
	if o.photos < 0 || o.photos > 9 {
		problems = append(problems, errors.New("--photos must be 0..9 (the template takes 10 round photos at most)"))
	}
	if o.think < 0 || o.think > time.Minute {
		problems = append(problems, errors.New("--think must be 0..1m"))
	}
	if !(o.rate >= 0 && o.rate <= maxRate) { // NaN too
		problems = append(problems, fmt.Errorf("--rate must be 0..%d inspections/s (0: closed loop)", maxRate))
	}
	if o.rate != 0 && o.scenario != "push" {
		problems = append(problems, errors.New("--rate needs --scenario push (the day scenario paces with --think)"))
	}
	if o.rounds < 1 || o.rounds > 20 {
		problems = append(problems, errors.New("--rounds must be 1..20"))
	}
	if o.replicas < 1 || o.replicas > 8 {
		problems = append(problems, errors.New("--replicas must be 1..8"))
	}
	if o.replicas > 1 && o.spawn == "" {
		problems = append(problems, errors.New("--replicas needs --spawn"))
	}
	if o.check && (o.spawn == "" || o.scenario != "push") {
		problems = append(problems, errors.New("--check needs --spawn and --scenario push"))
	}
	if o.checkEvery < 0 || o.checkEvery > time.Minute {
		problems = append(problems, errors.New("--check-every must be from 0 to 1m"))
	}
	if o.referenceDuration <= 0 || o.referenceDuration > time.Minute {
		problems = append(problems, errors.New("--reference-duration must be positive and at most 1m"))
	}
	if time.Duration(o.rounds)*(o.duration+o.warmup+o.referenceDuration) > 2*maxDuration {
		problems = append(problems, fmt.Errorf("--rounds × (--duration + --warmup + --reference-duration) must be at most %s", 2*maxDuration))
	}
	if o.maxRequests < 1 {
		problems = append(problems, errors.New("--max-requests must be at least 1"))
	}
	if o.devicesPerGuard < 1 {
		problems = append(problems, errors.New("--devices-per-guard must be at least 1"))
	}
	if o.duration <= 0 || o.duration+o.warmup > maxDuration || o.warmup < 0 {
		problems = append(problems, fmt.Errorf("--duration plus --warmup must be positive and at most %s", maxDuration))
	}
	return o, errors.Join(problems...)
}

func defaultAdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}
