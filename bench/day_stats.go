package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Endpoints of the day scenario, in the order of the report.
var dayEndpoints = []string{"login", "pull (full)", "pull (incremental)", "push (scans)", "push (inspection)",
	"media declare", "upload PUT", "media complete"}

// dayRecorder collects every request of the day scenario by endpoint.
// Latencies are of every request of the run, warm-up included: the
// sign-ins and full pulls happen at the start of the shift, and leaving
// them out would leave those endpoints empty. Rates count what completes
// inside the measured window.
type dayRecorder struct {
	measureFrom, measureTo time.Time

	mu        sync.Mutex
	endpoints map[string]*endpointStats
	errors    map[string]int // "endpoint: outcome"
	requests  int
	// Work done, in all and completed inside the window.
	loops, loopsInWindow             int
	rounds, roundsInWindow           int
	inspections, inspectionsInWindow int
	media, mediaInWindow             int
	skippedRounds                    int
	devicesUp                        int
	meter                            rateMeter
}

type endpointStats struct {
	latencies []time.Duration
	inWindow  int // answered inside the window
	failed    int
}

func newDayRecorder(from, to time.Time) *dayRecorder {
	r := &dayRecorder{measureFrom: from, measureTo: to, endpoints: map[string]*endpointStats{}, errors: map[string]int{}}
	for _, e := range dayEndpoints {
		r.endpoints[e] = &endpointStats{}
	}
	return r
}

func (r *dayRecorder) inWindow(t time.Time) bool {
	return !t.Before(r.measureFrom) && t.Before(r.measureTo)
}

// request records one answered (or failed) request; outcome "" is success.
func (r *dayRecorder) request(endpoint string, start time.Time, latency time.Duration, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	s := r.endpoints[endpoint]
	s.latencies = append(s.latencies, latency)
	if r.inWindow(start.Add(latency)) {
		s.inWindow++
	}
	if outcome != "" {
		s.failed++
		r.errors[endpoint+": "+outcome]++
	}
}

// sent is how many requests were recorded so far (--max-requests).
func (r *dayRecorder) sent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// done counts a unit of work finished at end: "loop", "round",
// "inspection", "media" or "skipped round".
func (r *dayRecorder) done(what string, end time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := 0
	if r.inWindow(end) {
		in = 1
	}
	switch what {
	case "loop":
		r.loops, r.loopsInWindow = r.loops+1, r.loopsInWindow+in
	case "round":
		r.rounds, r.roundsInWindow = r.rounds+1, r.roundsInWindow+in
	case "inspection":
		r.inspections, r.inspectionsInWindow = r.inspections+1, r.inspectionsInWindow+in
	case "media":
		r.media, r.mediaInWindow = r.media+1, r.mediaInWindow+in
	case "skipped round":
		r.skippedRounds++
	case "device up":
		r.devicesUp++
	}
}

func (r *dayRecorder) progressLine(elapsed time.Duration) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	rate := r.meter.rate(r.requests, now)
	phase := phaseAt(now, r.measureFrom, r.measureTo)
	failures := total(r.errors)
	return fmt.Sprintf("%5.0fs %-7s %6.0f requests/s  devices up %4d  loops %6d  rounds %6d  inspections %6d  media %6d  errors %d",
		elapsed.Seconds(), phase, rate, r.devicesUp, r.loops, r.rounds, r.inspections, r.media, failures)
}

// dayReport is what a day run measured.
type dayReport struct {
	devices, guards, photos int
	think, warmup, duration time.Duration
	rec                     *dayRecorder
	sections                []section
}

func (r *dayReport) addSections(s ...section) { r.sections = append(r.sections, s...) }

func (r *dayReport) units() (measured, all int, unit string) {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	return r.rec.loopsInWindow, r.rec.loops, "day loop (round, inspection with media, pull)"
}

func (r *dayReport) headline() (float64, time.Duration) {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	return float64(r.rec.loopsInWindow) / r.duration.Seconds(), 0
}

func (r *dayReport) print(w io.Writer) {
	rec := r.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	seconds := r.duration.Seconds()
	perSecond := func(n int) string { return fmt.Sprintf("%.1f/s (%d)", float64(n)/seconds, n) }
	fmt.Fprintf(w, "\n## Day: %d devices (%d guards), %d photos and a signature per inspection, think time %s\n\n",
		r.devices, r.guards, r.photos, r.think)
	fmt.Fprintf(w, "| figure | value |\n|---|---|\n")
	for _, row := range [][2]string{
		{"measured window", fmt.Sprintf("%s after %s warm-up", r.duration.Round(time.Millisecond), r.warmup)},
		{"loops completed in the window", perSecond(rec.loopsInWindow)},
		{"rounds walked (scans pushed) in the window", perSecond(rec.roundsInWindow)},
		{"inspections submitted in the window", perSecond(rec.inspectionsInWindow)},
		{"media stored in the window", perSecond(rec.mediaInWindow)},
		{"requests in all (warm-up and drain included)", fmt.Sprint(rec.requests)},
		{"round steps skipped: no round materialised", fmt.Sprint(rec.skippedRounds)},
	} {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
	fmt.Fprintf(w, "\n| endpoint | requests (all) | answered in the window | p50 | p95 | p99 | max | failed |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
	for _, name := range dayEndpoints {
		s := rec.endpoints[name]
		if len(s.latencies) == 0 {
			fmt.Fprintf(w, "| %s | 0 | - | - | - | - | - | - |\n", name)
			continue
		}
		sorted := sortedCopy(s.latencies)
		fmt.Fprintf(w, "| %s | %d | %.1f/s | %s | %s | %s | %s | %d |\n", name, len(sorted), float64(s.inWindow)/seconds,
			ms(quantile(sorted, 0.50)), ms(quantile(sorted, 0.95)), ms(quantile(sorted, 0.99)), ms(sorted[len(sorted)-1]), s.failed)
	}
	writeErrorsAndSections(w, "endpoint and status", rec.errors, r.sections)
}
