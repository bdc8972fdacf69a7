package records

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// A register shows the caller's sites only: admins all (or the one asked
// for), others their own, and nothing for a site that is not theirs.
func TestRegisterSites(t *testing.T) {
	admin := principal.Principal{Role: principal.Admin}
	supervisor := principal.Principal{Role: principal.Supervisor, SiteIDs: []string{"a", "b"}}
	cases := []struct {
		name string
		p    principal.Principal
		site string
		want []string // nil: no limit
	}{
		{"admin, all", admin, "", nil},
		{"admin, one", admin, "z", []string{"z"}},
		{"supervisor, all of theirs", supervisor, "", []string{"a", "b"}},
		{"supervisor, one of theirs", supervisor, "b", []string{"b"}},
		{"supervisor, not theirs", supervisor, "z", []string{}},
		{"nowhere", principal.Principal{Role: principal.Supervisor}, "", []string{}},
	}
	for _, c := range cases {
		got := sites(c.p, c.site)
		if (got == nil) != (c.want == nil) || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %#v, want %#v", c.name, got, c.want)
		}
	}
	// The caller's own list is never shared with the filter.
	got := sites(supervisor, "")
	got[0] = "changed"
	if supervisor.SiteIDs[0] != "a" {
		t.Fatal("sites aliases the principal's site list")
	}
}

// CSV lines: a header once, then one line per row with empty cells for
// what is not there, times in UTC RFC 3339.
func TestRegisterLines(t *testing.T) {
	score, outcome, hash := 87.5, "pass", "ab12"
	submitted := time.Date(2026, 12, 1, 22, 0, 0, 0, time.FixedZone("CST", 8*3600))
	created := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	rows := []InspectionRow{{ID: "i1", SiteID: "s1", TemplateKey: "cu-opening-check", TemplateVersion: 2, OwnerID: "u1",
		Status: "submitted", Outcome: &outcome, Score: &score, SubmittedAt: &submitted, ContentHash: &hash, CreatedAt: created}}
	lines := inspectionLines(rows, true)
	if len(lines) != 2 || len(lines[0]) != len(lines[1]) || lines[0][0] != "id" {
		t.Fatalf("lines %v", lines)
	}
	want := "i1,s1,cu-opening-check,2,u1,submitted,pass,87.5,,2026-12-01T14:00:00Z,,,,ab12,2026-12-01T13:00:00Z"
	if got := strings.Join(lines[1], ","); got != want {
		t.Fatalf("row\ngot  %s\nwant %s", got, want)
	}
	if len(inspectionLines(rows, false)) != 1 {
		t.Fatal("a later page repeats the header")
	}
	inspection := "i1"
	hazards := hazardLines([]HazardRow{{ID: "f1", SiteID: "s1", InspectionID: &inspection, ItemPath: "/door", Title: "门锁损坏, \"急\"",
		Severity: "high", Status: "open", Overdue: true, EscalationLevel: 2, CreatedAt: created}}, true)
	if len(hazards) != 2 || len(hazards[0]) != len(hazards[1]) {
		t.Fatalf("hazard lines %v", hazards)
	}
	if got := strings.Join(hazards[1], "|"); got != "f1|s1|i1|/door|门锁损坏, \"急\"|high|open|true|||||||||2|2026-12-01T13:00:00Z" {
		t.Fatalf("hazard row %s", got)
	}
}

// Retention is whole days within bounds, refused before anything is read.
func TestUpdateOrgRetentionBounds(t *testing.T) {
	s := &Service{}
	for _, days := range []*int{nil, ptr(0), ptr(MinRetentionDays - 1), ptr(MaxRetentionDays + 1)} {
		_, err := s.UpdateOrg(context.Background(), OrgSettings{RetentionDays: days})
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !asError(err, &e) || e.Fields["/retention_days"] == "" {
			t.Errorf("retention %v: %v", days, err)
		}
	}
}

func ptr(n int) *int { return &n }

func asError(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*target = e
	return ok
}
