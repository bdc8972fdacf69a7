package syncer_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// The helpers below mirror those of api/sync_helpers_test.go, which an
// external test package of internal/syncer cannot import.

const patrolTemplate = "night-patrol-round"

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func mut(kind, entity string, payload any) syncer.Mutation {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	return syncer.Mutation{MutationID: newID(), Type: kind, EntityID: entity, Payload: raw,
		ClientTime: time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)} // a phone clock that is wrong
}

// published is a published template version as a device pulled it.
type published struct {
	id     string
	number int
	doc    *checklists.Template
}

// templateOf pulls as the account and finds the patrol template.
func templateOf(t *testing.T, env *apitest.Env, token string) published {
	t.Helper()
	r := newReplica()
	r.pullAll(t, env, token, 200)
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
		if v.Key == patrolTemplate {
			doc, err := checklists.Parse(v.Document)
			if err != nil {
				t.Fatal(err)
			}
			return published{id: v.TemplateID, number: v.Number, doc: doc}
		}
	}
	t.Fatalf("template %s not pulled", patrolTemplate)
	return published{}
}

// inspectionBatch is what a device sends for one filled-in inspection:
// start, every answer, and the submit when asked. The media the answers
// name are declared first (never uploaded: a submit may leave them pending).
func inspectionBatch(t *testing.T, env *apitest.Env, token string, tmpl published, siteID string, submit bool) (string, []syncer.Mutation) {
	t.Helper()
	return inspectionBatchDeclaring(t, env, token, tmpl, siteID, submit, false)
}

// inspectionBatchDeclaring is inspectionBatch with the media declared by
// media.declare mutations at the start of the batch when inPush, as the
// load tool and the guard app send them, instead of by POST /v1/media before.
func inspectionBatchDeclaring(t *testing.T, env *apitest.Env, token string, tmpl published, siteID string, submit, inPush bool) (string, []syncer.Mutation) {
	t.Helper()
	id := newID()
	input := checklists.SampleAnswers(tmpl.doc, true)
	declared := map[string]bool{}
	var batch []syncer.Mutation
	for _, ref := range media.References(tmpl.doc, input.Answers) {
		if declared[ref.ID] {
			continue
		}
		declared[ref.ID] = true
		if !inPush {
			declareMedia(t, env, token, id, ref.ID)
			continue
		}
		body := make([]byte, 1000)
		rand.Read(body)
		sum := sha256.Sum256(body)
		batch = append(batch, mut("media.declare", ref.ID, map[string]any{"sha256": hex.EncodeToString(sum[:]),
			"size": len(body), "content_type": "image/jpeg", "kind": "photo", "inspection_id": id}))
	}
	batch = append(batch, mut("inspection.start", id, map[string]any{"template_id": tmpl.id,
		"template_version": tmpl.number, "site_id": siteID, "started_at": time.Now().UTC().Format(time.RFC3339),
		"context": input.Context}))
	for _, step := range client.AnswerPaths(tmpl.doc, input.Answers) {
		batch = append(batch, mut("answer.set", id, map[string]any{"path": step.Path, "answer": step.Answer}))
	}
	if submit {
		batch = append(batch, mut("inspection.submit", id, map[string]any{}))
	}
	return id, batch
}

// declareMedia declares a photo of random bytes that are never sent.
func declareMedia(t *testing.T, env *apitest.Env, token, inspectionID, id string) {
	t.Helper()
	body := make([]byte, 1000)
	rand.Read(body)
	sum := sha256.Sum256(body)
	env.Post("/v1/media", token, map[string]any{"id": id, "sha256": hex.EncodeToString(sum[:]), "size": len(body),
		"content_type": "image/jpeg", "kind": "photo", "inspection_id": inspectionID}).Want(t, http.StatusCreated)
}

// pushed is the answer to one push.
type pushed struct {
	status  int
	header  http.Header
	body    []byte
	raw     []json.RawMessage // the results, as sent
	results []result
}

type result struct {
	MutationID  string `json:"mutation_id"`
	Status      string `json:"status"`
	EntityID    string `json:"entity_id"`
	Version     int64  `json:"version"`
	ContentHash string `json:"content_hash"`
}

// pushRequest is the HTTP request of a push by the device of token.
func pushRequest(ctx context.Context, env *apitest.Env, token string, batch []syncer.Mutation) (*http.Request, error) {
	body, err := json.Marshal(map[string]any{"mutations": batch})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/v1/sync/push", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return req, nil
}

// push sends a batch over HTTP. It may run on any goroutine: problems are
// reported with t.Errorf, and the caller checks t.Failed.
func push(t *testing.T, env *apitest.Env, token string, batch []syncer.Mutation) pushed {
	req, err := pushRequest(context.Background(), env, token, batch)
	if err != nil {
		t.Error(err)
		return pushed{}
	}
	return send(t, req)
}

// send sends a push request and reads its answer, as push.
func send(t *testing.T, req *http.Request) pushed {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("push: %v", err)
		return pushed{}
	}
	defer res.Body.Close()
	out := pushed{status: res.StatusCode, header: res.Header}
	if out.body, err = io.ReadAll(res.Body); err != nil {
		t.Errorf("push: %v", err)
		return out
	}
	apitest.CheckContract(t, req, apitest.Response{Status: res.StatusCode, Header: res.Header, Body: out.body})
	if out.status != http.StatusOK {
		return out
	}
	var answer struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(out.body, &answer); err != nil {
		t.Errorf("push answer %s: %v", out.body, err)
		return out
	}
	out.raw = answer.Results
	out.results = make([]result, len(answer.Results))
	for i, raw := range answer.Results {
		if err := json.Unmarshal(raw, &out.results[i]); err != nil {
			t.Errorf("result %s: %v", raw, err)
		}
	}
	return out
}

// wantApplied fails unless the push answered 200 with every mutation of
// batch applied, in order, each a version after the last of its record;
// base holds the versions records had before (absent: new records).
func wantApplied(t *testing.T, what string, batch []syncer.Mutation, got pushed, base map[string]int64) {
	t.Helper()
	if got.status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200: %s", what, got.status, got.body)
	}
	if len(got.results) != len(batch) {
		t.Fatalf("%s: %d results for %d mutations", what, len(got.results), len(batch))
	}
	versions := map[string]int64{}
	for id, v := range base {
		versions[id] = v
	}
	for i, r := range got.results {
		versions[batch[i].EntityID]++
		want := versions[batch[i].EntityID]
		if r.MutationID != batch[i].MutationID || r.Status != syncer.Applied || r.Version != want {
			t.Fatalf("%s: result %d is %+v, want %s applied at version %d", what, i, r, batch[i].MutationID, want)
		}
	}
}

// hold holds the organisation's pushes (see export_test.go) and releases
// them at the latest when the test ends, so that no push waits forever.
func hold(t *testing.T, env *apitest.Env, orgID string) *syncer.Hold {
	t.Helper()
	h, err := syncer.HoldGroups(env.App.Sync, orgID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Release)
	return h
}

// queued polls until n pushes wait in the held queue.
func queued(h *syncer.Hold, n int) error {
	deadline := time.Now().Add(30 * time.Second)
	for h.Queued() < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d pushes queued after 30s, want %d", h.Queued(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if got := h.Queued(); got != n {
		return fmt.Errorf("%d pushes queued, want %d", got, n)
	}
	return nil
}

// outgoing is one push to send: from which device, what.
type outgoing struct {
	token string
	batch []syncer.Mutation
}

// pushGroup sends the pushes into the held queue one after another, each
// queued before the next is sent, so that the queue holds them in the
// order given; it then releases them and returns their answers, in order.
// Without a hold it sends them all at once.
func pushGroup(t *testing.T, env *apitest.Env, h *syncer.Hold, pushes []outgoing) []pushed {
	t.Helper()
	answers := make([]pushed, len(pushes))
	var wg sync.WaitGroup
	base := 0
	if h != nil {
		base = h.Queued()
	}
	for i, p := range pushes {
		wg.Go(func() { answers[i] = push(t, env, p.token, p.batch) })
		if h == nil {
			continue
		}
		if err := queued(h, base+i+1); err != nil {
			h.Release()
			wg.Wait()
			t.Fatal(err)
		}
	}
	if h != nil {
		h.Release()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return answers
}

// as is a context acting for the tenant's admin, for reads straight from
// the store.
func as(tenant *apitest.Tenant) context.Context {
	return principal.With(context.Background(), principal.Principal{OrgID: tenant.Org.ID,
		UserID: tenant.Admin.User.ID, Role: principal.Admin})
}

// storedResults reads the stored first results of the mutations.
func storedResults(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, batch []syncer.Mutation) map[string]store.Mutation {
	t.Helper()
	ids := make([]string, len(batch))
	for i, m := range batch {
		ids[i] = m.MutationID
	}
	rows, err := env.App.DB.Read(as(tenant)).MutationsByID(ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Mutation{}
	for _, row := range rows {
		if _, twice := out[row.MutationID]; twice {
			t.Fatalf("mutation %s is stored twice", row.MutationID)
		}
		out[row.MutationID] = row
	}
	return out
}

// wantStored fails unless every mutation's stored result is exactly what
// the push answered, and returns the receive times (one per transaction)
// the results were stored at.
func wantStored(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, batch []syncer.Mutation, raw []json.RawMessage) map[int64]bool {
	t.Helper()
	stored := storedResults(t, env, tenant, batch)
	times := map[int64]bool{}
	for i, m := range batch {
		row, ok := stored[m.MutationID]
		if !ok {
			t.Fatalf("mutation %d (%s) has no stored result", i, m.MutationID)
		}
		if !bytes.Equal(row.Result, raw[i]) {
			t.Fatalf("mutation %d: stored result %s, answered %s", i, row.Result, raw[i])
		}
		times[row.ReceivedAt.UnixMicro()] = true
	}
	return times
}

// detail is an inspection as GET /v1/inspections/{id} shows it.
type detail struct {
	Version     int64   `json:"version"`
	Status      string  `json:"status"`
	ContentHash *string `json:"content_hash"`
	History     []struct {
		Kind string `json:"kind"`
	} `json:"history"`
}

// wantInspection fails unless the inspection has the version, the status
// and exactly the history kinds.
func wantInspection(t *testing.T, env *apitest.Env, token, id string, version int64, status string, history ...string) {
	t.Helper()
	var d detail
	env.Get("/v1/inspections/"+id, token).Want(t, http.StatusOK).JSON(t, &d)
	kinds := make([]string, len(d.History))
	for i, e := range d.History {
		kinds[i] = e.Kind
	}
	if d.Version != version || d.Status != status || strings.Join(kinds, ",") != strings.Join(history, ",") {
		t.Fatalf("inspection %s: version %d, %s, history %v; want version %d, %s, history %v",
			id, d.Version, d.Status, kinds, version, status, history)
	}
}

// auditActions lists the actions of the organisation's audit entries about
// the entity, oldest first.
func auditActions(t *testing.T, env *apitest.Env, adminToken, entityID string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			Action string `json:"action"`
			Seq    int64  `json:"seq"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	env.Get("/v1/audit?limit=500&entity_id="+entityID, adminToken).Want(t, http.StatusOK).JSON(t, &page)
	if page.NextCursor != "" {
		t.Fatalf("more than 500 audit entries about %s", entityID)
	}
	sort.Slice(page.Items, func(i, j int) bool { return page.Items[i].Seq < page.Items[j].Seq })
	actions := make([]string, len(page.Items))
	for i, e := range page.Items {
		actions[i] = e.Action
	}
	return actions
}

// wantAuditVerifies fails unless the organisation's audit chain verifies.
func wantAuditVerifies(t *testing.T, env *apitest.Env, adminToken string) {
	t.Helper()
	var report struct {
		OK       bool            `json:"ok"`
		Checked  int64           `json:"checked"`
		Problems json.RawMessage `json:"problems"`
	}
	env.Get("/v1/audit/verify", adminToken).Want(t, http.StatusOK).JSON(t, &report)
	if !report.OK || report.Checked == 0 {
		t.Fatalf("audit chain: ok %v after %d entries, problems %s", report.OK, report.Checked, report.Problems)
	}
}

// changeCount counts the change-log entries of an entity in an organisation,
// compacted or not.
func changeCount(t *testing.T, env *apitest.Env, orgID, entityID string) int {
	t.Helper()
	query := "SELECT count(*) FROM changes WHERE org_id = ? AND entity_id = ?"
	if env.App.DB.Dialect() == store.Postgres {
		query = "SELECT count(*) FROM changes WHERE org_id = $1 AND entity_id = $2"
	}
	var n int
	if err := env.App.DB.SQL().QueryRow(query, orgID, entityID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type pulledChange struct {
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Op         string          `json:"op"`
	Version    int64           `json:"version"`
	Data       json.RawMessage `json:"data"`
}

// replica is what a device holds after applying pulls.
type replica struct {
	cursor   string
	entities map[string]pulledChange // by entity id
}

func newReplica() *replica { return &replica{entities: map[string]pulledChange{}} }

// pullAll pulls until has_more is false, applying every page.
func (r *replica) pullAll(t *testing.T, env *apitest.Env, token string, limit int) {
	t.Helper()
	for {
		path := fmt.Sprintf("/v1/sync/pull?limit=%d", limit)
		if r.cursor != "" {
			path += "&cursor=" + r.cursor
		}
		var page struct {
			Changes    []pulledChange `json:"changes"`
			NextCursor string         `json:"next_cursor"`
			HasMore    bool           `json:"has_more"`
		}
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
		if !page.HasMore {
			return
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

// pushTogether pushes n batches, each from a phone of its own signed in as
// email (devices prefix-0, prefix-1, …), all queued while h holds the
// organisation's groups, so that they run as one group when h lets go; it
// answers each push's results and error. batchOf makes push i's batch
// with its phone's token.
func pushTogether(t *testing.T, env *apitest.Env, ctx context.Context, h *syncer.Hold, email, prefix string, n int,
	batchOf func(i int, token string) []syncer.Mutation) ([][]json.RawMessage, []error) {
	t.Helper()
	results := make([][]json.RawMessage, n)
	errors := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		token := env.Login(email, apitest.Password, fmt.Sprintf("%s-%d", prefix, i)).AccessToken
		p, err := env.App.Auth.Authenticate(context.Background(), token)
		if err != nil {
			h.Release()
			wg.Wait()
			t.Fatal(err)
		}
		batch := batchOf(i, token)
		wg.Go(func() { results[i], errors[i] = env.App.Sync.Push(principal.With(ctx, p), batch) })
		if err := queued(h, i+1); err != nil {
			h.Release()
			wg.Wait()
			t.Fatal(err)
		}
	}
	h.Release()
	wg.Wait()
	return results, errors
}
