package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The people of a site are exactly whom its work may be assigned to: the
// active users attached to it and the administrators, by name and role
// only. A supervisor reads their own site's, not another's; guards none.
// Every person listed is accepted by the finding's assign rule, and a
// guard of the other site, not listed, is refused by it.
func TestSitePeopleAreWhomWorkMayGoTo(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("people")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		elsewhere := env.NewGuard(tenant, "guard-elsewhere", siteB)
		gone := env.NewGuard(tenant, "guard-gone", siteA)
		env.Delete("/v1/users/"+gone.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)

		var page struct {
			Items []map[string]any
		}
		env.Get("/v1/sites/"+siteA+"/people", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
		names := map[string]string{}
		for _, person := range page.Items {
			if len(person) != 3 || person["email"] != nil {
				t.Errorf("a person carries more than id, name and role: %v", person)
			}
			names[person["id"].(string)] = person["name"].(string)
		}
		for _, want := range []string{tenant.Admin.User.ID, tenant.Supervisor.User.ID, tenant.Guard.User.ID} {
			if names[want] == "" {
				t.Errorf("site A's people %v lack %s", names, want)
			}
		}
		if names[elsewhere.User.ID] != "" || names[gone.User.ID] != "" {
			t.Errorf("site A's people %v hold a guard of site B or a deactivated guard", names)
		}
		env.Get("/v1/sites/"+siteB+"/people", tenant.Supervisor.Token).Want(t, http.StatusNotFound)
		env.Get("/v1/sites/"+siteA+"/people", tenant.Guard.Token).Want(t, http.StatusForbidden)
		env.Get("/v1/sites/"+siteB+"/people", tenant.Admin.Token).Want(t, http.StatusOK)

		var found struct{ ID string }
		env.Post("/v1/findings", tenant.Supervisor.Token, map[string]any{"site_id": siteA, "title": "Fire door propped open",
			"severity": "high"}).Want(t, http.StatusCreated).JSON(t, &found)
		for id := range names {
			env.Post("/v1/findings/"+found.ID+"/assign", tenant.Supervisor.Token, map[string]any{"assignee_id": id}).Want(t, http.StatusOK)
		}
		fields := env.Post("/v1/findings/"+found.ID+"/assign", tenant.Supervisor.Token,
			map[string]any{"assignee_id": elsewhere.User.ID}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if fields["/assignee_id"] == "" {
			t.Errorf("assigning someone not listed: %v", fields)
		}
	})
}

type previewAnswer struct {
	Timezone    string
	Occurrences []struct {
		At    time.Time
		Local string
	}
}

// The schedule editor's preview is the server's own expansion: yearly in
// June at 09:00 in Shanghai gives ten first-of-Junes at 09:00+08:00
// (01:00 UTC) in consecutive years from now on, the same slots the saved
// schedule then lists as upcoming. Bad rules, other sites and counts are
// refused by field, as saving would.
func TestSchedulePreviewIsTheServersExpansion(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("preview")
		site := tenant.Sites[0].ID
		rule := map[string]any{"site_id": site, "rrule": "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1", "dtstart": "2026-06-01T09:00:00"}
		var preview previewAnswer
		env.Post("/v1/schedules/preview", tenant.Supervisor.Token, rule).Want(t, http.StatusOK).JSON(t, &preview)
		if preview.Timezone != "Asia/Shanghai" || len(preview.Occurrences) != 10 {
			t.Fatalf("preview %+v, want ten slots in Asia/Shanghai", preview)
		}
		now := time.Now()
		for i, o := range preview.Occurrences {
			if !strings.HasSuffix(o.Local, "-06-01T09:00:00+08:00") || o.At.UTC().Hour() != 1 || !o.At.After(now) {
				t.Errorf("slot %d: %+v", i, o)
			}
			if i > 0 && o.At.Year() != preview.Occurrences[i-1].At.Year()+1 {
				t.Errorf("slot %d is not the next year's: %+v", i, o)
			}
		}

		route := newRoute(t, env, tenant, site)
		var saved struct{ Upcoming []time.Time }
		env.Post("/v1/schedules", tenant.Admin.Token, map[string]any{"site_id": site, "kind": "round", "name": "June drill walk",
			"route_id": route.ID, "rrule": rule["rrule"], "dtstart": rule["dtstart"], "tolerance_minutes": 60}).
			Want(t, http.StatusCreated).JSON(t, &saved)
		for i, at := range saved.Upcoming {
			if !at.Equal(preview.Occurrences[i].At) {
				t.Errorf("saved schedule's slot %d is %s, the preview said %s", i, at, preview.Occurrences[i].At)
			}
		}

		for _, tc := range []struct {
			name    string
			change  map[string]any
			pointer string
		}{
			{"not a rule", map[string]any{"rrule": "EVERY JUNE"}, "/rrule"},
			{"too often", map[string]any{"rrule": "FREQ=MINUTELY"}, "/rrule"},
			{"no start", map[string]any{"dtstart": "June"}, "/dtstart"},
			{"another site", map[string]any{"site_id": tenant.Sites[1].ID}, "/site_id"},
			{"too many", map[string]any{"count": 51}, "/count"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := map[string]any{}
				for k, v := range rule {
					body[k] = v
				}
				for k, v := range tc.change {
					body[k] = v
				}
				fields := env.Post("/v1/schedules/preview", tenant.Supervisor.Token, body).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
				if fields[tc.pointer] == "" {
					t.Errorf("fields %v lack %s", fields, tc.pointer)
				}
			})
		}
		env.Post("/v1/schedules/preview", tenant.Guard.Token, rule).Want(t, http.StatusForbidden)
	})
}

// A day's rounds come with their scans in one request (?scans=true): the
// console's rounds board draws its timelines and exceptions from it.
func TestRoundsListWithScans(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("dayboard")
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		slot := time.Now().UTC().Add(-20 * time.Minute).Truncate(time.Second)
		round := pastRound(t, env, tenant, route, slot, nil)
		_, results := push(t, env, tenant.Guard.Token, []mutation{
			scan(round.ID, "QR-LOBBY", slot.Add(2*time.Minute), nil),
			scan(round.ID, "QR-UNKNOWN", slot.Add(3*time.Minute), nil),
		})
		wantStatus(t, results, "applied")
		q := url.Values{"site_id": {tenant.Sites[0].ID}, "from": {slot.Format(time.RFC3339)},
			"to": {slot.Add(time.Second).Format(time.RFC3339)}, "scans": {"true"}}
		var page struct{ Items []roundView }
		env.Get("/v1/rounds?"+q.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 1 || len(page.Items[0].Scans) != 2 || page.Items[0].Missed == nil {
			t.Fatalf("rounds with scans: %+v", page.Items)
		}
		if flags := strings.Join(page.Items[0].Scans[1].Flags, ","); !strings.Contains(flags, "wrong_tag") {
			t.Errorf("the unknown tag's scan is flagged %q", flags)
		}
		var plain map[string]any
		q.Del("scans")
		env.Get("/v1/rounds?"+q.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &plain)
		if item := plain["items"].([]any)[0].(map[string]any); item["scans"] != nil {
			t.Errorf("without scans=true a round carries scans: %v", item)
		}
	})
}

// A rectification's evidence is declared under the finding's id (as the
// guard app does), not an inspection's: once the finding names it, the
// supervisor who verifies the fix may read it; a guard of the other site
// may not.
func TestRectificationEvidenceIsReadableWithItsFinding(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db, mediaSettings...)
		tenant := env.NewTenant("evidence-read")
		site := tenant.Sites[0].ID
		var found struct{ ID string }
		env.Post("/v1/findings", tenant.Supervisor.Token, map[string]any{"site_id": site, "title": "Extinguisher missing",
			"severity": "medium", "assignee_id": tenant.Guard.User.ID}).Want(t, http.StatusCreated).JSON(t, &found)
		photo := newID()
		uploadStored(t, env, tenant.Guard.Token, found.ID, photo)
		other := env.NewGuard(tenant, "guard-other-site", tenant.Sites[1].ID)
		env.Get("/v1/media/"+photo, tenant.Supervisor.Token).Want(t, http.StatusNotFound)
		env.Post("/v1/findings/"+found.ID+"/rectify", tenant.Guard.Token, map[string]any{"note": "Extinguisher replaced",
			"evidence": []string{photo}}).Want(t, http.StatusOK)
		env.Get("/v1/media/"+photo, tenant.Supervisor.Token).Want(t, http.StatusFound)
		env.Get("/v1/media/"+photo, tenant.Admin.Token).Want(t, http.StatusFound)
		env.Get("/v1/media/"+photo, other.Token).Want(t, http.StatusNotFound)
	})
}
