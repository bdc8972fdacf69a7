// Package auth logs people in and out and tells who is calling: bcrypt
// passwords, short-lived HS256 access tokens, rotating refresh tokens bound
// to a device, and login throttling kept in the database. It never returns
// a reason that tells an attacker which half of a credential was wrong.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Throttle limits password guessing: after MaxFailures inside Window the key
// (account or address) is locked for LockFor.
type Throttle struct {
	AccountMaxFailures int
	AddressMaxFailures int
	Window             time.Duration
	LockFor            time.Duration
}

// DefaultThrottle is five wrong passwords per account or fifty per address
// within fifteen minutes.
var DefaultThrottle = Throttle{AccountMaxFailures: 5, AddressMaxFailures: 50, Window: 15 * time.Minute, LockFor: 15 * time.Minute}

// Service is the login, refresh, logout and authenticate use cases.
type Service struct {
	db         *store.DB
	signer     *Signer
	refreshTTL time.Duration
	throttle   Throttle
	remembered rememberedCallers // AuthenticateConfirmedLater
	decoyHash  string            // compared against for an unknown account (decoyHash)
}

// NewService builds the auth service. passwordCost is the bcrypt cost
// passwords are hashed at (config's BcryptCost).
func NewService(db *store.DB, signer *Signer, refreshTTL time.Duration, throttle Throttle, passwordCost int) (*Service, error) {
	decoy, err := decoyHash(passwordCost)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, signer: signer, refreshTTL: refreshTTL, throttle: throttle, decoyHash: decoy}, nil
}

// Tokens is what a login or refresh hands back.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	// DeviceID is the server's id of the device record the session is
	// bound to (not the app's key): inspections started on this device
	// carry it as their device_id.
	DeviceID string `json:"device_id"`
}

var errBadCredentials = errs.E("auth.Login", errs.Unauthenticated, "invalid email or password")

// Login checks a password and starts a session on the named device.
func (s *Service) Login(ctx context.Context, email, password, deviceKey, address string) (Tokens, error) {
	const op = "auth.Login"
	email = strings.ToLower(strings.TrimSpace(email))
	fields := map[string]string{}
	if email == "" {
		fields["/email"] = "required"
	}
	if password == "" {
		fields["/password"] = "required"
	}
	if deviceKey == "" || len(deviceKey) > 200 {
		fields["/device_id"] = "required, at most 200 characters"
	}
	if len(fields) > 0 {
		return Tokens{}, errs.Fields(op, fields)
	}
	accountKey, addressKey := "account:"+email, "address:"+address
	if err := s.refuseWhileLocked(ctx, accountKey, addressKey); err != nil {
		return Tokens{}, err
	}
	user, err := s.db.Read(ctx).UserByEmail(email)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return Tokens{}, errs.E(op, err)
	}
	hash := user.PasswordHash
	if err != nil {
		hash = s.decoyHash
	}
	if !checkPassword(hash, password) || err != nil {
		known := err == nil
		if err := s.countFailure(ctx, accountKey, addressKey, user, known, address); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadCredentials
	}
	if !user.Active {
		if err := s.auditRefusal(ctx, user, "auth.login_refused", map[string]any{"reason": "deactivated", "address": address}); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errs.E(op, errs.Unauthenticated, "this account is deactivated")
	}
	ctx = principal.With(ctx, principal.Principal{UserID: user.ID, OrgID: user.OrgID, Role: user.Role})
	var tokens Tokens
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ClearLoginFailures(accountKey); err != nil {
			return err
		}
		device, err := s.deviceForLogin(tx, deviceKey, user.ID)
		if err != nil {
			return err
		}
		session := store.Session{ID: newID(), UserID: user.ID, DeviceID: device.ID}
		if err := tx.CreateSession(&session); err != nil {
			return err
		}
		tokens, err = s.issue(tx, user, session)
		audit.Append(tx, "auth.login", "user", user.ID, map[string]any{"device_id": device.ID, "address": address})
		return err
	})
	return tokens, errs.Wrap(op, err)
}

// auditRefusal records a refused sign-in of a known account in its
// organisation's chain; unknown emails belong to no organisation.
func (s *Service) auditRefusal(ctx context.Context, user store.User, action string, details map[string]any) error {
	return errs.Wrap("auth.Login", s.db.InTx(ctx, func(tx *store.Tx) error {
		audit.AppendFor(tx, user.OrgID, &user.ID, action, "user", user.ID, details)
		return nil
	}))
}

// deviceForLogin finds the device by its app key, registering it on first
// login. Devices pass between guards across shifts, so the latest user wins.
func (s *Service) deviceForLogin(tx *store.Tx, deviceKey, userID string) (store.Device, error) {
	device, err := tx.DeviceByKey(deviceKey)
	if errs.Is(err, errs.NotFound) {
		device = store.Device{ID: newID(), DeviceKey: deviceKey, UserID: &userID, Active: true, LastSeenAt: &tx.Now}
		return device, tx.CreateDevice(&device)
	}
	if err != nil {
		return device, err
	}
	if !device.Active {
		return device, errs.E("auth.Login", errs.Forbidden, "this device is deactivated")
	}
	device.UserID, device.LastSeenAt = &userID, &tx.Now
	return device, tx.UpdateDevice(&device, device.Version)
}

// issue mints an access token and a new refresh token for session.
func (s *Service) issue(tx *store.Tx, user store.User, session store.Session) (Tokens, error) {
	access, err := s.signer.issue(user.ID, user.OrgID, user.Role, session.ID, session.DeviceID)
	if err != nil {
		return Tokens{}, errs.E("auth.issue", errs.Internal, err)
	}
	refresh := randomToken()
	row := store.RefreshToken{ID: newID(), SessionID: session.ID, TokenHash: hashToken(refresh),
		ExpiresAt: tx.Now.Add(s.refreshTTL)}
	if err := tx.CreateRefreshToken(&row); err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(s.signer.ttl / time.Second), DeviceID: session.DeviceID}, nil
}

var errBadRefresh = errs.E("auth.Refresh", errs.Unauthenticated, "invalid or expired refresh token; sign in again")

// Refresh spends a refresh token for a new pair. A token spent twice means
// it was copied: the whole session is revoked and both holders must sign
// in; except that the same device may present it again within
// RefreshGrace while the pair it bought is unused (the answer was lost).
func (s *Service) Refresh(ctx context.Context, refreshToken, deviceKey string) (Tokens, error) {
	const op = "auth.Refresh"
	if refreshToken == "" || deviceKey == "" {
		fields := map[string]string{}
		if refreshToken == "" {
			fields["/refresh_token"] = "required"
		}
		if deviceKey == "" {
			fields["/device_id"] = "required"
		}
		return Tokens{}, errs.Fields(op, fields)
	}
	var tokens Tokens
	var reused bool
	var sessionToRevoke string
	var revokedSession store.Session
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		token, session, err := tx.RefreshTokenByHash(hashToken(refreshToken))
		if errs.Is(err, errs.NotFound) {
			return errBadRefresh
		}
		if err != nil {
			return err
		}
		if session.RevokedAt != nil || !token.ExpiresAt.After(tx.Now) {
			return errBadRefresh
		}
		ctx := principal.With(ctx, principal.Principal{OrgID: session.OrgID, UserID: session.UserID})
		tx = tx.As(ctx)
		device, err := tx.Device(session.DeviceID)
		if err != nil {
			return err
		}
		revokedSession = session
		if device.DeviceKey != deviceKey {
			reused, sessionToRevoke = true, session.ID
			return errBadRefresh
		}
		if token.UsedAt != nil {
			// A spent token again, from the same device. Within the grace
			// window and while its successor is unspent, the answer to the
			// first refresh was lost on the way (a phone's network): the
			// successor, never seen by the device, is dropped and a new
			// pair issued. Anything else is a copy: revoke the session.
			// Replays of one token take turns on the session's row.
			if err := tx.LockSession(session.ID); err != nil {
				return err
			}
			lost, err := s.lostAnswer(tx, token)
			if err != nil {
				return err
			}
			if !lost {
				reused, sessionToRevoke = true, session.ID
				return errBadRefresh
			}
			if err := tx.DropUnspentRefreshTokens(session.ID); err != nil {
				return err
			}
		} else if err := tx.SpendRefreshToken(token.ID); errs.Is(err, errs.Conflict) {
			reused, sessionToRevoke = true, session.ID
			return errBadRefresh
		} else if err != nil {
			return err
		}
		user, err := tx.User(session.UserID)
		if err != nil {
			return err
		}
		if !user.Active || !device.Active {
			return errBadRefresh
		}
		tokens, err = s.issue(tx, user, session)
		return err
	})
	if reused {
		// Revoked in its own transaction: the refresh's own was rolled back.
		if rerr := s.db.InTx(ctx, func(tx *store.Tx) error {
			audit.AppendFor(tx, revokedSession.OrgID, &revokedSession.UserID, "auth.refresh_reused", "session", sessionToRevoke,
				map[string]any{"device_id": revokedSession.DeviceID, "revoked": true})
			return tx.RevokeSession(sessionToRevoke)
		}); rerr != nil {
			return Tokens{}, errs.E(op, rerr)
		}
	}
	return tokens, errs.Wrap(op, err)
}

// RefreshGrace is how long after a refresh its spent token is accepted
// again from the same device, for a phone that never received the answer
// (docs/deploy.md, "Sessions on phones").
const RefreshGrace = 2 * time.Minute

// lostAnswer says whether a spent token is presented again because the
// answer to its refresh was lost: spent less than RefreshGrace ago, and no
// token of its session spent since (the device never used the pair it
// was given). The device has already been checked.
func (s *Service) lostAnswer(tx *store.Tx, token store.RefreshToken) (bool, error) {
	if token.UsedAt == nil || tx.Now.Sub(*token.UsedAt) > RefreshGrace {
		return false, nil
	}
	spentSince, err := tx.SessionRefreshSpentAfter(token.SessionID, *token.UsedAt)
	if err != nil {
		return false, err
	}
	return !spentSince, nil
}

// Logout ends the session of a refresh token. Unknown tokens are ignored so
// that a retried logout succeeds.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return errs.Fields("auth.Logout", map[string]string{"/refresh_token": "required"})
	}
	return errs.Wrap("auth.Logout", s.db.InTx(ctx, func(tx *store.Tx) error {
		_, session, err := tx.RefreshTokenByHash(hashToken(refreshToken))
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.RevokeSession(session.ID)
	}))
}

var errBadAccess = errs.E("auth.Authenticate", errs.Unauthenticated, "invalid or expired access token")

// Authenticate turns a bearer token into the caller. Standing is read from
// the database every time, so deactivation and logout bite at once.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (principal.Principal, error) {
	c, err := s.signer.parse(accessToken)
	if err != nil {
		return principal.Principal{}, errs.E("auth.Authenticate", errs.Unauthenticated, "invalid or expired access token", err)
	}
	return s.standing(ctx, c)
}

func (s *Service) standing(ctx context.Context, c claims) (principal.Principal, error) {
	caller, err := s.db.Read(ctx).CallerBySession(c.SessionID)
	if errs.Is(err, errs.NotFound) {
		return principal.Principal{}, errBadAccess
	}
	if err != nil {
		return principal.Principal{}, errs.E("auth.Authenticate", err)
	}
	if !caller.Valid(c.Subject, c.OrgID) {
		return principal.Principal{}, errBadAccess
	}
	return principal.Principal{UserID: caller.UserID, OrgID: caller.OrgID, Role: caller.Role,
		DeviceID: caller.DeviceID, SessionID: c.SessionID, SiteIDs: caller.SiteIDs}, nil
}

// AuthenticateConfirmedLater is Authenticate for a use case that reads the
// caller's standing again inside the transaction that acts on it, and
// refuses there what Authenticate would refuse: a push (syncer confirms
// every session of a group of pushes in one statement). The token is
// checked here as always; its session's standing is read only when it was
// not read for this process within the last rememberFor, so that a device
// pushing back to back costs one lookup per group instead of one per
// request. A revoked session, a deactivated user or device, or a changed
// role or site list therefore takes effect at the next push's
// transaction, as it did before, on every replica.
func (s *Service) AuthenticateConfirmedLater(ctx context.Context, accessToken string) (principal.Principal, error) {
	c, err := s.signer.parse(accessToken)
	if err != nil {
		return principal.Principal{}, errs.E("auth.Authenticate", errs.Unauthenticated, "invalid or expired access token", err)
	}
	now := time.Now()
	if p, ok := s.remembered.get(c.SessionID, now); ok && p.UserID == c.Subject && p.OrgID == c.OrgID {
		return p, nil
	}
	p, err := s.standing(ctx, c)
	if err == nil {
		s.remembered.put(c.SessionID, p, now)
	}
	return p, err
}

// rememberFor is how long AuthenticateConfirmedLater trusts a standing it
// read, and rememberAtMost how many sessions it keeps.
const (
	rememberFor    = time.Minute
	rememberAtMost = 10_000
)

// rememberedCallers are the sessions whose standing was read recently.
type rememberedCallers struct {
	mu       sync.Mutex
	sessions map[string]rememberedCaller
}

type rememberedCaller struct {
	p       principal.Principal
	expires time.Time
}

func (r *rememberedCallers) get(sessionID string, now time.Time) (principal.Principal, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.sessions[sessionID]
	if !ok || now.After(c.expires) {
		return principal.Principal{}, false
	}
	return c.p, true
}

func (r *rememberedCallers) put(sessionID string, p principal.Principal, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sessions) >= rememberAtMost {
		maps.DeleteFunc(r.sessions, func(_ string, c rememberedCaller) bool { return now.After(c.expires) })
	}
	if r.sessions == nil || len(r.sessions) >= rememberAtMost {
		r.sessions = map[string]rememberedCaller{}
	}
	r.sessions[sessionID] = rememberedCaller{p: p, expires: now.Add(rememberFor)}
}

func (s *Service) refuseWhileLocked(ctx context.Context, keys ...string) error {
	tx := s.db.Read(ctx)
	for _, key := range keys {
		until, err := tx.LoginLockedUntil(key)
		if err != nil {
			return errs.E("auth.Login", err)
		}
		if !until.IsZero() {
			return errs.E("auth.Login", errs.RateLimited, "too many failed sign-ins; try again later", time.Until(until))
		}
	}
	return nil
}

func (s *Service) countFailure(ctx context.Context, accountKey, addressKey string, user store.User, known bool, address string) error {
	return errs.Wrap("auth.Login", s.db.InTx(ctx, func(tx *store.Tx) error {
		if known {
			audit.AppendFor(tx, user.OrgID, &user.ID, "auth.login_failed", "user", user.ID, map[string]any{"address": address})
		}
		for key, max := range map[string]int{accountKey: s.throttle.AccountMaxFailures, addressKey: s.throttle.AddressMaxFailures} {
			n, err := tx.CountLoginFailure(key, s.throttle.Window)
			if err != nil {
				return err
			}
			if n >= max {
				if err := tx.LockLogin(key, tx.Now.Add(s.throttle.LockFor)); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// randomToken is 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what is stored: a leaked table holds no usable token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
