package client

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

func yes() checklists.Answer { return checklists.Answer{Value: "yes"} }

// TestOutboxOrder: mutations reach the server in the order the user acted,
// across batches, through 5xx retries and 413 splits.
func TestOutboxOrder(t *testing.T) {
	ctx := context.Background()
	f, srv := newFake(t)
	f.pages = []page{templatePage()}
	c := openFake(t, srv.URL, t.TempDir(), false)
	c.opts.BatchSize = 5
	must[Me](t)(c.Login(ctx, "g@x", "pw"))
	must[PullReport](t)(c.Pull(ctx))

	a := must[string](t)(c.StartInspection(ctx, "door-check", "s1", nil))
	b := must[string](t)(c.StartInspection(ctx, "door-check", "s1", map[string]any{"system_cash": 5}))
	steps := []func() error{
		func() error { return c.SetAnswer(ctx, a, "/door_locked", yes()) },
		func() error { return c.SetAnswer(ctx, b, "/door_locked", checklists.Answer{Value: "no"}) },
		func() error { return c.Submit(ctx, a) },
		func() error { return c.SetAnswer(ctx, b, "/door_locked", yes()) },
		func() error { return c.Submit(ctx, b) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetAnswer(ctx, a, "/door_locked", yes()); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("answering a submitted inspection: %v, want ErrNotEditable", err)
	}
	f.maxBatch, f.fail = 2, []int{503, 500}
	report := must[PushReport](t)(c.Push(ctx))
	want := []string{"inspection.start", "inspection.start", "answer.set", "answer.set", "inspection.submit", "answer.set", "inspection.submit"}
	if got := f.appliedTypes(); !slices.Equal(got, want) {
		t.Fatalf("server applied %v, want %v", got, want)
	}
	for i, m := range f.applied {
		wantEntity := map[bool]string{true: a, false: b}[i == 0 || i == 2 || i == 4]
		if m.EntityID != wantEntity {
			t.Errorf("mutation %d (%s) for %s, want %s", i, m.Type, m.EntityID, wantEntity)
		}
	}
	st := must[Stats](t)(c.Stats(ctx))
	if report.Applied != 7 || st.Outbox != 0 || st.Results["applied"] != 7 || st.Retries < 2 {
		t.Fatalf("report %+v, stats %+v", report, st)
	}
}

// TestRejectedLeavesQueue: a rejected mutation is settled like any other
// and does not block the ones behind it.
func TestRejectedLeavesQueue(t *testing.T) {
	ctx := context.Background()
	f, srv := newFake(t)
	f.pages = []page{templatePage()}
	c := openFake(t, srv.URL, t.TempDir(), false)
	must[Me](t)(c.Login(ctx, "g@x", "pw"))
	must[PullReport](t)(c.Pull(ctx))
	id := must[string](t)(c.StartInspection(ctx, "door-check", "s1", nil))
	must[struct{}](t)(struct{}{}, c.SetAnswer(ctx, id, "/bad", checklists.Answer{Value: "bad"}))
	must[struct{}](t)(struct{}{}, c.SetAnswer(ctx, id, "/door_locked", yes()))
	report := must[PushReport](t)(c.Push(ctx))
	if report.Applied != 2 || report.Rejected != 1 {
		t.Fatalf("report %+v, want 2 applied and 1 rejected", report)
	}
	results := must[[]Result](t)(c.Results(ctx))
	if len(results) != 3 || results[1].Status != "rejected" || results[1].Errors[0].Pointer != "/payload/answer" {
		t.Fatalf("results %+v", results)
	}
	// The view is rebuilt from the server's record (none pulled yet) plus
	// what is pending (nothing): the user sees the server's truth after a pull.
	if n := must[Stats](t)(c.Stats(ctx)).Outbox; n != 0 {
		t.Fatalf("outbox %d after push", n)
	}
}

// TestSessionRenewal: a 401 refreshes the token; a refused refresh signs in
// again only when the caller allowed it.
func TestSessionRenewal(t *testing.T) {
	ctx := context.Background()
	for _, relogin := range []bool{true, false} {
		t.Run(map[bool]string{true: "relogin", false: "no relogin"}[relogin], func(t *testing.T) {
			f, srv := newFake(t)
			c := openFake(t, srv.URL, t.TempDir(), relogin)
			must[Me](t)(c.Login(ctx, "g@x", "pw"))
			f.mu.Lock()
			f.access = "expired" // the access token ran out
			f.mu.Unlock()
			must[PullReport](t)(c.Pull(ctx))
			if st := must[Stats](t)(c.Stats(ctx)); st.Refreshes != 1 || st.Logins != 1 {
				t.Fatalf("after an expired token: %+v, want one refresh", st)
			}
			f.mu.Lock()
			f.access, f.refresh = "expired2", "revoked" // the session was revoked
			f.mu.Unlock()
			_, err := c.Pull(ctx)
			if !relogin {
				if !errors.Is(err, ErrUnauthenticated) {
					t.Fatalf("pull with a revoked session: %v, want ErrUnauthenticated", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("pull with a revoked session and relogin allowed: %v", err)
			}
			if st := must[Stats](t)(c.Stats(ctx)); st.Logins != 2 {
				t.Fatalf("logins = %d, want 2", st.Logins)
			}
			device := must[string](t)(c.DeviceID(ctx))
			if f.seen["login"][1] != device {
				t.Fatalf("relogin used device %q, want %q", f.seen["login"][1], device)
			}
		})
	}
}

// TestGoneKeepsOutbox: 410 drops the replica and the cursor, never the
// outbox; the user's pending inspection stays visible.
func TestGoneKeepsOutbox(t *testing.T) {
	ctx := context.Background()
	f, srv := newFake(t)
	f.pages = []page{templatePage(), {Changes: []change{{EntityType: "site", EntityID: "s1", Op: "upsert", Version: 1,
		Data: json.RawMessage(`{"id":"s1"}`)}}}}
	c := openFake(t, srv.URL, t.TempDir(), false)
	must[Me](t)(c.Login(ctx, "g@x", "pw"))
	must[PullReport](t)(c.Pull(ctx))
	id := must[string](t)(c.StartInspection(ctx, "door-check", "s1", nil))
	must[struct{}](t)(struct{}{}, c.SetAnswer(ctx, id, "/door_locked", yes()))
	f.mu.Lock()
	f.gone = true
	f.mu.Unlock()
	report := must[PullReport](t)(c.Pull(ctx))
	if report.Resets != 1 || report.Upserts != 2 {
		t.Fatalf("pull after 410: %+v, want one reset and both records again", report)
	}
	st := must[Stats](t)(c.Stats(ctx))
	if st.Outbox != 2 || st.Replica["template_version"] != 1 || st.Replica["site"] != 1 || st.Replica["inspection"] != 1 {
		t.Fatalf("stats after 410: %+v", st)
	}
	list := must[[]Inspection](t)(c.Inspections(ctx))
	if len(list) != 1 || list[0].Answers["door_locked"].Value != "yes" || list[0].Pending != 2 {
		t.Fatalf("inspections after 410: %+v", list)
	}
}

// TestReopen: the outbox, session and device id survive closing the
// client; the same mutation ids go out after the reopen.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	f, srv := newFake(t)
	f.pages = []page{templatePage()}
	dir := t.TempDir()
	c := openFake(t, srv.URL, dir, false)
	must[Me](t)(c.Login(ctx, "g@x", "pw"))
	must[PullReport](t)(c.Pull(ctx))
	id := must[string](t)(c.StartInspection(ctx, "door-check", "s1", nil))
	before := must[[]outboxEntry](t)(c.head(ctx, 10))
	device := must[string](t)(c.DeviceID(ctx))
	c.Close()

	c = openFake(t, srv.URL, dir, false)
	if got := must[string](t)(c.DeviceID(ctx)); got != device {
		t.Fatalf("device id %q after reopen, want %q", got, device)
	}
	must[PushReport](t)(c.Push(ctx))
	if len(f.applied) != 1 || f.applied[0].MutationID != before[0].MutationID || f.applied[0].EntityID != id {
		t.Fatalf("server got %+v, want the mutation made before the reopen", f.applied)
	}
}

// TestOverlay: the local view is the server's record with the pending
// mutations on top, group answers included.
func TestOverlay(t *testing.T) {
	start := outboxEntry{Type: "inspection.start", EntityID: "i1", Payload: json.RawMessage(`{"site_id":"s1","template_version":2}`)}
	set := func(path, value string) outboxEntry {
		b, _ := json.Marshal(map[string]any{"path": path, "answer": map[string]any{"value": value}})
		return outboxEntry{Type: "answer.set", EntityID: "i1", Payload: b}
	}
	clear := outboxEntry{Type: "answer.clear", EntityID: "i1", Payload: json.RawMessage(`{"path":"/a"}`)}
	var data map[string]any
	for _, m := range []outboxEntry{start, set("/a", "yes"), set("/ext/1/ok", "no"), set("/b~1c", "x"), clear,
		{Type: "inspection.submit", EntityID: "i1", Payload: json.RawMessage(`{}`)}} {
		data = overlay(data, m)
	}
	got, _ := json.Marshal(data)
	want := `{"answers":{"b/c":{"value":"x"},"ext":{"repeats":[{},{"ok":{"value":"no"}}]}},"id":"i1","site_id":"s1","status":"submitted","template_version":2}`
	if string(got) != want {
		t.Fatalf("view\n got %s\nwant %s", got, want)
	}
	if overlay(nil, set("/a", "yes")) != nil {
		t.Error("an answer to an unknown inspection made a view out of nothing")
	}
	server := map[string]any{"id": "i1", "status": "in_progress", "answers": map[string]any{"z": map[string]any{"value": "1"}}}
	if v := overlay(server, start); v["answers"].(map[string]any)["z"] == nil {
		t.Error("a start laid over the server's record wiped its answers")
	}
}
