package store

import (
	"strings"
	"time"
)

// Mutation is the stored first result of one pushed mutation.
type Mutation struct {
	OrgID      string
	MutationID string
	UserID     string
	DeviceID   string
	Type       string
	EntityID   *string
	Status     string
	Result     []byte
	ClientTime *time.Time
	ReceivedAt time.Time
}

// MutationsByID returns the stored results among ids, keyed by id: their
// ids, results and receive times, read by hand without gorm, as every push
// asks for all of its mutation ids.
func (tx *Tx) MutationsByID(ids []string) (map[string]Mutation, error) {
	const op = "store.MutationsByID"
	out := map[string]Mutation{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, tx.orgOf())
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.gorm.Statement.ConnPool.QueryContext(tx.gorm.Statement.Context, tx.placeholders(
		"SELECT mutation_id, result, received_at FROM mutations WHERE org_id = ? AND mutation_id IN (?"+strings.Repeat(", ?", len(ids)-1)+")"),
		args...)
	if err != nil {
		return nil, translate(op, tx.driverError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var row Mutation
		if err := rows.Scan(&row.MutationID, &row.Result, &row.ReceivedAt); err != nil {
			return nil, translate(op, err)
		}
		out[row.MutationID] = row
	}
	return out, translate(op, rows.Err())
}

// InsertMutations stores first results. A mutation stored meanwhile by a
// concurrent twin batch makes the whole insert fail with Conflict, and the
// caller retries the batch, which then replays the twin's results.
func (tx *Tx) InsertMutations(rows []Mutation) error {
	if len(rows) == 0 {
		return nil
	}
	// One hand-built multi-row INSERT, run without gorm: through gorm's
	// reflection this was a tenth of a push's CPU.
	org := tx.orgOf()
	err := tx.insertMany(`INSERT INTO mutations (org_id, mutation_id, user_id, device_id, type, entity_id, status, result,
    client_time, received_at) VALUES `, 10, 500, len(rows), func(i int) []any {
		r := rows[i]
		return []any{org, r.MutationID, r.UserID, r.DeviceID, r.Type, r.EntityID, r.Status, r.Result, r.ClientTime, tx.Now}
	})
	return translate("store.InsertMutations", err)
}
