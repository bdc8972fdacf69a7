// Package principal carries the authenticated caller through a context, so
// that the store can scope every query by the caller's organisation without
// trusting anything the request body says.
package principal

import "context"

// Roles, weakest first. Auditor stands apart from that order: a
// regulator's or internal auditor's account that reads everything in the
// organisation, as an admin does, and may change nothing.
const (
	Guard      = "guard"
	Supervisor = "supervisor"
	Admin      = "admin"
	Auditor    = "auditor"
)

var rank = map[string]int{Guard: 1, Supervisor: 2, Admin: 3}

// Roles lists every role, for messages that name them.
const Roles = "guard, supervisor, admin, auditor"

// ValidRole reports whether role is one of the roles.
func ValidRole(role string) bool { return rank[role] > 0 || role == Auditor }

// AtLeast reports whether role is as strong as min. An auditor is never
// strong enough to act: the HTTP layer lets it read (see MayRead) and
// refuses every write.
func AtLeast(role, min string) bool { return rank[role] >= rank[min] && rank[role] > 0 }

// ReadOnly reports whether role may read but never change anything.
func ReadOnly(role string) bool { return role == Auditor }

// MayRead reports whether role may read what min may read: as AtLeast,
// and an auditor reads everything.
func MayRead(role, min string) bool { return AtLeast(role, min) || role == Auditor }

// OrgWide reports whether role sees every site of its organisation rather
// than the sites it is attached to.
func OrgWide(role string) bool { return role == Admin || role == Auditor }

// Principal is who is calling: the user, their tenant, role and device.
type Principal struct {
	UserID    string
	OrgID     string
	Role      string
	DeviceID  string
	SessionID string   // the refresh-token family of this login
	SiteIDs   []string // sites a guard or supervisor is attached to
	// Job names the background job or operator command acting as the
	// server itself (System); empty for a person.
	Job string
}

// SystemUserID is the user id the server itself acts under: no user has
// it, so nothing a job writes can be mistaken for a person's doing.
const SystemUserID = "00000000-0000-0000-0000-000000000000"

// System is the principal a background job (or an operator command) acts
// as inside one organisation: an admin that is no user, so that every
// query stays scoped to that organisation. job names what acts
// ("finding.escalate"); audit entries written for it have no actor and
// carry {"job": job} in their details (store.Tx.Audit). It is the one way
// to act for an organisation without a person: jobs never build a
// Principal of their own.
func System(orgID, job string) Principal {
	return Principal{UserID: SystemUserID, OrgID: orgID, Role: Admin, Job: job}
}

// AsSystem returns ctx acting as System(orgID, job).
func AsSystem(ctx context.Context, orgID, job string) context.Context {
	return With(ctx, System(orgID, job))
}

// IsSystem reports whether p is the server acting by itself.
func (p Principal) IsSystem() bool { return p.Job != "" }

type key struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context { return context.WithValue(ctx, key{}, p) }

// From returns the principal in ctx, if any.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok && p.OrgID != ""
}
