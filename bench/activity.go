package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// activitySampler is a poor man's statement profiler: during the measured
// window it reads pg_stat_activity of the bench database every 20 ms and
// counts what each backend was doing (which statement, waiting on what).
// pg_stat_statements would be exact, but it has to be preloaded into the
// PostgreSQL server, which is shared.
type activitySampler struct {
	admin    *sql.DB
	database string

	stopped chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	samples int
	counts  map[string]int
	// For the slowest seconds (tail.go): when each sample was taken, and
	// the work in it that no push asked for (ANALYZE, a checkpoint).
	sampledAt  []time.Time
	background []backgroundWork
	// seen is each statement text's shortQuery and isBackground: the
	// backends run the same few statements, sample after sample, and two
	// regular expressions over each of them 50 times a second were a
	// cost of the tool's per second of load.
	seen map[string]statement
}

// statement is what the sampler makes of a statement's text.
type statement struct {
	short      string
	background bool
}

// maxStatements bounds activitySampler.seen; texts past it are made anew.
const maxStatements = 10_000

// statement is query's shortQuery and isBackground.
func (a *activitySampler) statement(query string) statement {
	if s, ok := a.seen[query]; ok {
		return s
	}
	s := statement{short: shortQuery(query), background: isBackground(query)}
	if a.seen == nil {
		a.seen = map[string]statement{}
	}
	if len(a.seen) < maxStatements {
		a.seen[query] = s
	}
	return s
}

// backgroundWork is one sample's sighting of work beside the pushes.
type backgroundWork struct {
	at   time.Time
	what string
}

func (a *activitySampler) begin(ctx context.Context) {
	a.stopped, a.counts = make(chan struct{}), map[string]int{}
	a.wg.Go(func() {
		// One connection for every sample, rather than one taken from the
		// pool and reset (a ping each second) 50 times a second.
		var q querier = a.admin
		if conn, err := a.admin.Conn(ctx); err == nil {
			defer conn.Close()
			q = conn
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-a.stopped:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				a.sample(ctx, q)
			}
		}
	})
}

// querier is a *sql.DB or one of its connections.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (a *activitySampler) end(context.Context) {
	if a.stopped != nil {
		close(a.stopped)
		a.wg.Wait()
	}
}

func (a *activitySampler) sample(ctx context.Context, q querier) {
	// The checkpointer belongs to no database; it is read only when it
	// is doing something (not waiting in its main loop).
	rows, err := q.QueryContext(ctx, `SELECT backend_type, coalesce(state, ''), coalesce(wait_event_type || ':' || wait_event, 'CPU'), coalesce(query, '')
FROM pg_stat_activity WHERE pid <> pg_backend_pid()
    AND ((datname = $1 AND state <> 'idle') OR (backend_type = 'checkpointer' AND wait_event IS DISTINCT FROM 'CheckpointerMain'))`, a.database)
	if err != nil {
		return
	}
	defer rows.Close()
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.samples++
	a.sampledAt = append(a.sampledAt, now)
	for rows.Next() {
		var backend, state, wait, query string
		if rows.Scan(&backend, &state, &wait, &query) != nil {
			continue
		}
		if backend == "checkpointer" {
			a.background = append(a.background, backgroundWork{now, "checkpoint (" + wait + ")"})
			continue
		}
		text := a.statement(query)
		if text.background {
			// With its wait: a second ANALYZE of a table waits for the first's lock.
			a.background = append(a.background, backgroundWork{now, wait + " " + text.short})
		}
		if state == "idle in transaction" {
			a.counts["idle in transaction (the server works between statements)"]++
			continue
		}
		a.counts[wait+"  "+text.short]++
	}
}

// isBackground says whether a statement is maintenance rather than a
// request's: the statistics job's ANALYZE, a VACUUM.
func isBackground(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	return strings.HasPrefix(q, "ANALYZE") || strings.HasPrefix(q, "VACUUM") || strings.HasPrefix(q, "AUTOVACUUM")
}

var (
	parameters = regexp.MustCompile(`\$\d+(,\s*\$\d+)*`)
	spaces     = regexp.MustCompile(`\s+`)
)

// shortQuery makes statements that differ only in parameters count as one.
func shortQuery(q string) string {
	q = spaces.ReplaceAllString(parameters.ReplaceAllString(q, "$…"), " ")
	if len(q) > 90 {
		q = q[:90] + "…"
	}
	return strings.TrimSpace(q)
}

// section lists the most frequent activities as the average number of
// backends doing each at any moment.
func (a *activitySampler) section() section {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := section{title: "What the database backends were doing (pg_stat_activity every 20 ms, backends on average)"}
	if a.samples == 0 {
		out.rows = append(out.rows, [2]string{"not measured", "no sample"})
		return out
	}
	keys := make([]string, 0, len(a.counts))
	total := 0
	for k, n := range a.counts {
		keys = append(keys, k)
		total += n
	}
	sort.Slice(keys, func(i, j int) bool { return a.counts[keys[i]] > a.counts[keys[j]] })
	out.rows = append(out.rows, [2]string{"busy backends in all", fmt.Sprintf("%.2f (%d samples)", float64(total)/float64(a.samples), a.samples)})
	for _, k := range keys[:min(len(keys), 14)] {
		out.rows = append(out.rows, [2]string{"`" + strings.ReplaceAll(k, "|", "/") + "`", fmt.Sprintf("%.2f", float64(a.counts[k])/float64(a.samples))})
	}
	return out
}
