// Package audit is the tamper-evident record of who did what: every state
// change, sign-off, login and permission change is appended to a per-org
// hash chain inside the transaction that made it (store.Tx.Audit), and this
// package reads and verifies that chain. It never edits or deletes an
// entry; nothing in the product does.
package audit

import (
	"context"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Append queues an entry in tx for the caller: action names what happened
// ("inspection.approved"), entity what it happened to; details are any
// JSON-encodable value, stored canonically.
func Append(tx *store.Tx, action, entityType, entityID string, details any) {
	if details == nil {
		details = map[string]any{}
	}
	tx.Audit(store.AuditEntry{Action: action, EntityType: entityType, EntityID: entityID, Details: store.CanonicalJSON(details)})
}

// AppendFor is Append in another organisation or for an actor who is not
// the caller (a failed login names the account, not a session).
func AppendFor(tx *store.Tx, orgID string, actorID *string, action, entityType, entityID string, details any) {
	tx.Audit(store.AuditEntry{OrgID: orgID, ActorID: actorID, Action: action, EntityType: entityType, EntityID: entityID,
		Details: store.CanonicalJSON(details)})
}

// Entry is an audit entry as clients see it.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    *string   `json:"actor_id"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Details    any       `json:"details"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Report is the outcome of verifying one chain.
type Report struct {
	OrgID    string               `json:"org_id"`
	OK       bool                 `json:"ok"`
	Checked  int64                `json:"checked"`
	Problems []store.AuditProblem `json:"problems"`
}

// Service reads and verifies audit chains.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Filter narrows List.
type Filter = store.AuditFilter

// List lists the caller's organisation's entries in chain order.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	rows, err := s.db.Read(ctx).ListAudit(f)
	if err != nil {
		return nil, errs.Wrap("audit.List", err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = viewOf(r)
	}
	return out, nil
}

// Verify walks the whole chain of an organisation.
func (s *Service) Verify(ctx context.Context, orgID string) (Report, error) {
	checked, problems, err := s.db.Read(ctx).VerifyAudit(orgID)
	if err != nil {
		return Report{}, errs.Wrap("audit.Verify", err)
	}
	if problems == nil {
		problems = []store.AuditProblem{}
	}
	return Report{OrgID: orgID, OK: len(problems) == 0, Checked: checked, Problems: problems}, nil
}

func viewOf(r store.AuditEntry) Entry {
	var details any
	if err := jsonUnmarshal(r.Details, &details); err != nil || details == nil {
		details = map[string]any{}
	}
	return Entry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Action: r.Action, EntityType: r.EntityType,
		EntityID: r.EntityID, Details: details, PrevHash: r.PrevHash, Hash: r.Hash}
}
