package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// evidence is one medium a phone captured offline: its bytes and its
// declaration (the body of POST /v1/media without the id).
type evidence struct {
	id      string
	body    []byte
	payload map[string]any
}

// declaration is the POST /v1/media body of the same medium.
func (e evidence) declaration() map[string]any {
	out := maps.Clone(e.payload)
	out["id"] = e.id
	return out
}

func (e evidence) mutation() mutation { return mut("media.declare", e.id, maps.Clone(e.payload)) }

// photoEvidence is a PNG photo for the inspection.
func photoEvidence(id, inspectionID string, body []byte) evidence {
	payload := declaration(id, inspectionID, "image/png", body)
	delete(payload, "id")
	return evidence{id: id, body: body, payload: payload}
}

// signatureEvidence is a signature image with its strokes, signed by
// signer, of the answer that names it.
func signatureEvidence(id, inspectionID, signer string, body []byte, signed checklists.Answer) evidence {
	e := photoEvidence(id, inspectionID, body)
	e.payload["kind"], e.payload["item_key"] = "signature", "guard_sig"
	e.payload["signature"] = map[string]any{"strokes": []any{[]any{[]any{0, 0}, []any{10, 12}}},
		"signer_user_id": signer, "signer_role": "inspector", "signed_at": time.Now().UTC().Format(time.RFC3339),
		"content_digest": checklists.AnswerDigest(signed)}
	return e
}

// declaredInspection is what a phone coming back online pushes: a
// media.declare for every photo and signature its answers name, then the
// inspection from start to submit. bodies, when given, are the bytes of
// the media in the order the answers name them (else fresh PNGs).
func declaredInspection(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, bodies ...[]byte) (string, []mutation, []evidence) {
	t.Helper()
	r := newReplica()
	r.pullAll(t, env, tenant.Guard.Token, 200)
	templateID, number, doc := r.template(t, patrolTemplate)
	input := checklists.SampleAnswers(doc, true)
	inspectionID, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
	var all []evidence
	var declares []mutation
	for i, ref := range media.References(doc, input.Answers) {
		body := pngOf(t, 12, 9)
		if i < len(bodies) {
			body = bodies[i]
		}
		e := photoEvidence(ref.ID, inspectionID, body)
		if strings.HasSuffix(ref.Path, "/media_id") {
			e = signatureEvidence(ref.ID, inspectionID, tenant.Guard.User.ID, body, ref.Answer)
		}
		all = append(all, e)
		declares = append(declares, e.mutation())
	}
	if len(all) < 2 || all[len(all)-1].payload["kind"] != "signature" {
		t.Fatalf("%s sample answers name %d media; the test needs a photo and a signature", patrolTemplate, len(all))
	}
	return inspectionID, append(declares, batch...), all
}

// inspectionOf reads an inspection through the API.
func inspectionOf(t *testing.T, env *apitest.Env, token, id string) (status string, mediaPending bool) {
	t.Helper()
	var view struct {
		Status       string `json:"status"`
		MediaPending bool   `json:"media_pending"`
	}
	env.Get("/v1/inspections/"+id, token).Want(t, http.StatusOK).JSON(t, &view)
	return view.Status, view.MediaPending
}

// storeBytes declares body under id with POST /v1/media, uploads and
// completes it.
func storeBytes(t *testing.T, env *apitest.Env, token string, e evidence) {
	t.Helper()
	var d declared
	env.Post("/v1/media", token, e.declaration()).Want(t, http.StatusCreated).JSON(t, &d)
	if d.Status != "pending" || d.Upload == nil {
		t.Fatalf("declared %s = %+v, want pending with an upload", e.id, d)
	}
	if status := send(t, d.Upload.Method, d.Upload.URL, d.Upload.Headers, e.body); status != http.StatusOK {
		t.Fatalf("upload of %s answered %d", e.id, status)
	}
	env.Post("/v1/media/"+e.id+"/complete", token, nil).Want(t, http.StatusOK)
}

// A signature signs the answer naming it: a content_digest of anything
// else (an answer changed after signing) rejects the submit at that answer,
// and nothing of the submit is kept.
func TestSignatureMustSignItsAnswer(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("signs")
		inspectionID, batch, all := declaredInspection(t, env, tenant)
		signature := all[len(all)-1]
		signature.payload["signature"].(map[string]any)["content_digest"] = strings.Repeat("ab", 32)
		for i := range batch {
			if batch[i].EntityID == signature.id {
				batch[i] = signature.mutation()
			}
		}
		_, results := push(t, env, tenant.Guard.Token, batch)
		submit := results[len(results)-1]
		if submit.Status != "rejected" {
			t.Fatalf("submit with a signature of something else = %+v, want rejected", submit)
		}
		found := false
		for _, e := range submit.Errors {
			found = found || (strings.HasSuffix(e.Pointer, "/media_id") && strings.Contains(e.Detail, "content_digest"))
		}
		if !found {
			t.Fatalf("errors %+v do not name the signature's answer", submit.Errors)
		}
		if status, _ := inspectionOf(t, env, tenant.Guard.Token, inspectionID); status != "in_progress" {
			t.Fatalf("inspection is %s after a rejected submit", status)
		}
	})
}

// A phone back online pushes its evidence and the inspection naming it in
// one batch: all applied, the inspection media_pending, the push replayed
// byte for byte; then POST /v1/media with the same declaration gives the
// upload, and completing the last blob clears media_pending.
func TestMediaDeclaredInPush(t *testing.T) {
	t.Parallel()
	eachBlobStore(t, func(t *testing.T, env *apitest.Env) {
		tenant := env.NewTenant("declare")
		token := tenant.Guard.Token
		inspectionID, batch, all := declaredInspection(t, env, tenant)

		raw, results := push(t, env, token, batch)
		wantStatus(t, results, "applied")
		for i, e := range all {
			r := results[i]
			if r.EntityID != e.id || r.Version != 1 || r.Media == nil || r.Media.Status != "pending" {
				t.Fatalf("media.declare of %s = %+v, want applied at v1 with media.status pending", e.id, r)
			}
		}
		if status, pending := inspectionOf(t, env, token, inspectionID); status != "submitted" || !pending {
			t.Fatalf("inspection is %s with media_pending %v, want submitted and pending", status, pending)
		}
		again, _ := push(t, env, token, batch)
		for i := range raw {
			if !bytes.Equal(raw[i], again[i]) {
				t.Fatalf("replay %d differs:\nfirst  %s\nsecond %s", i, raw[i], again[i])
			}
		}

		for i, e := range all {
			env.Get("/v1/media/"+e.id, token).Want(t, http.StatusConflict) // no bytes yet
			var d declared
			env.Post("/v1/media", token, e.declaration()).Want(t, http.StatusOK).JSON(t, &d)
			if d.ID != e.id || d.Status != "pending" || d.Upload == nil {
				t.Fatalf("POST /v1/media after media.declare = %+v, want the pending medium with an upload", d)
			}
			if status := send(t, d.Upload.Method, d.Upload.URL, d.Upload.Headers, e.body); status != http.StatusOK {
				t.Fatalf("upload of %s answered %d", e.id, status)
			}
			env.Post("/v1/media/"+e.id+"/complete", token, nil).Want(t, http.StatusOK)
			_, pending := inspectionOf(t, env, token, inspectionID)
			if last := i == len(all)-1; pending == last {
				t.Fatalf("after %d of %d blobs stored, media_pending = %v", i+1, len(all), pending)
			}
		}
		signature := all[len(all)-1]
		if got := fetch(t, env.Get("/v1/media/"+signature.id, tenant.Supervisor.Token)); !bytes.Equal(got, signature.body) {
			t.Fatal("the signature reads other bytes than were uploaded")
		}
	})
}

// Declaring an id again with the same content is a duplicate, in the same
// batch or a later one; other content, another inspection or a medium
// collected meanwhile is a conflict carrying the server's record.
func TestMediaDeclareRepeated(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("repeat")
		token := tenant.Guard.Token
		inspectionID := startInspection(t, env, tenant, token)
		first := photoEvidence(newID(), inspectionID, pngOf(t, 8, 8))

		_, results := push(t, env, token, []mutation{first.mutation(), first.mutation()})
		if results[0].Status != "applied" || results[1].Status != "duplicate" ||
			results[1].Media == nil || results[1].Media.Status != "pending" || results[1].Version != 1 {
			t.Fatalf("the same declaration twice in a batch = %+v", results)
		}
		_, results = push(t, env, token, []mutation{first.mutation()})
		if results[0].Status != "duplicate" || results[0].EntityID != first.id || results[0].Media.Status != "pending" {
			t.Fatalf("the same declaration in a later push = %+v", results[0])
		}

		otherBytes := photoEvidence(first.id, inspectionID, pngOf(t, 9, 9))
		otherInspection := photoEvidence(first.id, startInspection(t, env, tenant, token), first.body)
		_, results = push(t, env, token, []mutation{otherBytes.mutation(), otherInspection.mutation()})
		for _, r := range results {
			wantServerRecord(t, r, first, inspectionID, "pending")
		}

		// Collected as an orphan: media.declare does not bring it back
		// (POST /v1/media does, with an upload).
		if err := env.App.Media.Collect(context.Background(), media.CollectArgs{GraceSeconds: 0}); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		_, results = push(t, env, token, []mutation{first.mutation()})
		wantServerRecord(t, results[0], first, inspectionID, "deleted")
		var revived declared
		env.Post("/v1/media", token, first.declaration()).Want(t, http.StatusOK).JSON(t, &revived)
		if revived.Status != "pending" || revived.Upload == nil {
			t.Fatalf("POST /v1/media of the collected id = %+v, want pending with an upload", revived)
		}
	})
}

// wantServerRecord checks a conflict result carries the medium as stored.
func wantServerRecord(t *testing.T, r result, e evidence, inspectionID, status string) {
	t.Helper()
	var record struct {
		ID           string `json:"id"`
		InspectionID string `json:"inspection_id"`
		SHA256       string `json:"sha256"`
		Status       string `json:"status"`
	}
	if r.Status != "conflict" || json.Unmarshal(r.ServerRecord, &record) != nil {
		t.Fatalf("result = %+v, want a conflict with the server's record", r)
	}
	if record.ID != e.id || record.InspectionID != inspectionID || record.SHA256 != sha256Hex(e.body) || record.Status != status {
		t.Fatalf("server_record = %s, want %s of inspection %s, sha256 %s, %s", r.ServerRecord, e.id, inspectionID, sha256Hex(e.body), status)
	}
}

// Bytes the organisation stores already are not sent again: media.declare
// answers stored at once, and the inspection naming them is not
// media_pending.
func TestMediaDeclareDeduplicates(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("dedup")
		token := tenant.Guard.Token
		earlier := startInspection(t, env, tenant, token)
		photo, signature := pngOf(t, 10, 7), pngOf(t, 7, 10)
		storeBytes(t, env, token, photoEvidence(newID(), earlier, photo))
		storeBytes(t, env, token, photoEvidence(newID(), earlier, signature))

		inspectionID, batch, all := declaredInspection(t, env, tenant, photo, signature)
		_, results := push(t, env, token, batch)
		wantStatus(t, results, "applied")
		for i, e := range all {
			if results[i].Media == nil || results[i].Media.Status != "stored" {
				t.Fatalf("media.declare of stored bytes = %+v, want media.status stored", results[i])
			}
			var d declared
			env.Post("/v1/media", token, e.declaration()).Want(t, http.StatusOK).JSON(t, &d)
			if d.Status != "stored" || d.Upload != nil {
				t.Fatalf("POST /v1/media of a deduplicated medium = %+v, want stored without upload", d)
			}
			if got := fetch(t, env.Get("/v1/media/"+e.id, token)); !bytes.Equal(got, e.body) {
				t.Fatalf("the deduplicated %s reads other bytes", e.id)
			}
		}
		if status, pending := inspectionOf(t, env, token, inspectionID); status != "submitted" || pending {
			t.Fatalf("inspection is %s with media_pending %v, want submitted with nothing pending", status, pending)
		}
	})
}

// Everything POST /v1/media refuses, media.declare rejects, naming the
// field under /payload, and writes nothing: the id is still free.
func TestMediaDeclareRejected(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		// Room for a medium per case: wantFree declares each id anew.
		env := apitest.New(t, db, slices.Concat(mediaSettings, []apitest.Option{apitest.WithSetting("PATROLSYNC_MEDIA_MAX_PER_INSPECTION", "50")})...)
		tenant := env.NewTenant("reject")
		token := tenant.Guard.Token
		inspectionID := startInspection(t, env, tenant, token)
		someoneElses := startInspection(t, env, tenant, env.NewGuard(tenant, "other", tenant.Sites[0].ID).Token)
		approved, hash := submitted(t, env, tenant, patrolTemplate, true)
		approve(env, tenant.Supervisor.Token, approved, hash, strokes).Want(t, http.StatusOK)

		cases := []struct {
			name    string
			change  map[string]any // nil values delete the field
			pointer string
			detail  string
		}{
			{"bad sha256", map[string]any{"sha256": "abc"}, "/payload/sha256", "64 hex"},
			{"pdf photo", map[string]any{"content_type": "application/pdf"}, "/payload/content_type", "image/png"},
			{"gif photo", map[string]any{"content_type": "image/gif"}, "/payload/content_type", "image/png"},
			{"empty", map[string]any{"size": 0}, "/payload/size", "at least 1"},
			{"over the multipart threshold", map[string]any{"size": 5<<20 + 1}, "/payload/size", "POST /v1/media"},
			{"over the largest size", map[string]any{"size": 16<<20 + 1}, "/payload/size", "at most"},
			{"id other than entity_id", map[string]any{"id": newID()}, "/payload/id", "entity_id"},
			{"signature without its data", map[string]any{"kind": "signature"}, "/payload/signature", "strokes"},
			{"bad location", map[string]any{"location": map[string]any{"lat": 91, "lng": 0}}, "/payload/location", "lat"},
			{"unknown field", map[string]any{"colour": "red"}, "/payload", "colour"},
			{"another guard's inspection", map[string]any{"inspection_id": someoneElses}, "/payload/inspection_id", "someone else"},
			{"approved inspection", map[string]any{"inspection_id": approved}, "/payload/inspection_id", "approved"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				m := photoEvidence(newID(), inspectionID, pngOf(t, 8, 8)).mutation()
				payload := m.Payload.(map[string]any)
				for name, value := range tc.change {
					if value == nil {
						delete(payload, name)
						continue
					}
					payload[name] = value
				}
				_, results := push(t, env, token, []mutation{m})
				r := results[0]
				if r.Status != "rejected" || !hasPointer(r, tc.pointer) || r.Media != nil {
					t.Fatalf("result = %+v, want rejected naming %s", r, tc.pointer)
				}
				for _, e := range r.Errors {
					if e.Pointer == tc.pointer && !strings.Contains(e.Detail, tc.detail) {
						t.Fatalf("error at %s = %q, want it to mention %q", e.Pointer, e.Detail, tc.detail)
					}
				}
				wantFree(t, env, token, m.EntityID, inspectionID)
			})
		}
	})
}

// wantFree proves that nothing was recorded under id: declaring it anew
// creates it (a recorded medium would answer 200 or 409).
func wantFree(t *testing.T, env *apitest.Env, token, id, inspectionID string) {
	t.Helper()
	env.Post("/v1/media", token, declaration(id, inspectionID, "image/png", pngOf(t, 5, 5))).Want(t, http.StatusCreated)
}

// The per-inspection limit counts media declared before and earlier in
// the same batch; the medium over it is rejected alone.
func TestMediaDeclareCountLimit(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("count")
		token := tenant.Guard.Token
		inspectionID := startInspection(t, env, tenant, token)
		for range 3 { // five media in all is the limit
			declareOnly(t, env, token, inspectionID, newID())
		}
		fourth, fifth, sixth := photoEvidence(newID(), inspectionID, pngOf(t, 4, 4)),
			photoEvidence(newID(), inspectionID, pngOf(t, 5, 4)), photoEvidence(newID(), inspectionID, pngOf(t, 6, 4))
		_, results := push(t, env, token, []mutation{fourth.mutation(), fifth.mutation(), sixth.mutation()})
		if results[0].Status != "applied" || results[1].Status != "applied" || results[2].Status != "rejected" ||
			!hasPointer(results[2], "/payload/inspection_id") || !strings.Contains(results[2].Errors[0].Detail, "most allowed") {
			t.Fatalf("fourth to sixth media = %+v, want applied, applied, rejected naming /payload/inspection_id", results)
		}
		// The same declaration again is not a seventh medium.
		_, results = push(t, env, token, []mutation{fifth.mutation()})
		if results[0].Status != "duplicate" {
			t.Fatalf("redeclaring a counted medium = %+v, want duplicate", results[0])
		}
		wantFree(t, env, token, sixth.id, startInspection(t, env, tenant, token))
	})
}
