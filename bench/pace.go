package main

import (
	"context"
	"time"
)

// With --rate the push scenario is an open load: the fleet starts
// inspections on a fixed schedule whatever the server answers, so that
// latency is measured at a given throughput. A closed loop cannot do that:
// every device starts its next inspection when the last one is answered,
// so by Little's law its mean cycle is devices / throughput (200 / 500 =
// 400 ms) however fast the server is.

// schedule is when the devices of a paced fleet start their inspections.
// The fleet's n-th start is due n/rate seconds after t0 and device i makes
// starts i, i+devices, i+2·devices...: every device starts once a period
// (devices/rate), and the offsets i/rate spread the fleet evenly over one
// period instead of firing in lockstep.
type schedule struct {
	t0      time.Time
	rate    float64 // inspections per second offered by the whole fleet
	devices int
}

// never stands for a start due after any run: a rate far below one start
// per device and run would overflow a Duration.
const never = 24 * time.Hour

// due is when device i's k-th inspection (from 0) should start.
func (s schedule) due(i, k int) time.Time {
	seconds := (float64(k)*float64(s.devices) + float64(i)) / s.rate
	if seconds > never.Seconds() {
		return s.t0.Add(never)
	}
	return s.t0.Add(time.Duration(seconds * float64(time.Second)))
}

// period is the time between two starts of one device.
func (s schedule) period() time.Duration {
	return time.Duration(min(float64(s.devices)/s.rate, never.Seconds()) * float64(time.Second))
}

// unstarted counts device i's starts from its k-th on that are due inside
// [from, to): the ones a device still behind when the window closes never
// begins. They are reported, not silently dropped.
func (s schedule) unstarted(i, k int, from, to time.Time) int {
	n := 0
	for ; s.due(i, k).Before(to); k++ {
		if !s.due(i, k).Before(from) {
			n++
		}
	}
	return n
}

// startAt is when a device starts an inspection due at due once it is free
// (its last inspection answered and any back-off over): on time, or at
// once when behind. A late start is never skipped: a phone that fell
// behind still sends what its guard filled in.
func startAt(due, free time.Time) time.Time {
	if free.After(due) {
		return free
	}
	return due
}

// lag is how far behind schedule a start began.
func lag(due, begun time.Time) time.Duration {
	return max(begun.Sub(due), 0)
}

// A start's lag has two causes, told apart because they have different
// culprits: the device was still waiting for its last answer when the
// start came due (the server's latency: a push slower than the period
// delays the next), or the tool itself began later than it meant to (its
// timer fired late or its goroutine waited for a CPU, on a machine the
// tool shares with the server). busyLag and toolLag split lag(due, begun)
// into those two parts; they add up to it.

// busyLag is the part of the lag spent waiting for the device to be free.
func busyLag(due, at time.Time) time.Duration { return lag(due, at) }

// toolLag is how much later than it meant to (at) the tool began.
func toolLag(at, begun time.Time) time.Duration { return lag(at, begun) }

// runPacedDevice starts device i's inspections on the schedule until the
// measured window closes, one at a time as a phone does. The back-off after
// a failure delays the next start like a slow answer does, and shows as
// lag.
func runPacedDevice(ctx context.Context, client *api, d device, i int, p *plan, rec *recorder) {
	s := rec.pacing.schedule
	var free time.Time
	var buffers pushBuffers
	defer buffers.close()
	for k := 0; ctx.Err() == nil; k++ {
		due := s.due(i, k)
		at := startAt(due, free)
		if !due.Before(rec.measureTo) || !sleepUntil(ctx, at) {
			return
		}
		begun := time.Now()
		if !begun.Before(rec.measureTo) {
			rec.recordUnstarted(s.unstarted(i, k, rec.measureFrom, rec.measureTo))
			return
		}
		a := sendInspection(ctx, client, d.token, p, &buffers)
		rec.record(a.pushed, a.latency, a.outcome)
		rec.acknowledge(a)
		rec.recordSchedule(due, at, begun, a.answered())
		free = a.answered().Add(backOff(a))
	}
}

// sleepUntil waits for t, and says false when the run was cancelled first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
