package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
)

type routeView struct {
	ID          string
	SiteID      string `json:"site_id"`
	Checkpoints []struct {
		ID         string
		TagCode    string  `json:"tag_code"`
		TemplateID *string `json:"template_id"`
	}
}

type roundView struct {
	ID           string
	Status       string
	Flags        []string
	ScannedCount int       `json:"scanned_count"`
	SlotAt       time.Time `json:"slot_at"`
	Local        string
	WindowStart  time.Time `json:"window_start"`
	WindowEnd    time.Time `json:"window_end"`
	AssigneeID   *string   `json:"assignee_id"`
	Scans        []struct {
		ID    string
		Flags []string
	}
	Missed []string `json:"missed_checkpoints"`
}

// newRoute creates an ordered route of three checkpoints at site.
func newRoute(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, siteID string) routeView {
	t.Helper()
	var route routeView
	env.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": siteID, "name": "Night round",
		"checkpoints": []map[string]any{
			{"name": "Lobby", "tag_code": "QR-LOBBY", "latitude": 31.23, "longitude": 121.47, "radius_m": 50},
			{"name": "Vault", "tag_code": "NFC-04A1B2"},
			{"name": "Server room", "tag_code": "QR-SERVER"},
		}}).Want(t, http.StatusCreated).JSON(t, &route)
	return route
}

// newSchedule creates a round schedule and returns its id.
func newSchedule(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, body map[string]any) string {
	t.Helper()
	var schedule struct{ ID string }
	env.Post("/v1/schedules", tenant.Admin.Token, body).Want(t, http.StatusCreated).JSON(t, &schedule)
	return schedule.ID
}

// roundsOf lists the rounds of a schedule's site between from and to.
func roundsOf(t *testing.T, env *apitest.Env, token, siteID string, from, to time.Time) []roundView {
	t.Helper()
	var page struct{ Items []roundView }
	q := url.Values{"site_id": {siteID}, "from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)},
		"limit": {"500"}}
	env.Get("/v1/rounds?"+q.Encode(), token).Want(t, http.StatusOK).JSON(t, &page)
	return page.Items
}

func getRound(t *testing.T, env *apitest.Env, token, id string) roundView {
	t.Helper()
	var round roundView
	env.Get("/v1/rounds/"+id, token).Want(t, http.StatusOK).JSON(t, &round)
	return round
}

// pastRound makes one round of route whose window (an hour) opened at
// slot, in the past, and returns it.
func pastRound(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, route routeView, slot time.Time, assignee *string) roundView {
	t.Helper()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	body := map[string]any{"site_id": route.SiteID, "kind": "round", "name": "Night round", "route_id": route.ID,
		"rrule": "FREQ=DAILY;COUNT=1", "dtstart": slot.In(shanghai).Format("2006-01-02T15:04:05"), "tolerance_minutes": 60}
	if assignee != nil {
		body["assignee_id"] = *assignee
	}
	newSchedule(t, env, tenant, body)
	if _, err := env.App.Rounds.Materialize(context.Background(), slot); err != nil {
		t.Fatal(err)
	}
	for _, r := range roundsOf(t, env, tenant.Admin.Token, route.SiteID, slot, slot.Add(time.Second)) {
		if r.SlotAt.Equal(slot) && ((r.AssigneeID == nil) == (assignee == nil)) {
			return r
		}
	}
	t.Fatalf("no round materialised at %s", slot)
	return roundView{}
}

func scan(roundID, tag string, at time.Time, extra map[string]any) mutation {
	payload := map[string]any{"round_id": roundID, "tag_code": tag, "scanned_at": at.UTC().Format(time.RFC3339)}
	for k, v := range extra {
		payload[k] = v
	}
	return mut("checkpoint.scan", newID(), payload)
}
