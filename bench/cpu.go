package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times; 100 on every Linux
// this runs on.
const clockTicks = 100

// cpuObserver splits the machine's CPU time over the measured window
// between the server, the PostgreSQL backends serving the bench database,
// the load generator itself, and everything else (other work on the
// machine, PostgreSQL's WAL writer and checkpointer). Linux only: where
// /proc is missing, the section says so.
type cpuObserver struct {
	serverPIDs []int // every replica
	admin      *sql.DB
	database   string

	begun, ended cpuSample
	failure      error
}

// cpuSample is CPU seconds used so far, by consumer.
type cpuSample struct {
	at                   time.Time
	server, self         float64
	backends             map[int]float64 // by pid
	machineBusy, machine float64         // all cores: busy and total
}

func (o *cpuObserver) begin(ctx context.Context) { o.begun = o.sample(ctx) }
func (o *cpuObserver) end(ctx context.Context)   { o.ended = o.sample(ctx) }

func (o *cpuObserver) sample(ctx context.Context) cpuSample {
	s := cpuSample{at: time.Now(), backends: map[int]float64{}}
	var err error
	for _, pid := range o.serverPIDs {
		used, err := processCPU(pid)
		if err != nil {
			o.failure = err
		}
		s.server += used
	}
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) == nil {
		s.self = seconds(usage.Utime) + seconds(usage.Stime)
	}
	rows, err := o.admin.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = $1", o.database)
	if err != nil {
		o.failure = err
	} else {
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				if used, err := processCPU(pid); err == nil {
					s.backends[pid] = used
				}
			}
		}
		rows.Close()
	}
	if s.machineBusy, s.machine, err = machineCPU(); err != nil {
		o.failure = err
	}
	return s
}

// section reports CPU per unit of work (a submitted inspection, a day's
// loop) done in the window.
func (o *cpuObserver) section(done int, unit string) section {
	out := section{title: "Where the CPU goes (measured window, per " + unit + ")"}
	if o.begun.at.IsZero() || o.ended.at.IsZero() || o.failure != nil || done == 0 {
		out.rows = append(out.rows, [2]string{"not measured", fmt.Sprint(o.failure)})
		return out
	}
	backends := 0.0
	for pid, used := range o.ended.backends {
		backends += used - o.begun.backends[pid] // a backend born in the window counts from zero
	}
	wall := o.ended.at.Sub(o.begun.at).Seconds()
	server, self := o.ended.server-o.begun.server, o.ended.self-o.begun.self
	busy, total := o.ended.machineBusy-o.begun.machineBusy, o.ended.machine-o.begun.machine
	other := busy - server - self - backends
	n := float64(done)
	per := func(cpu float64) string {
		return fmt.Sprintf("%.2f ms (%.0f%% of one core)", cpu/n*1000, cpu/wall*100)
	}
	out.rows = [][2]string{
		{"patrolsync server", per(server)},
		{"PostgreSQL backends of the bench database", per(backends)},
		{"bench load generator", per(self)},
		{"everything else on the machine", per(other)},
		{"idle", per(total - busy)},
		{"cores", fmt.Sprintf("%.1f (busy %.0f%%)", total/wall, busy/total*100)},
	}
	return out
}

// perUnit is the CPU seconds per unit of work (done in the window) of the
// servers and of the database backends; measured is false when the window
// was not measured.
func (o *cpuObserver) perUnit(done int) (server, backends float64, measured bool) {
	if o.begun.at.IsZero() || o.ended.at.IsZero() || o.failure != nil || done == 0 {
		return 0, 0, false
	}
	for pid, used := range o.ended.backends {
		backends += used - o.begun.backends[pid]
	}
	return (o.ended.server - o.begun.server) / float64(done), backends / float64(done), true
}

// processCPU is the user plus system CPU seconds of a process so far.
func processCPU(pid int) (float64, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unreadable CPU times", pid)
	}
	return (utime + stime) / clockTicks, nil
}

// machineCPU is busy and total CPU seconds of all cores so far.
func machineCPU() (busy, total float64, err error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, f := range fields[1:9] {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		total += v
		if i != 3 && i != 4 { // idle and iowait
			busy += v
		}
	}
	return busy / clockTicks, total / clockTicks, nil
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
