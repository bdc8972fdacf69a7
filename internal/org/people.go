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

// worksAt lists the sites whose people list holds user: none while they
// are inactive; every site of the organisation for an administrator (who
// works everywhere: the site's people of GET /v1/sites/{id}/people, and
// whom a handover, a shift or an assignment at any site accepts); the
// sites they are attached to for anyone else. sites is every site of the
// organisation, read once by the caller.
func worksAt(user *store.User, sites []string) []string {
	switch {
	case user == nil || !user.Active:
		return nil
	case user.Role == principal.Admin:
		return sites
	}
	return user.SiteIDs
}

// sitePersonChange is the upsert of user's record at site.
func sitePersonChange(site string, user store.User, fresh bool) (store.Change, error) {
	data, err := json.Marshal(SitePerson{ID: SitePersonID(site, user.ID), SiteID: site, UserID: user.ID, Name: user.Name, Role: user.Role})
	if err != nil {
		return store.Change{}, errs.E("org.sitePersonChange", errs.Internal, err)
	}
	return store.Change{EntityType: "site_person", EntityID: SitePersonID(site, user.ID), Op: "upsert",
		Version: user.Version, Audience: store.AudienceSite, SiteID: &site, Data: data, Fresh: fresh}, nil
}

// recordPeople puts what changed about user, at each site they work at
// before or after a write (worksAt), in the change log for the people of
// that site: an upsert while they work there, a deletion once they left
// the site, were deactivated or stopped being an administrator. before is
// nil for a new user.
func recordPeople(tx *store.Tx, before *store.User, after store.User) error {
	var sites []string
	if after.Role == principal.Admin || before != nil && before.Role == principal.Admin {
		var err error
		if sites, err = tx.AllSiteIDs(); err != nil {
			return err
		}
	}
	was := map[string]bool{}
	for _, site := range worksAt(before, sites) {
		was[site] = true
	}
	now := map[string]bool{}
	for _, site := range worksAt(&after, sites) {
		now[site] = true
	}
	unchanged := before != nil && before.Name == after.Name && before.Role == after.Role
	for _, site := range slices.Sorted(maps.Keys(now)) {
		if was[site] && unchanged {
			continue
		}
		change, err := sitePersonChange(site, after, !was[site] && before == nil)
		if err != nil {
			return err
		}
		tx.RecordChange(change)
	}
	for _, site := range slices.Sorted(maps.Keys(was)) {
		if !now[site] {
			tx.RecordChange(store.Change{EntityType: "site_person", EntityID: SitePersonID(site, after.ID), Op: "delete",
				Version: after.Version, Audience: store.AudienceSite, SiteID: &site})
		}
	}
	return nil
}

// recordAdminsAt lists the organisation's active administrators in the
// people of a new site: they work there from its first day.
func recordAdminsAt(tx *store.Tx, site string) error {
	admins, err := tx.ActiveUsers(principal.Admin)
	if err != nil {
		return err
	}
	for _, admin := range admins {
		change, err := sitePersonChange(site, admin, true)
		if err != nil {
			return err
		}
		tx.RecordChange(change)
	}
	return nil
}

// BackfillPeople writes the site_person entry of every person at every
// site they work at that the change log lacks: people added before
// site_person went into pull, and administrators who hold no site, who
// were once in no site's list. It runs once per release that owes it
// (the sync.backfill job), organisation by organisation, and returns how
// many entries it wrote. Running it again writes nothing.
func (s *Service) BackfillPeople(ctx context.Context) (int, error) {
	const op = "org.BackfillPeople"
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return 0, errs.E(op, err)
	}
	written := 0
	for _, org := range orgs {
		owedHere := 0
		err := s.db.InTx(principal.AsSystem(ctx, org, "sync.backfill"), func(tx *store.Tx) error {
			if err := tx.LockAll("users"); err != nil {
				return err
			}
			sites, err := tx.AllSiteIDs()
			if err != nil {
				return err
			}
			users, err := tx.ActiveUsers("")
			if err != nil {
				return err
			}
			var owed []store.Change
			var ids []string
			for _, user := range users {
				for _, site := range worksAt(&user, sites) {
					change, err := sitePersonChange(site, user, false)
					if err != nil {
						return err
					}
					owed, ids = append(owed, change), append(ids, change.EntityID)
				}
			}
			logged, err := tx.LoggedEntities(ids)
			if err != nil {
				return err
			}
			for _, change := range owed {
				if !logged[change.EntityID] {
					change.Fresh = true // nothing older to compact away
					tx.RecordChange(change)
					owedHere++
				}
			}
			return nil
		})
		if err != nil {
			return written, errs.E(op, err)
		}
		written += owedHere
	}
	return written, nil
}
