package syncer

import (
	"context"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// confirmCallers reads the standing of the sessions pushing, in one
// statement inside the transaction that applies their pushes, so that the
// API need not read it for every push request
// (auth.Service.AuthenticateConfirmedLater). A push whose session is no
// longer good (revoked, its user or device deactivated) gets
// Unauthenticated, one whose user may no longer push gets Forbidden, as
// the API would have answered; the others act with their current role and
// sites. A principal without a session (the server acting for someone)
// stands as it is.
func confirmCallers(tx *store.Tx, ps []principal.Principal) ([]principal.Principal, []error, error) {
	reads := tx.Prefetch()
	confirm := confirmCallersWith(reads, ps)
	if err := reads.Run(); err != nil {
		return nil, nil, err
	}
	confirmed, refused := confirm()
	return confirmed, refused, nil
}

// confirmCallersWith adds confirmCallers' read to reads, to go with the
// push group's other reads (one round trip on PostgreSQL); once reads has
// run, confirm answers what confirmCallers answers.
func confirmCallersWith(reads *store.Prefetch, ps []principal.Principal) (confirm func() ([]principal.Principal, []error)) {
	var sessions []string
	seen := map[string]bool{}
	for _, p := range ps {
		if p.SessionID != "" && input.IsUUID(p.SessionID) && !seen[p.SessionID] {
			seen[p.SessionID] = true
			sessions = append(sessions, p.SessionID)
		}
	}
	callers := map[string]store.Caller{}
	if len(sessions) > 0 {
		reads.CallersBySession(sessions, func(found map[string]store.Caller) { callers = found })
	}
	return func() ([]principal.Principal, []error) {
		confirmed, refused := make([]principal.Principal, len(ps)), make([]error, len(ps))
		for i, p := range ps {
			confirmed[i] = p
			if p.SessionID == "" {
				continue
			}
			caller, ok := callers[p.SessionID]
			switch {
			case !ok || !caller.Valid(p.UserID, p.OrgID):
				refused[i] = errs.E("syncer.Push", errs.Unauthenticated, "invalid or expired access token")
			case principal.ReadOnly(caller.Role) || !principal.AtLeast(caller.Role, principal.Guard):
				refused[i] = errs.E("syncer.Push", errs.Forbidden, "your role may not do this")
			default:
				// The principal authentication built, with its standing as
				// the session has it now (only auth builds principals).
				confirmed[i].Role, confirmed[i].SiteIDs = caller.Role, caller.SiteIDs
			}
		}
		return confirmed, refused
	}
}

// actingAs is ctx acting for p (confirmed: its role and sites may have
// changed since the request's).
func actingAs(ctx context.Context, p principal.Principal) context.Context {
	return principal.With(ctx, p)
}
