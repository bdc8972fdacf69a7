package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// rawReference runs the raw-insert reference (raw.go) between the load's
// rounds, on the bench database, so that the machine's noise of the moment
// weighs on both: the figure that travels between machines is the ratio.
type rawReference struct {
	pool *pgxpool.Pool
	rows *pushRows
}

func newRawReference(ctx context.Context, databaseURL string) (*rawReference, error) {
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	return &rawReference{pool: pool}, nil
}

func (r *rawReference) close() { r.pool.Close() }

// rawFigures is one measured stretch of raw inserts.
type rawFigures struct {
	workers      int
	duration     time.Duration
	inserted     int
	postgres     float64 // CPU seconds per inspection
	client       float64 // the inserting process (this tool), per inspection
	otherPercent float64 // of one core, everything else on the machine
}

func (f rawFigures) total() float64 { return f.postgres + f.client }

// measure runs the reference for --reference-duration from as many
// connections as the server's load keeps busy (the devices, at most 16),
// after a second of warm-up that opens them.
func (r *rawReference) measure(ctx context.Context, admin *sql.DB, database string, opts options, progress io.Writer) (rawFigures, error) {
	if r.rows == nil {
		rows, err := copyOfPush(ctx, r.pool)
		if err != nil {
			return rawFigures{}, fmt.Errorf("raw reference: %w", err)
		}
		r.rows = rows
	}
	workers := min(opts.devices, 16)
	if _, err := r.rows.runRaw(ctx, r.pool, workers, time.Second); err != nil {
		return rawFigures{}, fmt.Errorf("raw reference: %w", err)
	}
	fmt.Fprintf(progress, "raw-insert reference: %d connections for %s ...\n", workers, opts.referenceDuration)
	cpu := &cpuObserver{admin: admin, database: database}
	cpu.begin(ctx)
	inserted, err := r.rows.runRaw(ctx, r.pool, workers, opts.referenceDuration)
	cpu.end(ctx)
	if err != nil {
		return rawFigures{}, fmt.Errorf("raw reference: %w", err)
	}
	f := rawFigures{workers: workers, duration: opts.referenceDuration, inserted: inserted}
	if cpu.failure != nil || inserted == 0 {
		return f, fmt.Errorf("raw reference: nothing measured (%v)", cpu.failure)
	}
	for pid, used := range cpu.ended.backends {
		f.postgres += used - cpu.begun.backends[pid]
	}
	self := cpu.ended.self - cpu.begun.self
	busy := cpu.ended.machineBusy - cpu.begun.machineBusy
	f.otherPercent = (busy - f.postgres - self) / cpu.ended.at.Sub(cpu.begun.at).Seconds() * 100
	f.postgres /= float64(inserted)
	f.client = self / float64(inserted)
	return f, nil
}

func (f rawFigures) section() section {
	return section{title: "Raw-insert reference, right after this run (per inspection)", rows: [][2]string{
		{"what", "the inspection, its events, 32 per-mutation result rows, the counter bump and the change; one pgx batch per transaction"},
		{"connections", fmt.Sprint(f.workers)},
		{"inspections/s", fmt.Sprintf("%.1f (%d in %s)", float64(f.inserted)/f.duration.Seconds(), f.inserted, f.duration)},
		{"PostgreSQL backends", fmt.Sprintf("%.2f ms", f.postgres*1000)},
		{"inserting client (this tool)", fmt.Sprintf("%.2f ms", f.client*1000)},
		{"reference CPU", fmt.Sprintf("%.2f ms", f.total()*1000)},
		{"everything else on the machine", fmt.Sprintf("%.0f%% of one core", f.otherPercent)},
	}}
}

// roundFigures are one round's headline figures for the summary.
type roundFigures struct {
	round            int
	rate             float64
	p99              time.Duration
	server, postgres float64 // CPU seconds per unit
	measured         bool
	raw              rawFigures
}

// printSummary ends a run of rounds: CPU per unit of work of the server
// and PostgreSQL, and its ratio to the reference measured right after.
func printSummary(w io.Writer, m machineFacts, opts options, rounds []roundFigures) {
	fmt.Fprintf(w, "\n## Summary: %d round(s), %s\n\n", len(rounds), m.cpu)
	fmt.Fprintf(w, "%d replica(s), %d devices, %s; CPU per %s\n\n", opts.replicas, opts.devices, modeOf(opts), unitOf(opts))
	withRaw := opts.reference && opts.scenario == "push"
	if withRaw {
		fmt.Fprintln(w, "| round | rate/s | p99 | server | PostgreSQL | server + PostgreSQL | raw inspections/s | raw PostgreSQL + client | ratio to raw |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	} else {
		fmt.Fprintln(w, "| round | rate/s | p99 | server | PostgreSQL | server + PostgreSQL |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
	}
	for _, r := range rounds {
		cpu := func(s float64) string {
			if !r.measured {
				return "-"
			}
			return fmt.Sprintf("%.2f ms", s*1000)
		}
		fmt.Fprintf(w, "| %d | %.1f | %s | %s | %s | %s |", r.round, r.rate, ms(r.p99), cpu(r.server), cpu(r.postgres), cpu(r.server+r.postgres))
		if withRaw {
			ratio := "-"
			if r.measured && r.raw.total() > 0 {
				ratio = fmt.Sprintf("%.2f", (r.server+r.postgres)/r.raw.total())
			}
			fmt.Fprintf(w, " %.1f | %.2f ms | %s |", float64(r.raw.inserted)/r.raw.duration.Seconds(), r.raw.total()*1000, ratio)
		}
		fmt.Fprintln(w)
	}
}

func modeOf(opts options) string {
	if opts.scenario == "day" {
		return "day scenario"
	}
	if opts.rate > 0 {
		return fmt.Sprintf("paced at %g/s", opts.rate)
	}
	return "closed loop"
}

func unitOf(opts options) string {
	if opts.scenario == "day" {
		return "day loop"
	}
	return "submitted inspection"
}

// machineFacts say what the figures were measured on.
type machineFacts struct {
	cpu      string // model, cores
	postgres string
}

func describeMachine(ctx context.Context, admin *sql.DB) machineFacts {
	m := machineFacts{cpu: "CPU unknown (no /proc/cpuinfo)"}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		model, cores := "", 0
		for line := range strings.SplitSeq(string(raw), "\n") {
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(name) {
			case "model name":
				model = strings.TrimSpace(value)
			case "processor":
				cores++
			}
		}
		m.cpu = fmt.Sprintf("%s, %d cores", model, cores)
	}
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&m.postgres); err != nil {
		m.postgres = "unknown"
	}
	return m
}

// section describes the machine as the round begins: other work on it
// moves every figure but the ratios.
func (m machineFacts) section(round int, opts options) section {
	load := "unknown"
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(raw))[:3], " ")
	}
	var info syscall.Utsname
	kernel := ""
	if syscall.Uname(&info) == nil {
		kernel = utsString(info.Release[:])
	}
	return section{title: "Machine", rows: [][2]string{
		{"CPU", m.cpu},
		{"load average (1, 5, 15 min) at the end of the round", load},
		{"round", fmt.Sprintf("%d of %d", round, opts.rounds)},
		{"server replicas", fmt.Sprint(opts.replicas)},
		{"PostgreSQL", m.postgres},
		{"load tool", runtime.Version() + ", Linux " + kernel},
	}}
}

func utsString(field []int8) string {
	var b strings.Builder
	for _, c := range field {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}
