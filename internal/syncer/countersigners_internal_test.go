package syncer

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A working set reads a countersigner and a key once, however many
// countersignatures of its inspections name them, and remembers an id
// that names nobody as well; a second working set (the next group) reads
// them afresh, so a key revoked in between is seen revoked.
func TestCountersignersAreReadOncePerWorkingSet(t *testing.T) {
	db, err := store.Open(context.Background(), testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	org := store.Org{ID: id(), Slug: "countersigners", Name: "countersigners"}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateOrg(&org) }); err != nil {
		t.Fatal(err)
	}
	ctx := principal.With(context.Background(), principal.Principal{OrgID: org.ID, UserID: id(), Role: principal.Admin})
	user := store.User{ID: id(), Email: "second@example.test", Name: "Second", Role: principal.Guard, PasswordHash: "x", Active: true}
	key := store.UserKey{ID: id(), UserID: user.ID, Algorithm: "ed25519", PublicKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Name: "phone"}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(&user); err != nil {
			return err
		}
		return tx.CreateUserKey(&key)
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(ws *workingSet, ctx context.Context) (store.UserKey, error) {
		var got store.UserKey
		err := db.InTx(ctx, func(tx *store.Tx) error {
			reader := (&batch{workingSet: ws, tx: tx}).countersignReader()
			for range 3 {
				if u, err := reader.User(user.ID); err != nil || u.Name != "Second" {
					t.Fatalf("User = %+v, %v", u, err)
				}
				var err error
				if got, err = reader.UserKey(key.ID); err != nil {
					return err
				}
				if _, err := reader.User(key.ID); !errs.Is(err, errs.NotFound) {
					t.Fatalf("User of an id naming nobody: %v, want NotFound", err)
				}
			}
			return nil
		})
		return got, err
	}
	counted, statements := store.CountStatements(ctx)
	ws := newWorkingSet()
	if _, err := read(ws, counted); err != nil {
		t.Fatal(err)
	}
	// BEGIN; the user and their sites; the key; the id naming nobody
	// (COMMIT goes without the caller's context, not counted). Read afresh
	// each time, the three rounds would send 13.
	if n := statements.Len(); n != 5 {
		t.Fatalf("three rounds of lookups sent %d statements, want 5 (one reading each): %q", n, statements.Texts())
	}
	err = db.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeUserKey(&key) })
	if err != nil {
		t.Fatal(err)
	}
	if got, err := read(newWorkingSet(), ctx); err != nil || got.RevokedAt == nil {
		t.Fatalf("the next working set read the key as %+v, %v: want it revoked", got, err)
	}
}
