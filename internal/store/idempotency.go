package store

import "time"

// StoredResponse is the first answer to a write that carried an
// Idempotency-Key; a retry with the same key gets it again.
type StoredResponse struct {
	OrgID       string
	UserID      string
	Key         string
	Method      string
	Path        string
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// StoredResponse finds the stored answer for key of the calling user.
func (tx *Tx) StoredResponse(userID, key string) (StoredResponse, bool, error) {
	var rows []StoredResponse
	err := tx.scoped("idempotency_keys").Where("user_id = ? AND key = ?", userID, key).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return StoredResponse{}, false, translate("store.StoredResponse", err)
	}
	return rows[0], true, nil
}

// StoreResponse keeps the first answer for key; a concurrent twin that
// stored first wins and this one gets Conflict.
func (tx *Tx) StoreResponse(r *StoredResponse) error {
	r.OrgID, r.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.StoreResponse", tx.gorm.Table("idempotency_keys").Create(r).Error)
}
