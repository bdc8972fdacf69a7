package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/client/flaky"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// testTemplate has a repeatable group, so that group paths go through sync.
const testTemplate = "fire-safety-monthly"

// fastRetries keep the tests quick: tens of milliseconds between attempts.
var fastRetries = client.Backoff{Base: 2 * time.Millisecond, Cap: 40 * time.Millisecond}

func openDevice(t *testing.T, server, dir string, transport http.RoundTripper) *client.Client {
	t.Helper()
	c, err := client.Open(context.Background(), client.Options{Server: server, StateDir: dir, Relogin: true,
		HTTPClient: &http.Client{Transport: transport}, Backoff: fastRetries, RequestTimeout: 10 * time.Second,
		BatchSize: 25, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expected maps an inspection id to the answers the device gave it.
type expected map[string]map[string]checklists.Answer

// fill starts, answers and submits n inspections offline.
func fill(t *testing.T, ctx context.Context, c *client.Client, site string, n int) expected {
	t.Helper()
	version, err := c.Template(ctx, testTemplate)
	if err != nil {
		t.Fatal(err)
	}
	template, err := version.Parse()
	if err != nil {
		t.Fatal(err)
	}
	want := expected{}
	for range n {
		input := checklists.SampleAnswers(template, true)
		id, err := c.StartInspection(ctx, testTemplate, site, input.Context)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Fill(ctx, id, template, input.Answers); err != nil {
			t.Fatal(err)
		}
		if err := c.Submit(ctx, id); err != nil {
			t.Fatal(err)
		}
		want[id] = input.Answers
	}
	return want
}

// syncUntilEmpty syncs until the outbox is empty, failing at the deadline.
func syncUntilEmpty(t *testing.T, ctx context.Context, c *client.Client, deadline time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	for {
		_, _, err := c.Sync(ctx)
		st, statsErr := c.Stats(context.Background())
		if statsErr != nil {
			t.Fatal(statsErr)
		}
		if err == nil && st.Outbox == 0 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("outbox still holds %d mutations at the deadline (last error: %v)", st.Outbox, err)
		}
	}
}

// checkServer asserts that the server holds exactly the wanted inspections,
// all submitted, each with exactly the answers sent: none lost, none doubled.
func checkServer(t *testing.T, env *apitest.Env, token string, want expected) {
	t.Helper()
	var all []struct {
		ID      string                       `json:"id"`
		Status  string                       `json:"status"`
		Answers map[string]checklists.Answer `json:"answers"`
	}
	path := "/v1/inspections?limit=500"
	for {
		var page struct {
			Items      json.RawMessage `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		env.Get(path, token).Want(t, http.StatusOK).JSON(t, &page)
		var items []struct {
			ID      string                       `json:"id"`
			Status  string                       `json:"status"`
			Answers map[string]checklists.Answer `json:"answers"`
		}
		if err := json.Unmarshal(page.Items, &items); err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if page.NextCursor == "" || len(items) == 0 {
			break
		}
		path = "/v1/inspections?limit=500&cursor=" + page.NextCursor
	}
	if len(all) != len(want) {
		t.Fatalf("server holds %d inspections, want exactly %d", len(all), len(want))
	}
	for _, got := range all {
		answers, ok := want[got.ID]
		if !ok {
			t.Fatalf("server holds inspection %s, which the device never started", got.ID)
		}
		if got.Status != "submitted" {
			t.Errorf("inspection %s is %s, want submitted", got.ID, got.Status)
		}
		if g, w := normalise(t, got.Answers), normalise(t, answers); !reflect.DeepEqual(g, w) {
			t.Errorf("inspection %s answers differ\n got %v\nwant %v", got.ID, g, w)
		}
	}
	var submitted struct {
		Items []json.RawMessage `json:"items"`
	}
	env.Get("/v1/inspections?status=submitted&limit=500", token).Want(t, http.StatusOK).JSON(t, &submitted)
	if len(submitted.Items) != len(want) {
		t.Errorf("%d submitted inspections listed, want %d", len(submitted.Items), len(want))
	}
}

// normalise is answers as plain JSON values, so that 3 and 3.0 compare equal.
func normalise(t *testing.T, answers map[string]checklists.Answer) map[string]any {
	t.Helper()
	raw, err := json.Marshal(answers)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkClientDone(t *testing.T, c *client.Client, want expected) client.Stats {
	t.Helper()
	st, err := c.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Outbox != 0 {
		t.Errorf("outbox holds %d mutations, want none", st.Outbox)
	}
	if st.Results["rejected"]+st.Results["conflict"] != 0 {
		t.Errorf("results %v: a valid inspection was refused", st.Results)
	}
	local, err := c.Inspections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(local) != len(want) {
		t.Errorf("device shows %d inspections, want %d", len(local), len(want))
	}
	for _, in := range local {
		if in.Status != "submitted" || in.Pending != 0 || in.Version == 0 {
			t.Errorf("device's copy of %s: status %s, pending %d, version %d", in.ID, in.Status, in.Pending, in.Version)
		}
	}
	return st
}

func mutationCount(want expected) int {
	n := 0
	for _, answers := range want {
		n += 2 // start and submit
		for _, a := range answers {
			if len(a.Repeats) == 0 {
				n++
			}
			for _, r := range a.Repeats {
				n += len(r)
			}
		}
	}
	return n
}

// TestFlakyNetwork: with 30% of requests lost, 30% of answers lost after
// the server committed, and some timeouts, a device's inspections arrive
// exactly once with exactly their answers.
func TestFlakyNetwork(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		const inspections = 10
		ctx := context.Background()
		// A small body limit makes the server refuse the device's batches
		// with 413 until it splits them.
		env := apitest.New(t, databaseURL, apitest.WithSetting("PATROLSYNC_BODY_LIMIT", "4096"))
		tenant := env.NewTenant("flaky")
		transport := flaky.New(nil, flaky.Options{Seed: 2026, DropRequest: 0.3, DropResponse: 0.3, Timeout: 0.05,
			TimeoutAfter: 20 * time.Millisecond})
		c := openDevice(t, env.URL, t.TempDir(), transport)
		me, err := c.Login(ctx, tenant.Guard.Email, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		want := fill(t, ctx, c, me.SiteIDs[0], inspections)
		syncUntilEmpty(t, ctx, c, 2*time.Minute)

		checkServer(t, env, tenant.Guard.Token, want)
		st := checkClientDone(t, c, want)
		checkMedia(t, c, env.URL, tenant.Guard.Token, want, 1)
		if st.Results["applied"] != mutationCount(want) {
			t.Errorf("applied %d, want one per mutation: %d", st.Results["applied"], mutationCount(want))
		}
		faults := transport.Stats()
		if faults.DroppedRequests == 0 || faults.DroppedResponses == 0 || faults.Timeouts == 0 {
			t.Errorf("the network was not flaky enough to prove anything: %+v", faults)
		}
		t.Logf("%d mutations, %d media (%d uploads); %d requests, %d retries, %d re-sent mutations, %d logins, %d refreshes; faults %+v",
			mutationCount(want), st.Media[client.MediaStored], st.MediaPuts, st.Requests, st.Retries,
			st.MutationSends-int64(mutationCount(want)), st.Logins, st.Refreshes, faults)
	})
}

// checkMedia asserts that every media the device queued is stored on the
// server (at base, read with token) with exactly the device's bytes, at
// least perInspection of them for each inspection, and that no inspection,
// on the server or on the device, still waits for media.
func checkMedia(t *testing.T, c *client.Client, base, token string, want expected, perInspection int) {
	t.Helper()
	ctx := context.Background()
	queue, err := c.MediaQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range queue {
		count[m.InspectionID]++
		if m.State != client.MediaStored {
			t.Errorf("media %s (%s at %s) is %s on the device, want stored; last error %q", m.ID, m.Kind, m.Path, m.State, m.LastError)
			continue
		}
		body := download(t, base, token, m.ID)
		sum := sha256.Sum256(body)
		if hex.EncodeToString(sum[:]) != m.SHA256 || int64(len(body)) != m.Size {
			t.Errorf("media %s: the server holds %d bytes with another SHA-256 than the device's %d", m.ID, len(body), m.Size)
		}
	}
	for id := range want {
		if count[id] < perInspection {
			t.Errorf("inspection %s has %d media queued, want at least %d", id, count[id], perInspection)
		}
	}
	var page struct {
		Items []struct {
			ID           string `json:"id"`
			MediaPending bool   `json:"media_pending"`
		} `json:"items"`
	}
	res := authGet(t, base+"/v1/inspections?limit=500", token)
	if err := json.Unmarshal(res, &page); err != nil {
		t.Fatal(err)
	}
	for _, in := range page.Items {
		if in.MediaPending {
			t.Errorf("inspection %s is still media_pending on the server", in.ID)
		}
	}
	local, err := c.Inspections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range local {
		if in.MediaPending {
			t.Errorf("the device still shows inspection %s as media_pending", in.ID)
		}
	}
}

// noRedirects reads a redirect's Location instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// download reads a media's bytes through the API's redirect.
func download(t *testing.T, base, token, id string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/media/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	location := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || location == "" {
		t.Fatalf("GET /v1/media/%s: status %d, want a redirect to the bytes", id, res.StatusCode)
	}
	return authGet(t, location, "")
}

// authGet reads a URL that must answer 200.
func authGet(t *testing.T, target, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", target, res.StatusCode, err)
	}
	return body
}

// loginToken signs in over plain HTTP, for reading a server the test env
// does not share a signing key with.
func loginToken(t *testing.T, base, email string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": apitest.Password, "device_id": uuid.NewString()})
	res, err := http.Post(base+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tokens); err != nil || tokens.AccessToken == "" {
		t.Fatalf("login at %s: status %d, %v", base, res.StatusCode, err)
	}
	return tokens.AccessToken
}
