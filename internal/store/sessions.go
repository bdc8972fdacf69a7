package store

import (
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Session is one login on one device.
type Session struct {
	ID        string
	OrgID     string
	UserID    string
	DeviceID  string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// RefreshToken is one issued refresh token; only its hash is kept.
type RefreshToken struct {
	ID        string
	SessionID string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// CreateSession starts a session for the caller's organisation.
func (tx *Tx) CreateSession(s *Session) error {
	s.OrgID, s.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.CreateSession", tx.gorm.Table("sessions").Create(s).Error)
}

// CreateRefreshToken records a newly issued refresh token.
func (tx *Tx) CreateRefreshToken(t *RefreshToken) error {
	t.CreatedAt = tx.Now
	return translate("store.CreateRefreshToken", tx.gorm.Table("refresh_tokens").Create(t).Error)
}

// RefreshTokenByHash finds a token by its hash, with its session. It is not
// scoped: the token itself is the credential.
func (tx *Tx) RefreshTokenByHash(hash string) (RefreshToken, Session, error) {
	const op = "store.RefreshTokenByHash"
	var t RefreshToken
	if err := tx.gorm.Table("refresh_tokens").Where("token_hash = ?", hash).Take(&t).Error; err != nil {
		return t, Session{}, translate(op, err)
	}
	var s Session
	err := tx.gorm.Table("sessions").Where("id = ?", t.SessionID).Take(&s).Error
	return t, s, translate(op, err)
}

// SpendRefreshToken marks a token used, once: a second spend of the same
// token (a replay, or two racing refreshes) gets Conflict.
func (tx *Tx) SpendRefreshToken(id string) error {
	res := tx.gorm.Table("refresh_tokens").Where("id = ? AND used_at IS NULL", id).Update("used_at", tx.Now)
	if res.Error != nil {
		return translate("store.SpendRefreshToken", res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E("store.SpendRefreshToken", errs.Conflict, "refresh token already used")
	}
	return nil
}

// SessionRefreshSpentAfter says whether a refresh token of the session was
// spent after at.
func (tx *Tx) SessionRefreshSpentAfter(sessionID string, at time.Time) (bool, error) {
	var count int64
	err := tx.gorm.Table("refresh_tokens").Where("session_id = ? AND used_at > ?", sessionID, at).Count(&count).Error
	return count > 0, translate("store.SessionRefreshSpentAfter", err)
}

// LockSession holds the session's row until the transaction ends, so that
// two replays of one lost refresh answer take turns: the second sees the
// pair the first issued and drops it, and only one pair stays valid.
func (tx *Tx) LockSession(id string) error {
	err := tx.gorm.Exec("UPDATE sessions SET revoked_at = revoked_at WHERE id = ?", id).Error
	return translate("store.LockSession", err)
}

// DropUnspentRefreshTokens deletes the session's unspent refresh tokens
// (a pair whose answer never reached the device): only the pair issued
// next is valid. Deleted, not spent, so that the token the device still
// holds stays the session's last spent one.
func (tx *Tx) DropUnspentRefreshTokens(sessionID string) error {
	err := tx.gorm.Table("refresh_tokens").Where("session_id = ? AND used_at IS NULL", sessionID).Delete(&RefreshToken{}).Error
	return translate("store.DropUnspentRefreshTokens", err)
}

// RevokeSession ends a session; tokens naming it stop working at once.
func (tx *Tx) RevokeSession(id string) error {
	err := tx.gorm.Table("sessions").Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", tx.Now).Error
	return translate("store.RevokeSession", err)
}

// RevokeUserSessions ends every session of a user of the caller's organisation.
func (tx *Tx) RevokeUserSessions(userID string) error {
	err := tx.scoped("sessions").Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", tx.Now).Error
	return translate("store.RevokeUserSessions", err)
}

// Caller is what an access token's session resolves to right now.
type Caller struct {
	UserID       string
	OrgID        string
	Role         string
	DeviceID     string
	UserActive   bool
	DeviceActive bool
	Revoked      bool
	SiteIDs      []string
}

// Valid reports whether the caller may act as the user of the organisation
// an access token names: the session not revoked, its user and device
// active, and the token's user and organisation the session's.
func (c Caller) Valid(userID, orgID string) bool {
	return !c.Revoked && c.UserActive && c.DeviceActive && c.UserID == userID && c.OrgID == orgID
}

// callersBySessionQuery is CallersBySession's query.
func (tx *Tx) callersBySessionQuery(sessionIDs []string) (string, []any) {
	if tx.db.dialect == Postgres {
		return tx.callerColumns() + `WHERE s.id = ANY(?::text[]::uuid[])`, []any{sessionIDs}
	}
	args := make([]any, len(sessionIDs))
	for i, id := range sessionIDs {
		args[i] = id
	}
	return tx.callerColumns() + `WHERE s.id IN (?` + strings.Repeat(", ?", len(sessionIDs)-1) + `)`, args
}

// callerColumns are a session's caller, read by hand, without gorm: this
// runs on every request, and once per push group.
func (tx *Tx) callerColumns() string {
	// The user's sites come in the same round trip.
	sites := "(SELECT group_concat(us.site_id, ',') FROM user_sites us WHERE us.user_id = s.user_id)"
	if tx.db.dialect == Postgres {
		sites = "(SELECT string_agg(us.site_id::text, ',') FROM user_sites us WHERE us.user_id = s.user_id)"
	}
	return `SELECT s.id, s.user_id, s.org_id, u.role, s.device_id, u.active, d.active, s.revoked_at IS NOT NULL, ` +
		sites + ` FROM sessions s JOIN users u ON u.id = s.user_id JOIN devices d ON d.id = s.device_id `
}

// scanCaller reads one row of callerColumns.
func scanCaller(scan func(dest ...any) error) (string, Caller, error) {
	var c Caller
	var id string
	var sites *string
	if err := scan(&id, &c.UserID, &c.OrgID, &c.Role, &c.DeviceID, &c.UserActive, &c.DeviceActive, &c.Revoked, &sites); err != nil {
		return "", Caller{}, err
	}
	if sites != nil && *sites != "" {
		c.SiteIDs = strings.Split(*sites, ",")
		sort.Strings(c.SiteIDs)
	}
	return id, c, nil
}

// CallerBySession reads, in one query, whether a session, its user and its
// device are still good, and the user's current role and sites.
func (tx *Tx) CallerBySession(sessionID string) (Caller, error) {
	row := tx.gorm.Statement.ConnPool.QueryRowContext(tx.gorm.Statement.Context,
		tx.placeholders(tx.callerColumns()+`WHERE s.id = ?`), sessionID)
	_, c, err := scanCaller(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		err = gorm.ErrRecordNotFound
	}
	return c, translate("store.CallerBySession", tx.driverError(err))
}

// CallersBySession is CallerBySession for many sessions in one statement,
// by session id; a session that does not exist is absent.
func (tx *Tx) CallersBySession(sessionIDs []string) (map[string]Caller, error) {
	const op = "store.CallersBySession"
	query, args := tx.callersBySessionQuery(sessionIDs)
	out := make(map[string]Caller, len(sessionIDs))
	err := tx.queryRows(query, args, func(scan func(dest ...any) error) error {
		id, c, err := scanCaller(scan)
		out[id] = c
		return err
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}
