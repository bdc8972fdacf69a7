package store

import "time"

// UserKey is a public key a user registered for countersigning from one
// device (an Ed25519 key, base64 in PublicKey).
type UserKey struct {
	ID        string
	OrgID     string
	UserID    string
	DeviceID  *string
	Algorithm string
	PublicKey string
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CreateUserKey inserts a key in the caller's organisation.
func (tx *Tx) CreateUserKey(key *UserKey) error {
	key.OrgID, key.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.CreateUserKey", tx.gorm.Table("user_keys").Create(key).Error)
}

// UserKey reads one key of the caller's organisation.
func (tx *Tx) UserKey(id string) (UserKey, error) {
	var key UserKey
	err := tx.scoped("user_keys").Where("id = ?", id).Take(&key).Error
	return key, translate("store.UserKey", err)
}

// ListUserKeys lists one user's keys in id order.
func (tx *Tx) ListUserKeys(userID string, p Page) ([]UserKey, string, error) {
	var keys []UserKey
	if err := p.apply(tx.scoped("user_keys").Where("user_id = ?", userID), "user_keys").Find(&keys).Error; err != nil {
		return nil, "", translate("store.ListUserKeys", err)
	}
	keys, next := trim(keys, p, func(k UserKey) string { return k.ID })
	return keys, next, nil
}

// RevokeUserKey marks a key revoked now, unless it already is.
func (tx *Tx) RevokeUserKey(key *UserKey) error {
	if key.RevokedAt != nil {
		return nil
	}
	now := tx.Now
	err := tx.scoped("user_keys").Where("id = ? AND revoked_at IS NULL", key.ID).Update("revoked_at", now).Error
	if err == nil {
		key.RevokedAt = &now
	}
	return translate("store.RevokeUserKey", err)
}
