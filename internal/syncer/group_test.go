package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

var startedAndSubmitted = []string{"inspection.started", "inspection.submitted"}

// Twelve phones of one organisation (three guards, four phones each) push
// whole inspections at once, round after round; each round submits what
// the round before left open. A held round is committed as one group: one
// transaction, so every result of the round is stored with one receive
// time (this fails if pushes stop being grouped). The last round runs
// free, its groups racing on the organisation's runners. Afterwards every
// inspection is there once, at its final version, with its history, its
// audit entries and its change-log entry, the audit chain verifies, and
// every answered result is stored as answered.
func TestGroupedPushesApplyExactlyOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("crowd")
		tmpl := templateOf(t, env, tenant.Guard.Token)
		site := tenant.Sites[0].ID
		var phones []string
		for g := 0; g < 3; g++ {
			email := tenant.Guard.Email
			if g > 0 {
				email = env.NewGuard(tenant, fmt.Sprintf("guard-%d", g), site).Email
			}
			for d := 0; d < 4; d++ {
				phones = append(phones, env.Login(email, apitest.Password, fmt.Sprintf("phone-%d-%d", g, d)).AccessToken)
			}
		}
		const rounds = 3
		final := map[string]int64{}                     // version of every inspection at the end
		open := make([]syncer.Mutation, len(phones))    // each phone's submit left for the next round
		openAt := make([]map[string]int64, len(phones)) // the version its inspection is at
		for round := 0; round < rounds; round++ {
			pushes := make([]outgoing, len(phones))
			bases := make([]map[string]int64, len(phones))
			for i, token := range phones {
				id, whole := inspectionBatch(t, env, token, tmpl, site, true)
				final[id] = int64(len(whole))
				var batch []syncer.Mutation
				bases[i] = map[string]int64{}
				if round > 0 {
					batch = append(batch, open[i])
					bases[i] = openAt[i]
				}
				if round < rounds-1 {
					batch = append(batch, whole[:len(whole)-1]...)
					open[i], openAt[i] = whole[len(whole)-1], map[string]int64{id: int64(len(whole) - 1)}
				} else {
					batch = append(batch, whole...)
				}
				pushes[i] = outgoing{token, batch}
			}
			var h *syncer.Hold
			if round < rounds-1 {
				h = hold(t, env, tenant.Org.ID)
			}
			answers := pushGroup(t, env, h, pushes)
			times := map[int64]bool{}
			for i, answer := range answers {
				what := fmt.Sprintf("round %d, phone %d", round, i)
				wantApplied(t, what, pushes[i].batch, answer, bases[i])
				for at := range wantStored(t, env, tenant, pushes[i].batch, answer.raw) {
					times[at] = true
				}
			}
			if h != nil && len(times) != 1 {
				t.Fatalf("round %d: %d pushes held together were committed in %d transactions, want one group",
					round, len(phones), len(times))
			}
		}

		// The server's state, read straight from the store.
		rows, next, err := env.App.DB.Read(as(tenant)).ListInspections(store.InspectionFilter{}, store.Page{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if next != "" || len(rows) != len(final) {
			t.Fatalf("the server holds %d inspections (more: %v), want %d", len(rows), next != "", len(final))
		}
		for _, row := range rows {
			if want, ok := final[row.ID]; !ok || row.Version != want {
				t.Fatalf("inspection %s at version %d, want %d (known: %v)", row.ID, row.Version, want, ok)
			}
		}
		for id, version := range final {
			wantInspection(t, env, tenant.Admin.Token, id, version, "submitted", "started", "submitted")
			if got := auditActions(t, env, tenant.Admin.Token, id); !slices.Equal(got, startedAndSubmitted) {
				t.Fatalf("audit of %s: %v, want %v", id, got, startedAndSubmitted)
			}
		}
		wantAuditVerifies(t, env, tenant.Admin.Token)

		// An admin's replica, pulled from scratch, equals the final state.
		r := newReplica()
		r.pullAll(t, env, tenant.Admin.Token, 25)
		pulled := r.ofType("inspection")
		if len(pulled) != len(final) {
			t.Fatalf("the replica holds %d inspections, the server %d", len(pulled), len(final))
		}
		for id, version := range final {
			if pulled[id].Version != version {
				t.Fatalf("the replica has %s at version %d, the server at %d", id, pulled[id].Version, version)
			}
		}
	})
}

// A group holding a push that makes its transaction fail commits nothing:
// the pushes before and after it are then applied alone, once each, and
// the bad one, failing alone too, gets a 503 and leaves no trace. The bad
// push fails as if it kept racing a twin (FailBatchesApplying): a fault
// that is transient in life and lasts here for as long as the test wants.
func TestFailedGroupRunsItsPushesAloneAndLeavesNoTrace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		home := env.NewTenant("home")
		tmpl, site := templateOf(t, env, home.Guard.Token), home.Sites[0].ID

		phoneA := home.Guard.Token
		phoneBad := env.Login(home.Guard.Email, apitest.Password, "phone-bad").AccessToken
		phoneB := env.Login(home.Guard.Email, apitest.Password, "phone-b").AccessToken
		a, batchA := inspectionBatch(t, env, phoneA, tmpl, site, true)
		b, batchB := inspectionBatch(t, env, phoneB, tmpl, site, true)
		badID, bad := inspectionBatch(t, env, phoneBad, tmpl, site, true)
		syncer.FailBatchesApplying(t, env.App.Sync, bad[len(bad)-1].MutationID)

		h := hold(t, env, home.Org.ID)
		answers := pushGroup(t, env, h, []outgoing{{phoneA, batchA}, {phoneBad, bad}, {phoneB, batchB}})
		wantApplied(t, "push A", batchA, answers[0], nil)
		wantApplied(t, "push B", batchB, answers[2], nil)
		if answers[1].status != http.StatusServiceUnavailable || answers[1].header.Get("Retry-After") == "" ||
			answers[1].header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("bad push: status %d, Retry-After %q, %s; want a 503 problem to retry later",
				answers[1].status, answers[1].header.Get("Retry-After"), answers[1].body)
		}

		// A and B, once each.
		for _, applied := range []struct {
			id     string
			batch  []syncer.Mutation
			answer pushed
		}{{a, batchA, answers[0]}, {b, batchB, answers[2]}} {
			wantStored(t, env, home, applied.batch, applied.answer.raw)
			wantInspection(t, env, home.Admin.Token, applied.id, int64(len(applied.batch)), "submitted", "started", "submitted")
			if got := auditActions(t, env, home.Admin.Token, applied.id); !slices.Equal(got, startedAndSubmitted) {
				t.Fatalf("audit of %s: %v, want %v", applied.id, got, startedAndSubmitted)
			}
			if n := changeCount(t, env, home.Org.ID, applied.id); n != 1 {
				t.Fatalf("%d change-log entries for %s, want 1", n, applied.id)
			}
		}

		// Nothing of the bad push: not even the mutations before the one
		// that failed.
		env.Get("/v1/inspections/"+badID, home.Admin.Token).Want(t, http.StatusNotFound)
		if stored := storedResults(t, env, home, bad); len(stored) != 0 {
			t.Fatalf("stored results of the bad push: %v", stored)
		}
		if got := auditActions(t, env, home.Admin.Token, badID); len(got) != 0 {
			t.Fatalf("audit has %v about the bad push", got)
		}
		if n := changeCount(t, env, home.Org.ID, badID); n != 0 {
			t.Fatalf("change log has %d entries about the bad push", n)
		}
		r := newReplica()
		r.pullAll(t, env, home.Admin.Token, 100)
		if _, ok := r.entities[badID]; ok {
			t.Fatalf("home admin pulled the bad push's inspection")
		}
		if got := r.ofType("inspection"); len(got) != 2 || got[a].Version == 0 || got[b].Version == 0 {
			t.Fatalf("home admin pulled inspections %v, want A and B", got)
		}
		wantAuditVerifies(t, env, home.Admin.Token)
	})
}

// In one group, in queue order: push P starts an inspection and answers
// part of it, an identical twin of P (a retry sent while P waited) replays
// P's results byte for byte, and push Q, which answers the rest and
// submits, sees the inspection P started though nothing is committed yet.
func TestTwinAndDependentPushesInOneGroup(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("twins")
		phone := tenant.Guard.Token
		id, whole := inspectionBatch(t, env, phone, templateOf(t, env, phone), tenant.Sites[0].ID, true)
		half := len(whole) / 2
		p, q := whole[:half], whole[half:]

		h := hold(t, env, tenant.Org.ID)
		answers := pushGroup(t, env, h, []outgoing{{phone, p}, {phone, p}, {phone, q}})
		wantApplied(t, "push P", p, answers[0], nil)
		for i := range p {
			if !bytes.Equal(answers[1].raw[i], answers[0].raw[i]) {
				t.Fatalf("twin result %d is %s, P's %s", i, answers[1].raw[i], answers[0].raw[i])
			}
		}
		wantApplied(t, "push Q", q, answers[2], map[string]int64{id: int64(half)})
		if answers[2].results[len(q)-1].ContentHash == "" {
			t.Fatalf("submit answered without a content hash: %+v", answers[2].results[len(q)-1])
		}
		// One transaction: Q was applied before P was committed.
		if times := wantStored(t, env, tenant, whole, append(slices.Clone(answers[0].raw), answers[2].raw...)); len(times) != 1 {
			t.Fatalf("P and Q committed in %d transactions, want one group", len(times))
		}
		wantInspection(t, env, tenant.Admin.Token, id, int64(len(whole)), "submitted", "started", "submitted")
		if got := auditActions(t, env, tenant.Admin.Token, id); !slices.Equal(got, startedAndSubmitted) {
			t.Fatalf("audit of %s: %v, want %v", id, got, startedAndSubmitted)
		}
		if n := changeCount(t, env, tenant.Org.ID, id); n != 1 {
			t.Fatalf("%d change-log entries for the inspection, want 1 (the group writes it once)", n)
		}
		// P once more, after the commit: the same bytes, from the store.
		again := push(t, env, phone, p)
		if t.Failed() || again.status != http.StatusOK {
			t.Fatalf("P again: status %d: %s", again.status, again.body)
		}
		for i := range p {
			if !bytes.Equal(again.raw[i], answers[0].raw[i]) {
				t.Fatalf("P again, result %d: %s, first %s", i, again.raw[i], answers[0].raw[i])
			}
		}
		wantInspection(t, env, tenant.Admin.Token, id, int64(len(whole)), "submitted", "started", "submitted")
	})
}

// A device that gives up on a push while it is queued (its request context
// ends) gets an error, but the push is still applied, once: the retry, sent
// while the first try still waits or after it was committed, is answered
// with the stored results, byte for byte.
func TestAbandonedQueuedPushIsNeitherLostNorDoubled(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("gaveup")
		phone, site := tenant.Guard.Token, tenant.Sites[0].ID
		tmpl := templateOf(t, env, phone)
		caller, err := env.App.Auth.Authenticate(context.Background(), phone)
		if err != nil {
			t.Fatal(err)
		}
		// giveUp sends the batch as the phone and hangs up while it is
		// queued. Over HTTP the server learns of it when the connection
		// closes; through the service the request's context ends at once,
		// and the push answers Unavailable.
		giveUp := func(h *syncer.Hold, batch []syncer.Mutation, overHTTP bool) {
			t.Helper()
			waiting := h.Queued()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			if overHTTP {
				req, err := pushRequest(ctx, env, phone, batch)
				if err != nil {
					t.Fatal(err)
				}
				go func() {
					res, err := http.DefaultClient.Do(req)
					if err == nil {
						res.Body.Close()
						err = fmt.Errorf("answered %d", res.StatusCode)
					}
					done <- err
				}()
			} else {
				go func() {
					_, err := env.App.Sync.Push(principal.With(ctx, caller), batch)
					done <- err
				}()
			}
			if err := queued(h, waiting+1); err != nil {
				h.Release()
				<-done
				t.Fatal(err)
			}
			cancel()
			err := <-done
			if overHTTP && !errors.Is(err, context.Canceled) {
				t.Fatalf("abandoned push over HTTP: %v, want the client's context.Canceled", err)
			}
			if !overHTTP && !errs.Is(err, errs.Unavailable) {
				t.Fatalf("abandoned push: %v, want Unavailable", err)
			}
		}
		check := func(what, id string, batch []syncer.Mutation, first pushed) {
			t.Helper()
			wantApplied(t, what, batch, first, nil)
			wantStored(t, env, tenant, batch, first.raw)
			again := push(t, env, phone, batch)
			if t.Failed() || again.status != http.StatusOK {
				t.Fatalf("%s, again: status %d: %s", what, again.status, again.body)
			}
			for i := range batch {
				if !bytes.Equal(again.raw[i], first.raw[i]) {
					t.Fatalf("%s, again: result %d is %s, before %s", what, i, again.raw[i], first.raw[i])
				}
			}
			wantInspection(t, env, tenant.Admin.Token, id, int64(len(batch)), "submitted", "started", "submitted")
			if got := auditActions(t, env, tenant.Admin.Token, id); !slices.Equal(got, startedAndSubmitted) {
				t.Fatalf("%s: audit %v, want %v", what, got, startedAndSubmitted)
			}
		}

		// The retry comes while the abandoned push still waits: both go in
		// one group, and the retry replays what the abandoned one did.
		id, batch := inspectionBatch(t, env, phone, tmpl, site, true)
		h := hold(t, env, tenant.Org.ID)
		giveUp(h, batch, true)
		retry := pushGroup(t, env, h, []outgoing{{phone, batch}})[0]
		check("retry while queued", id, batch, retry)

		// The retry comes after the abandoned push was committed alone.
		id, batch = inspectionBatch(t, env, phone, tmpl, site, true)
		h = hold(t, env, tenant.Org.ID)
		giveUp(h, batch, false)
		h.Release()
		deadline := time.Now().Add(30 * time.Second)
		for len(storedResults(t, env, tenant, batch)) < len(batch) {
			if time.Now().After(deadline) {
				t.Fatal("the abandoned push was not committed within 30s")
			}
			time.Sleep(5 * time.Millisecond)
		}
		retry = push(t, env, phone, batch)
		if t.Failed() {
			t.FailNow()
		}
		check("retry after commit", id, batch, retry)
	})
}

// The device's own client resends what it has not seen answered, with
// whatever it recorded since: a push P it gave up on may wait in the same
// group as its retry P+Q. When that group fails (here because of another
// device's bad push), P and P+Q run alone and race each other; either way
// P's mutations are applied once, both answers carry the same results for
// them, and Q's mutations follow.
func TestFailedGroupWithAGrownRetryAppliesOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		home := env.NewTenant("home")
		tmpl, site := templateOf(t, env, home.Guard.Token), home.Sites[0].ID

		phone := home.Guard.Token
		phoneBad := env.Login(home.Guard.Email, apitest.Password, "phone-bad").AccessToken
		id, whole := inspectionBatch(t, env, phone, tmpl, site, true)
		p := whole[:len(whole)/2]
		_, bad := inspectionBatch(t, env, phoneBad, tmpl, site, false)
		syncer.FailBatchesApplying(t, env.App.Sync, bad[0].MutationID)

		h := hold(t, env, home.Org.ID)
		answers := pushGroup(t, env, h, []outgoing{{phone, p}, {phoneBad, bad}, {phone, whole}})
		if answers[1].status != http.StatusServiceUnavailable {
			t.Fatalf("bad push: status %d, want 503: %s", answers[1].status, answers[1].body)
		}
		wantApplied(t, "push P", p, answers[0], nil)
		wantApplied(t, "push P+Q", whole, answers[2], nil)
		for i := range p {
			if !bytes.Equal(answers[2].raw[i], answers[0].raw[i]) {
				t.Fatalf("result %d: %s to P+Q, %s to P", i, answers[2].raw[i], answers[0].raw[i])
			}
		}
		wantStored(t, env, home, whole, answers[2].raw)
		wantInspection(t, env, home.Admin.Token, id, int64(len(whole)), "submitted", "started", "submitted")
		if got := auditActions(t, env, home.Admin.Token, id); !slices.Equal(got, startedAndSubmitted) {
			t.Fatalf("audit of %s: %v, want %v", id, got, startedAndSubmitted)
		}
	})
}
