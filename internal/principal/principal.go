// Package principal carries the authenticated caller through a context, so
// that the store can scope every query by the caller's organisation without
// trusting anything the request body says.
package principal

import "context"

// Roles, weakest first.
const (
	Guard      = "guard"
	Supervisor = "supervisor"
	Admin      = "admin"
)

var rank = map[string]int{Guard: 1, Supervisor: 2, Admin: 3}

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool { return rank[role] > 0 }

// AtLeast reports whether role is as strong as min.
func AtLeast(role, min string) bool { return rank[role] >= rank[min] && rank[role] > 0 }

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
