package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A transaction that defers its writes means the same as one that does
// not: a read after a deferred write sees it (the write goes first, in the
// read's pipeline or alone), a deferred write that fails fails the
// transaction with its own error's kind and leaves nothing written, a
// failed transaction's connection goes back to the pool usable, and the
// writes cost one round trip with the statement after them.
func TestDeferredWritesKeepTheirPlaceAndTheirErrors(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "deferred")
		scope := store.MutationScope{DeviceID: newID(), UserID: newID()}
		push := func(ids ...string) []store.Mutation {
			rows := make([]store.Mutation, len(ids))
			for i, id := range ids {
				rows[i] = store.Mutation{MutationID: id, DeviceID: scope.DeviceID, UserID: scope.UserID,
					Type: "answer.set", Result: fmt.Appendf(nil, `{"mutation_id":%q}`, id)}
			}
			return rows
		}

		// Written, then read in the same transaction: the read sees it.
		first := newID()
		counted, statements := store.CountStatements(ctx)
		err := db.InTx(counted, func(tx *store.Tx) error {
			tx.DeferWrites()
			if err := tx.InsertMutations(push(first)); err != nil {
				return err
			}
			found, err := tx.ClaimMutations([]string{first}, []store.MutationScope{scope})
			if err != nil {
				return err
			}
			if len(found) != 1 || found[0].MutationID != first {
				t.Errorf("a claim after a deferred write in its transaction found %+v, want the write", found)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			// BEGIN with the insert (held for the next statement), the
			// locks and the lookup: one round trip; COMMIT is not counted.
			if n, trips := statements.Len(), statements.RoundTrips(); n != 4 || trips != 1 {
				t.Errorf("sent %d statements in %d round trips, want 4 in 1: %q", n, trips, statements.Texts())
			}
		}

		// A deferred write that fails (an inspection of a site that does
		// not exist) fails the transaction with the error it gives when it
		// is not deferred, though the statement it went with was another's,
		// and the write before it in the same transaction is not kept.
		second := newID()
		failing := func(deferred bool) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				if deferred {
					tx.DeferWrites()
				}
				if err := tx.InsertMutations(push(second)); err != nil {
					return err
				}
				orphan := &store.Inspection{ID: newID(), SiteID: newID(), TemplateID: newID(), TemplateKey: "none",
					TemplateVersion: 1, OwnerID: newID(), DeviceID: scope.DeviceID, Status: "in_progress",
					Answers: []byte("{}"), Context: []byte("{}"), Version: 1}
				if err := tx.CreateInspections([]*store.Inspection{orphan}); err != nil {
					return err
				}
				_, err := tx.ClaimMutations([]string{second}, []store.MutationScope{scope})
				return err
			})
		}
		alone, deferred := failing(false), failing(true)
		if alone == nil || deferred == nil {
			t.Fatalf("a transaction whose write failed committed: alone %v, deferred %v", alone, deferred)
		}
		if errs.KindOf(alone) != errs.KindOf(deferred) || !strings.Contains(deferred.Error(), "inspection") {
			t.Errorf("an inspection of no site, deferred: %v; alone: %v; want the same kind and cause", deferred, alone)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			found, err := tx.ClaimMutations([]string{second}, []store.MutationScope{scope})
			if err == nil && len(found) != 0 {
				err = errors.New("the deferred write of a failed transaction was kept")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		// Many failed transactions in a row: each one's connection went back
		// to the pool out of its transaction (a connection still inside one
		// would make the next transaction's BEGIN a warning and its writes
		// part of the failed one).
		for i := range 50 {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				tx.DeferWrites()
				if err := tx.InsertMutations(push(newID())); err != nil {
					return err
				}
				return fmt.Errorf("give up %d", i)
			})
			if err == nil {
				t.Fatal("a transaction that gave up committed")
			}
		}
		third := newID()
		if err := db.InTx(ctx, func(tx *store.Tx) error { tx.DeferWrites(); return tx.InsertMutations(push(third)) }); err != nil {
			t.Fatal(err)
		}
		err = db.InTx(context.Background(), func(tx *store.Tx) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		var found []store.Mutation
		err = db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			found, err = tx.ClaimMutations([]string{first, second, third}, []store.MutationScope{scope})
			return err
		})
		if err != nil || len(found) != 2 {
			t.Fatalf("after the failed transactions the claim found %d of the two kept writes (%v)", len(found), err)
		}
	})
}
