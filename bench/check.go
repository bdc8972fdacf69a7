package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// consistency is --check: while the load runs, one puller per replica
// (the admin, each on a device of its own) pulls the change log in small
// pages to its end, carrying its cursor across pages as a phone does, then
// waits --check-every and pulls again. Pulling again at once made each
// puller a spin of about 300 pulls a second (8 224 in one round at one
// replica), more pull work than a fleet of phones does and not what the
// round is meant to measure.
// After the load it proves, from the database and the pulls:
//
//   - exactly once: every inspection the server acknowledged (every
//     mutation of its push answered applied) exists once, submitted, with
//     one submitted event; no mutation result is stored twice for one
//     device and user;
//   - the commit-ordered cursor: once each puller has pulled to the end,
//     it holds exactly the inspections the database holds, each at its
//     version: no change was skipped because a position was passed
//     before its transaction committed on another replica, and none is a
//     phantom;
//   - the audit chain verifies end to end.
//
// The pullers add pull work to the measured round, each about one pull a
// second by default: take CPU figures from a round without --check.
type consistency struct {
	target loadTarget
	opts   options
	rec    *recorder

	stop     chan struct{}
	wg       sync.WaitGroup
	pullers  []*puller
	problems []string
}

type puller struct {
	client   *api
	token    string
	cursor   string
	versions map[string]int64 // inspection id → version
	pulls    int
	err      error
}

func newConsistency(target loadTarget, opts options) *consistency {
	return &consistency{target: target, opts: opts, stop: make(chan struct{})}
}

// watch makes the recorder keep the acknowledged inspections.
func (c *consistency) watch(rec *recorder) {
	rec.mu.Lock()
	rec.watched = true
	rec.mu.Unlock()
	c.rec = rec
}

func (c *consistency) begin(ctx context.Context) {
	urls := c.target.replicas
	if len(urls) == 0 {
		urls = []string{c.target.baseURL}
	}
	for i, u := range urls {
		client := newAPI(u, 2)
		token, err := client.login(ctx, c.target.adminEmail, c.target.adminPassword, fmt.Sprintf("bench-check-%d-%s", i, randomHex(4)))
		p := &puller{client: client, token: token, versions: map[string]int64{}, err: err}
		c.pullers = append(c.pullers, p)
		if err != nil {
			continue
		}
		c.wg.Go(func() {
			for {
				select {
				case <-c.stop:
					return
				default:
				}
				if err := p.pullToEnd(ctx, 50); err != nil { // small pages: many cursors mid-flight
					p.err = err
					return
				}
				select {
				case <-c.stop:
					return
				case <-time.After(c.opts.checkEvery):
				}
			}
		})
	}
}

func (c *consistency) end(context.Context) { close(c.stop); c.wg.Wait() }

// pullToEnd pulls pages until has_more is false.
func (p *puller) pullToEnd(ctx context.Context, limit int) error {
	for {
		path := fmt.Sprintf("/v1/sync/pull?limit=%d", limit)
		if p.cursor != "" {
			path += "&cursor=" + url.QueryEscape(p.cursor)
		}
		var page struct {
			Changes []struct {
				EntityType string `json:"entity_type"`
				EntityID   string `json:"entity_id"`
				Op         string `json:"op"`
				Version    int64  `json:"version"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		if err := p.client.do(ctx, http.MethodGet, path, p.token, nil, &page); err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		p.pulls++
		for _, ch := range page.Changes {
			if ch.EntityType != "inspection" {
				continue
			}
			if ch.Op == "delete" {
				delete(p.versions, ch.EntityID)
				continue
			}
			if have, ok := p.versions[ch.EntityID]; ok && have > ch.Version {
				return fmt.Errorf("pull went back in time for inspection %s: had v%d, got v%d", ch.EntityID, have, ch.Version)
			}
			p.versions[ch.EntityID] = ch.Version
		}
		p.cursor = page.NextCursor
		if !page.HasMore {
			return nil
		}
	}
}

func (c *consistency) fail(format string, args ...any) {
	if len(c.problems) < 20 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// failure is an error when any check failed.
func (c *consistency) failure() error {
	if len(c.problems) == 0 {
		return nil
	}
	return errors.New("consistency check failed: " + strings.Join(c.problems, "; "))
}

// section runs the checks once every push has been answered.
func (c *consistency) section(ctx context.Context, databaseURL string) section {
	out := section{title: "Consistency across replicas (--check)"}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		c.fail("open database: %v", err)
		return c.finish(out)
	}
	defer db.Close()
	c.rec.mu.Lock()
	acked := append([]string(nil), c.rec.acked...)
	c.rec.mu.Unlock()

	// Exactly once: the acknowledged inspections.
	var found, submitted, events int
	err = db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'submitted'),
    coalesce(sum((SELECT count(*) FROM inspection_events e WHERE e.inspection_id = i.id AND e.kind = 'submitted')), 0)
FROM inspections i WHERE id = ANY($1::text[]::uuid[])`, acked).Scan(&found, &submitted, &events)
	if err != nil {
		c.fail("read acknowledged inspections: %v", err)
	} else if found != len(acked) || submitted != len(acked) || events != len(acked) {
		c.fail("%d inspections acknowledged; the database holds %d of them, %d submitted, with %d submitted events", len(acked), found, submitted, events)
	}
	out.rows = append(out.rows, [2]string{"inspections acknowledged", fmt.Sprint(len(acked))},
		[2]string{"of them stored, submitted, with one submitted event", fmt.Sprintf("%d, %d, %d", found, submitted, events)})

	// Exactly once: stored results.
	var layout string
	db.QueryRowContext(ctx, `SELECT CASE WHEN to_regclass('push_results') IS NOT NULL THEN 'push_results' ELSE 'mutations' END`).Scan(&layout)
	if layout == "push_results" {
		var stored, distinct int
		err := db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT (p.device_id, p.user_id, m)) FROM push_results p, unnest(p.mutation_ids) AS m`).Scan(&stored, &distinct)
		if err != nil {
			c.fail("read stored results: %v", err)
		} else if stored != distinct {
			c.fail("%d mutation results stored twice for the same device and user", stored-distinct)
		}
		out.rows = append(out.rows, [2]string{"mutation results stored (push_results) / of them distinct by device and user", fmt.Sprintf("%d / %d", stored, distinct)})
	} else {
		out.rows = append(out.rows, [2]string{"mutation results stored", "one row each in mutations, unique by its primary key"})
	}

	// The commit-ordered cursor: every puller, pulled to the end, holds
	// what the database holds.
	final := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT id::text, version FROM inspections`)
	if err != nil {
		c.fail("read inspections: %v", err)
	} else {
		for rows.Next() {
			var id string
			var version int64
			if rows.Scan(&id, &version) == nil {
				final[id] = version
			}
		}
		rows.Close()
	}
	every := "at once (a spin)"
	if c.opts.checkEvery > 0 {
		every = c.opts.checkEvery.String() + " after reaching the end (--check-every)"
	}
	out.rows = append(out.rows, [2]string{"each puller pulls again", every})
	for i, p := range c.pullers {
		if p.err == nil {
			p.err = p.pullToEnd(ctx, 1000)
		}
		if p.err != nil {
			c.fail("puller on replica %d: %v", i+1, p.err)
			continue
		}
		missing, stale, phantom := 0, 0, 0
		for id, version := range final {
			got, ok := p.versions[id]
			switch {
			case !ok:
				missing++
			case got != version:
				stale++
			}
		}
		for id := range p.versions {
			if _, ok := final[id]; !ok {
				phantom++
			}
		}
		if missing+stale+phantom > 0 {
			c.fail("puller on replica %d: %d inspections missing, %d at another version, %d phantom", i+1, missing, stale, phantom)
		}
		out.rows = append(out.rows, [2]string{fmt.Sprintf("puller on replica %d: pulls, inspections held (database %d)", i+1, len(final)),
			fmt.Sprintf("%d pulls; %d held, %d missing, %d at another version, %d phantom", p.pulls, len(p.versions), missing, stale, phantom)})
	}

	// The audit chain.
	var orgID string
	if err := db.QueryRowContext(ctx, `SELECT id::text FROM orgs WHERE slug = 'bench'`).Scan(&orgID); err != nil {
		c.fail("find the bench organisation: %v", err)
		return c.finish(out)
	}
	s, err := store.Open(ctx, databaseURL)
	if err != nil {
		c.fail("open store: %v", err)
		return c.finish(out)
	}
	defer s.Close()
	orgCtx := principal.AsSystem(ctx, orgID, "bench.check")
	checked, problems, err := s.Read(orgCtx).VerifyAudit(orgID)
	if err != nil || len(problems) > 0 {
		c.fail("audit chain: %v, %d problems %v", err, len(problems), problems[:min(len(problems), 3)])
	}
	out.rows = append(out.rows, [2]string{"audit chain", fmt.Sprintf("%d entries checked, %d problems", checked, len(problems))})
	return c.finish(out)
}

func (c *consistency) finish(out section) section {
	verdict := "PASS"
	if len(c.problems) > 0 {
		verdict = "FAIL: " + strings.Join(c.problems, "; ")
	}
	out.rows = append([][2]string{{"verdict", verdict}}, out.rows...)
	return out
}
