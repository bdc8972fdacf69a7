package duties

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Handover is a shift handover as clients see it.
type Handover struct {
	ID               string                 `json:"id"`
	SiteID           string                 `json:"site_id"`
	Post             string                 `json:"post"`
	ShiftID          *string                `json:"shift_id"`
	OutgoingUserID   string                 `json:"outgoing_user_id"`
	OutgoingName     string                 `json:"outgoing_name"`
	IncomingUserID   string                 `json:"incoming_user_id"`
	IncomingName     string                 `json:"incoming_name"`
	HandedAt         time.Time              `json:"handed_at"`
	Items            mutation.HandoverItems `json:"items"`
	ContentDigest    string                 `json:"content_digest"`
	OutgoingStrokes  json.RawMessage        `json:"outgoing_strokes"`
	OutgoingSignedAt time.Time              `json:"outgoing_signed_at"`
	IncomingStrokes  json.RawMessage        `json:"incoming_strokes"`
	IncomingSignedAt *time.Time             `json:"incoming_signed_at"`
	// Status is awaiting_incoming until the incoming guard signs, then
	// completed.
	Status string `json:"status"`
	// Unconfirmed flags a handover the incoming guard has not signed
	// within the organisation's confirmation time (digest: "an
	// unconfirmed handover is flagged").
	Unconfirmed bool  `json:"unconfirmed"`
	Version     int64 `json:"version"`
}

// HandoverOutcome is what a handover write did.
type HandoverOutcome struct {
	Handover  store.ShiftHandover
	Duplicate bool
	Problems  Problems
}

// digestOf is the SHA-256 of the handover's content, which both
// signatures sign: what was handed over, where, when, between whom.
func digestOf(r store.ShiftHandover) string {
	content, _ := json.Marshal(map[string]any{"site_id": r.SiteID, "post": r.Post, "shift_id": r.ShiftID,
		"outgoing_user_id": r.OutgoingUserID, "incoming_user_id": r.IncomingUserID,
		"handed_at": r.HandedAt.UTC().Format(time.RFC3339), "items": json.RawMessage(r.Items)})
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// StartHandover is the one write path of a new handover (handover.start
// and POST /v1/handovers): the signed-in person is the outgoing guard and
// signs first; the incoming guard is another active person of the site.
func StartHandover(tx *store.Tx, p principal.Principal, id string, in mutation.StartHandover, prefix string) (HandoverOutcome, error) {
	problems := Problems{}
	existing, taken, err := tx.HandoversByID([]string{id})
	if err != nil {
		return HandoverOutcome{}, err
	}
	if len(taken) > 0 {
		return HandoverOutcome{Problems: Problems{"/entity_id": "this id is taken: make a new one"}}, nil
	}
	if row, ok := existing[id]; ok {
		if row.OutgoingUserID != p.UserID {
			return HandoverOutcome{Problems: Problems{"/entity_id": "this id is taken: make a new one"}}, nil
		}
		return HandoverOutcome{Handover: row, Duplicate: true}, nil
	}
	row := store.ShiftHandover{ID: id, SiteID: in.SiteID, ShiftID: in.ShiftID, OutgoingUserID: p.UserID,
		IncomingUserID: in.IncomingUserID, OutgoingDeviceID: p.DeviceID}
	if _, err := requireSite(tx, p, in.SiteID, prefix+"/site_id", problems); err != nil {
		return HandoverOutcome{}, err
	}
	row.Post = checkText(in.Post, prefix+"/post", 100, in.ShiftID == nil, problems)
	if in.ShiftID != nil {
		shift, err := tx.Shift(*in.ShiftID)
		switch {
		case errs.Is(err, errs.NotFound), err == nil && (shift.UserID != p.UserID || shift.SiteID != in.SiteID || shift.Cancelled):
			problems[prefix+"/shift_id"] = "must be a shift of yours at the site"
		case err != nil:
			return HandoverOutcome{}, err
		case row.Post == "":
			row.Post = shift.Post
		}
	}
	switch {
	case in.IncomingUserID == p.UserID:
		problems[prefix+"/incoming_user_id"] = "the incoming guard is someone else: one person cannot sign both sides"
	default:
		if _, err := requirePerson(tx, in.IncomingUserID, in.SiteID, prefix+"/incoming_user_id", problems); err != nil {
			return HandoverOutcome{}, err
		}
	}
	row.HandedAt = checkTime(in.HandedAt, prefix+"/handed_at", problems)
	if !row.HandedAt.IsZero() && (row.HandedAt.After(tx.Now.Add(10*time.Minute)) || row.HandedAt.Before(tx.Now.Add(-7*24*time.Hour))) {
		problems[prefix+"/handed_at"] = "within the last 7 days, not in the future"
	}
	items := mutation.HandoverItems{
		OpenMatters:  checkText(in.Items.OpenMatters, prefix+"/items/open_matters", 4000, false, problems),
		Equipment:    checkText(in.Items.Equipment, prefix+"/items/equipment", 4000, true, problems),
		KeysAndItems: checkText(in.Items.KeysAndItems, prefix+"/items/keys_and_items", 4000, false, problems),
		Remarks:      checkText(in.Items.Remarks, prefix+"/items/remarks", 4000, false, problems),
	}
	row.OutgoingStrokes = checkStrokes(in.Signature.Strokes, prefix+"/signature/strokes", problems)
	if len(problems) > 0 {
		return HandoverOutcome{Problems: problems}, nil
	}
	row.Items, _ = json.Marshal(items)
	row.ContentDigest = digestOf(row)
	row.OutgoingSignedAt = tx.Now
	if err := tx.AddHandover(&row); err != nil {
		return HandoverOutcome{}, err
	}
	audit.Append(tx, "handover.signed_outgoing", "handover", row.ID, map[string]any{"site_id": row.SiteID, "post": row.Post,
		"incoming_user_id": row.IncomingUserID, "content_digest": row.ContentDigest, "device_id": p.DeviceID,
		"client_signed_at": in.Signature.SignedAt})
	return HandoverOutcome{Handover: row}, handoverRecord(tx, row)
}

// SignHandover is the one write path of the incoming signature
// (handover.sign and POST /v1/handovers/{id}/sign). Only the incoming
// guard named in the handover signs, from their own session, the content
// they read (its digest); the outgoing guard cannot sign it again, and a
// second signature by the incoming guard is a duplicate, not a change.
func SignHandover(tx *store.Tx, p principal.Principal, id string, in mutation.SignHandover, prefix string) (HandoverOutcome, error) {
	row, err := tx.Handover(id)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !mayWorkAt(p, row.SiteID) && p.UserID != row.IncomingUserID:
		return HandoverOutcome{Problems: Problems{"/entity_id": "no such handover"}}, nil
	case err != nil:
		return HandoverOutcome{}, err
	case p.UserID == row.OutgoingUserID:
		return HandoverOutcome{Problems: Problems{"/entity_id": "you signed this handover as the outgoing guard: the incoming guard signs it"}}, nil
	case p.UserID != row.IncomingUserID:
		return HandoverOutcome{Problems: Problems{"/entity_id": "only the incoming guard named in the handover signs it"}}, nil
	case row.IncomingSignedAt != nil:
		return HandoverOutcome{Handover: row, Duplicate: true}, nil
	}
	problems := Problems{}
	if in.ContentDigest != row.ContentDigest {
		problems[prefix+"/content_digest"] = "the handover is not what you read: read it again, then sign"
	}
	strokes := checkStrokes(in.Signature.Strokes, prefix+"/signature/strokes", problems)
	user, err := tx.User(p.UserID)
	if err != nil {
		return HandoverOutcome{}, err
	}
	if !user.Active {
		problems["/entity_id"] = "your account is not active"
	}
	if len(problems) > 0 {
		return HandoverOutcome{Problems: problems}, nil
	}
	now := tx.Now
	row.IncomingStrokes, row.IncomingSignedAt, row.IncomingDeviceID = strokes, &now, p.DeviceID
	if err := tx.CountersignHandover(&row, row.Version); err != nil {
		return HandoverOutcome{}, err
	}
	audit.Append(tx, "handover.signed_incoming", "handover", row.ID, map[string]any{"content_digest": row.ContentDigest,
		"device_id": p.DeviceID, "client_signed_at": in.Signature.SignedAt})
	return HandoverOutcome{Handover: row}, handoverRecord(tx, row)
}

// handoverRecord sends the handover to the site's people (both guards
// work there) so the incoming phone can read and sign it offline.
func handoverRecord(tx *store.Tx, r store.ShiftHandover) error {
	view, err := handoverView(tx, r, 0)
	if err != nil {
		return err
	}
	site := r.SiteID
	return record(tx, "handover", r.ID, r.Version, view, store.Change{Audience: store.AudienceSite, SiteID: &site,
		Fresh: r.Version == 1})
}

// handoverView renders a handover; confirmMinutes > 0 flags it
// unconfirmed once that long has passed unsigned.
func handoverView(tx *store.Tx, r store.ShiftHandover, confirmMinutes int) (Handover, error) {
	who, err := names(tx, r.OutgoingUserID, r.IncomingUserID)
	if err != nil {
		return Handover{}, err
	}
	var items mutation.HandoverItems
	if err := json.Unmarshal(r.Items, &items); err != nil {
		return Handover{}, errs.E("duties.handoverView", errs.Internal, err)
	}
	h := Handover{ID: r.ID, SiteID: r.SiteID, Post: r.Post, ShiftID: r.ShiftID, OutgoingUserID: r.OutgoingUserID,
		OutgoingName: who[r.OutgoingUserID], IncomingUserID: r.IncomingUserID, IncomingName: who[r.IncomingUserID],
		HandedAt: r.HandedAt.UTC(), Items: items, ContentDigest: r.ContentDigest, OutgoingStrokes: r.OutgoingStrokes,
		OutgoingSignedAt: r.OutgoingSignedAt.UTC(), IncomingStrokes: r.IncomingStrokes, IncomingSignedAt: r.IncomingSignedAt,
		Status: "awaiting_incoming", Version: r.Version}
	if r.IncomingSignedAt != nil {
		at := r.IncomingSignedAt.UTC()
		h.IncomingSignedAt, h.Status = &at, "completed"
	} else {
		h.IncomingStrokes = nil
		h.Unconfirmed = confirmMinutes > 0 && tx.Now.Sub(r.HandedAt) > time.Duration(confirmMinutes)*time.Minute
	}
	if h.IncomingStrokes == nil {
		h.IncomingStrokes = json.RawMessage("null")
	}
	return h, nil
}

// CreateHandover is the REST path of StartHandover.
func (s *Service) CreateHandover(ctx context.Context, in mutation.StartHandover) (Handover, error) {
	const op = "duties.CreateHandover"
	p := withPrincipal(ctx)
	problems := Problems{}
	id := newID(in.ID, "/id", problems)
	if len(problems) > 0 {
		return Handover{}, invalid(op, problems)
	}
	var outcome HandoverOutcome
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		outcome, err = StartHandover(tx, p, id, in, "")
		return err
	})
	switch {
	case err != nil:
		return Handover{}, errs.Wrap(op, err)
	case len(outcome.Problems) > 0:
		return Handover{}, refused(op, outcome.Problems, "", errs.Conflict)
	}
	return s.Handover(ctx, id)
}

// SignHandoverNow is the REST path of SignHandover.
func (s *Service) SignHandoverNow(ctx context.Context, id string, in mutation.SignHandover) (Handover, error) {
	const op = "duties.SignHandover"
	p := withPrincipal(ctx)
	var outcome HandoverOutcome
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		outcome, err = SignHandover(tx, p, id, in, "")
		return err
	})
	switch {
	case err != nil:
		return Handover{}, errs.Wrap(op, err)
	case len(outcome.Problems) > 0:
		return Handover{}, refused(op, outcome.Problems, "no such handover", errs.Forbidden)
	}
	return s.Handover(ctx, id)
}

// Handover reads one handover (the site's people, and its two guards).
func (s *Service) Handover(ctx context.Context, id string) (Handover, error) {
	const op = "duties.Handover"
	p := withPrincipal(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Handover(id)
	if err == nil && !mayWorkAt(p, row.SiteID) && p.UserID != row.IncomingUserID && p.UserID != row.OutgoingUserID {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return Handover{}, errs.Wrap(op, err)
	}
	settings, err := settingsOf(tx)
	if err != nil {
		return Handover{}, errs.Wrap(op, err)
	}
	view, err := handoverView(tx, row, settings.HandoverConfirmMinutes)
	return view, errs.Wrap(op, err)
}

// HandoverFilter narrows the handovers.
type HandoverFilter struct {
	SiteID string
	UserID string // as outgoing or incoming guard
	Range
}

// Handovers lists handovers handed over in the range, newest first.
func (s *Service) Handovers(ctx context.Context, f HandoverFilter) ([]Handover, error) {
	const op = "duties.Handovers"
	p := withPrincipal(ctx)
	r, err := rangeOf(f.Range, s.now())
	if err != nil {
		return nil, err
	}
	if f.UserID != "" && !input.IsUUID(f.UserID) {
		return nil, errs.Fields(op, map[string]string{"/user_id": "must be a UUID"})
	}
	tx := s.db.Read(ctx)
	rows, err := tx.Handovers(store.DutyFilter{SiteIDs: siteFilter(p, f.SiteID), UserID: f.UserID, From: r.From, To: r.To})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	settings, err := settingsOf(tx)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	out, err := viewsOf(rows, func(row store.ShiftHandover) (Handover, error) {
		return handoverView(tx, row, settings.HandoverConfirmMinutes)
	})
	return out, errs.Wrap(op, err)
}
