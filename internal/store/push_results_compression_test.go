package store_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A whole 30-answer inspection pushed at once (36 mutations) makes a
// push_results row wider than toast_tuple_target, so PostgreSQL compresses
// it; it must do so with lz4 where the server has it (migration 00370:
// pglz more than doubled the insert's CPU), and the results must still
// replay byte for byte.
func TestAWidePushIsStoredWithLz4(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "wide")
	var lz4 bool
	err := db.SQL().QueryRowContext(ctx, `SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'`).Scan(&lz4)
	if err != nil {
		t.Fatal(err)
	}
	user, device, entity := newID(), newID(), newID()
	clientTime := time.Date(2026, 12, 5, 21, 50, 7, 123456789, time.UTC)
	rows := make([]store.Mutation, 36)
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = newID()
		hash := bytes.Repeat([]byte{byte(i + 1)}, 32)
		rows[i] = store.Mutation{MutationID: ids[i], UserID: user, DeviceID: device, Type: "answer.set", EntityID: &entity,
			Status: "applied", BodyHash: hash, ClientTime: &clientTime,
			Result: fmt.Appendf(nil, `{"mutation_id":"%s","status":"applied","entity_id":"%s","version":%d}`, ids[i], entity, i+1)}
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertMutations(rows) }); err != nil {
		t.Fatal(err)
	}
	var raw int
	var compression *string
	err = db.SQL().QueryRowContext(ctx, `SELECT octet_length(results) + octet_length(body_hashes) + octet_length(client_times)
    + octet_length(types) + 16 * cardinality(mutation_ids), pg_column_compression(results) FROM push_results`).Scan(&raw, &compression)
	if err != nil {
		t.Fatal(err)
	}
	if raw <= 8160 {
		t.Fatalf("the push's values are %d bytes, not past toast_tuple_target (8160): the test no longer shows compression", raw)
	}
	switch {
	case compression == nil:
		t.Fatalf("a push of %d bytes was stored uncompressed", raw)
	case lz4 && *compression != "lz4":
		t.Fatalf("a push of %d bytes was compressed with %s, want lz4", raw, *compression)
	}
	found, err := db.Read(ctx).MutationsByID(ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != len(rows) {
		t.Fatalf("found %d of %d stored results", len(found), len(rows))
	}
	byID := map[string]store.Mutation{}
	for _, row := range found {
		byID[row.MutationID] = row
	}
	for _, want := range rows {
		got := byID[want.MutationID]
		if !bytes.Equal(got.Result, want.Result) || !bytes.Equal(got.BodyHash, want.BodyHash) {
			t.Fatalf("stored %s: result %s hash %x, want %s %x", want.MutationID, got.Result, got.BodyHash, want.Result, want.BodyHash)
		}
	}
}
