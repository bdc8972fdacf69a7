package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/media"
)

// Eight guards declare the same new photo before any of them has uploaded
// it, so none finds stored bytes to reuse, and then upload and complete at
// once. The bytes end as one stored object: every medium points at it,
// the extra uploads are removed, and each guard still reads the photo.
func TestIdenticalConcurrentUploadsEndAsOneObject(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("twins")
		body := pngOf(t, 24, 24)
		const guards = 8
		tokens, ids := make([]string, guards), make([]string, guards)
		uploads := make([]declared, guards)
		for i := range guards {
			tokens[i] = env.NewGuard(tenant, fmt.Sprintf("guard%d", i), tenant.Sites[0].ID).Token
			inspectionID := startInspection(t, env, tenant, tokens[i])
			ids[i] = newID()
			env.Post("/v1/media", tokens[i], declaration(ids[i], inspectionID, "image/png", body)).
				Want(t, http.StatusCreated).JSON(t, &uploads[i])
			if uploads[i].Upload == nil {
				t.Fatalf("declaration %d = %+v, want bytes to upload", i, uploads[i])
			}
		}

		var wg sync.WaitGroup
		statuses := make([]string, guards)
		start := make(chan struct{})
		for i := range guards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				u := uploads[i].Upload
				request, _ := http.NewRequest(u.Method, u.URL, bytes.NewReader(body))
				for name, value := range u.Headers {
					request.Header.Set(name, value)
				}
				response, err := http.DefaultClient.Do(request)
				if err != nil {
					statuses[i] = err.Error()
					return
				}
				response.Body.Close()
				if response.StatusCode != http.StatusOK {
					statuses[i] = fmt.Sprintf("PUT answered %d", response.StatusCode)
					return
				}
				res := env.Post("/v1/media/"+ids[i]+"/complete", tokens[i], nil)
				statuses[i] = fmt.Sprintf("complete answered %d", res.Status)
			}()
		}
		close(start)
		wg.Wait()
		for i, status := range statuses {
			if status != "complete answered 200" {
				t.Fatalf("guard %d: %s", i, status)
			}
		}

		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, id := range ids {
			row, err := env.App.DB.Read(ctx).Media(id)
			if err != nil || row.Status != media.Stored {
				t.Fatalf("medium %s: %+v, %v", id, row, err)
			}
			keys[row.ObjectKey] = true
		}
		if len(keys) != 1 {
			t.Fatalf("the same bytes are %d objects: %v", len(keys), keys)
		}
		kept := 0
		for _, id := range ids {
			reader, _, err := env.App.Blobs.Get(ctx, media.ObjectKey(tenant.Org.ID, id))
			switch {
			case err == nil:
				reader.Close()
				kept++
			case !errs.Is(err, errs.NotFound):
				t.Fatal(err)
			}
		}
		if kept != 1 {
			t.Fatalf("%d uploaded copies remain in the store, want 1", kept)
		}
		for i, id := range ids {
			if got := fetch(t, env.Get("/v1/media/"+id, tokens[i])); !bytes.Equal(got, body) {
				t.Fatalf("guard %d reads other bytes", i)
			}
		}
	})
}
