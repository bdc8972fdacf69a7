package store_test

import (
	"context"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A published version is frozen: even a statement that bypasses the code
// cannot change it.
func TestTemplateVersionsRefuseUpdates(t *testing.T) {
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "frozen")
		template := store.Template{ID: newID(), Key: "frozen-check", Status: "published", Title: `{"en":"F"}`,
			Draft: `{"key":"frozen-check"}`, DraftDigest: "d1", PublishedVersion: 1}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateTemplate(&template); err != nil {
				return err
			}
			return tx.CreateTemplateVersion(&store.TemplateVersion{ID: newID(), TemplateID: template.ID, Number: 1,
				Title: template.Title, Document: template.Draft, Digest: "d1", PublishedAt: tx.Now, PublishedBy: newID()})
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(context.Background(), `UPDATE template_versions SET digest = 'tampered'`); err == nil {
			t.Fatal("a published version was updated")
		}
		v, err := db.Read(ctx).TemplateVersion(template.ID, 1)
		if err != nil || v.Digest != "d1" {
			t.Fatalf("version after the refused update: %+v, %v", v, err)
		}
	})
}
