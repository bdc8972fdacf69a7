package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Declare, upload straight to the store, complete; read it back with the
// right permissions; get a thumbnail from the job; declare the same bytes
// again and have them stored at once.
func TestMediaUploadLifecycle(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant, other := env.NewTenant("life"), env.NewTenant("elsewhere")
		inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
		body, id := pngOf(t, 640, 480), newID()

		var first declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", body)).
			Want(t, http.StatusCreated).JSON(t, &first)
		if first.Status != "pending" || first.Upload == nil || first.Upload.URL == "" || first.Upload.Headers["x-amz-checksum-sha256"] == "" {
			t.Fatalf("declared = %+v, want pending with a checksum-signed upload", first)
		}
		var again declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", body)).Want(t, http.StatusOK).JSON(t, &again)
		if again.ID != id || again.Status != "pending" || again.Upload == nil {
			t.Fatalf("declaring again = %+v", again)
		}
		env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", pngOf(t, 10, 10))).Want(t, http.StatusConflict)
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusConflict) // nothing sent yet
		env.Get("/v1/media/"+id, tenant.Guard.Token).Want(t, http.StatusConflict)

		if status := send(t, first.Upload.Method, first.Upload.URL, first.Upload.Headers, body); status != http.StatusOK {
			t.Fatalf("presigned PUT: status %d", status)
		}
		var stored media.View
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK).JSON(t, &stored)
		if stored.Status != "stored" || stored.ContentType != "image/png" || stored.Size != int64(len(body)) {
			t.Fatalf("completed = %+v", stored)
		}
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK) // idempotent

		if got := fetch(t, env.Get("/v1/media/"+id, tenant.Guard.Token)); !bytes.Equal(got, body) {
			t.Fatal("downloaded bytes differ from the uploaded ones")
		}
		fetch(t, env.Get("/v1/media/"+id, tenant.Supervisor.Token)) // supervises the site
		stranger := env.NewGuard(tenant, "stranger", tenant.Sites[0].ID)
		for _, token := range []string{stranger.Token, other.Admin.Token} {
			env.Get("/v1/media/"+id, token).Want(t, http.StatusNotFound)
			env.Get("/v1/media/"+id+"/thumbnail", token).Want(t, http.StatusNotFound)
			env.Post("/v1/media/"+id+"/complete", token, nil).Want(t, http.StatusNotFound)
		}

		thumbnail := pollThumbnail(t, env, tenant.Guard.Token, id)
		img, err := jpeg.Decode(bytes.NewReader(thumbnail))
		if err != nil {
			t.Fatalf("thumbnail is not a JPEG: %v", err)
		}
		if bounds := img.Bounds(); bounds.Dx() != 320 || bounds.Dy() != 240 {
			t.Fatalf("thumbnail is %v, want 320x240", bounds)
		}

		twin := newID()
		var dedup declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(twin, inspectionID, "image/png", body)).
			Want(t, http.StatusCreated).JSON(t, &dedup)
		if dedup.Status != "stored" || dedup.Upload != nil {
			t.Fatalf("same bytes declared again = %+v, want stored without upload", dedup)
		}
		if got := fetch(t, env.Get("/v1/media/"+twin, tenant.Guard.Token)); !bytes.Equal(got, body) {
			t.Fatal("the deduplicated media reads other bytes")
		}
	})
}

// pollThumbnail waits, with a deadline, for the thumbnail job.
func pollThumbnail(t *testing.T, env *apitest.Env, token, id string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := env.Get("/v1/media/"+id+"/thumbnail", token)
		if res.Status == http.StatusFound {
			return fetch(t, res)
		}
		if res.Status != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("thumbnail: status %d at the deadline: %s", res.Status, res.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Bytes that are not what was declared never become evidence: the store
// refuses a single PUT, and a multipart upload or a disguised file is
// deleted at complete.
func TestMediaRejectsBadBytes(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("bad")
		inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), "bad")
		if err != nil {
			t.Fatal(err)
		}
		wantGone := func(id string) {
			t.Helper()
			if _, err := env.App.Blobs.Stat(ctx, "orgs/"+tenant.Org.ID+"/media/"+id); !errs.Is(err, errs.NotFound) {
				t.Fatalf("the rejected object of %s is still stored (%v)", id, err)
			}
		}

		body, id := pngOf(t, 50, 50), newID()
		var single declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", body)).Want(t, http.StatusCreated).JSON(t, &single)
		corrupt := bytes.Clone(body)
		corrupt[len(corrupt)/2] ^= 0xff
		if status := send(t, single.Upload.Method, single.Upload.URL, single.Upload.Headers, corrupt); status != http.StatusBadRequest {
			t.Fatalf("PUT of corrupt bytes: status %d, want 400 from the store", status)
		}
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusConflict)
		wantGone(id)

		large, largeID := bigPNG(6<<20), newID()
		var multi declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(largeID, inspectionID, "image/png", large)).Want(t, http.StatusCreated).JSON(t, &multi)
		wrong := bytes.Clone(large)
		wrong[len(wrong)-1] ^= 0xff
		sendParts(t, multi.Upload.Parts, multi.Upload.PartSize, wrong, 1, 2)
		fields := env.Post("/v1/media/"+largeID+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/sha256"] == "" {
			t.Fatalf("wrong multipart bytes: field errors %v, want /sha256", fields)
		}
		wantGone(largeID)
		// Uploading again, right this time, works: the parts route opens a new upload.
		var parts partsAnswer
		env.Get("/v1/media/"+largeID+"/parts", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &parts)
		if len(parts.Received) != 0 || len(parts.Missing) != 2 {
			t.Fatalf("parts after a rejected upload = %+v", parts)
		}
		sendParts(t, parts.Missing, multi.Upload.PartSize, large, 1, 2)
		env.Post("/v1/media/"+largeID+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK)

		text, textID := []byte("<html><body>not a photo at all</body></html>"), newID()
		var disguised declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(textID, inspectionID, "image/jpeg", text)).Want(t, http.StatusCreated).JSON(t, &disguised)
		if status := send(t, disguised.Upload.Method, disguised.Upload.URL, disguised.Upload.Headers, text); status != http.StatusOK {
			t.Fatalf("PUT: status %d", status)
		}
		fields = env.Post("/v1/media/"+textID+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if !strings.Contains(fields["/content_type"], "text/html") {
			t.Fatalf("disguised HTML: field errors %v, want /content_type naming text/html", fields)
		}
		wantGone(textID)
	})
}

// A phone sends one part, loses its link, asks which parts arrived and
// sends only the rest.
func TestMediaResumeMultipart(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("resume")
		inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
		body, id := bigPNG(11<<20), newID()
		var first declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", body)).Want(t, http.StatusCreated).JSON(t, &first)
		if first.Upload == nil || len(first.Upload.Parts) != 3 || first.Upload.PartSize != 5<<20 {
			t.Fatalf("declared = %+v, want 3 parts of 5 MiB", first.Upload)
		}
		sendParts(t, first.Upload.Parts, first.Upload.PartSize, body, 1)
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusConflict) // parts 2 and 3 missing

		var parts partsAnswer
		env.Get("/v1/media/"+id+"/parts", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &parts)
		if len(parts.Received) != 1 || parts.Received[0].Number != 1 || len(parts.Missing) != 2 || parts.Missing[0].Number != 2 {
			t.Fatalf("parts = %+v, want 1 received and 2, 3 missing", parts)
		}
		sendParts(t, parts.Missing, first.Upload.PartSize, body, 2, 3)
		var stored media.View
		env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK).JSON(t, &stored)
		if stored.Status != "stored" {
			t.Fatalf("completed = %+v", stored)
		}
		if got := fetch(t, env.Get("/v1/media/"+id, tenant.Guard.Token)); !bytes.Equal(got, body) {
			t.Fatal("the joined object differs from the uploaded bytes")
		}
		env.Get("/v1/media/"+id+"/parts", tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &parts)
		if parts.Status != "stored" || len(parts.Missing) != 0 {
			t.Fatalf("parts after complete = %+v", parts)
		}
		small := newID()
		declareOnly(t, env, tenant.Guard.Token, inspectionID, small)
		env.Get("/v1/media/"+small+"/parts", tenant.Guard.Token).Want(t, http.StatusConflict) // one PUT, no parts
	})
}

// An inspection submitted while photos are still uploading is
// media_pending; when the last one lands it flips, and phones learn it.
func TestMediaPendingFlipsAndSyncs(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("flip")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, true)
		inspectionID, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		refs := media.References(doc, input.Answers)
		if len(refs) < 2 {
			t.Fatalf("%s sample answers name %d media; the test needs two", patrolTemplate, len(refs))
		}
		uploads := map[string]declared{}
		bodies := map[string][]byte{}
		for _, ref := range refs {
			bodies[ref.ID] = pngOf(t, 40, 30)
			var d declared
			env.Post("/v1/media", tenant.Guard.Token, declaration(ref.ID, inspectionID, "image/png", bodies[ref.ID])).
				Want(t, http.StatusCreated).JSON(t, &d)
			uploads[ref.ID] = d
		}
		for _, ref := range refs[1:] {
			upload := uploads[ref.ID].Upload
			if status := send(t, upload.Method, upload.URL, upload.Headers, bodies[ref.ID]); status != http.StatusOK {
				t.Fatalf("PUT: status %d", status)
			}
			env.Post("/v1/media/"+ref.ID+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK)
		}

		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		supervisor := newReplica()
		supervisor.pullAll(t, env, tenant.Supervisor.Token, 200)
		before := inspectionState(t, supervisor, inspectionID)
		if !before.MediaPending {
			t.Fatalf("submitted with a photo missing, media_pending = false")
		}
		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), "flip")
		if err != nil {
			t.Fatal(err)
		}
		if done, err := env.App.Media.AllStored(ctx, inspectionID); err != nil || done {
			t.Fatalf("AllStored = %v, %v; want false while a photo is missing", done, err)
		}

		last := uploads[refs[0].ID].Upload
		if status := send(t, last.Method, last.URL, last.Headers, bodies[refs[0].ID]); status != http.StatusOK {
			t.Fatalf("PUT: status %d", status)
		}
		env.Post("/v1/media/"+refs[0].ID+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK)
		supervisor.pullAll(t, env, tenant.Supervisor.Token, 200)
		after := inspectionState(t, supervisor, inspectionID)
		if after.MediaPending || after.Version <= before.Version {
			t.Fatalf("after the last upload: media_pending %v at v%d (was v%d), want false at a later version",
				after.MediaPending, after.Version, before.Version)
		}
		if done, err := env.App.Media.AllStored(ctx, inspectionID); err != nil || !done {
			t.Fatalf("AllStored = %v, %v; want true", done, err)
		}
	})
}

type inspectionSeen struct {
	MediaPending bool  `json:"media_pending"`
	Version      int64 `json:"version"`
}

func inspectionState(t *testing.T, r *replica, id string) inspectionSeen {
	t.Helper()
	change, ok := r.ofType("inspection")[id]
	if !ok {
		t.Fatalf("inspection %s not pulled", id)
	}
	var seen inspectionSeen
	if err := json.Unmarshal(change.Data, &seen); err != nil {
		t.Fatal(err)
	}
	return seen
}

// Submitting answers that name media never declared, or declared for
// another inspection, is rejected naming each answer.
func TestMediaReferencesAtSubmit(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("refs")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, true)
		_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		refs := media.References(doc, input.Answers)
		elsewhere := startInspection(t, env, tenant, tenant.Guard.Token)
		declareOnly(t, env, tenant.Guard.Token, elsewhere, refs[0].ID)
		_, results := push(t, env, tenant.Guard.Token, batch)
		submit := results[len(results)-1]
		if submit.Status != "rejected" {
			t.Fatalf("submit naming undeclared media = %+v", submit)
		}
		details := map[string]string{}
		for _, e := range submit.Errors {
			details[e.Pointer] = e.Detail
		}
		for i, ref := range refs {
			want := "no such media"
			if i == 0 {
				want = "another inspection"
			}
			if !strings.Contains(details["/answers"+ref.Path], want) {
				t.Fatalf("error at %s = %q, want %q (all: %v)", ref.Path, details["/answers"+ref.Path], want, details)
			}
		}
	})
}

// Limits answer 4xx problems naming the field.
func TestMediaLimits(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("limits")
		inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
		body := pngOf(t, 8, 8)
		signature := map[string]any{"strokes": []any{[]any{[]any{0, 0}, []any{10, 12}}}, "signer_user_id": tenant.Guard.User.ID,
			"signer_role": "inspector", "signed_at": time.Now().UTC().Format(time.RFC3339), "content_digest": strings.Repeat("ab", 32)}
		with := func(changes map[string]any) map[string]any {
			in := declaration(newID(), inspectionID, "image/png", body)
			for name, value := range changes {
				if value == nil {
					delete(in, name)
					continue
				}
				in[name] = value
			}
			return in
		}
		cases := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"too large", with(map[string]any{"size": 16<<20 + 1}), http.StatusRequestEntityTooLarge, "/size"},
			{"gif", with(map[string]any{"content_type": "image/gif"}), http.StatusUnprocessableEntity, "/content_type"},
			{"pdf photo", with(map[string]any{"content_type": "application/pdf"}), http.StatusUnprocessableEntity, "/content_type"},
			{"unknown kind", with(map[string]any{"kind": "video"}), http.StatusUnprocessableEntity, "/kind"},
			{"bad sha256", with(map[string]any{"sha256": "abc"}), http.StatusUnprocessableEntity, "/sha256"},
			{"empty", with(map[string]any{"size": 0}), http.StatusUnprocessableEntity, "/size"},
			{"bad id", with(map[string]any{"id": "photo-1"}), http.StatusUnprocessableEntity, "/id"},
			{"bad location", with(map[string]any{"location": map[string]any{"lat": 91, "lng": 0}}), http.StatusUnprocessableEntity, "/location"},
			{"signature without its data", with(map[string]any{"kind": "signature"}), http.StatusUnprocessableEntity, "/signature"},
			{"photo with signature data", with(map[string]any{"signature": signature}), http.StatusUnprocessableEntity, "/signature"},
			{"signature without digest", with(map[string]any{"kind": "signature", "signature": map[string]any{
				"strokes": []any{1}, "signer_name": "王强", "signer_role": "receiver", "signed_at": "2026-11-26T10:00:00Z"}}),
				http.StatusUnprocessableEntity, "/signature/content_digest"},
			{"strokes as objects", with(map[string]any{"kind": "signature", "signature": map[string]any{
				"strokes": []any{[]any{map[string]any{"x": 0, "y": 0}}}, "signer_name": "王强", "signer_role": "receiver",
				"signed_at": "2026-11-26T10:00:00Z", "content_digest": strings.Repeat("0", 64)}}), http.StatusUnprocessableEntity, "/signature/strokes"},
			{"unknown signer", with(map[string]any{"kind": "signature", "signature": map[string]any{
				"strokes": []any{1}, "signer_user_id": newID(), "signer_role": "receiver", "signed_at": "2026-11-26T10:00:00Z",
				"content_digest": strings.Repeat("0", 64)}}), http.StatusUnprocessableEntity, "/signature/signer_user_id"},
			{"another guard's inspection", with(map[string]any{"inspection_id": startInspection(t, env, tenant,
				env.NewGuard(tenant, "other", tenant.Sites[0].ID).Token)}), http.StatusUnprocessableEntity, "/inspection_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				fields := env.Post("/v1/media", tenant.Guard.Token, tc.body).Want(t, tc.status).FieldErrors(t)
				if fields[tc.field] == "" {
					t.Fatalf("field errors %v, want one at %s", fields, tc.field)
				}
			})
		}
		var sig declared
		env.Post("/v1/media", tenant.Guard.Token, with(map[string]any{"kind": "signature", "signature": signature})).
			Want(t, http.StatusCreated).JSON(t, &sig)
		for range 4 { // five media in all is the limit
			declareOnly(t, env, tenant.Guard.Token, inspectionID, newID())
		}
		fields := env.Post("/v1/media", tenant.Guard.Token, with(nil)).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if !strings.Contains(fields["/inspection_id"], "most allowed") {
			t.Fatalf("sixth media: field errors %v", fields)
		}
	})
}

// With the object store down, media calls answer 503 with Retry-After;
// once it is back, the same upload completes.
func TestMediaStoreDown(t *testing.T) {
	t.Parallel()
	t.Run("s3", func(t *testing.T) {
		testenv.Each(t, func(t *testing.T, db string) {
			cfg := testenv.S3(t)
			cfg.Endpoint = testenv.DownAddress(t)
			env := apitest.New(t, db, append([]apitest.Option{apitest.WithSetting("PATROLSYNC_BLOBS", s3URL(cfg))}, mediaSettings...)...)
			tenant := env.NewTenant("down")
			inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
			large := bigPNG(6 << 20)
			res := env.Post("/v1/media", tenant.Guard.Token, declaration(newID(), inspectionID, "image/png", large)).Want(t, http.StatusServiceUnavailable)
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			id := newID()
			declareOnly(t, env, tenant.Guard.Token, inspectionID, id)
			res = env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusServiceUnavailable)
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		})
	})
	t.Run("local", func(t *testing.T) {
		testenv.Each(t, func(t *testing.T, db string) {
			env := apitest.New(t, db, mediaSettings...)
			tenant := env.NewTenant("down")
			inspectionID := startInspection(t, env, tenant, tenant.Guard.Token)
			body, id := pngOf(t, 20, 20), newID()
			var d declared
			env.Post("/v1/media", tenant.Guard.Token, declaration(id, inspectionID, "image/png", body)).Want(t, http.StatusCreated).JSON(t, &d)
			if status := send(t, d.Upload.Method, d.Upload.URL, d.Upload.Headers, body); status != http.StatusOK {
				t.Fatalf("PUT: status %d", status)
			}
			dir := strings.TrimPrefix(env.App.Config.Blobs, "file://")
			if err := os.Rename(dir, dir+".away"); err != nil { // an unmounted volume
				t.Fatal(err)
			}
			res := env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusServiceUnavailable)
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			if err := os.Rename(dir+".away", dir); err != nil {
				t.Fatal(err)
			}
			env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK)
		})
	})
}

// Media never linked to a submitted inspection is collected after the
// grace period; linked media stays; a collected id can be declared again.
func TestMediaOrphansCollected(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("orphans")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		inspectionID, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, checklists.SampleAnswers(doc, true), true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")

		orphan, body := newID(), pngOf(t, 16, 16)
		var d declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(orphan, inspectionID, "image/png", body)).Want(t, http.StatusCreated).JSON(t, &d)
		if status := send(t, d.Upload.Method, d.Upload.URL, d.Upload.Headers, body); status != http.StatusOK {
			t.Fatalf("PUT: status %d", status)
		}
		env.Post("/v1/media/"+orphan+"/complete", tenant.Guard.Token, nil).Want(t, http.StatusOK)
		pollThumbnail(t, env, tenant.Guard.Token, orphan)

		if err := env.App.Media.Collect(context.Background(), media.CollectArgs{GraceSeconds: 0}); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		env.Get("/v1/media/"+orphan, tenant.Guard.Token).Want(t, http.StatusConflict)
		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), "orphans")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Blobs.Stat(ctx, "orgs/"+tenant.Org.ID+"/media/"+orphan); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the orphan's bytes are still stored (%v)", err)
		}
		if done, err := env.App.Media.AllStored(ctx, inspectionID); err != nil || done {
			t.Fatalf("AllStored = %v, %v: the linked media were declared but never uploaded", done, err)
		}
		var revived declared
		env.Post("/v1/media", tenant.Guard.Token, declaration(orphan, inspectionID, "image/png", body)).Want(t, http.StatusOK).JSON(t, &revived)
		if revived.Status != "pending" || revived.Upload == nil {
			t.Fatalf("declaring a collected id again = %+v, want pending with an upload", revived)
		}
	})
}
