package api_test

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type standardSchedule struct {
	Key              string
	TemplateID       *string `json:"template_id"`
	RRule            string
	StartTime        string `json:"start_time"`
	ToleranceMinutes int64  `json:"tolerance_minutes"`
	Source           string
	SiteIDs          []string `json:"site_ids"`
}

// A new organisation starts with the standard schedules, running nowhere;
// an administrator sets one up at a site through the ordinary schedule
// route, which makes it run there (and only there).
func TestStandardSchedulesFromDayOne(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("standards")
		var standards struct{ Items []standardSchedule }
		env.Get("/v1/schedule-standards", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &standards)
		byKey := map[string]standardSchedule{}
		for _, s := range standards.Items {
			byKey[s.Key] = s
			if s.TemplateID == nil || s.Source == "" || len(s.SiteIDs) != 0 {
				t.Errorf("day one: %+v", s)
			}
		}
		for _, key := range []string{"daily-equipment-check", "monthly-hazard-investigation", "quarterly-drill",
			"june-safety-month-drill", "monthly-network-check"} {
			if _, ok := byKey[key]; !ok {
				t.Errorf("no standard schedule %s in %+v", key, standards.Items)
			}
		}
		var none struct{ Items []struct{ ID string } }
		env.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &none)
		if len(none.Items) != 0 {
			t.Fatalf("a new organisation runs %d schedules before a site is chosen", len(none.Items))
		}

		daily := byKey["daily-equipment-check"]
		var created struct {
			Active   bool
			Upcoming []string
		}
		env.Post("/v1/schedules", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "kind": "inspection",
			"name": "每日安防设备检查", "template_id": *daily.TemplateID, "rrule": daily.RRule,
			"dtstart": "2026-12-01T" + daily.StartTime + ":00", "tolerance_minutes": daily.ToleranceMinutes}).
			Want(t, http.StatusCreated).JSON(t, &created)
		if !created.Active || len(created.Upcoming) == 0 {
			t.Fatalf("set up: %+v", created)
		}
		env.Get("/v1/schedule-standards", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &standards)
		for _, s := range standards.Items {
			want := 0
			if s.Key == "daily-equipment-check" {
				want = 1
			}
			if len(s.SiteIDs) != want || (want == 1 && s.SiteIDs[0] != tenant.Sites[0].ID) {
				t.Errorf("after setting up the daily check at site A: %s runs at %v", s.Key, s.SiteIDs)
			}
		}
		env.Get("/v1/schedule-standards", tenant.Guard.Token).Want(t, http.StatusForbidden)
	})
}
