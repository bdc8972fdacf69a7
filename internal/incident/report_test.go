package incident

import (
	"encoding/json"
	"testing"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// ReportOf reads incident.report's payload once, as the table declares
// it: the answers become the engine's answers (numbers kept exact), and an
// answer that is not an answer object is named at its own pointer.
func TestReportOf(t *testing.T) {
	wire := mutation.ReportIncident{SiteID: "site", Type: "robbery", Category: "robbery", Level: "major",
		Answers: map[string]json.RawMessage{
			"injured":  json.RawMessage(`{"value": 2}`),
			"weapon":   json.RawMessage(`{"value": "knife", "note": "seen at the counter"}`),
			"vehicles": json.RawMessage(`"two"`),
			"escaped":  json.RawMessage(`{"value": true, "colour": "red"}`),
		},
		Witnesses: []mutation.IncidentWitness{{Name: "Li Lei"}},
		CCTV:      []mutation.IncidentCCTV{{Camera: "lobby", From: "2026-12-05T01:00:00Z", To: "2026-12-05T01:30:00Z"}},
	}
	report, problems := ReportOf(wire, "/payload")
	if len(problems) != 2 || problems[0].Pointer != "/payload/answers/escaped" ||
		problems[1].Pointer != "/payload/answers/vehicles" {
		t.Fatalf("problems = %+v, want /payload/answers/escaped and /payload/answers/vehicles", problems)
	}
	if n, ok := report.Answers["injured"].Value.(json.Number); !ok || n.String() != "2" {
		t.Fatalf("injured = %#v, want the exact number 2", report.Answers["injured"].Value)
	}
	if a := report.Answers["weapon"]; a.Value != "knife" || a.Note != "seen at the counter" {
		t.Fatalf("weapon = %+v", a)
	}
	if report.SiteID != "site" || report.Level != "major" || len(report.Witnesses) != 1 || report.CCTV[0].Camera != "lobby" {
		t.Fatalf("report = %+v", report)
	}
}
