package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// recorder collects push outcomes. Pushes that start inside the measured
// window give the latencies (stragglers that end after it included, or the
// tail would be cut off); inspections that complete inside it give the
// rate.
type recorder struct {
	measureFrom, measureTo time.Time

	mu          sync.Mutex
	latencies   []time.Duration // pushes started in the window
	starts      []time.Time     // when each of them started
	inspections int             // applied inside the window
	failed      int             // failed pushes started in the window
	errors      map[string]int  // every failure, warm-up included
	total       int             // applied inspections, warm-up included
	meter       rateMeter
	pacing      *pacing  // with --rate; nil: closed loop
	acked       []string // inspections every mutation of which was applied, when watched (--check)
	watched     bool
}

// acknowledge notes an inspection the server answered as wholly applied,
// for the consistency check.
func (r *recorder) acknowledge(a attempt) {
	if a.outcome != "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watched {
		r.acked = append(r.acked, a.inspection)
	}
}

// pacing is what a paced load records besides push latency: how late each
// start began, and the time from when it was due to its answer (lag,
// declaration and push: what a guard working to the schedule sees), so
// that an overloaded server cannot hide behind starts that were never sent
// on time. Both are kept for starts begun inside the measured window,
// whenever they were due: an overloaded fleet is still working through
// the warm-up's starts when the window opens.
type pacing struct {
	schedule     schedule
	lags         []time.Duration
	busyLags     []time.Duration // the part of each lag the device waited for its last answer
	toolLags     []time.Duration // the part of each lag the tool itself began late
	fromSchedule []time.Duration
	late         int           // starts begun more than one period late
	unstarted    int           // due in the window, never begun: the device was still behind when it closed
	recentLag    time.Duration // the largest lag since the last progress line, warm-up included
}

func (r *recorder) record(start time.Time, latency time.Duration, outcome string) {
	end := start.Add(latency)
	r.mu.Lock()
	defer r.mu.Unlock()
	if outcome != "" {
		r.errors[outcome]++
	} else {
		r.total++
	}
	if !start.Before(r.measureFrom) && start.Before(r.measureTo) {
		r.latencies = append(r.latencies, latency)
		r.starts = append(r.starts, start)
		if outcome != "" {
			r.failed++
		}
	}
	if outcome == "" && !end.Before(r.measureFrom) && end.Before(r.measureTo) {
		r.inspections++
	}
}

// recordSchedule adds one paced start: when it was due, when the device
// meant to begin it (due, or when it was free if later), when it began,
// and when its inspection was answered.
func (r *recorder) recordSchedule(due, at, begun, answered time.Time) {
	behind := lag(due, begun)
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pacing
	p.recentLag = max(p.recentLag, behind)
	if begun.Before(r.measureFrom) || !begun.Before(r.measureTo) {
		return
	}
	p.lags = append(p.lags, behind)
	p.busyLags = append(p.busyLags, busyLag(due, at))
	p.toolLags = append(p.toolLags, toolLag(at, begun))
	p.fromSchedule = append(p.fromSchedule, answered.Sub(due))
	if behind > p.schedule.period() {
		p.late++
	}
}

// recordUnstarted adds starts due in the window that a device never began.
func (r *recorder) recordUnstarted(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pacing.unstarted += n
}

// progressLine is the once-a-second view: the rate over the last second,
// the p99 of the window so far, and the failures; paced, the offered rate
// too and the largest schedule lag of the last second, which grows when
// the server falls behind.
func (r *recorder) progressLine(elapsed time.Duration) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	rate := r.meter.rate(r.total, now)
	phase := phaseAt(now, r.measureFrom, r.measureTo)
	failures := total(r.errors)
	p99 := "-"
	if len(r.latencies) > 0 {
		p99 = ms(quantile(sortedCopy(r.latencies), 0.99))
	}
	if p := r.pacing; p != nil {
		recent := p.recentLag
		p.recentLag = 0
		return fmt.Sprintf("%5.0fs %-7s offered %6.1f/s  achieved %6.1f inspections/s  %7d submitted  p99 %8s  lag max %8s  errors %d",
			elapsed.Seconds(), phase, p.schedule.rate, rate, r.total, p99, ms(recent), failures)
	}
	return fmt.Sprintf("%5.0fs %-7s %6.0f inspections/s  %7d submitted  p99 %8s  errors %d",
		elapsed.Seconds(), phase, rate, r.total, p99, failures)
}

// report is what a run measured.
type report struct {
	devices, guards, answers int
	mutations                int // per push
	warmup, duration         time.Duration
	inspectionsPerSecond     float64
	inspections, total       int
	pushes, failed           int
	p50, p95, p99, max       time.Duration
	errors                   map[string]int
	paced                    *pacedFigures // nil: closed loop
	measureFrom              time.Time
	slowest                  []slowSecond // the window's slowest seconds, slowest first
	sections                 []section    // added by observers: CPU, database
}

// pacedFigures are what a paced load adds to the report: figures of the
// starts begun inside the measured window, and the count of those due in
// it that never began.
type pacedFigures struct {
	rate             float64 // offered, inspections per second
	period           time.Duration
	fromP50, fromP99 time.Duration // due → answered
	lagP99, lagMax   time.Duration
	busyLagP99       time.Duration // of the part waiting for the device's last answer
	toolLagP99       time.Duration // of the part the tool began late by itself
	toolLagMax       time.Duration
	begun            int
	late             int // begun more than one period late
	unstarted        int
}

// section is a titled table of extra figures.
type section struct {
	title string
	rows  [][2]string
}

func (r *recorder) report(opts options, answers, mutations int) *report {
	r.mu.Lock()
	defer r.mu.Unlock()
	sorted := sortedCopy(r.latencies)
	out := &report{devices: opts.devices, guards: (opts.devices + opts.devicesPerGuard - 1) / opts.devicesPerGuard,
		answers: answers, mutations: mutations, warmup: opts.warmup, duration: r.measureTo.Sub(r.measureFrom), inspections: r.inspections,
		total: r.total, pushes: len(sorted), failed: r.failed, errors: r.errors}
	out.inspectionsPerSecond = float64(r.inspections) / out.duration.Seconds()
	out.measureFrom, out.slowest = r.measureFrom, slowestSeconds(r.measureFrom, r.starts, r.latencies, 5)
	if len(sorted) > 0 {
		out.p50, out.p95, out.p99 = quantile(sorted, 0.50), quantile(sorted, 0.95), quantile(sorted, 0.99)
		out.max = sorted[len(sorted)-1]
	}
	if r.pacing != nil {
		out.paced = r.pacing.figures()
	}
	return out
}

func (p *pacing) figures() *pacedFigures {
	out := &pacedFigures{rate: p.schedule.rate, period: p.schedule.period(), begun: len(p.lags),
		late: p.late, unstarted: p.unstarted}
	if len(p.lags) > 0 {
		lags, fromSchedule := sortedCopy(p.lags), sortedCopy(p.fromSchedule)
		out.fromP50, out.fromP99 = quantile(fromSchedule, 0.50), quantile(fromSchedule, 0.99)
		out.lagP99, out.lagMax = quantile(lags, 0.99), lags[len(lags)-1]
		busy, tool := sortedCopy(p.busyLags), sortedCopy(p.toolLags)
		out.busyLagP99 = quantile(busy, 0.99)
		out.toolLagP99, out.toolLagMax = quantile(tool, 0.99), tool[len(tool)-1]
	}
	return out
}

// writeErrorsAndSections ends a report: the failures counted by kind
// (warm-up included), then the observers' sections.
func writeErrorsAndSections(w io.Writer, by string, errors map[string]int, sections []section) {
	fmt.Fprintf(w, "\nerrors by %s (warm-up included):", by)
	if len(errors) == 0 {
		fmt.Fprintf(w, " none")
	}
	fmt.Fprintln(w)
	for _, k := range slices.Sorted(maps.Keys(errors)) {
		fmt.Fprintf(w, "- %s: %d\n", k, errors[k])
	}
	for _, s := range sections {
		fmt.Fprintf(w, "\n### %s\n\n| figure | value |\n|---|---|\n", s.title)
		for _, row := range s.rows {
			fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
		}
	}
}

// sortedCopy is a sorted copy, for quantiles.
func sortedCopy(latencies []time.Duration) []time.Duration {
	out := slices.Clone(latencies)
	slices.Sort(out)
	return out
}

// quantile of sorted latencies, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r *report) addSections(s ...section) { r.sections = append(r.sections, s...) }

// units: CPU is reported per inspection submitted in the window, database
// work per inspection submitted in all.
func (r *report) units() (measured, all int, unit string) {
	return r.inspections, r.total, "submitted inspection"
}

func (r *report) headline() (float64, time.Duration) { return r.inspectionsPerSecond, r.p99 }

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\n## Push ingest: %d devices (%d guards), %d answers per inspection, %d mutations per push\n\n",
		r.devices, r.guards, r.answers, r.mutations)
	fmt.Fprintf(w, "| figure | value |\n|---|---|\n")
	rows := [][2]string{
		{"mode", r.paced.mode()},
		{"offered inspections/s", r.paced.offered()},
		{"measured window", fmt.Sprintf("%s after %s warm-up", r.duration.Round(time.Millisecond), r.warmup)},
		{"inspections/s achieved", fmt.Sprintf("%.1f", r.inspectionsPerSecond)},
		{"inspections submitted in the window", fmt.Sprint(r.inspections)},
		{"inspections submitted in all", fmt.Sprint(r.total)},
		{"pushes started in the window", fmt.Sprintf("%d (%d failed)", r.pushes, r.failed)},
		{"push latency p50", ms(r.p50)},
		{"push latency p95", ms(r.p95)},
		{"push latency p99", ms(r.p99)},
		{"push latency max", ms(r.max)},
	}
	rows = append(rows, r.paced.rows()...)
	for _, row := range rows {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
	writeErrorsAndSections(w, "status", r.errors, r.sections)
}

// mode says how devices started their inspections; nil is the closed loop.
func (p *pacedFigures) mode() string {
	if p == nil {
		return "closed loop: each device starts its next inspection when the last is answered"
	}
	return fmt.Sprintf("paced at %s/s: each device starts an inspection every %s, at most one in flight",
		strconv.FormatFloat(p.rate, 'f', -1, 64), p.period.Round(time.Microsecond))
}

func (p *pacedFigures) offered() string {
	if p == nil {
		return "none: as many as the answers allow"
	}
	return strconv.FormatFloat(p.rate, 'f', 1, 64)
}

// rows are the figures only a schedule has: push latency alone would
// hide a server that answers fast but too rarely.
func (p *pacedFigures) rows() [][2]string {
	if p == nil {
		return nil
	}
	figure := func(d time.Duration) string {
		if p.begun == 0 {
			return "- (no start began in the window)"
		}
		return ms(d)
	}
	return [][2]string{
		{"latency from the scheduled start p50 (lag + declaration + push)", figure(p.fromP50)},
		{"latency from the scheduled start p99", figure(p.fromP99)},
		{"schedule lag p99", figure(p.lagP99)},
		{"schedule lag max", figure(p.lagMax)},
		{"schedule lag p99, waiting for the device's last answer (the server)", figure(p.busyLagP99)},
		{"schedule lag p99, the tool beginning late by itself", figure(p.toolLagP99)},
		{"schedule lag max, the tool beginning late by itself", figure(p.toolLagMax)},
		{fmt.Sprintf("starts late by more than one period (%s)", p.period.Round(time.Microsecond)),
			fmt.Sprintf("%d of %d begun in the window", p.late, p.begun)},
		{"starts due in the window never begun (device still behind when it closed)", fmt.Sprint(p.unstarted)},
	}
}
