package store_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A submitted 30-answer inspection (the load tool's, testdata/wide_inspection:
// its answers, its evaluation and its change-log entry as the server wrote
// them) is stored compressed and inline, its row and its change alike: no
// TOAST chunk, which cost each inspection three more heap rows, three
// index entries and two value ids (migration 00383). Both read back byte
// for byte.
func TestASubmittedInspectionAndItsChangeStayInline(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	p := mustParents(t, db, "inline")
	fixture := func(name string) []byte {
		b, err := os.ReadFile("testdata/wide_inspection/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	answers, evaluation, data := fixture("answers.json"), fixture("evaluation.json"), fixture("change.json")
	row := &store.Inspection{ID: newID(), SiteID: p.site, TemplateID: newID(), TemplateKey: "cu-opening-check",
		TemplateVersion: 1, OwnerID: p.user, DeviceID: p.device, Status: "submitted", Answers: answers,
		Context: []byte("{}"), Evaluation: evaluation, Version: 2}
	err := db.InTx(p.ctx, func(tx *store.Tx) error {
		if err := tx.CreateInspections([]*store.Inspection{row}); err != nil {
			return err
		}
		tx.RecordChange(store.Change{EntityType: "inspection", EntityID: row.ID, Op: "upsert", Version: 2,
			Audience: store.AudienceOwner, SiteID: &p.site, OwnerID: &p.user, Data: data, Fresh: true})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		table, column, where string
		want                 []byte
	}{
		{"inspections", "answers", "id = $1", answers},
		{"inspections", "evaluation", "id = $1", evaluation},
		{"changes", "data", "entity_id = $1", data},
	} {
		var got []byte
		var compression *string
		err := db.SQL().QueryRowContext(p.ctx, `SELECT `+tc.column+`, pg_column_compression(`+tc.column+`) FROM `+
			tc.table+` WHERE `+tc.where, row.ID).Scan(&got, &compression)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s.%s read back as %d bytes, want the %d written", tc.table, tc.column, len(got), len(tc.want))
		}
		if compression == nil {
			t.Errorf("%s.%s (%d bytes) was stored uncompressed", tc.table, tc.column, len(tc.want))
		}
	}
	for _, table := range []string{"inspections", "changes"} {
		var toast string
		err := db.SQL().QueryRowContext(p.ctx, `SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = $1::regclass`,
			table).Scan(&toast)
		if err != nil {
			t.Fatal(err)
		}
		var chunks int
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT count(*) FROM `+toast).Scan(&chunks); err != nil {
			t.Fatal(err)
		}
		if chunks != 0 {
			t.Errorf("%s put %d chunks in its TOAST table %s, want its row inline", table, chunks, toast)
		}
	}
}
