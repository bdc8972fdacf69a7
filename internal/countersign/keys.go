// Package countersign is the two-person rule (双人): the keys users register
// for countersigning, and the server's check of every countersignature an
// inspection carries. A countersigner proves consent with an Ed25519 key
// that only their own phone holds: the phone signs the countersigned answer
// offline and hands the proof to the inspector's phone by QR; the server
// checks the countersigner, the key and the signature when the inspection
// is submitted. The message and the proof are specified in the checklists
// engine (checklists.CountersignSubject) and in docs/sync-protocol.md.
package countersign

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Algorithm is the only signature algorithm keys may use.
const Algorithm = "ed25519"

// Key is a registered public key as shown to its owner.
type Key struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	DeviceID  *string    `json:"device_id"`
	Algorithm string     `json:"algorithm"`
	PublicKey string     `json:"public_key"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// KeyInput registers a key: the public half of an Ed25519 key pair the
// phone generated and keeps.
type KeyInput struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"public_key"`
	Name      string `json:"name"`
}

// Service registers, lists and revokes the caller's own keys.
type Service struct {
	db *store.DB
}

// NewService returns the key service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

func keyView(k store.UserKey) Key {
	return Key{ID: k.ID, UserID: k.UserID, DeviceID: k.DeviceID, Algorithm: k.Algorithm, PublicKey: k.PublicKey,
		Name: k.Name, CreatedAt: k.CreatedAt.UTC(), RevokedAt: k.RevokedAt}
}

// Register adds a public key for the caller, bound to the device they are
// signed in on. Only the user's own session can register their key, so a
// key proves the user, not whoever administers them.
func (s *Service) Register(ctx context.Context, in KeyInput) (Key, error) {
	const op = "countersign.Register"
	p, _ := principal.From(ctx)
	fields := map[string]string{}
	key := store.UserKey{ID: in.ID, UserID: p.UserID, Algorithm: Algorithm, Name: in.Name}
	if in.ID == "" {
		key.ID = uuid.Must(uuid.NewV7()).String()
	} else if parsed, err := uuid.Parse(in.ID); err != nil || len(in.ID) != 36 {
		fields["/id"] = "must be a UUID"
	} else {
		key.ID = parsed.String()
	}
	if in.Algorithm != "" && in.Algorithm != Algorithm {
		fields["/algorithm"] = "must be ed25519"
	}
	public, err := base64.StdEncoding.DecodeString(in.PublicKey)
	if err != nil || len(public) != ed25519.PublicKeySize {
		fields["/public_key"] = "must be a 32-byte Ed25519 public key in standard base64"
	} else {
		key.PublicKey = base64.StdEncoding.EncodeToString(public)
	}
	switch {
	case len([]rune(in.Name)) > 200:
		fields["/name"] = "too long (at most 200 characters)"
	case strings.ContainsFunc(in.Name, unicode.IsControl):
		fields["/name"] = "must not contain control characters"
	}
	if len(fields) > 0 {
		return Key{}, errs.Fields(op, fields)
	}
	if p.DeviceID != "" {
		key.DeviceID = &p.DeviceID
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		audit.Append(tx, "user_key.registered", "user_key", key.ID, map[string]any{"user_id": key.UserID,
			"device_id": key.DeviceID, "algorithm": key.Algorithm, "public_key": key.PublicKey})
		return tx.CreateUserKey(&key)
	})
	if errs.Is(err, errs.Conflict) {
		return Key{}, errs.E(op, errs.Conflict, "a key with this id or public key is already registered", err)
	}
	return keyView(key), errs.Wrap(op, err)
}

// List lists the caller's keys, revoked ones included.
func (s *Service) List(ctx context.Context, page store.Page) ([]Key, string, error) {
	p, _ := principal.From(ctx)
	rows, next, err := s.db.Read(ctx).ListUserKeys(p.UserID, page)
	out := make([]Key, len(rows))
	for i, r := range rows {
		out[i] = keyView(r)
	}
	return out, next, errs.Wrap("countersign.List", err)
}

// Revoke ends a key of the caller for good: countersignatures made with it
// no longer verify, including those still waiting in a phone's outbox.
// Revoking a revoked key answers the key as it is.
func (s *Service) Revoke(ctx context.Context, id string) (Key, error) {
	const op = "countersign.Revoke"
	p, _ := principal.From(ctx)
	var key store.UserKey
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if key, err = tx.UserKey(id); err != nil {
			return err
		}
		if key.UserID != p.UserID {
			return errs.E(op, errs.NotFound, "not found")
		}
		if key.RevokedAt != nil {
			return nil
		}
		audit.Append(tx, "user_key.revoked", "user_key", key.ID, map[string]any{"user_id": key.UserID})
		return tx.RevokeUserKey(&key)
	})
	return keyView(key), errs.Wrap(op, err)
}
