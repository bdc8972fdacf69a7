package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
)

type mutation struct {
	MutationID  string `json:"mutation_id"`
	Type        string `json:"type"`
	EntityID    string `json:"entity_id"`
	BaseVersion *int64 `json:"base_version,omitempty"`
	Payload     any    `json:"payload"`
	ClientTime  string `json:"client_time,omitempty"`
}

type result struct {
	MutationID   string `json:"mutation_id"`
	Status       string `json:"status"`
	EntityID     string `json:"entity_id"`
	Version      int64  `json:"version"`
	ContentHash  string `json:"content_hash"`
	Errors       []struct{ Pointer, Detail string }
	ServerRecord json.RawMessage `json:"server_record"`
	Media        *struct {
		Status string `json:"status"`
	} `json:"media"` // media.declare only
}

type pushAnswer struct {
	Results []json.RawMessage `json:"results"`
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func mut(kind, entity string, payload any) mutation {
	return mutation{MutationID: newID(), Type: kind, EntityID: entity, Payload: payload,
		ClientTime: time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)} // a phone clock that is wrong
}

// push sends a batch and returns the raw and decoded results.
func push(t testing.TB, env *apitest.Env, token string, batch []mutation) ([]json.RawMessage, []result) {
	t.Helper()
	var answer pushAnswer
	env.Post("/v1/sync/push", token, map[string]any{"mutations": batch}).Want(t, http.StatusOK).JSON(t, &answer)
	if len(answer.Results) != len(batch) {
		t.Fatalf("%d results for %d mutations", len(answer.Results), len(batch))
	}
	decoded := make([]result, len(answer.Results))
	for i, raw := range answer.Results {
		if err := json.Unmarshal(raw, &decoded[i]); err != nil {
			t.Fatal(err)
		}
		if decoded[i].MutationID != batch[i].MutationID {
			t.Fatalf("result %d answers %s, want %s", i, decoded[i].MutationID, batch[i].MutationID)
		}
	}
	return answer.Results, decoded
}

func wantStatus(t testing.TB, results []result, status string) {
	t.Helper()
	for i, r := range results {
		if r.Status != status {
			t.Fatalf("result %d is %s, want %s: %+v", i, r.Status, status, r)
		}
	}
}

type pulledChange struct {
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Op         string          `json:"op"`
	Reason     string          `json:"reason"`
	Version    int64           `json:"version"`
	Data       json.RawMessage `json:"data"`
}

type pullPage struct {
	Changes    []pulledChange `json:"changes"`
	NextCursor string         `json:"next_cursor"`
	HasMore    bool           `json:"has_more"`
}

// replica is what a device holds after applying pulls.
type replica struct {
	cursor   string
	entities map[string]pulledChange // by entity id
}

func newReplica() *replica { return &replica{entities: map[string]pulledChange{}} }

// pullAll pulls until has_more is false, applying every page.
func (r *replica) pullAll(t testing.TB, env *apitest.Env, token string, limit int) int {
	t.Helper()
	pages := 0
	for {
		path := fmt.Sprintf("/v1/sync/pull?limit=%d", limit)
		if r.cursor != "" {
			path += "&cursor=" + r.cursor
		}
		var page pullPage
		env.Get(path, token).Want(t, http.StatusOK).JSON(t, &page)
		for _, c := range page.Changes {
			if c.Op == "delete" {
				delete(r.entities, c.EntityID)
				continue
			}
			if have, ok := r.entities[c.EntityID]; ok && have.Version > c.Version && c.EntityType == have.EntityType {
				t.Fatalf("pull went back in time for %s: had v%d, got v%d", c.EntityID, have.Version, c.Version)
			}
			r.entities[c.EntityID] = c
		}
		r.cursor = page.NextCursor
		pages++
		if !page.HasMore {
			return pages
		}
	}
}

func (r *replica) ofType(kind string) map[string]pulledChange {
	out := map[string]pulledChange{}
	for id, c := range r.entities {
		if c.EntityType == kind {
			out[id] = c
		}
	}
	return out
}

// template finds a published template by key in a replica.
func (r *replica) template(t testing.TB, key string) (id string, number int, doc *checklists.Template) {
	t.Helper()
	for _, c := range r.ofType("template_version") {
		var v struct {
			TemplateID string          `json:"template_id"`
			Key        string          `json:"key"`
			Number     int             `json:"number"`
			Document   json.RawMessage `json:"document"`
		}
		if err := json.Unmarshal(c.Data, &v); err != nil {
			t.Fatal(err)
		}
		if v.Key == key {
			parsed, err := checklists.Parse(v.Document)
			if err != nil {
				t.Fatal(err)
			}
			return v.TemplateID, v.Number, parsed
		}
	}
	t.Fatalf("template %s not in the replica", key)
	return "", 0, nil
}

// inspectionBatch is what a device sends for one filled-in inspection.
func inspectionBatch(templateID string, number int, siteID string, doc *checklists.Template, input checklists.Input, submit bool) (string, []mutation) {
	id := newID()
	batch := []mutation{mut("inspection.start", id, map[string]any{"template_id": templateID, "template_version": number,
		"site_id": siteID, "started_at": time.Now().UTC().Format(time.RFC3339), "context": input.Context})}
	for _, pa := range client.AnswerPaths(doc, input.Answers) {
		batch = append(batch, mut("answer.set", id, map[string]any{"path": pa.Path, "answer": pa.Answer}))
	}
	if submit {
		batch = append(batch, mut("inspection.submit", id, map[string]any{}))
	}
	return id, batch
}
