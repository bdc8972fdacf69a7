package main

import "time"

// phaseAt names where now falls in a run: before the measured window,
// inside it, or after it while stragglers drain.
func phaseAt(now, measureFrom, measureTo time.Time) string {
	switch {
	case now.Before(measureFrom):
		return "warm-up"
	case !now.Before(measureTo):
		return "drain"
	}
	return "measure"
}

// rateMeter turns a running count into a per-second rate since the last
// reading, for the once-a-second progress line.
type rateMeter struct {
	lastCount int
	lastAt    time.Time
}

func (m *rateMeter) rate(count int, now time.Time) float64 {
	rate := 0.0
	if !m.lastAt.IsZero() {
		rate = float64(count-m.lastCount) / now.Sub(m.lastAt).Seconds()
	}
	m.lastCount, m.lastAt = count, now
	return rate
}

// total adds up counts, such as errors by status.
func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
