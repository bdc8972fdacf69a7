package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A closing handover (交接: giver and receiver both sign, the teller and
// the supervisor sign it off) submitted through sync links every
// signature and photo its answers name in the submitting transaction: the
// orphan sweep, run at once with no grace, keeps all of them and takes
// only the medium no record names. The same holds for a finding's
// rectification step and an incident's follow-up (TestEvidenceNamedByRecordsStays).
func TestSignatureAndHandoverMediaOutliveTheSweep(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("handover")
		guard := tenant.Guard.Token
		r := newReplica()
		r.pullAll(t, env, guard, 500)
		templateID, number, doc := r.template(t, "cu-closing-handover")
		inspectionID, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc,
			checklists.SampleAnswers(doc, true), true)
		var signatures, photos []string
		for i, m := range batch {
			if m.Type != "answer.set" {
				continue
			}
			payload := m.Payload.(map[string]any)
			path, answer := payload["path"].(string), payload["answer"].(checklists.Answer)
			raw, err := json.Marshal(answer)
			if err != nil {
				t.Fatal(err)
			}
			refs := media.References(doc, answersAt(path, answer))
			fresh := make([]string, len(refs))
			for j, ref := range refs {
				fresh[j] = newID()
				raw = bytes.ReplaceAll(raw, []byte(ref.ID), []byte(fresh[j]))
			}
			var rewritten checklists.Answer
			if err := json.Unmarshal(raw, &rewritten); err != nil {
				t.Fatal(err)
			}
			for j, ref := range refs {
				if strings.HasSuffix(ref.Path, "/media_id") {
					storedSignature(t, env, tenant, inspectionID, fresh[j], rewritten)
					signatures = append(signatures, fresh[j])
				} else {
					uploadStored(t, env, guard, inspectionID, fresh[j])
					photos = append(photos, fresh[j])
				}
			}
			batch[i].Payload = map[string]any{"path": path, "answer": rewritten}
		}
		if len(signatures) < 4 {
			t.Fatalf("the handover names %d signatures, want giver, receiver, teller and supervisor", len(signatures))
		}
		orphan := newID()
		uploadStored(t, env, guard, inspectionID, orphan)
		_, results := push(t, env, guard, batch)
		if last := results[len(results)-1]; last.Status != "applied" {
			t.Fatalf("submit of the handover = %+v", last)
		}

		if err := env.App.Media.Collect(context.Background(), media.CollectArgs{GraceSeconds: 0}); err != nil {
			t.Fatal(err)
		}
		ctx, _, err := env.App.Org.ActAsOrg(context.Background(), tenant.Org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range append(signatures, photos...) {
			row, err := env.App.DB.Read(ctx).Media(id)
			if err != nil || row.Status != media.Stored || row.LinkedAt == nil {
				t.Fatalf("medium %s (%s) named by the handover, after the sweep: %+v, %v", id, row.Kind, row, err)
			}
		}
		if row, err := env.App.DB.Read(ctx).Media(orphan); err != nil || row.Status != media.Deleted {
			t.Fatalf("the medium nothing names, after the sweep: %+v, %v", row.Status, err)
		}
	})
}

// storedSignature declares a signature medium that signed answer (its
// content_digest is the answer's digest), uploads its image and completes it.
func storedSignature(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, inspectionID, id string, answer checklists.Answer) {
	t.Helper()
	body := pngOf(t, 8, 8)
	declared := declaration(id, inspectionID, "image/png", body)
	declared["kind"], declared["item_key"] = "signature", ""
	declared["signature"] = map[string]any{"strokes": [][][]float64{{{0, 0}, {10, 12}, {20, 5}}},
		"signer_user_id": tenant.Guard.User.ID, "signer_role": "giver",
		"signed_at": time.Now().UTC().Format(time.RFC3339), "content_digest": checklists.AnswerDigest(answer)}
	var answerOf struct {
		Status string
		Upload struct {
			Method, URL string
			Headers     map[string]string
		}
	}
	env.Post("/v1/media", tenant.Guard.Token, declared).Want(t, http.StatusCreated).JSON(t, &answerOf)
	if status := send(t, answerOf.Upload.Method, answerOf.Upload.URL, answerOf.Upload.Headers, body); status != http.StatusOK {
		t.Fatalf("upload of signature %s answered %d", id, status)
	}
	env.Post("/v1/media/"+id+"/complete", tenant.Guard.Token, map[string]any{}).Want(t, http.StatusOK)
}
