package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// A p99 says how slow the tail is, not when or why. The slowest seconds
// of the window, beside what the database ran in them besides the pushes
// (the statistics job's ANALYZE, a checkpoint), tell a tail that follows
// background work from one spread over the run.

// slowSecond is one second of the measured window, by the pushes started
// in it.
type slowSecond struct {
	index    int // whole seconds after the window opened
	pushes   int
	p99, max time.Duration
}

// slowestSeconds are when the window opened and its slowest seconds.
func (r *report) slowestSeconds() (time.Time, []slowSecond) { return r.measureFrom, r.slowest }

// slowestSeconds are the n seconds of the window whose slowest push was
// slowest, slowest first.
func slowestSeconds(from time.Time, starts []time.Time, latencies []time.Duration, n int) []slowSecond {
	bySecond := map[int][]time.Duration{}
	for i, start := range starts {
		second := int(start.Sub(from) / time.Second)
		bySecond[second] = append(bySecond[second], latencies[i])
	}
	out := make([]slowSecond, 0, len(bySecond))
	for second, latencies := range bySecond {
		sorted := sortedCopy(latencies)
		out = append(out, slowSecond{index: second, pushes: len(sorted), p99: quantile(sorted, 0.99), max: sorted[len(sorted)-1]})
	}
	slices.SortFunc(out, func(a, b slowSecond) int {
		return cmp.Or(cmp.Compare(b.max, a.max), cmp.Compare(a.index, b.index))
	})
	return out[:min(n, len(out))]
}

// slowestSection lists the slowest seconds and, for each, the background
// work the sampler saw from one second before it to its end (a push
// started in a second waits for what began just before).
func (a *activitySampler) slowestSection(from time.Time, slowest []slowSecond) section {
	out := section{title: "The slowest seconds of the window (pushes started in each; what the database ran besides, " +
		"from the second before)"}
	if len(slowest) == 0 {
		out.rows = append(out.rows, [2]string{"not measured", "no push in the window"})
		return out
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range slowest {
		begin, end := from.Add(time.Duration(s.index-1)*time.Second), from.Add(time.Duration(s.index+1)*time.Second)
		samples := 0
		for _, at := range a.sampledAt {
			if !at.Before(begin) && at.Before(end) {
				samples++
			}
		}
		seen := map[string]int{}
		for _, b := range a.background {
			if !b.at.Before(begin) && b.at.Before(end) {
				seen[b.what]++
			}
		}
		besides := "nothing else"
		if len(seen) > 0 {
			var parts []string
			for _, what := range slices.Sorted(maps.Keys(seen)) {
				parts = append(parts, fmt.Sprintf("`%s` in %d", strings.ReplaceAll(what, "|", "/"), seen[what]))
			}
			besides = strings.Join(parts, ", ")
		}
		out.rows = append(out.rows, [2]string{fmt.Sprintf("second %d", s.index),
			fmt.Sprintf("%d pushes, p99 %s, max %s; of %d samples: %s", s.pushes, ms(s.p99), ms(s.max), samples, besides)})
	}
	return out
}
