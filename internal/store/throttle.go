package store

import "time"

// CountLoginFailure adds a failed login under key (an account or an
// address) and returns the failures inside the current window. One atomic
// upsert, so concurrent guesses cannot slip under the count.
func (tx *Tx) CountLoginFailure(key string, window time.Duration) (int, error) {
	windowOpen := tx.Now.Add(-window)
	var failures int
	err := tx.gorm.Raw(`
INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN login_throttle.window_start < ? THEN 1 ELSE login_throttle.failures + 1 END,
    window_start = CASE WHEN login_throttle.window_start < ? THEN excluded.window_start ELSE login_throttle.window_start END
RETURNING failures`, key, tx.Now, windowOpen, windowOpen).Scan(&failures).Error
	return failures, translate("store.CountLoginFailure", err)
}

// LockLogin refuses logins under key until the given time.
func (tx *Tx) LockLogin(key string, until time.Time) error {
	err := tx.gorm.Table("login_throttle").Where("key = ?", key).Update("locked_until", until).Error
	return translate("store.LockLogin", err)
}

// LoginLockedUntil returns when the lock on key ends (zero when none is on).
func (tx *Tx) LoginLockedUntil(key string) (time.Time, error) {
	var row struct{ LockedUntil *time.Time }
	err := tx.gorm.Table("login_throttle").Select("locked_until").Where("key = ?", key).Limit(1).Find(&row).Error
	if err != nil || row.LockedUntil == nil || !row.LockedUntil.After(tx.Now) {
		return time.Time{}, translate("store.LoginLockedUntil", err)
	}
	return *row.LockedUntil, nil
}

// ClearLoginFailures forgets the failures under key after a good login.
func (tx *Tx) ClearLoginFailures(key string) error {
	err := tx.gorm.Exec("DELETE FROM login_throttle WHERE key = ?", key).Error
	return translate("store.ClearLoginFailures", err)
}
