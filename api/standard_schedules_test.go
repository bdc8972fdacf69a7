package api_test

import (
	"net/http"
	"strings"
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
	t.Parallel()
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

type defaultSchedule struct {
	ID         string
	Key        string
	TemplateID *string `json:"template_id"`
	Source     string
	SiteID     *string `json:"site_id"`
	ScheduleID *string `json:"schedule_id"`
	Enabled    bool
}

// A new organisation has the standard schedules stored, each disabled and
// without a site; choosing a site makes the schedule there through the
// schedule rules and enables it; choosing it again changes nothing, a
// second site adds a row.
func TestDefaultSchedulesStoredUntilASiteIsChosen(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("defaults")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		var list struct{ Items []defaultSchedule }
		env.Get("/v1/default-schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 5 {
			t.Fatalf("a new organisation stores %d default schedules, want 5: %+v", len(list.Items), list.Items)
		}
		for _, d := range list.Items {
			if d.Enabled || d.SiteID != nil || d.ScheduleID != nil || d.TemplateID == nil || d.Source == "" {
				t.Errorf("day one: %+v", d)
			}
		}
		env.Get("/v1/default-schedules", tenant.Guard.Token).Want(t, http.StatusForbidden)
		enable := func(token, key, site string) apitest.Response {
			return env.Post("/v1/default-schedules/"+key+"/sites", token, map[string]any{"site_id": site})
		}
		enable(tenant.Supervisor.Token, "daily-equipment-check", siteA).Want(t, http.StatusForbidden)
		enable(tenant.Admin.Token, "no-such-standard", siteA).Want(t, http.StatusNotFound).Problem(t)
		if enable(tenant.Admin.Token, "daily-equipment-check", "not-a-site").Want(t, http.StatusUnprocessableEntity).
			FieldErrors(t)["/site_id"] == "" {
			t.Fatal("a site that is not one was accepted")
		}

		var first, again, second defaultSchedule
		enable(tenant.Admin.Token, "daily-equipment-check", siteA).Want(t, http.StatusCreated).JSON(t, &first)
		if !first.Enabled || first.SiteID == nil || *first.SiteID != siteA || first.ScheduleID == nil {
			t.Fatalf("enabled at site A: %+v", first)
		}
		var schedule struct {
			SiteID     string  `json:"site_id"`
			TemplateID *string `json:"template_id"`
			Active     bool
			Upcoming   []string
		}
		env.Get("/v1/schedules/"+*first.ScheduleID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &schedule)
		if !schedule.Active || schedule.SiteID != siteA || schedule.TemplateID == nil || *schedule.TemplateID != *first.TemplateID ||
			len(schedule.Upcoming) == 0 {
			t.Fatalf("the schedule made at site A: %+v", schedule)
		}
		enable(tenant.Admin.Token, "daily-equipment-check", siteA).Want(t, http.StatusOK).JSON(t, &again)
		if again.ID != first.ID || *again.ScheduleID != *first.ScheduleID {
			t.Fatalf("choosing site A again made %+v, had %+v", again, first)
		}
		enable(tenant.Admin.Token, "daily-equipment-check", siteB).Want(t, http.StatusCreated).JSON(t, &second)
		if second.ID == first.ID || *second.SiteID != siteB {
			t.Fatalf("a second site: %+v", second)
		}

		env.Get("/v1/default-schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &list)
		enabled := 0
		for _, d := range list.Items {
			if d.Enabled {
				enabled++
				if d.Key != "daily-equipment-check" {
					t.Errorf("enabled without a site chosen: %+v", d)
				}
			} else if d.SiteID != nil {
				t.Errorf("disabled with a site: %+v", d)
			}
		}
		if len(list.Items) != 6 || enabled != 2 {
			t.Fatalf("after two sites: %d rows, %d enabled", len(list.Items), enabled)
		}
		// A supervisor of site A sees the waiting defaults and site A's.
		env.Get("/v1/default-schedules", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
		for _, d := range list.Items {
			if d.SiteID != nil && *d.SiteID != siteA {
				t.Errorf("a supervisor of site A sees %+v", d)
			}
		}
		var schedules struct{ Items []struct{ ID string } }
		env.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &schedules)
		if len(schedules.Items) != 2 {
			t.Fatalf("%d schedules run, want 2 (the daily check at sites A and B)", len(schedules.Items))
		}
	})
}

// Enabling a default at a site that already runs an equivalent hand-made
// schedule (same checklist, same recurrence, another time of day) is a
// 409 naming that schedule, not a second schedule; a different recurrence
// of the same checklist (the June drill beside a hand-made quarterly one)
// is no duplicate, and a deactivated hand-made one no longer counts.
func TestEnableDefaultRefusesAnEquivalentHandMadeSchedule(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("handmade")
		site := tenant.Sites[0].ID
		var list struct{ Items []defaultSchedule }
		env.Get("/v1/default-schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &list)
		byKey := map[string]defaultSchedule{}
		for _, d := range list.Items {
			byKey[d.Key] = d
		}
		handMade := func(name, key, rrule string) string {
			var schedule struct{ ID string }
			env.Post("/v1/schedules", tenant.Admin.Token, map[string]any{"site_id": site, "kind": "inspection",
				"name": name, "template_id": *byKey[key].TemplateID, "rrule": rrule, "dtstart": "2026-12-01T08:00:00",
				"tolerance_minutes": 60}).Want(t, http.StatusCreated).JSON(t, &schedule)
			return schedule.ID
		}
		enable := func(key string) apitest.Response {
			return env.Post("/v1/default-schedules/"+key+"/sites", tenant.Admin.Token, map[string]any{"site_id": site})
		}
		daily := handMade("早班设备检查", "daily-equipment-check", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0")
		problem := enable("daily-equipment-check").Want(t, http.StatusConflict).Problem(t)
		if !strings.Contains(problem.Detail, "早班设备检查") || !strings.Contains(problem.Detail, daily) {
			t.Fatalf("409 detail %q does not name the hand-made schedule %s", problem.Detail, daily)
		}
		handMade("季度演练", "quarterly-drill", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0;BYSECOND=0")
		enable("quarterly-drill").Want(t, http.StatusConflict).Problem(t)
		enable("june-safety-month-drill").Want(t, http.StatusCreated)

		var schedules struct{ Items []struct{ ID string } }
		env.Get("/v1/schedules", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &schedules)
		if len(schedules.Items) != 3 {
			t.Fatalf("%d schedules, want the two hand-made ones and the June drill: no duplicate", len(schedules.Items))
		}
		env.Patch("/v1/schedules/"+daily, tenant.Admin.Token, map[string]any{"active": false}).Want(t, http.StatusOK)
		enable("daily-equipment-check").Want(t, http.StatusCreated)
	})
}
