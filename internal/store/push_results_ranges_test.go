package store_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// idMaker makes mutation ids of one kind for a test push.
type idMaker func(r *rand.Rand, n int) []string

// v7At makes n version-7 ids of the millisecond at, in order.
func v7At(at time.Time) idMaker {
	return func(r *rand.Rand, n int) []string {
		ids := make([]string, n)
		for i := range ids {
			var u uuid.UUID
			ms := uint64(at.UnixMilli())
			for b := range 6 {
				u[b] = byte(ms >> (40 - 8*b))
			}
			for b := 6; b < 16; b++ {
				u[b] = byte(r.Uint32())
			}
			u[6] = u[6]&0x0f | 0x70
			u[8] = u[8]&0x3f | 0x80
			ids[i] = u.String()
		}
		return ids
	}
}

// A stored result is found by every later claim of its device and user
// that asks for its id, whichever index holds its push: pushes of
// version-7 ids made now (ranged, migration 00382), of random v4 ids, of
// both, of ids made days ahead of the server's clock or long ago, and of
// ids in no order, for several devices and users at once, some of them
// sharing a device or a user. A claim returns no result of an id not asked.
// Which pushes are ranged is checked too: that is what keeps the GIN index
// out of the version-7 path.
func TestEveryStoredResultIsFoundByItsScopesClaim(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "ranges")
		r := rand.New(rand.NewPCG(17, 382))
		now := time.Now()
		kinds := []struct {
			name   string
			make   idMaker
			ranged bool
		}{
			{"v7 now", func(r *rand.Rand, n int) []string { return v7At(now)(r, n) }, true},
			{"v7 an hour ago, in no order", func(r *rand.Rand, n int) []string {
				ids := v7At(now.Add(-time.Hour))(r, n)
				r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				return ids
			}, true},
			{"v7 a year ago and now", func(r *rand.Rand, n int) []string {
				return append(v7At(now.AddDate(-1, 0, 0))(r, n/2), v7At(now)(r, n-n/2)...)
			}, true},
			{"v7 an hour ahead", func(r *rand.Rand, n int) []string { return v7At(now.Add(time.Hour))(r, n) }, true},
			{"v7 three days ahead", func(r *rand.Rand, n int) []string { return v7At(now.Add(72*time.Hour))(r, n) }, false},
			{"v4", func(r *rand.Rand, n int) []string {
				ids := make([]string, n)
				for i := range ids {
					ids[i] = uuid.NewString()
				}
				return ids
			}, false},
			{"v7 and one v4", func(r *rand.Rand, n int) []string { return append(v7At(now)(r, n-1), uuid.NewString()) }, false},
			{"upper-case v7", func(r *rand.Rand, n int) []string {
				ids := v7At(now)(r, n)
				for i := range ids {
					ids[i] = strings.ToUpper(ids[i])
				}
				return ids
			}, true},
		}
		devices := []string{newID(), newID(), newID()}
		users := []string{newID(), newID()}
		type push struct {
			scope store.MutationScope
			ids   []string
			kind  int
			whole bool // stored as one push row, not one row per id
		}
		var pushes []push
		for round := range 4 {
			var rows []store.Mutation
			for k := range kinds {
				// Each kind from a device and user of its own, and every
				// scope also with pushes of the other kinds.
				scope := store.MutationScope{DeviceID: devices[(k+round)%len(devices)], UserID: users[(k+round/2)%len(users)]}
				p := push{scope: scope, ids: kinds[k].make(r, 1+r.IntN(40)), kind: k}
				for _, id := range p.ids {
					rows = append(rows, store.Mutation{MutationID: id, DeviceID: scope.DeviceID, UserID: scope.UserID,
						Type: "answer.set", Result: fmt.Appendf(nil, `{"mutation_id":%q}`, id)})
				}
				pushes = append(pushes, p)
			}
			// Two pushes of one scope in a transaction are one stored
			// push: keep a scope per transaction by storing them apart.
			for _, row := range rows {
				if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations([]store.Mutation{row}) }); err != nil {
					t.Fatal(err)
				}
			}
			// And a whole push in one row, as a batch stores it.
			for _, p := range pushes[len(pushes)-len(kinds):] {
				p2 := push{scope: p.scope, ids: kinds[p.kind].make(r, 2+r.IntN(40)), kind: p.kind, whole: true}
				var batch []store.Mutation
				for _, id := range p2.ids {
					batch = append(batch, store.Mutation{MutationID: id, DeviceID: p.scope.DeviceID, UserID: p.scope.UserID,
						Type: "answer.set", Result: fmt.Appendf(nil, `{"mutation_id":%q}`, id)})
				}
				if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(batch) }); err != nil {
					t.Fatal(err)
				}
				pushes = append(pushes, p2)
			}
		}
		if db.Dialect() == store.Postgres {
			for _, p := range pushes {
				if !p.whole {
					continue
				}
				var ranged bool
				err := db.SQL().QueryRowContext(ctx, `SELECT ranged FROM push_results WHERE $1::uuid = ANY (mutation_ids)`,
					p.ids[0]).Scan(&ranged)
				if err != nil {
					t.Fatal(err)
				}
				if ranged != kinds[p.kind].ranged {
					t.Fatalf("a push of %s stored with ranged %v, want %v", kinds[p.kind].name, ranged, kinds[p.kind].ranged)
				}
			}
		}
		// Each push's ids with new ones, claimed by its scope alone, by all
		// scopes, and read back by MutationsByID.
		var allScopes []store.MutationScope
		for _, d := range devices {
			for _, u := range users {
				allScopes = append(allScopes, store.MutationScope{DeviceID: d, UserID: u})
			}
		}
		for i, p := range pushes {
			asked := append(append([]string{}, p.ids...), v7At(now)(r, 3)...)
			asked = append(asked, uuid.NewString())
			for _, scopes := range [][]store.MutationScope{{p.scope}, allScopes} {
				var found []store.Mutation
				err := db.InTx(ctx, func(tx *store.Tx) (err error) {
					found, err = tx.ClaimMutations(asked, scopes)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				checkFound(t, fmt.Sprintf("push %d (%s), %d scopes", i, kinds[p.kind].name, len(scopes)), found, p.ids, p.scope)
			}
			found, err := db.Read(ctx).MutationsByID(asked)
			if err != nil {
				t.Fatal(err)
			}
			checkFound(t, fmt.Sprintf("push %d (%s), MutationsByID", i, kinds[p.kind].name), found, p.ids, p.scope)
		}
	})
}

// checkFound fails unless found holds, for scope, every id of ids with its
// stored result, and nothing else of the scope.
func checkFound(t *testing.T, what string, found []store.Mutation, ids []string, scope store.MutationScope) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[strings.ToLower(id)] = true
	}
	got := map[string]bool{}
	for _, m := range found {
		if !strings.EqualFold(m.DeviceID, scope.DeviceID) || !strings.EqualFold(m.UserID, scope.UserID) {
			continue // another scope's: the caller drops them
		}
		if !want[m.MutationID] {
			t.Fatalf("%s: found %s, which it did not store", what, m.MutationID)
		}
		if !bytes.Equal(m.Result, fmt.Appendf(nil, `{"mutation_id":%q}`, m.MutationID)) &&
			!bytes.Equal(m.Result, fmt.Appendf(nil, `{"mutation_id":%q}`, strings.ToUpper(m.MutationID))) {
			t.Fatalf("%s: %s replays %s", what, m.MutationID, m.Result)
		}
		got[m.MutationID] = true
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("%s: stored id %s not found (found %d of %d)", what, id, len(got), len(want))
		}
	}
}
