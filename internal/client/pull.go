package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

type change struct {
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Op         string          `json:"op"`
	Version    int64           `json:"version"`
	Data       json.RawMessage `json:"data"`
	Reason     string          `json:"reason"`
}

type page struct {
	Changes    []change `json:"changes"`
	NextCursor string   `json:"next_cursor"`
	HasMore    bool     `json:"has_more"`
}

// PullReport counts what one Pull applied.
type PullReport struct {
	Pages, Upserts, Deletes int
	Resets                  int // 410 Gone answers: the replica was dropped and pulled again
}

// maxResets bounds how often one Pull starts over after 410 Gone.
const maxResets = 3

// Pull catches up with the server: page after page until has_more is
// false, each page applied together with its cursor in one local
// transaction, so that a crash replays at most one page (upserts are
// idempotent).
func (c *Client) Pull(ctx context.Context) (PullReport, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	return c.pull(ctx)
}

func (c *Client) pull(ctx context.Context) (PullReport, error) {
	var report PullReport
	for {
		s, err := c.session(ctx)
		if err != nil {
			return report, err
		}
		q := url.Values{"limit": {strconv.Itoa(c.opts.PullLimit)}}
		if s.Cursor != "" {
			q.Set("cursor", s.Cursor)
		}
		c.counters.pulls.Add(1)
		res, err := c.call(ctx, request{method: http.MethodGet, path: "/v1/sync/pull", query: q, auth: true})
		if StatusOf(err) == http.StatusGone && report.Resets < maxResets {
			report.Resets++
			c.counters.gone.Add(1)
			c.log.Info("cursor gone; pulling from scratch")
			if err := c.dropReplica(ctx); err != nil {
				return report, fmt.Errorf("client.Pull: %w", err)
			}
			continue
		}
		if err != nil {
			return report, fmt.Errorf("client.Pull: %w", err)
		}
		var p page
		if err := json.Unmarshal(res.body, &p); err != nil {
			return report, fmt.Errorf("client.Pull: decode page: %w", err)
		}
		if err := c.apply(ctx, p); err != nil {
			return report, fmt.Errorf("client.Pull: %w", err)
		}
		report.Pages++
		for _, ch := range p.Changes {
			if ch.Op == "delete" {
				report.Deletes++
			} else {
				report.Upserts++
			}
		}
		if !p.HasMore || p.NextCursor == "" || (p.NextCursor == s.Cursor && len(p.Changes) == 0) {
			return report, nil
		}
	}
}

// apply writes one page and its cursor in one local transaction. What the
// user sees of each entity is the server's record with the still pending
// mutations laid over it.
func (c *Client) apply(ctx context.Context, p page) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for _, ch := range p.Changes {
			var data any
			if ch.Op != "delete" {
				data = string(ch.Data)
			}
			_, err := tx.Exec(`INSERT INTO replica (entity_type, entity_id, version, server_data) VALUES (?, ?, ?, ?)
ON CONFLICT (entity_type, entity_id) DO UPDATE SET version = excluded.version, server_data = excluded.server_data`,
				ch.EntityType, ch.EntityID, ch.Version, data)
			if err != nil {
				return err
			}
			if err := rebuildView(tx, ch.EntityType, ch.EntityID); err != nil {
				return err
			}
		}
		if p.NextCursor == "" {
			return nil
		}
		_, err := tx.Exec(`UPDATE session SET cursor = ? WHERE id = 1`, p.NextCursor)
		return err
	})
}

// dropReplica forgets everything the server sent, and the cursor, but
// keeps the outbox: what the user sees is rebuilt from their pending
// mutations alone until the full pull brings the server's records back.
func (c *Client) dropReplica(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM replica`); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE session SET cursor = NULL WHERE id = 1`); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT DISTINCT entity_type, entity_id FROM outbox`)
		if err != nil {
			return err
		}
		var entities [][2]string
		for rows.Next() {
			var e [2]string
			if err := rows.Scan(&e[0], &e[1]); err != nil {
				rows.Close()
				return err
			}
			entities = append(entities, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range entities {
			if err := rebuildView(tx, e[0], e[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Sync pushes the outbox and then pulls until both are done; it goes round
// again when the user acted meanwhile.
func (c *Client) Sync(ctx context.Context) (PushReport, PullReport, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	var pushed PushReport
	var pulled PullReport
	for range 5 {
		p, err := c.push(ctx)
		pushed = addPush(pushed, p)
		if err != nil {
			return pushed, pulled, err
		}
		q, err := c.pull(ctx)
		pulled = addPull(pulled, q)
		if err != nil {
			return pushed, pulled, err
		}
		pending, err := c.pending(ctx)
		if err != nil || pending == 0 {
			return pushed, pulled, err
		}
	}
	return pushed, pulled, nil
}

func addPush(a, b PushReport) PushReport {
	return PushReport{Batches: a.Batches + b.Batches, Applied: a.Applied + b.Applied, Duplicate: a.Duplicate + b.Duplicate,
		Conflict: a.Conflict + b.Conflict, Rejected: a.Rejected + b.Rejected, TooLarge: a.TooLarge + b.TooLarge}
}

func addPull(a, b PullReport) PullReport {
	return PullReport{Pages: a.Pages + b.Pages, Upserts: a.Upserts + b.Upserts, Deletes: a.Deletes + b.Deletes,
		Resets: a.Resets + b.Resets}
}

func (c *Client) pending(ctx context.Context) (int, error) {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	return n, err
}
