package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// outboxEntry is one outbox entry; its JSON form is what push sends.
type outboxEntry struct {
	Seq         int64           `json:"-"`
	MutationID  string          `json:"mutation_id"`
	Type        string          `json:"type"`
	EntityType  string          `json:"-"`
	EntityID    string          `json:"entity_id"`
	BaseVersion *int64          `json:"base_version,omitempty"`
	Payload     json.RawMessage `json:"payload"`
	ClientTime  string          `json:"client_time"`
	Attempts    int             `json:"-"`
}

// entityTypeOf is the replica type a mutation type changes: findings,
// incidents, emergency plans and duty records are their own; everything else (answers,
// submits, scans, media) the device keeps with the inspection.
func entityTypeOf(t mutation.Type) string {
	switch spec, _ := mutation.Lookup(string(t)); spec.Kind {
	case mutation.Finding, mutation.Incident, mutation.EmergencyPlan, mutation.Handover, mutation.DutyLogEntry, mutation.Training:
		return string(spec.Kind)
	}
	return string(mutation.Inspection)
}

// record writes a user action: the mutation at the tail of the outbox and
// its effect on the local view, in the caller's transaction.
func record(tx *sql.Tx, mutationType mutation.Type, entityID string, baseVersion *int64, payload any) (outboxEntry, error) {
	body, err := mutation.Encode(mutationType, payload)
	if err != nil {
		return outboxEntry{}, err
	}
	m := outboxEntry{MutationID: newID(), Type: string(mutationType), EntityType: entityTypeOf(mutationType), EntityID: entityID,
		BaseVersion: baseVersion, Payload: body, ClientTime: time.Now().UTC().Format(time.RFC3339Nano)}
	res, err := tx.Exec(`INSERT INTO outbox (mutation_id, type, entity_type, entity_id, base_version, payload, client_time)
VALUES (?, ?, ?, ?, ?, ?, ?)`, m.MutationID, m.Type, m.EntityType, m.EntityID, m.BaseVersion, string(m.Payload), m.ClientTime)
	if err != nil {
		return outboxEntry{}, fmt.Errorf("outbox: %w", err)
	}
	if m.Seq, err = res.LastInsertId(); err != nil {
		return outboxEntry{}, err
	}
	data, err := viewOf(tx, m.EntityType, m.EntityID)
	if err != nil {
		return outboxEntry{}, err
	}
	return m, writeView(tx, m.EntityType, m.EntityID, overlay(data, m))
}

// head reads up to limit mutations from the head of the outbox, in the
// order the user acted.
func (c *Client) head(ctx context.Context, limit int) ([]outboxEntry, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT seq, mutation_id, type, entity_type, entity_id, base_version, payload,
client_time, attempts FROM outbox ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox head: %w", err)
	}
	return scanMutations(rows)
}

// pendingFor reads the outbox entries of one entity, in order.
func pendingFor(tx *sql.Tx, entityType, entityID string) ([]outboxEntry, error) {
	rows, err := tx.Query(`SELECT seq, mutation_id, type, entity_type, entity_id, base_version, payload, client_time,
attempts FROM outbox WHERE entity_type = ? AND entity_id = ? ORDER BY seq`, entityType, entityID)
	if err != nil {
		return nil, err
	}
	return scanMutations(rows)
}

func scanMutations(rows *sql.Rows) ([]outboxEntry, error) {
	defer rows.Close()
	var out []outboxEntry
	for rows.Next() {
		var m outboxEntry
		var payload string
		var base sql.NullInt64
		if err := rows.Scan(&m.Seq, &m.MutationID, &m.Type, &m.EntityType, &m.EntityID, &base, &payload,
			&m.ClientTime, &m.Attempts); err != nil {
			return nil, err
		}
		if base.Valid {
			m.BaseVersion = &base.Int64
		}
		m.Payload = json.RawMessage(payload)
		out = append(out, m)
	}
	return out, rows.Err()
}

// viewOf reads what the user sees of an entity; nil when it has none.
func viewOf(tx *sql.Tx, entityType, entityID string) (map[string]any, error) {
	var data sql.NullString
	err := tx.QueryRow(`SELECT data FROM replica WHERE entity_type = ? AND entity_id = ?`, entityType, entityID).Scan(&data)
	if err == sql.ErrNoRows || (err == nil && !data.Valid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, decodeJSON(data.String, &out)
}

// writeView stores what the user sees of an entity, keeping the server's
// record; a row with neither is removed.
func writeView(tx *sql.Tx, entityType, entityID string, data map[string]any) error {
	var text any
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		text = string(b)
	}
	_, err := tx.Exec(`INSERT INTO replica (entity_type, entity_id, data) VALUES (?, ?, ?)
ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = excluded.data`, entityType, entityID, text)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`DELETE FROM replica WHERE entity_type = ? AND entity_id = ? AND data IS NULL AND server_data IS NULL`,
		entityType, entityID)
	return err
}

// rebuildView recomputes what the user sees of an entity: the server's
// record with the pending mutations laid over it, in order.
func rebuildView(tx *sql.Tx, entityType, entityID string) error {
	var server sql.NullString
	err := tx.QueryRow(`SELECT server_data FROM replica WHERE entity_type = ? AND entity_id = ?`, entityType, entityID).Scan(&server)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	var data map[string]any
	if server.Valid {
		if err := decodeJSON(server.String, &data); err != nil {
			return err
		}
	}
	pending, err := pendingFor(tx, entityType, entityID)
	if err != nil {
		return err
	}
	for _, m := range pending {
		data = overlay(data, m)
	}
	return writeView(tx, entityType, entityID, data)
}
