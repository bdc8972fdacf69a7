package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A declaration finds the same bytes stored (twin Y) and shares Y's
// object; at that very moment another copy of the bytes (X, with the
// smaller key) completes, and its merge moves Y onto X's object and
// deletes Y's. The declaration must end on the object that stays, never
// on the one the merge deleted. The hook makes the interleaving happen on
// every run.
func TestDeclarationRacingAMergeSharesTheKeptObject(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("twinrace")
		token := tenant.Guard.Token
		body := apitest.PNG(t, 16, 16)
		inspectionID := uuid.Must(uuid.NewV7()).String()
		pair := []string{uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()}
		slices.Sort(pair)
		x, y, z := pair[0], pair[1], uuid.Must(uuid.NewV7()).String()

		var xUpload, yUpload declared
		env.Post("/v1/media", token, declaration(x, inspectionID, body)).Want(t, http.StatusCreated).JSON(t, &xUpload)
		env.Post("/v1/media", token, declaration(y, inspectionID, body)).Want(t, http.StatusCreated).JSON(t, &yUpload)
		apitest.Upload(t, yUpload.Upload.Method, yUpload.Upload.URL, yUpload.Upload.Headers, body)
		env.Post("/v1/media/"+y+"/complete", token, nil).Want(t, http.StatusOK)

		// X's bytes are there; X is not stored until it completes.
		apitest.Upload(t, xUpload.Upload.Method, xUpload.Upload.URL, xUpload.Upload.Headers, body)
		var sharedID string
		completed := 0
		media.OnTwinRead(t, env.App.Media, func(twin store.Media) {
			sharedID = twin.ID
			completed = env.Post("/v1/media/"+x+"/complete", token, nil).Status
		})
		var answer declared
		env.Post("/v1/media", token, declaration(z, inspectionID, body)).Want(t, http.StatusCreated).JSON(t, &answer)
		if sharedID != y || completed != http.StatusOK {
			t.Fatalf("while declaring: shared %s (want %s), completing X answered %d", sharedID, y, completed)
		}
		if answer.Status != media.Stored || answer.Upload != nil {
			t.Fatalf("declaring stored bytes answered %+v, want stored at once", answer)
		}

		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
		if err != nil {
			t.Fatal(err)
		}
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
		res := env.Get("/v1/media/"+z, token)
		location := res.Header.Get("Location")
		if res.Status != http.StatusFound || location == "" {
			t.Fatalf("reading the declared medium answered %d %s", res.Status, res.Body)
		}
		got, err := http.Get(location)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Body.Close()
		var read bytes.Buffer
		read.ReadFrom(got.Body)
		if got.StatusCode != http.StatusOK || !bytes.Equal(read.Bytes(), body) {
			t.Fatalf("the declared medium reads %d with %d bytes, want its %d bytes", got.StatusCode, read.Len(), len(body))
		}
	})
}

// declared is the part of a declaration's answer the test reads.
type declared struct {
	Status string `json:"status"`
	Upload *struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"upload"`
}

func declaration(id, inspectionID string, body []byte) map[string]any {
	sum := sha256.Sum256(body)
	return map[string]any{"id": id, "sha256": hex.EncodeToString(sum[:]), "size": len(body), "content_type": "image/png",
		"kind": "photo", "inspection_id": inspectionID, "item_key": "round_photos"}
}
