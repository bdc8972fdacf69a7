package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type incidentView struct {
	ID             string
	Level          string
	LevelLabel     string `json:"level_label"`
	Status         string
	EscalationStep int       `json:"escalation_step"`
	AckDueAt       time.Time `json:"ack_due_at"`
	ReportedLate   bool      `json:"reported_late"`
	LateSteps      []string  `json:"late_steps"`
	ReportDueAt    time.Time `json:"report_due_at"`
	HandleDueAt    time.Time `json:"handle_due_at"`
	SummaryDueAt   time.Time `json:"summary_due_at"`
	ReceivedAt     time.Time `json:"received_at"`
	Category       string
	Casualties     bool
	Summary        string
	ResolvedBy     *string `json:"resolved_by"`
	ClosedBy       *string `json:"closed_by"`
	Timeline       []struct {
		Kind, Note string
		ActorID    *string `json:"actor_id"`
	}
}

func reportIncident(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, level string, occurred time.Time) incidentView {
	t.Helper()
	id := newID()
	_, results := push(t, env, tenant.Guard.Token, []mutation{mut("incident.report", id, map[string]any{
		"site_id": tenant.Sites[0].ID, "type": "suspicious person", "level": level, "place": "ATM lobby",
		"occurred_at": occurred.UTC().Format(time.RFC3339), "description": "Loitering near the ATM for 20 minutes",
		"media": declaredMedia(t, env, tenant, tenant.Guard.Token, "", 1)})})
	wantStatus(t, results, "applied")
	var view incidentView
	env.Get("/v1/incidents/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &view)
	return view
}

// An incident not acknowledged by its level's deadline escalates to the
// admins once, however often the job runs; an acknowledged one never does.
func TestIncidentEscalatesWhenAcknowledgementIsLate(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("incidents")
		sink := newWebhookSink(t, "another-signing-secret")
		configureWebhook(t, env, tenant, sink)
		ctx := context.Background()

		major := reportIncident(t, env, tenant, "major", time.Now().Add(-10*time.Minute))
		if major.LevelLabel != "重大" || major.ReportedLate || time.Until(major.AckDueAt) > time.Hour {
			t.Fatalf("major incident %+v, want label 重大, on time, due within an hour", major)
		}
		handled := reportIncident(t, env, tenant, "general", time.Now().Add(-3*time.Hour))
		if !handled.ReportedLate {
			t.Fatal("a general incident reported 3 hours after it happened is not marked reported_late")
		}
		sink.waitFor(t, 2)
		if notes := notifications(t, env, tenant.Supervisor.Token); notes["incident.reported:"+major.ID] != 1 {
			t.Fatalf("supervisor notifications %v, want the report", notes)
		}

		// A follow-up joins the timeline and fires an update webhook.
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("incident.follow_up", major.ID,
			map[string]any{"note": "Police called; person left"})})
		wantStatus(t, results, "applied")
		env.Post("/v1/incidents/"+handled.ID+"/acknowledge", tenant.Supervisor.Token, nil).Want(t, http.StatusOK)
		env.Post("/v1/incidents/"+handled.ID+"/acknowledge", tenant.Supervisor.Token, nil).Want(t, http.StatusOK)

		if n, _ := env.App.Incidents.Escalate(ctx, time.Now().Add(5*time.Minute)); n != 0 {
			t.Fatalf("escalated %d incidents before any deadline", n)
		}
		var wg sync.WaitGroup
		counts := make([]int, 3)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], _ = env.App.Incidents.Escalate(ctx, time.Now().Add(3*time.Hour))
			}()
		}
		wg.Wait()
		// 3 hours on, the major one missed its acknowledgement (10 min) and
		// its report up (1 h); the acknowledged general one its report up
		// (2 h) and its handling (40 min): each is flagged once.
		if counts[0]+counts[1]+counts[2] != 2 {
			t.Fatalf("concurrent escalations %v, want exactly two in all", counts)
		}
		if n, _ := env.App.Incidents.Escalate(ctx, time.Now().Add(5*time.Hour)); n != 0 {
			t.Fatalf("escalated %d incidents again with no new late step", n)
		}

		var got incidentView
		env.Get("/v1/incidents/"+major.ID, tenant.Guard.Token).Want(t, http.StatusOK).JSON(t, &got)
		kinds := []string{}
		for _, e := range got.Timeline {
			kinds = append(kinds, e.Kind)
		}
		if got.EscalationStep != 1 || strings.Join(kinds, ",") != "reported,follow_up,late,late,escalated" ||
			strings.Join(got.LateSteps, ",") != "acknowledge,report" {
			t.Fatalf("incident step %d timeline %v late %v, want step 1: reported, follow_up, late, late, escalated; "+
				"late acknowledge and report", got.EscalationStep, kinds, got.LateSteps)
		}
		if notes := notifications(t, env, tenant.Admin.Token); notes["incident.escalated:"+major.ID] != 2 {
			t.Fatalf("notifications %v, want the escalation once to the supervisor and once to the admin", notes)
		}
		events := sink.waitFor(t, 6) // 2 reports, 1 update, 1 acknowledgement, 2 escalations
		count := map[string]int{}
		for _, e := range events {
			count[e]++
		}
		if count["incident.escalated:"+major.ID] != 1 || count["incident.updated:"+major.ID] != 1 ||
			count["incident.acknowledged:"+handled.ID] != 1 || count["incident.escalated:"+handled.ID] != 1 || len(events) != 6 {
			t.Fatalf("webhooks %v", events)
		}

		// A supervisor of another site does not see it; bad reports name every field.
		env.Get("/v1/incidents/"+major.ID, env.NewGuard(tenant, "other", tenant.Sites[1].ID).Token).Want(t, http.StatusNotFound)
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("incident.report", newID(), map[string]any{
			"site_id": tenant.Sites[1].ID, "type": "", "level": "huge", "occurred_at": "now"})})
		wantStatus(t, results, "rejected")
		if len(results[0].Errors) != 4 {
			t.Fatalf("rejection %+v, want site_id, type, level and occurred_at", results[0].Errors)
		}
	})
}
