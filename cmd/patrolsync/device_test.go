package main

import (
	"bytes"
	"context"
	"encoding/json"
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
			"--state-dir", t.TempDir()}
		if err := deviceCmd(context.Background(), args, &out); err != nil {
			t.Fatalf("simulate: %v\n%s", err, out.String())
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
