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
}

type key struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context { return context.WithValue(ctx, key{}, p) }

// From returns the principal in ctx, if any.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok && p.OrgID != ""
}
