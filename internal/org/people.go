package org

import (
	"context"
	"slices"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Person is a user as a supervisor needs to see them to hand out work:
// who they are and what they do, nothing more (no email, no sites).
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// SitePeople lists the active people who work at a site (attached to it,
// or administrators, who work everywhere): exactly those a finding or a
// schedule at the site may be assigned to (finding.CheckAssignee and the
// schedules' assignee rule accept an active user who is an administrator
// or attached to the site). Supervisors read the people of their own
// sites; another site answers 404 like an absent one.
func (s *Service) SitePeople(ctx context.Context, siteID string, page store.Page) ([]Person, string, error) {
	const op = "org.SitePeople"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	if _, err := tx.Site(siteID); err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	if p.Role != principal.Admin && !slices.Contains(p.SiteIDs, siteID) {
		return nil, "", errs.E(op, errs.NotFound, "not found")
	}
	active := true
	rows, next, err := tx.ListUsers(store.UserFilter{Active: &active, WorksAt: siteID}, page)
	if err != nil {
		return nil, "", errs.Wrap(op, err)
	}
	out := make([]Person, len(rows))
	for i, row := range rows {
		out[i] = Person{ID: row.ID, Name: row.Name, Role: row.Role}
	}
	return out, next, nil
}
