package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// `patrolsync device simulate` over a lossy network ends with exactly the
// inspections it filled on the server, and says so in one JSON line.
func TestDeviceSimulate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("sim")
		var out bytes.Buffer
		args := []string{"simulate", "--server", env.URL, "--email", tenant.Guard.Email, "--password", apitest.Password,
			"--template", "fire-safety-monthly", "--inspections", "3", "--drop-rate", "0.3", "--seed", "7",
			"--state-dir", t.TempDir(), "--incident", "robbery"}
		if err := deviceCmd(context.Background(), args, &out); err != nil {
			t.Fatalf("simulate: %v\n%s", err, out.String())
		}
		// The incident went with its category's questions answered.
		var incidents struct {
			Items []struct {
				Category string
				Answers  map[string]any
			}
		}
		env.Get("/v1/incidents", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &incidents)
		if len(incidents.Items) != 1 || incidents.Items[0].Category != "robbery" || incidents.Items[0].Answers["police_called"] == nil {
			t.Fatalf("incidents on the server: %+v, want the simulated robbery with its answers", incidents.Items)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var counts struct {
			Inspections, Applied, Rejected, Conflict int
			ServerInspections                        int `json:"server_inspections"`
			DroppedRequests                          int `json:"dropped_requests"`
			DroppedResponses                         int `json:"dropped_responses"`
			MediaUploaded                            int `json:"media_uploaded"`
			MediaFailed                              int `json:"media_failed"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &counts); err != nil {
			t.Fatalf("last line is not the JSON summary: %q", lines[len(lines)-1])
		}
		if counts.Inspections != 3 || counts.ServerInspections != 3 || counts.Rejected != 0 || counts.Conflict != 0 || counts.Applied == 0 {
			t.Fatalf("summary = %+v", counts)
		}
		// fire-safety-monthly asks for at least one photo per inspection.
		if counts.MediaUploaded < 3 || counts.MediaFailed != 0 {
			t.Fatalf("media: %+v, want at least one photo per inspection uploaded and none refused", counts)
		}
		if counts.DroppedRequests+counts.DroppedResponses == 0 {
			t.Fatalf("a 30%% drop rate dropped nothing: %+v", counts)
		}
	})
}

// A simulated opening check passes only with real countersigners: with
// --countersigner the second person's own simulated phone registers a key
// and signs each two-person item; without, the sample's strangers are
// refused by the server and the outcome is fail.
func TestDeviceSimulateCountersigns(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("simcs")
		run := func(extra ...string) map[string]int {
			t.Helper()
			var out bytes.Buffer
			args := append([]string{"simulate", "--server", env.URL, "--email", tenant.Guard.Email, "--password", apitest.Password,
				"--template", "cu-opening-check", "--inspections", "1", "--drop-rate", "0.1", "--seed", "11",
				"--state-dir", t.TempDir()}, extra...)
			if err := deviceCmd(context.Background(), args, &out); err != nil {
				t.Fatalf("simulate: %v\n%s", err, out.String())
			}
			var summary struct {
				Rejected int
				Outcomes map[string]int
			}
			if err := json.Unmarshal(out.Bytes(), &summary); err != nil || summary.Rejected != 0 {
				t.Fatalf("summary %s (%v)", out.String(), err)
			}
			return summary.Outcomes
		}
		if outcomes := run("--countersigner", tenant.Supervisor.Email+":"+apitest.Password); outcomes["pass"] != 1 {
			t.Fatalf("with a real countersigner: outcomes %v, want one pass", outcomes)
		}
		if outcomes := run(); outcomes["pass"] != 1 || outcomes["fail"] != 1 {
			t.Fatalf("with unknown countersigners: outcomes %v, want the earlier pass and one fail", outcomes)
		}
	})
}

// `device simulate --acknowledge-plans` acknowledges, offline and over a
// lossy network, each emergency plan the guard pulled: once.
func TestDeviceSimulateAcknowledgesPlans(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("simplans")
		steps := []any{map[string]any{"text": map[string]string{"zh-CN": "拨打119", "en": "Call 119"}}}
		var plans []string
		for _, site := range []any{tenant.Sites[0].ID, nil} {
			var plan struct{ ID string }
			env.Post("/v1/plans", tenant.Admin.Token, map[string]any{"site_id": site, "category": "fire", "title": "消防应急预案",
				"body": map[string]any{"steps": steps}}).Want(t, 201).JSON(t, &plan)
			plans = append(plans, plan.ID)
		}
		run := func() int {
			t.Helper()
			var out bytes.Buffer
			args := []string{"simulate", "--server", env.URL, "--email", tenant.Guard.Email, "--password", apitest.Password,
				"--template", "fire-safety-monthly", "--inspections", "1", "--drop-rate", "0.2", "--seed", "5",
				"--state-dir", t.TempDir(), "--acknowledge-plans"}
			if err := deviceCmd(context.Background(), args, &out); err != nil {
				t.Fatalf("simulate: %v\n%s", err, out.String())
			}
			var summary struct {
				Rejected          int
				PlansAcknowledged int `json:"plans_acknowledged"`
			}
			if err := json.Unmarshal(out.Bytes(), &summary); err != nil || summary.Rejected != 0 {
				t.Fatalf("summary %s (%v)", out.String(), err)
			}
			return summary.PlansAcknowledged
		}
		if n := run(); n != 2 {
			t.Fatalf("acknowledged %d plans, want 2", n)
		}
		// The server holds each acknowledgement, by the guard, of version 1.
		for _, id := range plans {
			var readers struct {
				PlanVersion  int `json:"plan_version"`
				Acknowledged []struct {
					UserID  string `json:"user_id"`
					Version int    `json:"plan_version"`
				}
				Pending []struct {
					UserID string `json:"user_id"`
				}
			}
			env.Get("/v1/plans/"+id+"/readers", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &readers)
			read := false
			for _, a := range readers.Acknowledged {
				read = read || a.UserID == tenant.Guard.User.ID && a.Version == readers.PlanVersion
			}
			for _, p := range readers.Pending {
				read = read && p.UserID != tenant.Guard.User.ID
			}
			if !read || readers.PlanVersion != 1 {
				t.Fatalf("plan %s readers %+v, want the simulated guard's acknowledgement of version 1", id, readers)
			}
		}
		if n := run(); n != 0 {
			t.Fatalf("a fresh phone of the same guard acknowledged %d plans again, want 0 (they came back in pull)", n)
		}
	})
}
