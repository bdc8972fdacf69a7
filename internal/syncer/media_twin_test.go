package syncer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A media.declare in a push finds the same bytes stored (twin Y) and
// shares Y's object. While the push is applying, another copy of the bytes
// (X, with the smaller key) completes, and its merge moves Y onto X's
// object and deletes Y's. The declared medium must end on the object that
// stays. On PostgreSQL the completion runs inside the push's window, on
// every run; SQLite serialises writers (the push holds the write lock from
// its first statement), so there the completion waits for the push and
// the merge sees the new row.
func TestDeclareInAPushRacingAMergeSharesTheKeptObject(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("twinpush")
		token := tenant.Guard.Token
		body := apitest.PNG(t, 16, 16)
		inspectionID := newID()
		pair := []string{newID(), newID()}
		slices.Sort(pair)
		x, y, z := pair[0], pair[1], newID()
		var xUpload, yUpload twinDeclared
		env.Post("/v1/media", token, twinDeclaration(x, inspectionID, body)).Want(t, http.StatusCreated).JSON(t, &xUpload)
		env.Post("/v1/media", token, twinDeclaration(y, inspectionID, body)).Want(t, http.StatusCreated).JSON(t, &yUpload)
		apitest.Upload(t, yUpload.Upload.Method, yUpload.Upload.URL, yUpload.Upload.Headers, body)
		env.Post("/v1/media/"+y+"/complete", token, nil).Want(t, http.StatusOK)

		declare := twinDeclaration(z, inspectionID, body)
		delete(declare, "id")
		m := mut("media.declare", z, declare)
		// X's bytes are there; X is not stored until it completes.
		apitest.Upload(t, xUpload.Upload.Method, xUpload.Upload.URL, xUpload.Upload.Headers, body)
		completed := make(chan int, 1)
		syncer.BeforeApplying(t, env.App.Sync, m.MutationID, func() {
			go func() { completed <- env.Post("/v1/media/"+x+"/complete", token, nil).Status }()
			if env.App.DB.Dialect() == store.Postgres {
				status := <-completed // the merge commits while the push is still open
				completed <- status
			}
		})
		got := push(t, env, token, []syncer.Mutation{m})
		if got.status != http.StatusOK || got.results[0].Status != "applied" {
			t.Fatalf("push answered %d %s", got.status, got.body)
		}
		if status := <-completed; status != http.StatusOK {
			t.Fatalf("completing the other copy answered %d", status)
		}

		ctx := as(tenant)
		kept := media.ObjectKey(tenant.Org.ID, x)
		for _, id := range []string{x, y, z} {
			row, err := env.App.DB.Read(ctx).Media(id)
			if err != nil || row.Status != media.Stored || row.ObjectKey != kept {
				t.Fatalf("medium %s points at %q (%v), want %q: %+v", id, row.ObjectKey, err, kept, row)
			}
		}
		if _, _, err := env.App.Blobs.Get(ctx, media.ObjectKey(tenant.Org.ID, y)); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the merged copy is still in the store: %v", err)
		}
		reader, _, err := env.App.Blobs.Get(context.Background(), kept)
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		var read bytes.Buffer
		read.ReadFrom(reader)
		if !bytes.Equal(read.Bytes(), body) {
			t.Fatal("the kept object holds other bytes")
		}
	})
}

type twinDeclared struct {
	Upload *struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"upload"`
}

func twinDeclaration(id, inspectionID string, body []byte) map[string]any {
	sum := sha256.Sum256(body)
	return map[string]any{"id": id, "sha256": hex.EncodeToString(sum[:]), "size": len(body), "content_type": "image/png",
		"kind": "photo", "inspection_id": inspectionID}
}
