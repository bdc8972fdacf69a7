package api_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/media"
)

// declareMedia gives every media id the batch's answers name a fresh id and
// declares it (without uploading bytes) for the batch's inspection, as a
// phone does before it pushes a submit: the server rejects references to
// media never declared. The inspection is then media_pending until bytes
// arrive.
func declareMedia(t testing.TB, env *apitest.Env, token string, doc *checklists.Template, batch []mutation) []mutation {
	t.Helper()
	return withMedia(t, env, token, doc, batch, declareOnly)
}

// storeMedia is declareMedia with every blob uploaded and completed, so the
// inspection has no media pending (sign-off needs that).
func storeMedia(t testing.TB, env *apitest.Env, token string, doc *checklists.Template, batch []mutation) []mutation {
	t.Helper()
	return withMedia(t, env, token, doc, batch, uploadStored)
}

// uploadStored declares a small real PNG under id, uploads it and completes it.
func uploadStored(t testing.TB, env *apitest.Env, token, inspectionID, id string) {
	t.Helper()
	body := pngOf(t, 4, 4)
	var declared struct {
		Status string
		Upload struct {
			Method, URL string
			Headers     map[string]string
		}
	}
	env.Post("/v1/media", token, declaration(id, inspectionID, "image/png", body)).JSON(t, &declared)
	if declared.Status == "stored" {
		return
	}
	if status := send(t, declared.Upload.Method, declared.Upload.URL, declared.Upload.Headers, body); status != http.StatusOK {
		t.Fatalf("upload of %s answered %d", id, status)
	}
	env.Post("/v1/media/"+id+"/complete", token, map[string]any{}).Want(t, http.StatusOK)
}

func withMedia(t testing.TB, env *apitest.Env, token string, doc *checklists.Template, batch []mutation,
	provide func(t testing.TB, env *apitest.Env, token, inspectionID, id string)) []mutation {
	t.Helper()
	inspectionID := batch[0].EntityID
	out := make([]mutation, len(batch))
	for i, m := range batch {
		out[i] = m
		if m.Type != "answer.set" {
			continue
		}
		payload := m.Payload.(map[string]any)
		path, answer := payload["path"].(string), payload["answer"].(checklists.Answer)
		raw, err := json.Marshal(answer)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range media.References(doc, answersAt(path, answer)) {
			fresh := newID()
			raw = bytes.ReplaceAll(raw, []byte(ref.ID), []byte(fresh))
			provide(t, env, token, inspectionID, fresh)
		}
		var rewritten checklists.Answer
		if err := json.Unmarshal(raw, &rewritten); err != nil {
			t.Fatal(err)
		}
		out[i].Payload = map[string]any{"path": path, "answer": rewritten}
	}
	return out
}

// answersAt places one answer at its item path in an answers document.
func answersAt(path string, answer checklists.Answer) map[string]checklists.Answer {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) != 3 {
		return map[string]checklists.Answer{parts[0]: answer}
	}
	index, _ := strconv.Atoi(parts[1])
	repeats := make([]map[string]checklists.Answer, index+1)
	repeats[index] = map[string]checklists.Answer{parts[2]: answer}
	return map[string]checklists.Answer{parts[0]: {Repeats: repeats}}
}

// declareOnly declares a photo of random bytes that are never sent.
func declareOnly(t testing.TB, env *apitest.Env, token, inspectionID, id string) {
	t.Helper()
	body := make([]byte, 1000)
	rand.Read(body)
	sum := sha256.Sum256(body)
	env.Post("/v1/media", token, map[string]any{"id": id, "sha256": hex.EncodeToString(sum[:]), "size": len(body),
		"content_type": "image/jpeg", "kind": "photo", "inspection_id": inspectionID}).Want(t, http.StatusCreated)
}
