package org

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/google/uuid"

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

// SitePerson is a person as the phones of their site's people pull them
// (entity site_person): the name and role a guard picks the incoming guard
// of a shift handover by, offline (issue 16 item 4). Nothing else about
// the person leaves the server this way: no email, no other sites.
type SitePerson struct {
	ID     string `json:"id"` // derived from the site and the user: one record per site a person works at
	SiteID string `json:"site_id"`
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
}

// sitePersonSpace derives the ids of site_person records.
var sitePersonSpace = uuid.MustParse("0193f6c4-5a1e-7c2d-9b3a-6e1f0a2b3c4d")

// SitePersonID is the id of the site_person record of a user at a site.
func SitePersonID(siteID, userID string) string {
	return uuid.NewSHA1(sitePersonSpace, []byte(siteID+"/"+userID)).String()
}

// recordPeople puts what changed about user, at each site they work at
// before or after a write, in the change log for the people of that site:
// an upsert while they are active there, a deletion once they left the
// site or were deactivated. before is nil for a new user. Admins attached
// to no site are in no site's list.
func recordPeople(tx *store.Tx, before *store.User, after store.User) error {
	was := map[string]bool{}
	if before != nil && before.Active {
		for _, site := range before.SiteIDs {
			was[site] = true
		}
	}
	now := map[string]bool{}
	if after.Active {
		for _, site := range after.SiteIDs {
			now[site] = true
		}
	}
	unchanged := before != nil && before.Name == after.Name && before.Role == after.Role
	for _, site := range slices.Sorted(maps.Keys(now)) {
		if was[site] && unchanged {
			continue
		}
		data, err := json.Marshal(SitePerson{ID: SitePersonID(site, after.ID), SiteID: site, UserID: after.ID, Name: after.Name, Role: after.Role})
		if err != nil {
			return errs.E("org.recordPeople", errs.Internal, err)
		}
		tx.RecordChange(store.Change{EntityType: "site_person", EntityID: SitePersonID(site, after.ID), Op: "upsert",
			Version: after.Version, Audience: store.AudienceSite, SiteID: &site, Data: data, Fresh: !was[site] && before == nil})
	}
	for _, site := range slices.Sorted(maps.Keys(was)) {
		if !now[site] {
			tx.RecordChange(store.Change{EntityType: "site_person", EntityID: SitePersonID(site, after.ID), Op: "delete",
				Version: after.Version, Audience: store.AudienceSite, SiteID: &site})
		}
	}
	return nil
}
