package client

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// Plan is an emergency plan as the device holds it (entity_type
// emergency_plan in pull), with whether this user acknowledged its
// current version.
type Plan struct {
	ID             string `json:"id"`
	Category       string `json:"category"`
	Title          string `json:"title"`
	CurrentVersion int    `json:"current_version"`
	// Acknowledged: the current version's acknowledgement came back in a
	// pull, or waits in the outbox.
	Acknowledged bool `json:"-"`
}

// Plans lists the emergency plans on the device.
func (c *Client) Plans(ctx context.Context) ([]Plan, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT data FROM replica WHERE entity_type = 'emergency_plan' AND data IS NOT NULL
ORDER BY entity_id`)
	if err != nil {
		return nil, fmt.Errorf("client.Plans: %w", err)
	}
	var out []Plan
	for rows.Next() {
		var data string
		var plan Plan
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return nil, err
		}
		if err := decodeJSON(data, &plan); err != nil {
			rows.Close()
			return nil, fmt.Errorf("client.Plans: %w", err)
		}
		out = append(out, plan)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Acknowledged, err = c.acknowledged(ctx, out[i].ID, out[i].CurrentVersion); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// acknowledged reports whether this device's user acknowledged version of
// the plan: pulled back, or queued.
func (c *Client) acknowledged(ctx context.Context, planID string, version int) (bool, error) {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT
 (SELECT count(*) FROM replica WHERE entity_type = 'plan_acknowledgement' AND data IS NOT NULL
    AND json_extract(data, '$.plan_id') = ? AND json_extract(data, '$.plan_version') = ?)
 + (SELECT count(*) FROM outbox WHERE type = 'plan.acknowledge' AND entity_id = ?
    AND json_extract(payload, '$.version') = ?)`, planID, version, planID, version).Scan(&n)
	return n > 0, err
}

// AcknowledgePlan records, offline, that the user read the current
// version of the plan the device holds (plan.acknowledge).
func (c *Client) AcknowledgePlan(ctx context.Context, planID string) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		view, err := viewOf(tx, "emergency_plan", planID)
		if err != nil {
			return err
		}
		if view == nil {
			return ErrNotFound
		}
		version, _ := view["current_version"].(float64)
		_, err = record(tx, mutation.PlanAcknowledge, planID, nil, mutation.AcknowledgePlan{Version: int(version)})
		return err
	})
	if err != nil {
		return fmt.Errorf("client plan.acknowledge %s: %w", planID, err)
	}
	return nil
}
