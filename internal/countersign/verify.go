package countersign

import (
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Subject is the inspection whose countersignatures are checked.
type Subject struct {
	InspectionID string
	SiteID       string
	InspectorID  string
}

// reader is what verification needs from a transaction of the caller's
// organisation: users with their sites, and keys.
type reader interface {
	User(id string) (store.User, error)
	UserKey(id string) (store.UserKey, error)
}

// Judge judges one countersignature, as the engine meets it during an
// evaluation (checklists.Input.Judge). A verdict that is not verified
// names why, in words a supervisor can act on. Only a database fault is an
// error; everything about the proof is a verdict. The signature itself is
// checked by proofs, which may have checked it ahead (nil: here).
func Judge(tx reader, proofs *Proofs, subject Subject, check checklists.CountersignCheck) (checklists.CountersignVerdict, error) {
	if strings.EqualFold(check.UserID, subject.InspectorID) {
		return refuse(checklists.CodeCountersignSelf, "the countersigner is the inspector: a two-person item needs a second person", ""), nil
	}
	if check.KeyID == "" || check.SignedAt == "" || check.Signature == "" {
		return refuse(checklists.CodeCountersignNoProof, "no proof from the countersigner's own key: key_id, signed_at and signature are required", ""), nil
	}
	user, found, err := lookupUser(tx, check.UserID)
	if err != nil || !found {
		return refuse(checklists.CodeCountersignUnknownUser, "the countersigner is not a user of this organisation", ""), err
	}
	switch {
	case !user.Active:
		return refuse(checklists.CodeCountersignInactive, "the countersigner's account is deactivated", user.Name), nil
	case user.Role != principal.Admin && !slices.Contains(user.SiteIDs, subject.SiteID):
		return refuse(checklists.CodeCountersignSite, "the countersigner does not work at this inspection's site", user.Name), nil
	case !holdsRole(user.Role, check.Role):
		return refuse(checklists.CodeCountersignRole, "the item needs a countersigner who is "+check.Role+"; this one is "+user.Role, user.Name), nil
	}
	key, found, err := lookupKey(tx, check.KeyID)
	switch {
	case err != nil:
		return checklists.CountersignVerdict{}, err
	case !found || !strings.EqualFold(key.UserID, user.ID):
		return refuse(checklists.CodeCountersignUnknownKey, "key_id is not a key the countersigner registered", user.Name), nil
	case key.RevokedAt != nil:
		return refuse(checklists.CodeCountersignKeyRevoked, "the countersigner's key was revoked", user.Name), nil
	}
	if !proofs.holds(key.PublicKey, subject, check) {
		return refuse(checklists.CodeCountersignSignature, "the signature does not verify over this inspection, item and answer", user.Name), nil
	}
	return checklists.CountersignVerdict{Verified: true, UserName: user.Name}, nil
}

func refuse(code, reason, name string) checklists.CountersignVerdict {
	return checklists.CountersignVerdict{Code: code, Reason: reason, UserName: name}
}

// holdsRole: "any" and "witness" ask for any user; "guard" and
// "supervisor" for that role or a stronger one.
func holdsRole(role, asked string) bool {
	switch asked {
	case "guard":
		return principal.AtLeast(role, principal.Guard)
	case "supervisor":
		return principal.AtLeast(role, principal.Supervisor)
	}
	return principal.ValidRole(role)
}

// lookupUser finds a user of the caller's organisation; an id that is not
// a UUID, or names a user of another organisation, is simply not found.
func lookupUser(tx reader, id string) (store.User, bool, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return store.User{}, false, nil
	}
	user, err := tx.User(strings.ToLower(id))
	if errs.Is(err, errs.NotFound) {
		return user, false, nil
	}
	return user, err == nil, err
}

func lookupKey(tx reader, id string) (store.UserKey, bool, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return store.UserKey{}, false, nil
	}
	key, err := tx.UserKey(strings.ToLower(id))
	if errs.Is(err, errs.NotFound) {
		return key, false, nil
	}
	return key, err == nil, err
}
