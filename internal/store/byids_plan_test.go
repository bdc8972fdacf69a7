package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The lookups of inspections, findings and incidents by id probe the
// primary key in every plan, custom and generic, on a young table as on
// an analyzed one: a group of pushes looks its inspections up on a fresh
// database, and `id = ANY($1)`'s generic plan, cached on a table nothing
// had analyzed, was a sequential scan until the next ANALYZE (issue 17,
// branch pg17d: 2-4 ms a group for seconds). Each table empty, then
// inspections with 40 rows not analyzed, then 400 analyzed. (A table
// analyzed while empty is planned as empty, and a probe is then a scan of
// nothing: the statistics job analyzes a table only once it has grown by
// 500 rows, store.RefreshStatistics.)
func TestLookupsByIDProbeThePrimaryKeyOnAYoungTable(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	p := mustParents(t, db, "young")
	ctx := p.ctx
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fill := func(n int) {
		t.Helper()
		rows := make([]*store.Inspection, n)
		for i := range rows {
			rows[i] = &store.Inspection{ID: newID(), SiteID: p.site, TemplateID: newID(), TemplateKey: "k",
				TemplateVersion: 1, OwnerID: p.user, DeviceID: p.device, Status: "submitted",
				Answers: []byte(strings.Repeat(`{"a":"b"}`, 100)), Context: []byte("{}"), Version: 1}
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateInspections(rows) }); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, 32)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	literal := "'{" + strings.Join(ids, ",") + "}'"
	all := []string{"inspections", "findings", "incidents"}
	for n, stage := range []struct {
		name    string
		prepare func()
		tables  []string
	}{
		{"empty, never analyzed", func() {}, all},
		{"40 rows, never analyzed", func() { fill(40) }, all[:1]},
		{"400 rows, analyzed", func() {
			fill(360)
			if _, err := conn.ExecContext(ctx, "ANALYZE inspections"); err != nil {
				t.Fatal(err)
			}
		}, all[:1]},
	} {
		stage.prepare()
		for _, table := range stage.tables {
			name := fmt.Sprintf("lookup_%s_%d", table, n) // prepared anew at each stage: a plan for its table's size
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("PREPARE %s(text) AS %s", name, store.ByIDsQuery(table))); err != nil {
				t.Fatal(err)
			}
			for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
				if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
					t.Fatal(err)
				}
				plan := explainOn(t, ctx, conn, fmt.Sprintf("EXPLAIN EXECUTE %s(%s)", name, literal))
				if strings.Contains(plan, "Seq Scan on "+table) || !strings.Contains(plan, "Index Scan using "+table+"_pkey") {
					t.Errorf("%s, %s, %s:\n%s\nwant a probe of %s_pkey per id", table, stage.name, mode, plan, table)
				}
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "RESET plan_cache_mode"); err != nil {
		t.Fatal(err)
	}
}
