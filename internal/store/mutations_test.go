package store_test

import (
	"testing"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A mutation stored meanwhile by a concurrent twin batch makes the insert
// fail with Conflict (as InsertMutations documents): syncer's pushAlone
// retries only Conflict and Stale, and a failed push group is told apart
// from a broken database the same way. Any other kind turns a harmless
// twin race into a 500.
func TestInsertMutationsClashIsConflict(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "twins")
		row := store.Mutation{MutationID: newID(), UserID: newID(), DeviceID: newID(), Type: "answer.set",
			Status: "rejected", Result: []byte(`{"status":"rejected"}`)}
		insert := func(tx *store.Tx) error { return tx.InsertMutations([]store.Mutation{row}) }
		if err := db.InTx(ctx, insert); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, insert); !errs.Is(err, errs.Conflict) {
			t.Fatalf("the same mutation stored twice: %v (kind %v), want Conflict", err, errs.KindOf(err))
		}
	})
}
