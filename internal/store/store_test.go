package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

func open(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), quiet); err != nil {
		t.Fatal(err)
	}
	return db
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func mustOrg(t *testing.T, db *store.DB, slug string) context.Context {
	t.Helper()
	org := store.Org{ID: newID(), Slug: slug, Name: slug}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateOrg(&org) }); err != nil {
		t.Fatal(err)
	}
	return principal.With(context.Background(), principal.Principal{OrgID: org.ID, UserID: newID(), Role: principal.Admin})
}

func TestTenantScopingAndCompareAndSet(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctxA, ctxB := mustOrg(t, db, "alpha"), mustOrg(t, db, "beta")
		site := store.Site{ID: newID(), Code: "HQ", Name: "Head office", Timezone: "Asia/Shanghai", Active: true}
		if err := db.InTx(ctxA, func(tx *store.Tx) error { return tx.CreateSite(&site) }); err != nil {
			t.Fatal(err)
		}
		// Another tenant cannot read it, and sees it as absent, not forbidden.
		if _, err := db.Read(ctxB).Site(site.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("other tenant read: want NotFound, got %v", err)
		}
		// The same code may exist in another tenant, not twice in one.
		dup := store.Site{ID: newID(), Code: "HQ", Name: "again", Timezone: "UTC", Active: true}
		if err := db.InTx(ctxA, func(tx *store.Tx) error { return tx.CreateSite(&dup) }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate code: want Conflict, got %v", err)
		}
		if err := db.InTx(ctxB, func(tx *store.Tx) error { return tx.CreateSite(&dup) }); err != nil {
			t.Fatalf("same code in another tenant: %v", err)
		}
		// A stale version loses; the fresh one wins once.
		site.Name = "renamed"
		if err := db.InTx(ctxA, func(tx *store.Tx) error { return tx.UpdateSite(&site, 1) }); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctxA, func(tx *store.Tx) error { return tx.UpdateSite(&site, 1) }); !errs.Is(err, errs.Stale) {
			t.Fatalf("stale update: want Stale, got %v", err)
		}
		got, err := db.Read(ctxA).Site(site.ID)
		if err != nil || got.Name != "renamed" || got.Version != 2 {
			t.Fatalf("after update: %+v, %v", got, err)
		}
	})
}

func TestUsersPaginateWithSites(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "gamma")
		site := store.Site{ID: newID(), Code: "S1", Name: "S1", Timezone: "UTC", Active: true}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSite(&site); err != nil {
				return err
			}
			for i := 0; i < 5; i++ {
				u := store.User{ID: newID(), Email: newID() + "@example.com", Name: "u", Role: principal.Guard,
					PasswordHash: "x", Active: true, SiteIDs: []string{site.ID, site.ID}}
				if err := tx.CreateUser(&u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var all []store.User
		page := store.Page{Limit: 2}
		for {
			users, next, err := db.Read(ctx).ListUsers(store.UserFilter{SiteID: site.ID}, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, users...)
			if next == "" {
				break
			}
			page.After = next
		}
		if len(all) != 5 {
			t.Fatalf("paged through %d users, want 5", len(all))
		}
		for _, u := range all {
			if len(u.SiteIDs) != 1 || u.SiteIDs[0] != site.ID {
				t.Fatalf("user %s sites %v, want [%s]", u.ID, u.SiteIDs, site.ID)
			}
		}
	})
}

func TestLoginThrottleCountsInsideWindow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := context.Background()
		for want := 1; want <= 3; want++ {
			var got int
			err := db.InTx(ctx, func(tx *store.Tx) (err error) {
				got, err = tx.CountLoginFailure("acct:x", time.Minute)
				return err
			})
			if err != nil || got != want {
				t.Fatalf("failure %d: got %d, %v", want, got, err)
			}
		}
		until := time.Now().Add(time.Hour).UTC()
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.LockLogin("acct:x", until) }); err != nil {
			t.Fatal(err)
		}
		locked, err := db.Read(ctx).LoginLockedUntil("acct:x")
		if err != nil || locked.IsZero() {
			t.Fatalf("want locked, got %v %v", locked, err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ClearLoginFailures("acct:x") }); err != nil {
			t.Fatal(err)
		}
		if locked, _ := db.Read(ctx).LoginLockedUntil("acct:x"); !locked.IsZero() {
			t.Fatal("still locked after clear")
		}
	})
}

// The server's PostgreSQL connections run without parallel workers (a
// parallel plan of a key lookup is a misestimate that costs cores), unless
// the database URL sets the number itself.
func TestConnectionsRunWithoutParallelWorkersUnlessTheURLSaysSo(t *testing.T) {
	url := testenv.Postgres(t)
	for _, tc := range []struct {
		name, url, want string
	}{
		{"the default", url, "0"},
		{"set in the URL", withParam(url, "max_parallel_workers_per_gather=2"), "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t, tc.url)
			var got string
			if err := db.SQL().QueryRowContext(context.Background(), "SHOW max_parallel_workers_per_gather").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("max_parallel_workers_per_gather = %s, want %s", got, tc.want)
			}
		})
	}
}

// withParam adds a query parameter to a database URL.
func withParam(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}

// eventually polls cond until it holds, failing after 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
