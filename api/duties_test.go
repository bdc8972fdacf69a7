package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/client"
	wire "github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// drawnStrokes is a drawn signature: two strokes.
var drawnStrokes = [][][2]float64{{{10, 40}, {30, 10}, {50, 40}}, {{60, 20}, {90, 25}}}

func signature() map[string]any {
	return map[string]any{"strokes": drawnStrokes, "signed_at": time.Now().UTC().Format(time.RFC3339)}
}

type shiftView struct {
	ID        string
	Post      string
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	Cancelled bool
	Version   int64
}

type handoverView struct {
	ID               string
	Status           string
	Unconfirmed      bool
	ContentDigest    string          `json:"content_digest"`
	OutgoingName     string          `json:"outgoing_name"`
	IncomingName     string          `json:"incoming_name"`
	OutgoingStrokes  [][][2]float64  `json:"outgoing_strokes"`
	IncomingStrokes  *[][][2]float64 `json:"incoming_strokes"`
	IncomingSignedAt *time.Time      `json:"incoming_signed_at"`
	Items            struct{ Equipment string }
}

// newShift puts a person on a post from start for hours.
func newShift(t *testing.T, env *apitest.Env, token, siteID, userID, post string, start time.Time, hours int) shiftView {
	t.Helper()
	var out shiftView
	env.Post("/v1/shifts", token, map[string]any{"site_id": siteID, "post": post, "user_id": userID,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Duration(hours) * time.Hour).Format(time.RFC3339)}).
		Want(t, http.StatusCreated).JSON(t, &out)
	return out
}

// The roster: a supervisor puts guards on posts, one post at a time per
// person; the guard sees their own shifts; a cancelled shift stays listed.
// The duty log: lines written on the phone (duty_log.write) or over REST,
// by the same rule; the guard reads their own lines, the supervisor all of
// the site's; another site's guard cannot write at the site.
func TestDutyRosterAndLog(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("roster")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		sup, guard := tenant.Supervisor.Token, tenant.Guard.Token
		other := env.NewGuard(tenant, "guard-b", siteB)
		start := time.Now().UTC().Truncate(time.Hour)

		problems := env.Post("/v1/shifts", sup, map[string]any{"site_id": siteA, "post": "", "user_id": other.User.ID,
			"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(30 * time.Hour).Format(time.RFC3339)}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, field := range []string{"/post", "/user_id", "/ends_at"} {
			if problems[field] == "" {
				t.Errorf("no field error for %s: %v", field, problems)
			}
		}
		day := newShift(t, env, sup, siteA, tenant.Guard.User.ID, "大堂岗", start, 8)
		if day.UserName == "" || day.Post != "大堂岗" {
			t.Fatalf("shift %+v", day)
		}
		overlap := env.Post("/v1/shifts", sup, map[string]any{"site_id": siteA, "post": "后勤岗", "user_id": tenant.Guard.User.ID,
			"starts_at": start.Add(4 * time.Hour).Format(time.RFC3339), "ends_at": start.Add(12 * time.Hour).Format(time.RFC3339)}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if overlap["/starts_at"] == "" {
			t.Fatalf("an overlapping shift was not refused: %v", overlap)
		}
		night := newShift(t, env, sup, siteA, tenant.Supervisor.User.ID, "监控室", start.Add(8*time.Hour), 8)
		env.Post("/v1/shifts", guard, map[string]any{}).Want(t, http.StatusForbidden)

		var mine struct{ Items []shiftView }
		env.Get("/v1/shifts?mine=true", guard).Want(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != day.ID {
			t.Fatalf("the guard's own shifts are %+v, want the day shift", mine.Items)
		}
		var all struct{ Items []shiftView }
		env.Get("/v1/shifts?site_id="+siteA, guard).Want(t, http.StatusOK).JSON(t, &all)
		if len(all.Items) != 2 {
			t.Fatalf("the site's roster has %d lines, want 2", len(all.Items))
		}
		env.Get("/v1/shifts", other.Token).Want(t, http.StatusOK).JSON(t, &all)
		if len(all.Items) != 0 {
			t.Fatalf("a guard of site B sees site A's roster: %+v", all.Items)
		}
		var cancelled shiftView
		env.Post("/v1/shifts/"+night.ID+"/cancel", sup, map[string]any{"version": night.Version}).Want(t, http.StatusOK).JSON(t, &cancelled)
		if !cancelled.Cancelled {
			t.Fatal("the cancelled shift is not cancelled")
		}
		env.Post("/v1/shifts/"+night.ID+"/cancel", sup, map[string]any{"version": night.Version}).Want(t, http.StatusPreconditionFailed)

		// The duty log, from the phone and over REST.
		entryID := newID()
		line := map[string]any{"site_id": siteA, "shift_id": day.ID, "kind": "anomaly", "text": "后门报警器误报一次,已复位",
			"occurred_at": time.Now().UTC().Format(time.RFC3339)}
		_, results := push(t, env, guard, []mutation{mut("duty_log.write", entryID, line)})
		wantStatus(t, results, "applied")
		_, results = push(t, env, guard, []mutation{mut("duty_log.write", entryID, line)})
		wantStatus(t, results, "duplicate")
		_, results = push(t, env, other.Token, []mutation{mut("duty_log.write", newID(), line)})
		wantStatus(t, results, "rejected")
		_, results = push(t, env, guard, []mutation{mut("duty_log.write", newID(), map[string]any{"site_id": siteA, "kind": "gossip",
			"text": " ", "occurred_at": "yesterday"})})
		wantStatus(t, results, "rejected")
		if len(results[0].Errors) != 3 {
			t.Fatalf("a bad line got %+v, want three field errors", results[0].Errors)
		}
		env.Post("/v1/duty-log", sup, map[string]any{"site_id": siteA, "kind": "routine", "text": "交接班正常",
			"occurred_at": time.Now().UTC().Format(time.RFC3339)}).Want(t, http.StatusCreated)
		var log struct {
			Items []struct {
				ID, Kind, Text string
				UserName       string `json:"user_name"`
			}
		}
		env.Get("/v1/duty-log", guard).Want(t, http.StatusOK).JSON(t, &log)
		if len(log.Items) != 1 || log.Items[0].ID != entryID || log.Items[0].UserName == "" {
			t.Fatalf("the guard reads %+v, want their one line", log.Items)
		}
		env.Get("/v1/duty-log?site_id="+siteA, sup).Want(t, http.StatusOK).JSON(t, &log)
		if len(log.Items) != 2 {
			t.Fatalf("the supervisor reads %d lines, want 2", len(log.Items))
		}
	})
}

// A handover is signed by two people: the outgoing guard (who writes it)
// and the incoming guard named in it, each from their own session. The
// outgoing guard cannot sign the second signature, nobody else can, the
// incoming guard signs what they read (its digest), and signing twice is a
// duplicate. An unsigned handover past the confirmation time is flagged.
func TestShiftHandoverTwoSignatures(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("handover")
		siteA := tenant.Sites[0].ID
		outgoing := tenant.Guard
		incoming := env.NewGuard(tenant, "guard-night", siteA)
		stranger := env.NewGuard(tenant, "guard-b", tenant.Sites[1].ID)
		handover := func(incomingID string) map[string]any {
			return map[string]any{"site_id": siteA, "post": "大堂岗", "incoming_user_id": incomingID,
				"handed_at": time.Now().UTC().Format(time.RFC3339),
				"items": map[string]any{"open_matters": "隐患:后门闭门器损坏,已报修", "equipment": "监控、报警正常",
					"keys_and_items": "金库钥匙一把、对讲机两台"}, "signature": signature()}
		}

		self := env.Post("/v1/handovers", outgoing.Token, handover(outgoing.User.ID)).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if self["/incoming_user_id"] == "" {
			t.Fatalf("a handover to oneself was not refused: %v", self)
		}
		unsigned := handover(incoming.User.ID)
		unsigned["signature"] = map[string]any{"strokes": []any{}}
		if env.Post("/v1/handovers", outgoing.Token, unsigned).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)["/signature/strokes"] == "" {
			t.Fatal("a handover without a drawn signature was not refused")
		}
		if env.Post("/v1/handovers", outgoing.Token, handover(stranger.User.ID)).Want(t, http.StatusUnprocessableEntity).
			FieldErrors(t)["/incoming_user_id"] == "" {
			t.Fatal("a guard of another site was accepted as the incoming guard")
		}

		id := newID()
		_, results := push(t, env, outgoing.Token, []mutation{mut("handover.start", id, handover(incoming.User.ID))})
		wantStatus(t, results, "applied")
		var h handoverView
		env.Get("/v1/handovers/"+id, incoming.Token).Want(t, http.StatusOK).JSON(t, &h)
		if h.Status != "awaiting_incoming" || len(h.OutgoingStrokes) != 2 || h.IncomingStrokes != nil || h.OutgoingName == "" {
			t.Fatalf("a started handover reads %+v", h)
		}

		// The outgoing guard cannot sign twice; nobody but the incoming guard signs.
		sign := map[string]any{"content_digest": h.ContentDigest, "signature": signature()}
		env.Post("/v1/handovers/"+id+"/sign", outgoing.Token, sign).Want(t, http.StatusForbidden).Problem(t)
		_, results = push(t, env, outgoing.Token, []mutation{mut("handover.sign", id, sign)})
		wantStatus(t, results, "rejected")
		env.Post("/v1/handovers/"+id+"/sign", tenant.Supervisor.Token, sign).Want(t, http.StatusForbidden)
		env.Post("/v1/handovers/"+id+"/sign", stranger.Token, sign).Want(t, http.StatusNotFound)
		stale := map[string]any{"content_digest": "0000", "signature": signature()}
		if env.Post("/v1/handovers/"+id+"/sign", incoming.Token, stale).Want(t, http.StatusUnprocessableEntity).
			FieldErrors(t)["/content_digest"] == "" {
			t.Fatal("a signature of other content was accepted")
		}

		_, results = push(t, env, incoming.Token, []mutation{mut("handover.sign", id, sign)})
		wantStatus(t, results, "applied")
		_, results = push(t, env, incoming.Token, []mutation{mut("handover.sign", id, sign)})
		wantStatus(t, results, "duplicate")
		env.Get("/v1/handovers/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &h)
		if h.Status != "completed" || h.IncomingStrokes == nil || len(*h.IncomingStrokes) != 2 || h.IncomingSignedAt == nil ||
			h.IncomingName == "" || h.Unconfirmed {
			t.Fatalf("a signed handover reads %+v", h)
		}

		// Over REST, and flagged while unsigned past the confirmation time.
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/duties", Token: tenant.Admin.Token,
			Body: map[string]any{"daily_report_cutoff": "11:00", "handover_confirm_minutes": 1}}).Want(t, http.StatusOK)
		late := handover(incoming.User.ID)
		late["handed_at"] = time.Now().UTC().Add(-5 * time.Minute).Format(time.RFC3339)
		var waiting handoverView
		env.Post("/v1/handovers", outgoing.Token, late).Want(t, http.StatusCreated).JSON(t, &waiting)
		var list struct{ Items []handoverView }
		env.Get("/v1/handovers?site_id="+siteA, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("%d handovers listed, want 2", len(list.Items))
		}
		for _, item := range list.Items {
			if item.Unconfirmed != (item.ID == waiting.ID) {
				t.Fatalf("handover %s unconfirmed=%v", item.ID, item.Unconfirmed)
			}
		}
		env.Post("/v1/handovers/"+waiting.ID+"/sign", incoming.Token, map[string]any{"content_digest": waiting.ContentDigest,
			"signature": signature()}).Want(t, http.StatusOK).JSON(t, &waiting)
		if waiting.Status != "completed" || waiting.Unconfirmed {
			t.Fatalf("signed over REST: %+v", waiting)
		}
	})
}

// A training session: guards sign the attendance sheet on the phone
// (training.attend) or over REST while it runs, once each; the supervisor
// records results of those who signed, and only theirs.
func TestTrainingAttendanceAndResults(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("training")
		siteA := tenant.Sites[0].ID
		sup := tenant.Supervisor.Token
		second := env.NewGuard(tenant, "guard-two", siteA)
		now := time.Now().UTC()
		var session struct {
			ID         string
			Attendance []struct {
				UserID string `json:"user_id"`
				Result *string
				Score  *float64
			}
		}
		env.Post("/v1/trainings", sup, map[string]any{"site_id": siteA, "topic": "防抢劫技能培训", "trainer": "保卫部 王科长",
			"starts_at": now.Add(-10 * time.Minute).Format(time.RFC3339), "ends_at": now.Add(50 * time.Minute).Format(time.RFC3339)}).
			Want(t, http.StatusCreated).JSON(t, &session)
		env.Post("/v1/trainings", sup, map[string]any{"topic": "全员培训", "trainer": "x", "starts_at": now.Format(time.RFC3339),
			"ends_at": now.Add(time.Hour).Format(time.RFC3339)}).Want(t, http.StatusUnprocessableEntity)

		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("training.attend", session.ID, map[string]any{"signature": signature()})})
		wantStatus(t, results, "applied")
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("training.attend", session.ID, map[string]any{"signature": signature()})})
		wantStatus(t, results, "duplicate")
		env.Post("/v1/trainings/"+session.ID+"/attend", second.Token, map[string]any{"signature": signature()}).
			Want(t, http.StatusOK).JSON(t, &session)
		if len(session.Attendance) != 2 {
			t.Fatalf("%d signed the sheet, want 2", len(session.Attendance))
		}

		problems := env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/trainings/" + session.ID + "/results", Token: sup,
			Body: map[string]any{"results": []any{map[string]any{"user_id": tenant.Supervisor.User.ID, "result": "pass"}}}}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/results/0/user_id"] == "" {
			t.Fatalf("a result for someone who did not attend: %v", problems)
		}
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/trainings/" + session.ID + "/results", Token: sup,
			Body: map[string]any{"results": []any{
				map[string]any{"user_id": tenant.Guard.User.ID, "result": "pass", "score": 92},
				map[string]any{"user_id": second.User.ID, "result": "fail", "score": 55}}}}).Want(t, http.StatusOK).JSON(t, &session)
		for _, a := range session.Attendance {
			if a.Result == nil || a.Score == nil {
				t.Fatalf("results not recorded: %+v", session.Attendance)
			}
			if a.UserID == second.User.ID && (*a.Result != "fail" || *a.Score != 55) {
				t.Fatalf("the second guard's result is %v %v", *a.Result, *a.Score)
			}
		}

		var past struct{ ID string }
		env.Post("/v1/trainings", sup, map[string]any{"site_id": siteA, "topic": "消防培训", "trainer": "消防队",
			"starts_at": now.Add(-5 * time.Hour).Format(time.RFC3339), "ends_at": now.Add(-3 * time.Hour).Format(time.RFC3339)}).
			Want(t, http.StatusCreated).JSON(t, &past)
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("training.attend", past.ID, map[string]any{"signature": signature()})})
		wantStatus(t, results, "rejected")
	})
}

// The daily safety report (001 第7篇): one per site and day, due by the
// cut-off (11:00 local by default) on that day; one sent later is kept and
// marked late; a site that has not reported is pending before the cut-off
// and overdue after it. The clock is injected.
func TestDailySafetyReportCutoff(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("daily")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		var now atomic.Int64 // the injected clock, read by the server's goroutines
		setClock := func(at time.Time) { now.Store(at.UnixNano()) }
		setClock(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)) // 10:00 in Asia/Shanghai
		env.App.Duties.SetClock(func() time.Time { return time.Unix(0, now.Load()).UTC() })

		var settings struct {
			Cutoff string `json:"daily_report_cutoff"`
		}
		env.Get("/v1/settings/duties", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &settings)
		if settings.Cutoff != "11:00" {
			t.Fatalf("the default cut-off is %q, want 11:00 (001 第7篇)", settings.Cutoff)
		}
		type day struct {
			SiteID string `json:"site_id"`
			Status string
			Report *struct{ Late bool }
		}
		statuses := func(date string) map[string]string {
			var list struct{ Items []day }
			env.Get("/v1/daily-reports?day="+date, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &list)
			out := map[string]string{}
			for _, d := range list.Items {
				out[d.SiteID] = d.Status
			}
			return out
		}
		if got := statuses("2026-12-03"); got[siteA] != "pending" || got[siteB] != "pending" {
			t.Fatalf("before the cut-off: %v", got)
		}

		problems := env.Post("/v1/daily-reports", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "day": "2026-12-04",
			"all_clear": false}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/day"] == "" || problems["/body"] == "" {
			t.Fatalf("a report for tomorrow without content: %v", problems)
		}
		var onTime struct{ Late bool }
		env.Post("/v1/daily-reports", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "day": "2026-12-03", "all_clear": true}).
			Want(t, http.StatusCreated).JSON(t, &onTime)
		if onTime.Late {
			t.Fatal("a report at 10:00 is late")
		}
		env.Post("/v1/daily-reports", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "day": "2026-12-03", "all_clear": true}).
			Want(t, http.StatusConflict)
		env.Post("/v1/daily-reports", tenant.Supervisor.Token, map[string]any{"site_id": siteB, "day": "2026-12-03", "all_clear": true}).
			Want(t, http.StatusUnprocessableEntity)

		setClock(time.Date(2026, 12, 3, 4, 30, 0, 0, time.UTC)) // 12:30 local
		if got := statuses("2026-12-03"); got[siteA] != "on_time" || got[siteB] != "overdue" {
			t.Fatalf("after the cut-off: %v", got)
		}
		var late struct{ Late bool }
		env.Post("/v1/daily-reports", tenant.Admin.Token, map[string]any{"site_id": siteB, "day": "2026-12-03", "all_clear": false,
			"body": map[string]any{"hazards": "营业厅灭火器过期两具"}}).Want(t, http.StatusCreated).JSON(t, &late)
		if !late.Late {
			t.Fatal("a report at 12:30 is not late")
		}
		if got := statuses("2026-12-03"); got[siteB] != "late" {
			t.Fatalf("a late report is listed %v", got)
		}

		// The organisation moves the cut-off; the next day is judged by it.
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/duties", Token: tenant.Admin.Token,
			Body: map[string]any{"daily_report_cutoff": "25:00", "handover_confirm_minutes": 0}}).Want(t, http.StatusUnprocessableEntity)
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/duties", Token: tenant.Admin.Token,
			Body: map[string]any{"daily_report_cutoff": "13:00", "handover_confirm_minutes": 30}}).Want(t, http.StatusOK)
		setClock(time.Date(2026, 12, 4, 4, 30, 0, 0, time.UTC)) // 12:30 local, before 13:00
		env.Post("/v1/daily-reports", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "day": "2026-12-04", "all_clear": true}).
			Want(t, http.StatusCreated).JSON(t, &onTime)
		if onTime.Late {
			t.Fatal("a report before the moved cut-off is late")
		}
	})
}

// dutyFixtures makes a shift, a training session and a handover in
// tenant for the route walks.
func dutyFixtures(t *testing.T, env *apitest.Env, tenant *apitest.Tenant) (shift, training, handover string) {
	t.Helper()
	siteA, now := tenant.Sites[0].ID, time.Now().UTC()
	shift = newShift(t, env, tenant.Supervisor.Token, siteA, tenant.Guard.User.ID, "大堂岗", now.Truncate(time.Hour), 8).ID
	var session, h struct{ ID string }
	env.Post("/v1/trainings", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "topic": "防抢劫培训", "trainer": "保卫部",
		"starts_at": now.Format(time.RFC3339), "ends_at": now.Add(time.Hour).Format(time.RFC3339)}).
		Want(t, http.StatusCreated).JSON(t, &session)
	env.Post("/v1/handovers", tenant.Guard.Token, map[string]any{"site_id": siteA, "post": "大堂岗",
		"incoming_user_id": tenant.Supervisor.User.ID, "handed_at": now.Format(time.RFC3339),
		"items": map[string]any{"equipment": "正常"}, "signature": signature()}).Want(t, http.StatusCreated).JSON(t, &h)
	return shift, session.ID, h.ID
}

// The reference client does a guard's duty offline: it holds the user's
// shifts, writes the duty log, hands over from one phone and signs the
// handover on the incoming guard's phone, and signs a training sheet.
func TestDutiesOnTheReferenceClient(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("phones")
		siteA, now := tenant.Sites[0].ID, time.Now().UTC()
		incoming := env.NewGuard(tenant, "guard-night", siteA)
		shift := newShift(t, env, tenant.Supervisor.Token, siteA, tenant.Guard.User.ID, "大堂岗", now.Add(-time.Hour).Truncate(time.Minute), 8)
		var session struct{ ID string }
		env.Post("/v1/trainings", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "topic": "防抢劫培训", "trainer": "保卫部",
			"starts_at": now.Format(time.RFC3339), "ends_at": now.Add(time.Hour).Format(time.RFC3339)}).
			Want(t, http.StatusCreated).JSON(t, &session)

		ctx := context.Background()
		phone := func(account apitest.Account) *client.Client {
			c, err := client.Open(ctx, client.Options{Server: env.URL, StateDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			if _, err := c.Login(ctx, account.Email, apitest.Password); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			return c
		}
		sync := func(c *client.Client) {
			t.Helper()
			push, _, err := c.Sync(ctx)
			if err != nil || push.Rejected > 0 {
				t.Fatalf("sync: %v, %+v", err, push)
			}
		}
		day, night := phone(tenant.Guard), phone(incoming)
		shifts, err := day.Shifts(ctx)
		if err != nil || len(shifts) != 1 || shifts[0].ID != shift.ID {
			t.Fatalf("the phone holds shifts %+v (%v), want the guard's one", shifts, err)
		}
		if _, err := day.WriteDutyLog(ctx, siteA, "routine", "巡查一遍,正常"); err != nil {
			t.Fatal(err)
		}
		strokes := json.RawMessage(`[[[10,40],[30,10],[50,40]]]`)
		id, err := day.StartHandover(ctx, wire.StartHandover{SiteID: siteA, ShiftID: &shift.ID, IncomingUserID: incoming.User.ID,
			Items:     wire.HandoverItems{Equipment: "监控、报警正常", KeysAndItems: "对讲机两台"},
			Signature: wire.DrawnSignature{Strokes: strokes}})
		if err != nil {
			t.Fatal(err)
		}
		if err := day.AttendTraining(ctx, session.ID, strokes); err != nil {
			t.Fatal(err)
		}
		sync(day)
		sync(night)
		if err := night.SignHandover(ctx, id, strokes); err != nil {
			t.Fatal(err)
		}
		sync(night)

		var h handoverView
		env.Get("/v1/handovers/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &h)
		if h.Status != "completed" || h.IncomingName == "" || h.OutgoingName == "" {
			t.Fatalf("the handover signed on two phones reads %+v", h)
		}
		held, err := night.Handovers(ctx)
		if err != nil || len(held) != 1 || held[0].Status != "completed" {
			t.Fatalf("the incoming phone holds %+v (%v)", held, err)
		}
		var log struct{ Items []struct{ Text string } }
		env.Get("/v1/duty-log?site_id="+siteA, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &log)
		if len(log.Items) != 1 {
			t.Fatalf("the duty log has %d lines, want the phone's one", len(log.Items))
		}
		var sheet struct {
			Attendance []struct {
				UserID string `json:"user_id"`
			}
		}
		env.Get("/v1/trainings/"+session.ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &sheet)
		if len(sheet.Attendance) != 1 || sheet.Attendance[0].UserID != tenant.Guard.User.ID {
			t.Fatalf("the sheet holds %+v", sheet.Attendance)
		}
	})
}

// A site may have its own cut-off for the daily report (a branch that
// opens later reports later); the others keep the organisation's. A
// cut-off for a site that is not the organisation's, or not a time, is
// refused naming it, and nothing is written.
func TestDailyReportCutoffPerSite(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("sitecut")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		env.App.Duties.SetClock(func() time.Time { return time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) }) // 10:00 in Asia/Shanghai
		put := func(body map[string]any) apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/duties", Token: tenant.Admin.Token, Body: body})
		}
		stranger := "00000000-0000-7000-8000-000000000001"
		bad := put(map[string]any{"daily_report_cutoff": "11:00", "handover_confirm_minutes": 30,
			"site_cutoffs": map[string]string{siteB: "9 o'clock", stranger: "09:00"}}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if bad["/site_cutoffs/"+siteB] == "" || bad["/site_cutoffs/"+stranger] == "" {
			t.Fatalf("bad site cut-offs: %v", bad)
		}
		put(map[string]any{"daily_report_cutoff": "11:00", "handover_confirm_minutes": 30,
			"site_cutoffs": map[string]string{siteB: "09:30"}}).Want(t, http.StatusOK)
		var settings struct {
			SiteCutoffs map[string]string `json:"site_cutoffs"`
		}
		env.Get("/v1/settings/duties", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &settings)
		if len(settings.SiteCutoffs) != 1 || settings.SiteCutoffs[siteB] != "09:30" {
			t.Fatalf("site cut-offs read back %v", settings.SiteCutoffs)
		}
		var list struct {
			Items []struct {
				SiteID string    `json:"site_id"`
				DueAt  time.Time `json:"due_at"`
				Status string
			}
		}
		env.Get("/v1/daily-reports?day=2026-12-03", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &list)
		want := map[string]struct {
			due    time.Time
			status string
		}{siteA: {time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC), "pending"}, siteB: {time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC), "overdue"}}
		for _, d := range list.Items {
			if w := want[d.SiteID]; !d.DueAt.Equal(w.due) || d.Status != w.status {
				t.Errorf("site %s due %s %s, want %s %s", d.SiteID, d.DueAt, d.Status, w.due, w.status)
			}
		}
		// A PUT without site_cutoffs puts every site back on the organisation's.
		put(map[string]any{"daily_report_cutoff": "11:00", "handover_confirm_minutes": 30}).Want(t, http.StatusOK)
		settings.SiteCutoffs = nil // decoding merges into a map that is there
		env.Get("/v1/settings/duties", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &settings)
		if len(settings.SiteCutoffs) != 0 {
			t.Fatalf("site cut-offs after a PUT without them: %v", settings.SiteCutoffs)
		}
	})
}
