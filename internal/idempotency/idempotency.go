// Package idempotency remembers the first answer to a write sent with an
// Idempotency-Key, per user, so that a retry gets the same answer instead
// of doing the write twice. It never replays another user's answer.
package idempotency

import (
	"context"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Service reads and writes stored answers.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Replay returns the stored answer for key, if any. A key reused for a
// different request is refused rather than answered with the wrong body.
func (s *Service) Replay(ctx context.Context, key, method, path, requestHash string) (int, string, []byte, bool, error) {
	const op = "idempotency.Replay"
	p, _ := principal.From(ctx)
	r, found, err := s.db.Read(ctx).StoredResponse(p.UserID, key)
	if err != nil || !found {
		return 0, "", nil, false, errs.Wrap(op, err)
	}
	if r.RequestHash != requestHash || r.Method != method || r.Path != path {
		return 0, "", nil, false, errs.E(op, errs.Invalid, "this Idempotency-Key was used for a different request",
			map[string]string{"/headers/Idempotency-Key": "already used for a different request"})
	}
	return r.Status, r.ContentType, r.Body, true, nil
}

// Remember stores the first answer for key.
func (s *Service) Remember(ctx context.Context, key, method, path, requestHash string, status int, contentType string, body []byte) error {
	p, _ := principal.From(ctx)
	r := store.StoredResponse{UserID: p.UserID, Key: key, Method: method, Path: path, RequestHash: requestHash,
		Status: status, ContentType: contentType, Body: body}
	return errs.Wrap("idempotency.Remember", s.db.InTx(ctx, func(tx *store.Tx) error { return tx.StoreResponse(&r) }))
}
