package store_test

import (
	"context"
	"testing"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// orgParents are one organisation's site, guard and device.
type orgParents struct {
	ctx                context.Context
	site, user, device string
}

func mustParents(t *testing.T, db *store.DB, slug string) orgParents {
	t.Helper()
	ctx := mustOrg(t, db, slug)
	site := store.Site{ID: newID(), Code: "S", Name: "S", Timezone: "UTC", Active: true}
	user := store.User{ID: newID(), Email: newID() + "@example.com", Name: "g", Role: principal.Guard,
		PasswordHash: "x", Active: true}
	device := store.Device{ID: newID(), DeviceKey: newID(), Name: "phone", Platform: "android", Active: true}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(&site); err != nil {
			return err
		}
		if err := tx.CreateUser(&user); err != nil {
			return err
		}
		return tx.CreateDevice(&device)
	})
	if err != nil {
		t.Fatal(err)
	}
	return orgParents{ctx: ctx, site: site.ID, user: user.ID, device: device.ID}
}

// The foreign keys of an inspection and a medium carry the organisation
// (migration 00360): the database itself refuses a row naming another
// organisation's site, owner, device or uploader, and one naming none,
// while the same row naming its own organisation's goes in. The server's
// queries are scoped already; this is the guarantee that holds when one
// of them is not.
func TestTheDatabaseRefusesAnotherOrganisationsParents(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		mine, theirs := mustParents(t, db, "mine"), mustParents(t, db, "theirs")
		inspection := func(site, owner, device string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				return tx.CreateInspections([]*store.Inspection{{ID: newID(), SiteID: site, TemplateID: newID(),
					TemplateKey: "k", TemplateVersion: 1, OwnerID: owner, DeviceID: device, Status: "in_progress",
					Answers: []byte("{}"), Context: []byte("{}"), Version: 1}})
			}
		}
		medium := func(uploader string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				return tx.CreateMediaRows([]*store.Media{{ID: newID(), InspectionID: newID(), Kind: "photo",
					DeclaredType: "image/jpeg", Size: 1, SHA256: "00", ObjectKey: newID(), Status: "pending",
					UploadedBy: uploader, Version: 1}})
			}
		}
		cases := []struct {
			name   string
			write  func(tx *store.Tx) error
			refuse bool
		}{
			{"an inspection of its own organisation's parents", inspection(mine.site, mine.user, mine.device), false},
			{"an inspection at another organisation's site", inspection(theirs.site, mine.user, mine.device), true},
			{"an inspection owned by another organisation's user", inspection(mine.site, theirs.user, mine.device), true},
			{"an inspection from another organisation's device", inspection(mine.site, mine.user, theirs.device), true},
			{"an inspection at no site", inspection(newID(), mine.user, mine.device), true},
			{"a medium uploaded by its own organisation's user", medium(mine.user), false},
			{"a medium uploaded by another organisation's user", medium(theirs.user), true},
			{"a medium uploaded by no user", medium(newID()), true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := db.InTx(mine.ctx, tc.write)
				if tc.refuse && err == nil {
					t.Fatal("the database stored it, want it refused")
				}
				if !tc.refuse && err != nil {
					t.Fatalf("want it stored, got %v", err)
				}
			})
		}
	})
}
