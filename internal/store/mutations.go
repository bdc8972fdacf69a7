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

// MutationsByID returns the stored results among ids, keyed by id.
func (tx *Tx) MutationsByID(ids []string) (map[string]Mutation, error) {
	var rows []Mutation
	err := tx.scoped("mutations").Where("mutation_id IN ?", ids).Find(&rows).Error
	out := make(map[string]Mutation, len(rows))
	for _, r := range rows {
		out[r.MutationID] = r
	}
	return out, translate("store.MutationsByID", err)
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
	for start := 0; start < len(rows); start += 500 {
		chunk := rows[start:min(start+500, len(rows))]
		var sql strings.Builder
		sql.WriteString(`INSERT INTO mutations (org_id, mutation_id, user_id, device_id, type, entity_id, status, result,
    client_time, received_at) VALUES `)
		args := make([]any, 0, 10*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, org, r.MutationID, r.UserID, r.DeviceID, r.Type, r.EntityID, r.Status, r.Result,
				r.ClientTime, tx.Now)
		}
		if err := tx.execFast(sql.String(), args...); err != nil {
			return translate("store.InsertMutations", err)
		}
	}
	return nil
}
