package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
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
	inspections int             // applied inside the window
	failed      int             // failed pushes started in the window
	errors      map[string]int  // every failure, warm-up included
	total       int             // applied inspections, warm-up included
	meter       rateMeter
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
		if outcome != "" {
			r.failed++
		}
	}
	if outcome == "" && !end.Before(r.measureFrom) && end.Before(r.measureTo) {
		r.inspections++
	}
}

// progressLine is the once-a-second view: the rate over the last second,
// the p99 of the window so far, and the failures.
func (r *recorder) progressLine(elapsed time.Duration) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	rate := r.meter.rate(r.total, now)
	phase := phaseAt(now, r.measureFrom, r.measureTo)
	failures := total(r.errors)
	p99 := "-"
	if len(r.latencies) > 0 {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		p99 = ms(quantile(sorted, 0.99))
	}
	return fmt.Sprintf("%5.0fs %-7s %6.0f inspections/s  %7d submitted  p99 %8s  errors %d",
		elapsed.Seconds(), phase, rate, r.total, p99, failures)
}

// report is what a run measured.
type report struct {
	devices, guards, answers int
	warmup, duration         time.Duration
	inspectionsPerSecond     float64
	inspections, total       int
	pushes, failed           int
	p50, p95, p99, max       time.Duration
	errors                   map[string]int
	sections                 []section // added by observers: CPU, database
}

// section is a titled table of extra figures.
type section struct {
	title string
	rows  [][2]string
}

func (r *recorder) report(opts options, answers int) *report {
	r.mu.Lock()
	defer r.mu.Unlock()
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	out := &report{devices: opts.devices, guards: (opts.devices + opts.devicesPerGuard - 1) / opts.devicesPerGuard,
		answers: answers, warmup: opts.warmup, duration: r.measureTo.Sub(r.measureFrom), inspections: r.inspections,
		total: r.total, pushes: len(sorted), failed: r.failed, errors: r.errors}
	out.inspectionsPerSecond = float64(r.inspections) / out.duration.Seconds()
	if len(sorted) > 0 {
		out.p50, out.p95, out.p99 = quantile(sorted, 0.50), quantile(sorted, 0.95), quantile(sorted, 0.99)
		out.max = sorted[len(sorted)-1]
	}
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

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\n## Push ingest: %d devices (%d guards), %d answers per inspection, %d mutations per push\n\n",
		r.devices, r.guards, r.answers, r.answers+2)
	fmt.Fprintf(w, "| figure | value |\n|---|---|\n")
	rows := [][2]string{
		{"measured window", fmt.Sprintf("%s after %s warm-up", r.duration.Round(time.Millisecond), r.warmup)},
		{"inspections/s sustained", fmt.Sprintf("%.1f", r.inspectionsPerSecond)},
		{"inspections submitted in the window", fmt.Sprint(r.inspections)},
		{"inspections submitted in all", fmt.Sprint(r.total)},
		{"pushes started in the window", fmt.Sprintf("%d (%d failed)", r.pushes, r.failed)},
		{"push latency p50", ms(r.p50)},
		{"push latency p95", ms(r.p95)},
		{"push latency p99", ms(r.p99)},
		{"push latency max", ms(r.max)},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
	keys := make([]string, 0, len(r.errors))
	for k := range r.errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "\nerrors by status (warm-up included):")
	if len(keys) == 0 {
		fmt.Fprintf(w, " none")
	}
	fmt.Fprintln(w)
	for _, k := range keys {
		fmt.Fprintf(w, "- %s: %d\n", k, r.errors[k])
	}
	for _, s := range r.sections {
		fmt.Fprintf(w, "\n### %s\n\n| figure | value |\n|---|---|\n", s.title)
		for _, row := range s.rows {
			fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
		}
	}
}
