package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// fireReport is an incident.report payload of a fire with its questions.
func fireReport(site, level string, extra map[string]any) map[string]any {
	answers := map[string]any{"facts_checked": map[string]any{"value": "yes"},
		"what_burns": map[string]any{"value": "Cardboard in the back office"}, "fire_size": map[string]any{"value": "small"},
		"dangerous_goods": map[string]any{"value": "no"}, "fire_brigade_called": map[string]any{"value": "yes"},
		"evacuated": map[string]any{"value": "yes"}}
	for k, v := range extra {
		answers[k] = v
	}
	return map[string]any{"site_id": site, "type": "后勤区起火 back-office fire", "category": "fire", "level": level,
		"place": "Back office", "occurred_at": time.Now().UTC().Format(time.RFC3339), "description": "Smoke from a bin",
		"answers": answers, "witnesses": []map[string]any{{"name": "王芳", "phone": "13800000000", "statement": "Saw smoke at 14:02"}},
		"cctv": []map[string]any{{"camera": "Back office 2", "from": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
			"to": time.Now().UTC().Format(time.RFC3339)}}}
}

func pushReport(t *testing.T, env *apitest.Env, token string, payload map[string]any) (string, result) {
	t.Helper()
	id := newID()
	_, results := push(t, env, token, []mutation{mut("incident.report", id, payload)})
	return id, results[0]
}

func getIncident(t *testing.T, env *apitest.Env, token, id string) incidentView {
	t.Helper()
	var view incidentView
	env.Get("/v1/incidents/"+id, token).Want(t, http.StatusOK).JSON(t, &view)
	return view
}

// An incident goes to closure step by step, each step by a named person,
// in order; bad steps answer with the field or the state that is wrong,
// and the category's questions are checked on report.
func TestIncidentLifeCycleToClosure(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("closure")
		site := tenant.Sites[0].ID

		// The category's questions are required: every missing one is named.
		_, r := pushReport(t, env, tenant.Guard.Token, map[string]any{"site_id": site, "type": "fire", "category": "fire",
			"level": "general", "occurred_at": time.Now().UTC().Format(time.RFC3339),
			"witnesses": []map[string]any{{"name": ""}}, "cctv": []map[string]any{{"camera": "C1", "from": "x", "to": "y"}}})
		pointers := map[string]bool{}
		for _, e := range r.Errors {
			pointers[e.Pointer] = true
		}
		for _, want := range []string{"/payload/answers/facts_checked", "/payload/answers/what_burns", "/payload/answers/fire_size",
			"/payload/answers/fire_brigade_called", "/payload/witnesses/0/name", "/payload/cctv/0/from", "/payload/cctv/0/to"} {
			if r.Status != "rejected" || !pointers[want] {
				t.Fatalf("incomplete fire report %s %+v, want %s named", r.Status, r.Errors, want)
			}
		}
		_, r = pushReport(t, env, tenant.Guard.Token, fireReport(site, "general", map[string]any{"offenders": map[string]any{"value": 2}}))
		if r.Status != "rejected" || r.Errors[0].Pointer != "/payload/answers/offenders" {
			t.Fatalf("a robbery question on a fire report: %s %+v, want /payload/answers/offenders refused", r.Status, r.Errors)
		}

		id, r := pushReport(t, env, tenant.Guard.Token, fireReport(site, "serious", nil))
		if r.Status != "applied" {
			t.Fatalf("fire report %s %+v", r.Status, r.Errors)
		}
		got := getIncident(t, env, tenant.Supervisor.Token, id)
		if got.Category != "fire" || got.Status != "reported" || got.EscalationStep != 0 ||
			got.AckDueAt.Sub(got.ReceivedAt) != 10*time.Minute || got.ReportDueAt.Sub(got.ReceivedAt) != 2*time.Hour ||
			got.HandleDueAt.Sub(got.ReceivedAt) != 8*time.Hour {
			t.Fatalf("serious fire %+v, want the 较大 deadlines: acknowledge 10 min, report 2 h, handle 8 h", got)
		}

		step := func(token, path string, body any, status int) apitest.Response {
			t.Helper()
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/v1/incidents/" + id + "/" + path, Token: token,
				Body: body}).Want(t, status)
		}
		sup := tenant.Supervisor
		step(tenant.Guard.Token, "resolve", map[string]any{"note": "out"}, http.StatusForbidden)
		step(sup.Token, "resolve", map[string]any{"note": "out"}, http.StatusConflict) // not handling yet
		step(sup.Token, "acknowledge", nil, http.StatusOK)
		step(tenant.Guard.Token, "progress", map[string]any{"note": "Extinguisher used"}, http.StatusOK) // the reporter's news
		if got := getIncident(t, env, sup.Token, id); got.Status != "acknowledged" {
			t.Fatalf("after the reporter's news the incident is %s, want acknowledged", got.Status)
		}
		if fields := step(sup.Token, "progress", map[string]any{}, http.StatusUnprocessableEntity).FieldErrors(t); fields["/note"] == "" {
			t.Fatalf("empty progress report: %v, want /note", fields)
		}
		step(sup.Token, "progress", map[string]any{"note": "119 arrived 14:11; fire out 14:20"}, http.StatusOK)
		step(sup.Token, "resolve", map[string]any{"note": "All clear given 14:40"}, http.StatusOK)
		step(sup.Token, "progress", map[string]any{"note": "late news"}, http.StatusConflict)
		if fields := step(sup.Token, "summary", map[string]any{"summary": "short"}, http.StatusUnprocessableEntity).FieldErrors(t); fields["/summary"] == "" {
			t.Fatalf("a 5-character summary: %v, want /summary", fields)
		}
		step(sup.Token, "close", map[string]any{"closing": map[string]any{}}, http.StatusConflict) // no summary yet
		summary := "A bin of cardboard caught fire from a cigarette; no one hurt, loss 200 yuan; smoking banned in the back office."
		step(sup.Token, "summary", map[string]any{"summary": summary}, http.StatusOK)
		fields := step(sup.Token, "close", map[string]any{"closing": map[string]any{"cause_found": true}}, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/closing/people_educated"] == "" || fields["/closing/cause_found"] != "" {
			t.Fatalf("closing without 四不放过: %v", fields)
		}
		step(sup.Token, "close", map[string]any{"closing": map[string]any{"cause_found": true, "responsible_dealt_with": true,
			"people_educated": true, "prevention_in_place": true}}, http.StatusOK)

		got = getIncident(t, env, tenant.Guard.Token, id)
		kinds := []string{}
		for _, e := range got.Timeline {
			kinds = append(kinds, e.Kind)
			if e.Kind != "reported" && e.Kind != "follow_up" && (e.ActorID == nil || *e.ActorID != sup.User.ID) {
				t.Fatalf("step %s taken by %v, want the supervisor %s", e.Kind, e.ActorID, sup.User.ID)
			}
		}
		if strings.Join(kinds, ",") != "reported,acknowledged,follow_up,progress,resolved,summarized,closed" ||
			got.Status != "closed" || got.Summary != summary || got.ClosedBy == nil || *got.ClosedBy != sup.User.ID {
			t.Fatalf("closed incident %+v timeline %v", got, kinds)
		}
		var open struct{ Items []incidentView }
		env.Get("/v1/incidents?status=open", sup.Token).Want(t, http.StatusOK).JSON(t, &open)
		if len(open.Items) != 0 {
			t.Fatalf("open incidents %+v, want none", open.Items)
		}
	})
}

// Deadlines pass on an injected clock: each late step is flagged once and
// escalates one level; a death skips levels at once; an organisation's own
// deadlines apply to the reports after the edit.
func TestIncidentDeadlinesAndEscalation(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("deadlines")
		site := tenant.Sites[0].ID
		ctx := context.Background()

		id, r := pushReport(t, env, tenant.Guard.Token, fireReport(site, "general", nil))
		if r.Status != "applied" {
			t.Fatalf("report %+v", r)
		}
		received := getIncident(t, env, tenant.Supervisor.Token, id).ReceivedAt
		escalate := func(after time.Duration) int {
			t.Helper()
			n, err := env.App.Incidents.Escalate(ctx, received.Add(after))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := escalate(9 * time.Minute); n != 0 {
			t.Fatalf("escalated %d before the 10-minute acknowledgement deadline", n)
		}
		if n := escalate(11 * time.Minute); n != 1 {
			t.Fatalf("escalated %d at 11 minutes, want the unacknowledged incident", n)
		}
		if n := escalate(12 * time.Minute); n != 0 {
			t.Fatalf("escalated %d again with no new late step", n)
		}
		got := getIncident(t, env, tenant.Supervisor.Token, id)
		if got.EscalationStep != 1 || strings.Join(got.LateSteps, ",") != "acknowledge" {
			t.Fatalf("after 11 minutes: step %d late %v, want step 1, acknowledge late", got.EscalationStep, got.LateSteps)
		}
		// Admins read every notification of the organisation: the site's
		// supervisor and the admin each heard of the escalation once.
		if notes := notifications(t, env, tenant.Admin.Token); notes["incident.escalated:"+id] != 2 {
			t.Fatalf("notifications %v, want the escalation to the supervisor and the admin", notes)
		}
		// Acknowledged now, but handling (40 min for 一般) and the report up
		// (2 h) pass too: flagged, and the top of the chain hears of it.
		env.Post("/v1/incidents/"+id+"/acknowledge", tenant.Supervisor.Token, nil).Want(t, http.StatusOK)
		if n := escalate(41 * time.Minute); n != 1 {
			t.Fatalf("escalated %d at 41 minutes, want the unhandled incident", n)
		}
		if n := escalate(121 * time.Minute); n != 1 {
			t.Fatalf("escalated %d at 2 h 1 min, want the report up late", n)
		}
		got = getIncident(t, env, tenant.Admin.Token, id)
		if strings.Join(got.LateSteps, ",") != "acknowledge,handle,report" || got.EscalationStep != 1 {
			t.Fatalf("late steps %v step %d", got.LateSteps, got.EscalationStep)
		}
		if notes := notifications(t, env, tenant.Admin.Token); notes["incident.late:"+id] != 4 {
			t.Fatalf("notifications %v, want two late notices to the supervisor and the admin", notes)
		}

		// A death at any level: report within 1 h, straight to the top.
		death, r := pushReport(t, env, tenant.Guard.Token, map[string]any{"site_id": site, "type": "坠落 fall", "category": "injury",
			"level": "general", "occurred_at": time.Now().UTC().Format(time.RFC3339), "answers": map[string]any{
				"facts_checked": map[string]any{"value": "yes"}, "deaths": map[string]any{"value": 1},
				"serious_injuries": map[string]any{"value": 0}, "injured": map[string]any{"value": 1},
				"to_hospital": map[string]any{"value": "yes"}, "cause": map[string]any{"value": "Fell from a ladder"}}})
		if r.Status != "applied" {
			t.Fatalf("injury report %+v", r)
		}
		got = getIncident(t, env, tenant.Admin.Token, death)
		if !got.Casualties || got.EscalationStep != 1 || got.ReportDueAt.Sub(got.ReceivedAt) != time.Hour ||
			got.Timeline[1].Kind != "escalated" || !strings.Contains(got.Timeline[1].Note, "越级") {
			t.Fatalf("death %+v, want casualties, step 1 at once, report within 1 h", got)
		}
		if notes := notifications(t, env, tenant.Admin.Token); notes["incident.reported:"+death] != 2 {
			t.Fatalf("notifications %v, want the report to the supervisor and the admin at once", notes)
		}

		// The organisation's own deadlines, and bad ones named.
		var settings notify.Settings
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/alerts", Token: tenant.Admin.Token,
			Body: map[string]any{"incident_deadlines": map[string]any{"general": map[string]any{"acknowledge_minutes": 5,
				"handle_minutes": 90}}}}).Want(t, http.StatusOK).JSON(t, &settings)
		if d := settings.IncidentDeadlines["general"]; d.AcknowledgeMinutes != 5 || d.HandleMinutes != 90 || d.ReportMinutes != 120 {
			t.Fatalf("edited general deadlines %+v", d)
		}
		fields := env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/alerts", Token: tenant.Admin.Token,
			Body: map[string]any{"incident_deadlines": map[string]any{"一级": map[string]any{"report_minutes": 5},
				"major": map[string]any{"report_minutes": 0, "soon": 3}}}}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/incident_deadlines/一级"] == "" || fields["/incident_deadlines/major/report_minutes"] == "" ||
			fields["/incident_deadlines/major/soon"] == "" {
			t.Fatalf("bad deadlines: %v", fields)
		}
		edited, _ := pushReport(t, env, tenant.Guard.Token, fireReport(site, "general", nil))
		got = getIncident(t, env, tenant.Supervisor.Token, edited)
		if got.AckDueAt.Sub(got.ReceivedAt) != 5*time.Minute || got.HandleDueAt.Sub(got.ReceivedAt) != 90*time.Minute {
			t.Fatalf("a report after the edit %+v, want acknowledge 5 min, handle 90 min", got)
		}
	})
}

// mailpitMessage is what mailpit's search API lists.
type mailpitMessage struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

func mailTo(t *testing.T, smtp testenv.SMTPServer, address string) []mailpitMessage {
	t.Helper()
	res, err := http.Get(smtp.API + "/api/v1/search?query=" + url.QueryEscape("to:"+address))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Messages []mailpitMessage }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// Email reaches the addresses configured for the incident's site and level
// through a real SMTP server (mailpit), each recorded with its delivery
// state; an address the server refuses is retried and failed for good.
func TestIncidentEmailThroughSMTP(t *testing.T) {
	t.Parallel()
	smtp := testenv.SMTP(t)
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, apitest.WithSetting("PATROLSYNC_SMTP_ADDR", smtp.Addr),
			apitest.WithSetting("PATROLSYNC_SMTP_FROM", "patrolsync@bank.test"))
		slug := "mail" + strings.ReplaceAll(newID()[24:], "-", "")
		tenant := env.NewTenant(slug)
		duty, head, other := "duty-"+slug+"@bank.test", "head-"+slug+"@bank.test", "b-"+slug+"@bank.test"
		refused := "nobody-" + slug + "@nowhere.invalid"
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		fields := env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/alerts", Token: tenant.Admin.Token,
			Body: map[string]any{"email_recipients": []map[string]any{{"name": "x", "email": "not an address"},
				{"name": "y", "email": "y@bank.test", "site_id": newID(), "levels": []string{"一级"}}}}}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/email_recipients/0/email"] == "" || fields["/email_recipients/1/site_id"] == "" || fields["/email_recipients/1/levels/0"] == "" {
			t.Fatalf("bad recipients: %v", fields)
		}
		env.Do(apitest.Request{Method: http.MethodPut, Path: "/v1/settings/alerts", Token: tenant.Admin.Token,
			Body: map[string]any{"email_recipients": []map[string]any{
				{"name": "值班室 Duty room", "email": duty, "site_id": siteA, "levels": []string{"major", "critical"}},
				{"name": "保卫部 Security head", "email": head},
				{"name": "Site B", "email": other, "site_id": siteB},
				{"name": "Unknown", "email": refused, "levels": []string{"major"}},
			}}}).Want(t, http.StatusOK)

		id, r := pushReport(t, env, tenant.Guard.Token, fireReport(siteA, "major", nil))
		if r.Status != "applied" {
			t.Fatalf("report %+v", r)
		}
		var emails struct{ Items []notify.EmailView }
		deadline := time.Now().Add(60 * time.Second)
		for {
			env.Get("/v1/incidents/"+id+"/emails", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &emails)
			state := map[string]notify.EmailView{}
			for _, e := range emails.Items {
				state[e.Recipient] = e
			}
			if state[duty].Status == "sent" && state[head].Status == "sent" && state[refused].Attempts > 0 {
				if len(emails.Items) != 3 || state[refused].Status != "queued" || state[refused].LastError == "" {
					t.Fatalf("emails %+v, want duty and head sent, the refused address queued with its error, none to site B", emails.Items)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("emails %+v, want duty and head sent and the refused address tried", emails.Items)
			}
			time.Sleep(100 * time.Millisecond) // polling the delivery state, not waiting in its place
		}
		for _, address := range []string{duty, head} {
			messages := mailTo(t, smtp, address)
			if len(messages) != 1 || !strings.Contains(messages[0].Subject, "重大") ||
				!strings.Contains(messages[0].Subject, tenant.Sites[0].Name) {
				t.Fatalf("mail to %s: %+v, want one message naming 重大 and the site", address, messages)
			}
		}
		if messages := mailTo(t, smtp, other); len(messages) != 0 {
			t.Fatalf("site B's address got %+v about site A", messages)
		}

		// The refused address is retried until it fails for good.
		var refusedID string
		for _, e := range emails.Items {
			if e.Recipient == refused {
				refusedID = e.ID
			}
		}
		ctx := context.Background()
		for i := 0; i < 200; i++ {
			env.App.Notify.Deliver(ctx, notify.DeliverArgs{OrgID: tenant.Org.ID, DeliveryID: refusedID, Channel: notify.ChannelEmail})
			env.Get("/v1/incidents/"+id+"/emails", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &emails)
			for _, e := range emails.Items {
				if e.ID == refusedID && e.Status == "failed" {
					if e.Attempts != notify.MaxEmailAttempts || !strings.Contains(e.LastError, "5") {
						t.Fatalf("failed email %+v, want %d attempts and the server's refusal", e, notify.MaxEmailAttempts)
					}
					return
				}
			}
		}
		t.Fatalf("the refused email never failed: %+v", emails.Items)
	})
}
