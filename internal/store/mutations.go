package store

import "time"

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
	org := tx.orgOf()
	for i := range rows {
		rows[i].OrgID, rows[i].ReceivedAt = org, tx.Now
	}
	return translate("store.InsertMutations", tx.gorm.Table("mutations").CreateInBatches(rows, 200).Error)
}
