package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// syncDelay is long in these tests so that the real-time periodic judge
// never touches a round the test judges with its own clock.
const syncDelay = 240 * time.Hour

func roundsEnv(t *testing.T, db string) *apitest.Env {
	return apitest.New(t, db, apitest.WithSetting("PATROLSYNC_ROUND_SYNC_DELAY", syncDelay.String()))
}

func judgeAfter(t *testing.T, env *apitest.Env, r roundView) int {
	t.Helper()
	n, err := env.App.Rounds.DetectMissed(context.Background(), r.WindowEnd.Add(15*time.Minute+syncDelay+time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func scanResult(t *testing.T, raw json.RawMessage) (status string, flags []string, checkpoint *string) {
	t.Helper()
	var r struct {
		Status string
		Scan   *struct {
			Flags        []string
			CheckpointID *string `json:"checkpoint_id"`
		}
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Scan == nil {
		t.Fatalf("scan result %s has no scan outcome", raw)
	}
	return r.Status, r.Scan.Flags, r.Scan.CheckpointID
}

// A round walked fully offline and synced hours after its window closed is
// done on time, because it is judged by scan (device) times. A device whose
// clock disagrees with GPS time beyond the skew still completes, flagged.
func TestRoundDoneOfflineCountsByScanTimes(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("offline")
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		slot := time.Now().UTC().Add(-30 * time.Hour).Truncate(time.Minute)
		onTime := pastRound(t, env, tenant, route, slot, &tenant.Guard.User.ID)
		skewed := pastRound(t, env, tenant, route, slot.Add(-2*time.Hour), &tenant.Guard.User.ID)

		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 100)
		if _, ok := phone.ofType("round")[onTime.ID]; !ok {
			t.Fatal("the assigned round did not reach the guard's phone")
		}
		if _, ok := phone.ofType("route")[route.ID]; !ok {
			t.Fatal("the route did not reach the guard's phone")
		}

		var batch []mutation
		for i, c := range route.Checkpoints {
			at := onTime.WindowStart.Add(time.Duration(10*(i+1)) * time.Minute)
			batch = append(batch, scan(onTime.ID, c.TagCode, at, map[string]any{"location": map[string]any{
				"lat": 31.23, "lng": 121.47, "accuracy_m": 8, "gps_time": at.Format(time.RFC3339)}}))
		}
		for i, c := range route.Checkpoints {
			at := skewed.WindowStart.Add(time.Duration(10*(i+1)) * time.Minute)
			gps := at.Add(47 * time.Minute) // the phone clock is 47 minutes slow
			batch = append(batch, scan(skewed.ID, c.TagCode, at, map[string]any{"location": map[string]any{
				"lat": 31.23, "lng": 121.47, "gps_time": gps.Format(time.RFC3339)}}))
		}
		raw, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		for i := range route.Checkpoints {
			if _, flags, _ := scanResult(t, raw[i]); len(flags) != 0 {
				t.Fatalf("an on-time scan synced late was flagged %v", flags)
			}
			if _, flags, _ := scanResult(t, raw[3+i]); !slices.Contains(flags, rounds.FlagClockSkew) {
				t.Fatalf("a scan with a clock 47 minutes off GPS time has flags %v, want clock_skew", flags)
			}
		}
		judgeAfter(t, env, onTime)

		got := getRound(t, env, tenant.Supervisor.Token, onTime.ID)
		if got.Status != rounds.Completed || got.ScannedCount != 3 || len(got.Flags) != 0 || len(got.Scans) != 3 {
			t.Fatalf("offline round judged %+v, want completed with 3 scans and no flags", got)
		}
		got = getRound(t, env, tenant.Supervisor.Token, skewed.ID)
		if got.Status != rounds.Completed || !slices.Contains(got.Flags, rounds.FlagClockSkew) {
			t.Fatalf("skewed round judged %s %v, want completed and flagged clock_skew", got.Status, got.Flags)
		}
		// A replay of the same batch is a replay, not three more scans.
		_, again := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, again, "applied")
		if n := len(getRound(t, env, tenant.Admin.Token, onTime.ID).Scans); n != 3 {
			t.Fatalf("after a retried push the round has %d scans, want 3", n)
		}
	})
}

// Wrong tags, out-of-order, early and late scans are all stored and
// flagged, never rejected; a late scan within the grace still counts.
func TestScansAreFlaggedNeverDropped(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("flags")
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		r := pastRound(t, env, tenant, route, time.Now().UTC().Add(-20*time.Hour).Truncate(time.Minute), nil)
		cp := route.Checkpoints
		far := map[string]any{"location": map[string]any{"lat": 31.30, "lng": 121.47, "accuracy_m": 10}}
		cases := []struct {
			name string
			m    mutation
			want []string
		}{
			{"early", scan(r.ID, cp[0].TagCode, r.WindowStart.Add(-5*time.Minute), nil), []string{rounds.FlagEarly, rounds.FlagOutsideWindow}},
			{"out of order", scan(r.ID, cp[1].TagCode, r.WindowStart.Add(5*time.Minute), nil), []string{rounds.FlagOutOfOrder}},
			{"wrong tag", scan(r.ID, "QR-SOMEWHERE-ELSE", r.WindowStart.Add(6*time.Minute), nil), []string{rounds.FlagWrongTag}},
			{"far from the checkpoint", scan(r.ID, cp[0].TagCode, r.WindowStart.Add(7*time.Minute), far), []string{rounds.FlagOutOfRange}},
			{"late within grace", scan(r.ID, cp[2].TagCode, r.WindowEnd.Add(10*time.Minute), nil), []string{rounds.FlagLate}},
			{"late beyond grace", scan(r.ID, cp[2].TagCode, r.WindowEnd.Add(2*time.Hour), nil),
				[]string{rounds.FlagLate, rounds.FlagOutsideWindow, rounds.FlagRepeat}},
			{"in the future", scan(r.ID, cp[0].TagCode, time.Now().Add(3*time.Hour), nil),
				[]string{rounds.FlagLate, rounds.FlagOutsideWindow, rounds.FlagClockSkew, rounds.FlagRepeat}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				raw, results := push(t, env, tenant.Guard.Token, []mutation{tc.m})
				wantStatus(t, results, "applied")
				_, flags, _ := scanResult(t, raw[0])
				slices.Sort(flags)
				want := slices.Clone(tc.want)
				slices.Sort(want)
				if !slices.Equal(flags, want) {
					t.Fatalf("flags %v, want %v", flags, want)
				}
			})
		}
		judgeAfter(t, env, r)
		got := getRound(t, env, tenant.Supervisor.Token, r.ID)
		if len(got.Scans) != len(cases) {
			t.Fatalf("round keeps %d scans, want all %d", len(got.Scans), len(cases))
		}
		if got.Status != rounds.Completed || !slices.Contains(got.Flags, rounds.FlagWrongTag) {
			t.Fatalf("round judged %s %v, want completed (late within grace counts) with wrong_tag among its flags", got.Status, got.Flags)
		}
		// Scans that cannot be stored are rejected, naming every field.
		bad := mut("checkpoint.scan", newID(), map[string]any{"round_id": newID(), "tag_code": "", "scanned_at": "yesterday"})
		_, results := push(t, env, tenant.Guard.Token, []mutation{bad})
		wantStatus(t, results, "rejected")
		pointers := map[string]bool{}
		for _, e := range results[0].Errors {
			pointers[e.Pointer] = true
		}
		for _, p := range []string{"/payload/round_id", "/payload/tag_code", "/payload/scanned_at"} {
			if !pointers[p] {
				t.Errorf("rejection does not name %s: %+v", p, results[0].Errors)
			}
		}
		// A guard of another site cannot scan on this site's pool round.
		other := env.NewGuard(tenant, "elsewhere", tenant.Sites[1].ID)
		_, results = push(t, env, other.Token, []mutation{scan(r.ID, cp[0].TagCode, r.WindowStart, nil)})
		wantStatus(t, results, "rejected")
	})
}

// webhookSink is an httptest server on 127.0.0.1 that checks signatures.
type webhookSink struct {
	mu       sync.Mutex
	secret   string
	received []notify.Payload
	bad      int
	server   *httptest.Server
}

func newWebhookSink(t *testing.T, secret string) *webhookSink {
	sink := &webhookSink{secret: secret}
	sink.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		apitest.CheckWebhook(t, r.Header, body)
		sink.mu.Lock()
		defer sink.mu.Unlock()
		if r.Header.Get(notify.SignatureHeader) != notify.Sign([]byte(secret), body) {
			sink.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p notify.Payload
		json.Unmarshal(body, &p)
		sink.received = append(sink.received, p)
	}))
	t.Cleanup(sink.server.Close)
	return sink
}

func (s *webhookSink) events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.received {
		out = append(out, p.EventType+":"+p.SubjectID)
	}
	return out
}

// waitFor polls until the sink holds want events, or fails.
func (s *webhookSink) waitFor(t *testing.T, want int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(s.events()) < want {
		if time.Now().After(deadline) {
			t.Fatalf("webhook received %v, want %d events", s.events(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s.events()
}

func configureWebhook(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, sink *webhookSink) {
	t.Helper()
	env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/alerts", Token: tenant.Admin.Token,
		Body: map[string]any{"webhook_url": sink.server.URL + "/hook", "webhook_secret": sink.secret}}).Want(t, http.StatusOK)
}

func notifications(t *testing.T, env *apitest.Env, token string) map[string]int {
	t.Helper()
	phone := newReplica()
	phone.pullAll(t, env, token, 100)
	out := map[string]int{}
	for _, c := range phone.ofType("notification") {
		var n struct {
			EventType string `json:"event_type"`
			SubjectID string `json:"subject_id"`
		}
		json.Unmarshal(c.Data, &n)
		out[n.EventType+":"+n.SubjectID]++
	}
	return out
}

// A missed round is judged once however often and concurrently the job
// runs: one exception per checkpoint, one notification per supervisor,
// one signed webhook, delivered by the job queue.
func TestMissedRoundNotifiesExactlyOnce(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("missed")
		sink := newWebhookSink(t, "a-very-secret-signing-key")
		configureWebhook(t, env, tenant, sink)
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		r := pastRound(t, env, tenant, route, time.Now().UTC().Add(-26*time.Hour).Truncate(time.Minute), nil)

		var wg sync.WaitGroup
		judged := make([]int, 3)
		for i := range judged {
			wg.Add(1)
			go func() {
				defer wg.Done()
				judged[i], _ = env.App.Rounds.DetectMissed(context.Background(), r.WindowEnd.Add(syncDelay+time.Hour))
			}()
		}
		wg.Wait()
		if judged[0]+judged[1]+judged[2] != 1 {
			t.Fatalf("concurrent runs judged %v rounds, want 1 in all", judged)
		}
		judgeAfter(t, env, r)
		got := getRound(t, env, tenant.Supervisor.Token, r.ID)
		if got.Status != rounds.Missed || len(got.Missed) != 3 {
			t.Fatalf("round %s with missed %v, want missed with 3 exceptions", got.Status, got.Missed)
		}
		events := sink.waitFor(t, 1)
		if notes := notifications(t, env, tenant.Supervisor.Token); notes["round.missed:"+r.ID] != 1 {
			t.Fatalf("supervisor holds notifications %v, want round.missed once", notes)
		}
		if notes := notifications(t, env, tenant.Guard.Token); len(notes) != 0 {
			t.Fatalf("a guard received supervisors' notifications %v", notes)
		}
		// Running the sweep and the judge again posts nothing more.
		env.App.Notify.Sweep(context.Background(), notify.SweepArgs{})
		judgeAfter(t, env, r)
		if again := sink.events(); len(again) != 1 || events[0] != "round.missed:"+r.ID || sink.bad != 0 {
			t.Fatalf("webhook received %v (bad signatures %d), want round.missed once", again, sink.bad)
		}
	})
}

// The job queue runs the judge on its own (River, not a direct call).
func TestJobQueueJudgesRounds(t *testing.T) {
	t.Parallel()
	env := roundsEnv(t, testenv.SQLite(t))
	tenant := env.NewTenant("river")
	route := newRoute(t, env, tenant, tenant.Sites[0].ID)
	r := pastRound(t, env, tenant, route, time.Now().UTC().Add(-26*time.Hour).Truncate(time.Minute), nil)
	now := r.WindowEnd.Add(syncDelay + time.Hour)
	if err := env.App.Jobs.Enqueue(context.Background(), rounds.DetectMissedArgs{Now: &now}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for getRound(t, env, tenant.Admin.Token, r.ID).Status != rounds.Missed {
		if time.Now().After(deadline) {
			t.Fatal("the job queue did not judge the round")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Schedules are evaluated in the site's zone: wall-clock times hold across
// daylight-saving changes, and business-day night rules skip weekends.
func TestSchedulesFollowTheSiteTimeZone(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("zones")
		var ny struct{ ID string }
		env.Post("/v1/sites", tenant.Admin.Token, map[string]any{"code": "NY", "name": "New York",
			"timezone": "America/New_York"}).Want(t, http.StatusCreated).JSON(t, &ny)
		cases := []struct {
			name, siteID, rule, start string
			now                       time.Time
			want                      []string
		}{
			{"spring forward", ny.ID, "FREQ=DAILY", "2027-03-12T22:00:00", at("2027-03-13T12:00:00Z"),
				[]string{"2027-03-14T03:00:00Z", "2027-03-15T02:00:00Z"}},
			{"fall back", ny.ID, "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "2027-11-05T09:00:00", at("2027-11-06T12:00:00Z"),
				[]string{"2027-11-06T13:00:00Z", "2027-11-07T14:00:00Z"}},
			{"business nights in Shanghai", tenant.Sites[0].ID,
				"FREQ=HOURLY;INTERVAL=2;BYHOUR=22,0,2,4,6;BYMINUTE=0;BYSECOND=0;BYDAY=MO,TU,WE,TH,FR", "2027-03-08T22:00:00",
				at("2027-03-12T04:00:00Z"), // Friday noon in Shanghai: Friday 22:00 only, no Saturday morning
				[]string{"2027-03-12T14:00:00Z"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				route := newRoute(t, env, tenant, tc.siteID)
				newSchedule(t, env, tenant, map[string]any{"site_id": tc.siteID, "kind": "round", "name": tc.name,
					"route_id": route.ID, "rrule": tc.rule, "dtstart": tc.start, "tolerance_minutes": 30})
				for i := 0; i < 2; i++ { // twice: idempotent
					if _, err := env.App.Rounds.Materialize(context.Background(), tc.now); err != nil {
						t.Fatal(err)
					}
				}
				var got []string
				var page struct{ Items []roundView }
				env.Get("/v1/rounds?limit=500&route_id="+route.ID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &page)
				for _, r := range page.Items {
					got = append(got, r.SlotAt.Format(time.RFC3339))
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("slots %v, want %v", got, tc.want)
				}
			})
		}
	})
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Route and schedule input errors are all reported at once.
func TestRouteAndScheduleValidation(t *testing.T) {
	t.Parallel()
	env := roundsEnv(t, testenv.SQLite(t))
	tenant := env.NewTenant("valid")
	cases := []struct {
		name   string
		path   string
		body   map[string]any
		fields []string
	}{
		{"route without anything", "/v1/routes", map[string]any{}, []string{"/site_id", "/name", "/checkpoints"}},
		{"duplicate tags", "/v1/routes", map[string]any{"site_id": tenant.Sites[0].ID, "name": "R", "checkpoints": []map[string]any{
			{"name": "A", "tag_code": "T"}, {"name": "B", "tag_code": "T", "radius_m": 5}}},
			[]string{"/checkpoints/1/tag_code", "/checkpoints/1/radius_m"}},
		{"schedule without anything", "/v1/schedules", map[string]any{},
			[]string{"/site_id", "/name", "/kind", "/rrule", "/dtstart", "/tolerance_minutes"}},
		{"bad rule and missing route", "/v1/schedules", map[string]any{"site_id": tenant.Sites[0].ID, "kind": "round", "name": "N",
			"rrule": "FREQ=SOMETIMES", "dtstart": "2027-01-01T22:00:00", "tolerance_minutes": 30, "assignee_id": tenant.Guard.User.ID},
			[]string{"/rrule", "/route_id"}},
		{"minutely and a guard of another site", "/v1/schedules", map[string]any{"site_id": tenant.Sites[1].ID, "kind": "inspection",
			"name": "N", "rrule": "FREQ=MINUTELY", "dtstart": "2027-01-01T22:00:00", "tolerance_minutes": 30,
			"assignee_id": tenant.Guard.User.ID}, []string{"/rrule", "/template_id", "/assignee_id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := env.Post(tc.path, tenant.Admin.Token, tc.body).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
			for _, f := range tc.fields {
				if got[f] == "" {
					t.Errorf("no error for %s in %v", f, got)
				}
			}
		})
	}
	// Guards read the routes of their sites only.
	route := newRoute(t, env, tenant, tenant.Sites[1].ID)
	env.Get("/v1/routes/"+route.ID, tenant.Guard.Token).Want(t, http.StatusNotFound)
	env.Get("/v1/routes/"+route.ID, tenant.Admin.Token).Want(t, http.StatusOK)
}

// Reports: completion rates per route and guard, and the CSV export.
func TestRoundReportsAndCSV(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("report")
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		slot := time.Now().UTC().Add(-40 * time.Hour).Truncate(time.Minute)
		done := pastRound(t, env, tenant, route, slot, &tenant.Guard.User.ID)
		missed := pastRound(t, env, tenant, route, slot.Add(2*time.Hour), &tenant.Guard.User.ID)
		var batch []mutation
		for i, c := range route.Checkpoints {
			batch = append(batch, scan(done.ID, c.TagCode, done.WindowStart.Add(time.Duration(i+1)*time.Minute), nil))
		}
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		judgeAfter(t, env, missed)

		q := "site_id=" + tenant.Sites[0].ID + "&from=" + slot.Add(-time.Hour).Format(time.RFC3339) +
			"&to=" + slot.Add(5*time.Hour).Format(time.RFC3339)
		var summary rounds.Summary
		env.Get("/v1/rounds/summary?"+q, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &summary)
		if summary.Overall.Total != 2 || summary.Overall.Completed != 1 || summary.Overall.Missed != 1 || summary.Overall.Rate != 0.5 {
			t.Fatalf("overall %+v, want 2 rounds, 1 completed, 1 missed, rate 0.5", summary.Overall)
		}
		if len(summary.ByGuard) != 1 || *summary.ByGuard[0].GuardID != tenant.Guard.User.ID || len(summary.ByRoute) != 1 {
			t.Fatalf("by guard %+v, by route %+v", summary.ByGuard, summary.ByRoute)
		}
		var withList struct{ Summary *rounds.Summary }
		env.Get("/v1/rounds?summary=true&"+q, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &withList)
		if withList.Summary == nil || withList.Summary.Overall.Total != 2 {
			t.Fatalf("list with summary=true carries %+v", withList.Summary)
		}

		res := env.Get("/v1/rounds/export.csv?"+q, tenant.Supervisor.Token).Want(t, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type %q", ct)
		}
		body, ok := strings.CutPrefix(string(res.Body), "\uFEFF") // a byte-order mark, for Excel
		if !ok {
			t.Fatalf("csv without a byte-order mark: %.40q", res.Body)
		}
		lines, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 3 || !slices.Equal(lines[0], rounds.CSVHeader) {
			t.Fatalf("csv %q", res.Body)
		}
		statusOf := map[string]string{}
		for _, l := range lines[1:] {
			statusOf[l[0]] = l[10]
			if l[5] != tenant.Guard.User.ID || l[8] != "Asia/Shanghai" || !strings.HasSuffix(l[7], "+08:00") ||
				l[14] != tenant.Sites[0].Name || l[15] != tenant.Guard.User.Name {
				t.Fatalf("csv line %v", l)
			}
		}
		if statusOf[done.ID] != "completed" || statusOf[missed.ID] != "missed" {
			t.Fatalf("csv statuses %v", statusOf)
		}
		env.Get("/v1/rounds/export.csv?from=nonsense", tenant.Supervisor.Token).Want(t, http.StatusUnprocessableEntity)
	})
}
