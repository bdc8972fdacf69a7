package store

import (
	"strings"
	"time"
)

// Mutation is the stored first result of one pushed mutation. It is keyed
// by organisation, mutation id, device and user: a result replays only to
// the device and user that pushed it.
type Mutation struct {
	OrgID      string
	MutationID string
	UserID     string
	DeviceID   string
	Type       string
	EntityID   *string
	Status     string
	Result     []byte
	BodyHash   []byte // digest of what the mutation asked for; nil for rows stored before it was kept
	ClientTime *time.Time
	ReceivedAt time.Time
}

// MutationsByID returns the stored results among ids, of every device and
// user: the caller picks the ones of its scope. Each row holds its id,
// device, user, result, body hash and receive time. Read by hand without
// gorm, as every push asks for all of its mutation ids.
func (tx *Tx) MutationsByID(ids []string) ([]Mutation, error) {
	const op = "store.MutationsByID"
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, tx.orgOf())
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.gorm.Statement.ConnPool.QueryContext(tx.gorm.Statement.Context, tx.placeholders(
		"SELECT mutation_id, device_id, user_id, result, body_hash, received_at FROM mutations WHERE org_id = ? AND mutation_id IN (?"+
			strings.Repeat(", ?", len(ids)-1)+")"),
		args...)
	if err != nil {
		return nil, translate(op, tx.driverError(err))
	}
	defer rows.Close()
	var out []Mutation
	for rows.Next() {
		var row Mutation
		if err := rows.Scan(&row.MutationID, &row.DeviceID, &row.UserID, &row.Result, &row.BodyHash, &row.ReceivedAt); err != nil {
			return nil, translate(op, err)
		}
		out = append(out, row)
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
    body_hash, client_time, received_at) VALUES `, 11, 500, len(rows), func(i int) []any {
		r := rows[i]
		return []any{org, r.MutationID, r.UserID, r.DeviceID, r.Type, r.EntityID, r.Status, r.Result, r.BodyHash, r.ClientTime, tx.Now}
	})
	return translate("store.InsertMutations", err)
}
