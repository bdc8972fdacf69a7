package duties

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/patrolsync/patrolsync/checklists"

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
// signatures sign: what was handed over, where, when, between whom. It is
// checklists.ContentDigest (canonical JSON), so the outgoing guard's phone
// computes the same digest offline (the engine's contentDigest) for the
// incoming guard's key to sign.
func digestOf(r store.ShiftHandover) string {
	digest, err := checklists.ContentDigest(map[string]any{"site_id": r.SiteID, "post": r.Post, "shift_id": r.ShiftID,
		"outgoing_user_id": r.OutgoingUserID, "incoming_user_id": r.IncomingUserID,
		"handed_at": r.HandedAt.UTC().Format(time.RFC3339), "items": json.RawMessage(r.Items)})
	if err != nil {
		// Stored items are JSON this package wrote: never reached.
		sum := sha256.Sum256(r.Items)
		return hex.EncodeToString(sum[:])
	}
	return digest
}

// HandoverMessageVersion is the first line of the message an incoming
// guard's key signs; another layout gets another first line.
const HandoverMessageVersion = "patrolsync-handover-v1"

// HandoverMessage is the exact text the incoming guard's countersign key
// signs to take over a handover on the outgoing guard's phone: six lines of
// UTF-8 joined by "\n", no final newline, ids in lower case.
//
//	patrolsync-handover-v1
//	handover_id=<uuid>
//	content_digest=<64 hex digits>
//	user_id=<the incoming guard's uuid>
//	key_id=<uuid>
//	signed_at=<RFC 3339 time>
func HandoverMessage(handoverID, contentDigest, userID, keyID, signedAt string) []byte {
	return []byte(strings.Join([]string{HandoverMessageVersion, "handover_id=" + strings.ToLower(handoverID),
		"content_digest=" + strings.ToLower(contentDigest), "user_id=" + strings.ToLower(userID),
		"key_id=" + strings.ToLower(keyID), "signed_at=" + signedAt}, "\n"))
}

// checkIncoming checks the incoming guard's signature taken on the
// outgoing guard's phone: drawn, and proven by the incoming guard's own
// registered, unrevoked key over this handover's id and content (the
// two-person rule as a countersign proves it, design §6). It returns the
// key that proved it.
func checkIncoming(tx *store.Tx, row store.ShiftHandover, in mutation.IncomingSignature, prefix string, problems Problems) (store.UserKey, []byte, error) {
	strokes := checkStrokes(in.Strokes, prefix+"/strokes", problems)
	pointer := prefix + "/signature"
	if !input.IsUUID(in.KeyID) || input.ParseTime(in.SignedAt) == nil || in.Signature == "" {
		problems[pointer] = "the incoming guard's proof: key_id, signed_at (RFC 3339) and signature are required"
		return store.UserKey{}, nil, nil
	}
	key, err := tx.UserKey(strings.ToLower(in.KeyID))
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !strings.EqualFold(key.UserID, row.IncomingUserID):
		problems[pointer] = "key_id is not a key the incoming guard registered"
		return key, nil, nil
	case err != nil:
		return key, nil, err
	case key.RevokedAt != nil:
		problems[pointer] = "the incoming guard's key was revoked"
		return key, nil, nil
	}
	public, err := base64.StdEncoding.DecodeString(key.PublicKey)
	signature, bad := base64.StdEncoding.DecodeString(in.Signature)
	if err != nil || bad != nil || len(public) != ed25519.PublicKeySize || len(signature) != ed25519.SignatureSize ||
		!ed25519.Verify(public, HandoverMessage(row.ID, row.ContentDigest, row.IncomingUserID, key.ID, in.SignedAt), signature) {
		problems[pointer] = "the signature does not verify over this handover: its content changed after the incoming guard signed"
	}
	return key, strokes, nil
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
	row.Items, _ = json.Marshal(items)
	row.ContentDigest = digestOf(row)
	var key store.UserKey
	if in.Incoming != nil && len(problems) == 0 {
		var strokes []byte
		var err error
		if key, strokes, err = checkIncoming(tx, row, *in.Incoming, prefix+"/incoming", problems); err != nil {
			return HandoverOutcome{}, err
		}
		now := tx.Now
		row.IncomingStrokes, row.IncomingSignedAt = strokes, &now
		if key.DeviceID != nil {
			row.IncomingDeviceID = *key.DeviceID
		}
	}
	if len(problems) > 0 {
		return HandoverOutcome{Problems: problems}, nil
	}
	row.OutgoingSignedAt = tx.Now
	if err := tx.AddHandover(&row); err != nil {
		return HandoverOutcome{}, err
	}
	audit.Append(tx, "handover.signed_outgoing", "handover", row.ID, map[string]any{"site_id": row.SiteID, "post": row.Post,
		"incoming_user_id": row.IncomingUserID, "content_digest": row.ContentDigest, "device_id": p.DeviceID,
		"client_signed_at": in.Signature.SignedAt})
	if in.Incoming != nil {
		// The incoming guard signed on this phone: their key's proof is
		// kept in the hash-chained log, where it can be verified again.
		audit.Append(tx, "handover.signed_incoming", "handover", row.ID, map[string]any{"content_digest": row.ContentDigest,
			"device_id": p.DeviceID, "key_id": key.ID, "key_device_id": key.DeviceID, "client_signed_at": in.Incoming.SignedAt,
			"signature": in.Incoming.Signature, "signed_on": "outgoing_phone"})
	}
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
