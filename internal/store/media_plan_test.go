package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The lookups of stored twins by digest go through media_stored_sha256,
// which indexes stored media only (migration 00381): declared, pending
// rows, eight per 30-answer inspection, add no entry to it. Each query
// says status = 'stored' in its text, so that even a generic plan, which
// knows no parameter, may use the partial index; this test plans every
// shape both ways on a table of mostly pending rows, where a scan by
// organisation would read them all.
func TestStoredTwinLookupsUseTheStoredDigestIndex(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "twins")
	p, _ := principal.From(ctx)
	user := store.User{ID: newID(), Email: "guard@twins.test", Name: "guard", Role: principal.Guard, PasswordHash: "x",
		Active: true}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateUser(&user) }); err != nil {
		t.Fatal(err)
	}
	// 5 000 declared media of one organisation, one in fifty stored.
	insert := `INSERT INTO media (id, org_id, inspection_id, kind, declared_type, size, sha256, object_key, status,
    uploaded_by, version, created_at, updated_at)
SELECT gen_random_uuid(), $1::uuid, gen_random_uuid(), 'photo', 'image/jpeg', 1000,
    encode(sha256(n::text::bytea), 'hex'), n::text, CASE WHEN n % 50 = 0 THEN 'stored' ELSE 'pending' END,
    $2::uuid, 1, now(), now()
FROM generate_series(1, 5000) AS n`
	if _, err := db.SQL().ExecContext(ctx, insert, p.OrgID, user.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE media"); err != nil {
		t.Fatal(err)
	}
	digest := strings.Repeat("ab", 32)
	// The shapes of store.MediaOfInspections (its twin part, here with two
	// digests), MediaOrStoredTwin and StoredWithBytes.
	lookups := []struct {
		name  string
		query string
		args  []any
	}{
		{"a group's twins", "SELECT *, 1 AS twin FROM media WHERE org_id = $1 AND sha256 IN ($2, $3) AND status = 'stored'",
			[]any{p.OrgID, digest, digest}},
		{"one declaration's twin", `SELECT * FROM media WHERE org_id = $1 AND sha256 = $2 AND size = $3 AND status = 'stored'
    ORDER BY created_at, id LIMIT 1`, []any{p.OrgID, digest, 1000}},
		{"every stored copy", `SELECT * FROM media WHERE org_id = $1 AND (sha256 = $2 AND size = $3 AND status = 'stored')
    ORDER BY id`, []any{p.OrgID, digest, 1000}},
	}
	for _, lookup := range lookups {
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			plan := explainPrepared(t, ctx, db, mode, lookup.query, lookup.args...)
			if !strings.Contains(plan, "media_stored_sha256") {
				t.Errorf("%s, %s:\n%s\nwant a scan of the index media_stored_sha256", lookup.name, mode, plan)
			}
		}
	}
}

// explainPrepared is PostgreSQL's plan of query prepared on one connection
// and executed with args under plan_cache_mode mode: force_generic_plan
// shows the plan a statement gets after its fifth run, when it no longer
// looks at its parameters.
func explainPrepared(t *testing.T, ctx context.Context, db *store.DB, mode, query string, args ...any) string {
	t.Helper()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// EXECUTE takes no bound parameters: its arguments are literals here
	// (uuids, hex digests and numbers, no quotes in them).
	literals := make([]string, len(args))
	for i, arg := range args {
		literals[i] = fmt.Sprintf("%v", arg)
		if _, isString := arg.(string); isString {
			literals[i] = "'" + literals[i] + "'"
		}
	}
	steps := []string{"SET plan_cache_mode = " + mode, "PREPARE lookup AS " + query}
	for _, step := range steps {
		if _, err := conn.ExecContext(ctx, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	defer func() {
		for _, step := range []string{"DEALLOCATE lookup", "RESET plan_cache_mode"} {
			if _, err := conn.ExecContext(ctx, step); err != nil {
				t.Errorf("%s: %v", step, err)
			}
		}
	}()
	rows, err := conn.QueryContext(ctx, "EXPLAIN EXECUTE lookup("+strings.Join(literals, ", ")+")")
	return planLines(t, rows, err)
}
