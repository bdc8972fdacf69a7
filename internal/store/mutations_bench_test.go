package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkStoredResults times the hot statements of stored mutation
// results on PostgreSQL, as a group of pushes runs them: 16 pushes of 33
// mutations (a declaration, an inspection's start, 30 answers and its
// submit), the claim and lookup of their ids at the start of the group's
// transaction and the insert at its end, on a table that already holds
// 2 000 such pushes (66 000 results). One op is one group. The wide case
// is a 30-answer inspection as the load tool pushes it (36 mutations, four
// signatures declared, each with its client time): its row is past
// toast_tuple_target and compressed (migration 00370), and it reports the
// backends' CPU per group besides the wall time.
//
//	go run ./cmd/testrun -run '^$' -bench StoredResults -benchtime 200x ./internal/store/
func BenchmarkStoredResults(b *testing.B) {
	url := testenv.Postgres(b)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background(), quiet); err != nil {
		b.Fatal(err)
	}
	org := store.Org{ID: newID(), Slug: "bench", Name: "bench"}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateOrg(&org) }); err != nil {
		b.Fatal(err)
	}
	ctx := principal.With(context.Background(), principal.Principal{OrgID: org.ID, UserID: newID(), Role: principal.Admin})
	users := make([]string, 16)
	devices := make([]string, 16)
	for i := range users {
		users[i], devices[i] = newID(), newID()
	}
	pushOf := func(pushes, mutations int, clientTime *time.Time) ([]store.Mutation, []string, []store.MutationScope) {
		var rows []store.Mutation
		var ids []string
		var scopes []store.MutationScope
		for p := range pushes {
			scopes = append(scopes, store.MutationScope{DeviceID: devices[p], UserID: users[p]})
			entity := newID()
			for i := range mutations {
				id := newID()
				hash := make([]byte, 32)
				copy(hash, id)
				rows = append(rows, store.Mutation{MutationID: id, UserID: users[p], DeviceID: devices[p], Type: "answer.set",
					EntityID: &entity, Status: "applied", BodyHash: hash, ClientTime: clientTime,
					Result: fmt.Appendf(nil, `{"mutation_id":"%s","status":"applied","entity_id":"%s","version":%d}`, id, entity, i+1)})
				ids = append(ids, id)
			}
		}
		return rows, ids, scopes
	}
	group := func(pushes int) ([]store.Mutation, []string, []store.MutationScope) { return pushOf(pushes, 33, nil) }
	var stored []string
	for range 125 {
		rows, ids, _ := group(16)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
			b.Fatal(err)
		}
		stored = ids
	}
	plain, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec("ANALYZE push_results"); err != nil {
		b.Fatal(err)
	}
	b.Run("claim and look up 528 new ids", func(b *testing.B) {
		for b.Loop() {
			_, ids, scopes := group(16)
			err := db.InTx(ctx, func(tx *store.Tx) error {
				found, err := tx.ClaimMutations(ids, scopes)
				if err == nil && len(found) != 0 {
					err = fmt.Errorf("found %d", len(found))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insert 16 pushes", func(b *testing.B) {
		for b.Loop() {
			rows, _, _ := group(16)
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Groups of every size from 1 to 16 pushes in turn, as paced load
	// makes them: with a VALUES list each size was a statement text of its
	// own, prepared and planned anew on every connection; as arrays
	// (store.insertColumns) it is one. One op is one group, 8.5 pushes on
	// average.
	b.Run("insert groups of 1 to 16 pushes", func(b *testing.B) {
		size := 0
		for b.Loop() {
			size = size%16 + 1
			rows, _, _ := group(size)
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("insert 16 wide pushes", func(b *testing.B) {
		now := time.Now().UTC()
		cpu := startBackendCPU(b, db)
		for b.Loop() {
			rows, _, _ := pushOf(16, 36, &now)
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b)
	})
	// A retried push as the server replays it: its device's and user's
	// claim of its ids, in a transaction.
	b.Run("claim one stored push", func(b *testing.B) {
		ids := stored[len(stored)-33:]
		scopes := []store.MutationScope{{DeviceID: devices[15], UserID: users[15]}}
		for b.Loop() {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				found, err := tx.ClaimMutations(ids, scopes)
				if err == nil && len(found) != 33 {
					err = fmt.Errorf("found %d of 33", len(found))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replay one stored push", func(b *testing.B) {
		for b.Loop() {
			found, err := db.Read(ctx).MutationsByID(stored[len(stored)-33:])
			if err != nil || len(found) != 33 {
				b.Fatal(len(found), err)
			}
		}
	})
}
