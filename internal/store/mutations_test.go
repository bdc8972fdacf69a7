package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A transaction storing results for a device and user claims them first
// (ClaimMutations). A concurrent twin batch, which claims the same device
// and user, waits for the first transaction to commit and then finds what
// it stored, so that it replays instead of storing the mutation again. On
// SQLite, which runs one writer at a time, the same mutation inserted
// twice fails with Conflict, which syncer's pushAlone retries (any other
// kind would turn a harmless twin race into a 500).
func TestTwinClaimWaitsAndFindsTheFirstResult(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "twins")
		hash := bytes.Repeat([]byte{7}, 32)
		row := store.Mutation{MutationID: newID(), UserID: newID(), DeviceID: newID(), Type: "answer.set",
			Status: "rejected", Result: []byte(`{"status":"rejected"}`), BodyHash: hash}
		scope := []store.MutationScope{{DeviceID: row.DeviceID, UserID: row.UserID}}
		ids := []string{row.MutationID}
		if db.Dialect() == store.SQLite {
			insert := func(tx *store.Tx) error { return tx.InsertMutations([]store.Mutation{row}) }
			if err := db.InTx(ctx, insert); err != nil {
				t.Fatal(err)
			}
			if err := db.InTx(ctx, insert); !errs.Is(err, errs.Conflict) {
				t.Fatalf("the same mutation stored twice: %v (kind %v), want Conflict", err, errs.KindOf(err))
			}
		} else {
			claimed := make(chan struct{})
			commit := make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- db.InTx(ctx, func(tx *store.Tx) error {
					found, err := tx.ClaimMutations(ids, scope)
					if err != nil || len(found) != 0 {
						t.Errorf("first claim: %v, %d stored", err, len(found))
					}
					close(claimed)
					if err := tx.InsertMutations([]store.Mutation{row}); err != nil {
						return err
					}
					<-commit
					return nil
				})
			}()
			<-claimed
			twin := make(chan []store.Mutation, 1)
			go func() {
				var found []store.Mutation
				err := db.InTx(ctx, func(tx *store.Tx) (err error) {
					found, err = tx.ClaimMutations(ids, scope)
					return err
				})
				if err != nil {
					t.Error(err)
				}
				twin <- found
			}()
			waitForAdvisoryWaiter(t, db.SQL())
			select {
			case found := <-twin:
				t.Fatalf("the twin's claim returned %d results while the first batch had not committed", len(found))
			default:
			}
			close(commit)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			found := <-twin
			if len(found) != 1 || !bytes.Equal(found[0].Result, row.Result) || !bytes.Equal(found[0].BodyHash, hash) {
				t.Fatalf("the twin found %+v after the first committed, want its stored result", found)
			}
		}
		// Another device reusing the id has its own scope: never this result.
		rows, err := db.Read(ctx).MutationsByID(ids)
		if err != nil || len(rows) != 1 || rows[0].DeviceID != row.DeviceID || rows[0].UserID != row.UserID {
			t.Fatalf("stored %+v, %v; want one row of the first device", rows, err)
		}
	})
}

// waitForAdvisoryWaiter returns once a backend waits for an advisory lock:
// the twin's claim is queued behind the first transaction.
func waitForAdvisoryWaiter(t *testing.T, db *sql.DB) {
	t.Helper()
	eventually(t, "the twin's claim to wait for the first transaction", func() bool {
		var waiting int
		err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		return waiting > 0
	})
}

// Results keep their order, bytes and hashes through the push row, for
// several devices in one transaction, and a result without a body hash
// (stored before hashes were kept) reads back without one.
func TestStoredResultsRoundTrip(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "results")
		a, b, user := newID(), newID(), newID()
		when := time.Date(2026, 12, 4, 8, 30, 0, 0, time.UTC)
		rows := []store.Mutation{
			{MutationID: newID(), UserID: user, DeviceID: a, Type: "inspection.start", Result: []byte(`{"mutation_id":"x","status":"applied","version":1}`), BodyHash: bytes.Repeat([]byte{1}, 32), ClientTime: &when},
			{MutationID: newID(), UserID: user, DeviceID: b, Type: "answer.set", Result: []byte(`{"status":"rejected","errors":[{"pointer":"/payload","detail":"a \"quoted\", [bracketed] detail"}]}`)},
			{MutationID: newID(), UserID: user, DeviceID: a, Type: "answer.set", Result: []byte(`{"status":"applied","server_record":{"a":[1,2,{"b":"]"}]}}`), BodyHash: bytes.Repeat([]byte{2}, 32)},
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
			t.Fatal(err)
		}
		ids := []string{rows[2].MutationID, rows[1].MutationID, rows[0].MutationID, newID()}
		got, err := db.Read(ctx).MutationsByID(ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("read %d results, want 3", len(got))
		}
		byID := map[string]store.Mutation{}
		for _, g := range got {
			byID[g.MutationID] = g
		}
		for i, want := range rows {
			g, ok := byID[want.MutationID]
			if !ok {
				t.Fatalf("result %d missing", i)
			}
			if !bytes.Equal(g.Result, want.Result) || !bytes.Equal(g.BodyHash, want.BodyHash) || g.DeviceID != want.DeviceID ||
				g.UserID != want.UserID || g.ReceivedAt.IsZero() {
				t.Fatalf("result %d read back as %+v, stored %+v", i, g, want)
			}
		}
	})
}

// Migration 00150 carries every stored result of the old per-mutation
// layout over to push_results: the same bytes, the same body hash (none
// where none was kept), the same device and user.
func TestPushResultsMigrationCarriesOldResultsOver(t *testing.T) {
	testenv.EachEmpty(t, carryOver)
}

func carryOver(t *testing.T, url string) {
	{
		ctx := context.Background()
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 130); err != nil {
			t.Fatal(err)
		}
		org, device, other, user := newID(), newID(), newID(), newID()
		insert := func(query string, args ...any) {
			t.Helper()
			if db.Dialect() == store.Postgres {
				for i := 1; strings.Contains(query, "?"); i++ {
					query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
				}
			}
			if _, err := db.SQL().ExecContext(ctx, query, args...); err != nil {
				t.Fatal(err)
			}
		}
		insert(`INSERT INTO orgs (id, slug, name, created_at, updated_at) VALUES (?, 'old', 'Old', ?, ?)`, org, time.Now().UTC(), time.Now().UTC())
		received := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		clientTime := time.Date(2026, 11, 20, 8, 59, 30, 0, time.UTC)
		type old struct {
			id, device string
			result     string
			hash       []byte
		}
		rows := []old{
			{newID(), device, `{"mutation_id":"a","status":"applied","version":1}`, bytes.Repeat([]byte{3}, 32)},
			{newID(), device, `{"mutation_id":"b","status":"rejected","errors":[{"pointer":"/payload","detail":"x, [y]"}]}`, nil},
			{newID(), other, `{"mutation_id":"c","status":"applied","version":2}`, bytes.Repeat([]byte{4}, 32)},
		}
		for i, r := range rows {
			var ct any
			if i == 0 {
				ct = clientTime
			}
			insert(`INSERT INTO mutations (org_id, mutation_id, user_id, device_id, type, entity_id, status, result, client_time,
    received_at, body_hash) VALUES (?, ?, ?, ?, 'answer.set', NULL, 'applied', ?, ?, ?, ?)`,
				org, r.id, user, r.device, []byte(r.result), ct, received, r.hash)
		}
		if err := db.Migrate(ctx, quiet); err != nil {
			t.Fatal(err)
		}
		orgCtx := principal.With(ctx, principal.Principal{OrgID: org, UserID: user, Role: principal.Admin})
		ids := []string{rows[0].id, rows[1].id, rows[2].id}
		got, err := db.Read(orgCtx).MutationsByID(ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("carried over %d results, want 3", len(got))
		}
		for _, g := range got {
			i := slices.Index(ids, g.MutationID)
			if i < 0 {
				t.Fatalf("unknown id %s", g.MutationID)
			}
			r := rows[i]
			if string(g.Result) != r.result || !bytes.Equal(g.BodyHash, r.hash) || g.DeviceID != r.device || g.UserID != user ||
				!g.ReceivedAt.Equal(received) {
				t.Fatalf("result %d carried over as %+v (result %s), want %+v", i, g, g.Result, r)
			}
		}
	}
}
