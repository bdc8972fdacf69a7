package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Result is the server's answer to one mutation.
type Result struct {
	MutationID   string          `json:"mutation_id"`
	Status       string          `json:"status"` // applied, duplicate, conflict, rejected; too_large is the client's own
	EntityID     string          `json:"entity_id"`
	Version      int64           `json:"version,omitempty"`
	ServerRecord json.RawMessage `json:"server_record,omitempty"`
	Errors       []FieldError    `json:"errors,omitempty"`
}

// PushReport counts what one Push settled.
type PushReport struct {
	Batches, Applied, Duplicate, Conflict, Rejected, TooLarge int
}

func (r *PushReport) count(status string) {
	switch status {
	case "applied":
		r.Applied++
	case "duplicate":
		r.Duplicate++
	case "conflict":
		r.Conflict++
	case "rejected":
		r.Rejected++
	case statusTooLarge:
		r.TooLarge++
	}
}

// statusTooLarge marks a single mutation the server refused with 413: it
// cannot be split further, and keeping it would wedge the queue.
const statusTooLarge = "too_large"

// Push sends the media queue and the outbox, head first, until both are
// empty. A batch that may or may not have arrived is sent again unchanged;
// the server replays what it already applied. Before each batch every
// queued media is declared and uploaded, so a submit never reaches the
// server ahead of the media its answers name.
func (c *Client) Push(ctx context.Context) (PushReport, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	return c.push(ctx)
}

func (c *Client) push(ctx context.Context) (PushReport, error) {
	var report PushReport
	limit := c.opts.BatchSize
	for {
		batch, err := c.head(ctx, limit)
		if err != nil {
			return report, err
		}
		// Media first: the batch may submit an inspection whose answers
		// name media taken before its mutations were recorded, and the
		// server refuses a submit naming undeclared media.
		if err := c.sendMedia(ctx); err != nil {
			return report, fmt.Errorf("client.Push: %w", err)
		}
		if len(batch) == 0 {
			return report, nil
		}
		results, err := c.send(ctx, batch)
		if StatusOf(err) == http.StatusRequestEntityTooLarge {
			if len(batch) > 1 {
				// The smaller size holds for the rest of this push: batches
				// of similar mutations would be refused again.
				limit = len(batch) / 2
				c.log.Info("push too large; splitting", "mutations", len(batch), "next", limit)
				continue
			}
			results = []Result{{MutationID: batch[0].MutationID, Status: statusTooLarge, EntityID: batch[0].EntityID}}
		} else if err != nil {
			return report, fmt.Errorf("client.Push: %w", err)
		}
		settled, err := c.settle(ctx, batch, results)
		if err != nil {
			return report, fmt.Errorf("client.Push: %w", err)
		}
		if len(settled) == 0 {
			return report, errors.New("client.Push: the server answered none of the mutations sent")
		}
		report.Batches++
		for _, r := range settled {
			report.count(r.Status)
		}
	}
}

// send pushes one batch, counting the attempt on each mutation first so
// that a crash during the request still leaves the count behind.
func (c *Client) send(ctx context.Context, batch []outboxEntry) ([]Result, error) {
	_, err := c.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE seq >= ? AND seq <= ?`,
		batch[0].Seq, batch[len(batch)-1].Seq)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]any{"mutations": batch})
	if err != nil {
		return nil, err
	}
	c.counters.pushes.Add(1)
	res, err := c.call(ctx, request{method: http.MethodPost, path: "/v1/sync/push", body: body, auth: true,
		mutations: len(batch)})
	if err != nil {
		c.noteError(ctx, batch, err)
		return nil, err
	}
	var answer struct {
		Results []Result `json:"results"`
	}
	if err := json.Unmarshal(res.body, &answer); err != nil {
		return nil, fmt.Errorf("decode push answer: %w", err)
	}
	return answer.Results, nil
}

// noteError keeps the last failure on the batch for the user to see.
func (c *Client) noteError(ctx context.Context, batch []outboxEntry, cause error) {
	_, err := c.db.ExecContext(ctx, `UPDATE outbox SET last_error = ? WHERE seq >= ? AND seq <= ?`,
		cause.Error(), batch[0].Seq, batch[len(batch)-1].Seq)
	if err != nil && ctx.Err() == nil {
		c.log.Warn("note push error", "err", err)
	}
}

// settle records the answers to a batch in one local transaction: each
// answered mutation leaves the outbox together with its stored result. An
// unanswered one stays at the head and goes again.
func (c *Client) settle(ctx context.Context, batch []outboxEntry, results []Result) ([]Result, error) {
	sent := make(map[string]outboxEntry, len(batch))
	for _, m := range batch {
		sent[m.MutationID] = m
	}
	var settled []Result
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		settled = settled[:0]
		for _, r := range results {
			m, ok := sent[r.MutationID]
			if !ok {
				continue
			}
			delete(sent, r.MutationID)
			if err := settleOne(tx, m, r, now); err != nil {
				return fmt.Errorf("settle %s: %w", m.MutationID, err)
			}
			settled = append(settled, r)
		}
		return nil
	})
	return settled, err
}

func settleOne(tx *sql.Tx, m outboxEntry, r Result, now string) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO results (mutation_id, seq, type, entity_id, status, version, body, attempts, answered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mutation_id) DO NOTHING`,
		m.MutationID, m.Seq, m.Type, m.EntityID, r.Status, r.Version, string(body), m.Attempts+1, now)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM outbox WHERE mutation_id = ?`, m.MutationID); err != nil {
		return err
	}
	switch r.Status {
	case "applied", "duplicate":
		// The local view already shows the change; the next pull brings the
		// server's record. Only the version is known now.
		if r.Version > 0 {
			_, err = tx.Exec(`UPDATE replica SET version = ? WHERE entity_type = ? AND entity_id = ? AND version < ?`,
				r.Version, m.EntityType, m.EntityID, r.Version)
		}
		return err
	case "conflict":
		if len(r.ServerRecord) > 0 && string(r.ServerRecord) != "null" {
			_, err = tx.Exec(`INSERT INTO replica (entity_type, entity_id, version, server_data) VALUES (?, ?, ?, ?)
ON CONFLICT (entity_type, entity_id) DO UPDATE SET server_data = excluded.server_data`,
				m.EntityType, m.EntityID, r.Version, string(r.ServerRecord))
			if err != nil {
				return err
			}
		}
	}
	// Rejected, conflicting or too large: what the user sees goes back to
	// the server's record plus what is still pending.
	return rebuildView(tx, m.EntityType, m.EntityID)
}
