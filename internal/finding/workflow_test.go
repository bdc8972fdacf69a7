package finding

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// The rectification loop, state by state: which actions each status
// allows, where they lead and who may take them. Closed is the end.
func TestTransitions(t *testing.T) {
	allowed := func(status string) string {
		var actions []string
		for name, tr := range transitions {
			if slices.Contains(tr.from, status) {
				actions = append(actions, name+"→"+tr.to)
			}
		}
		sort.Strings(actions)
		return strings.Join(actions, " ")
	}
	want := map[string]string{
		Open:      "assign→assigned",
		Assigned:  "assign→assigned rectify→rectified unassign→open",
		Rectified: "reject→rejected verify→verified",
		Rejected:  "assign→assigned rectify→rectified",
		Verified:  "close→closed",
		Closed:    "",
	}
	for status, actions := range want {
		if got := allowed(status); got != actions {
			t.Errorf("from %s: %q, want %q", status, got, actions)
		}
	}
	roles := map[string]string{"assign": principal.Supervisor, "rectify": principal.Guard, "verify": principal.Supervisor,
		"reject": principal.Supervisor, "close": principal.Supervisor, "unassign": principal.Supervisor}
	for name, tr := range transitions {
		if tr.minRole != roles[name] || tr.apply == nil {
			t.Errorf("%s: role %s (want %s), apply set %v", name, tr.minRole, roles[name], tr.apply != nil)
		}
		// Unassigning is the one step whose history ("unassigned") is not
		// the status it leads to: the finding is open again.
		if name != "unassign" && pastTense(name) != tr.to {
			t.Errorf("%s: history says %q, status becomes %q", name, pastTense(name), tr.to)
		}
	}
	// Every status is reachable from open, and closed from every open status.
	reach := map[string]bool{Open: true}
	for changed := true; changed; {
		changed = false
		for _, tr := range transitions {
			for _, from := range tr.from {
				if reach[from] && !reach[tr.to] {
					reach[tr.to], changed = true, true
				}
			}
		}
	}
	for status := range want {
		if !reach[status] {
			t.Errorf("%s cannot be reached from open", status)
		}
	}
}

// Four eyes: whoever rectified a finding neither verifies nor rejects it.
func TestNotRectifier(t *testing.T) {
	fixer := "u-fixer"
	row := &store.Finding{RectifierID: &fixer}
	if err := notRectifier(principal.Principal{UserID: fixer}, row, "verify"); !errs.Is(err, errs.Forbidden) {
		t.Errorf("the rectifier verifying: %v", err)
	}
	if err := notRectifier(principal.Principal{UserID: "u-other"}, row, "verify"); err != nil {
		t.Errorf("another supervisor verifying: %v", err)
	}
	if err := notRectifier(principal.Principal{UserID: fixer}, &store.Finding{}, "reject"); err != nil {
		t.Errorf("nobody rectified yet: %v", err)
	}
}

func TestCheckNote(t *testing.T) {
	cases := []struct {
		note     string
		required bool
		problem  bool
	}{
		{"", false, false},
		{"", true, true},
		{" \t\n", true, true},
		{"replaced the lock", true, false},
		{strings.Repeat("锁", 5000), true, false},
		{strings.Repeat("锁", 5001), false, true},
	}
	for _, c := range cases {
		fields := map[string]string{}
		checkNote(fields, c.note, c.required)
		if (fields["/note"] != "") != c.problem {
			t.Errorf("note of %d runes, required %v: %v", len([]rune(c.note)), c.required, fields)
		}
	}
}

// Guards see what they raised or were given; supervisors their sites;
// admins everything. The owner is the assignee once there is one.
func TestVisibility(t *testing.T) {
	assignee := "u-assignee"
	row := store.Finding{SiteID: "site-a", CreatedBy: "u-author", AssigneeID: &assignee}
	cases := []struct {
		p    principal.Principal
		sees bool
	}{
		{principal.Principal{Role: principal.Admin}, true},
		{principal.Principal{Role: principal.Supervisor, SiteIDs: []string{"site-b", "site-a"}}, true},
		{principal.Principal{Role: principal.Supervisor, SiteIDs: []string{"site-b"}}, false},
		{principal.Principal{Role: principal.Guard, UserID: "u-author"}, true},
		{principal.Principal{Role: principal.Guard, UserID: assignee}, true},
		{principal.Principal{Role: principal.Guard, UserID: "u-other", SiteIDs: []string{"site-a"}}, false},
	}
	for _, c := range cases {
		if got := CanSee(c.p, row); got != c.sees {
			t.Errorf("%+v sees: %v, want %v", c.p, got, c.sees)
		}
	}
	if Owner(row) != assignee || Owner(store.Finding{CreatedBy: "u-author"}) != "u-author" {
		t.Error("Owner is the assignee, else the author")
	}
}

// Merged fields compare equal whichever database they were read back from.
func TestFieldsOf(t *testing.T) {
	due := time.Date(2026, 12, 1, 22, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	fields := FieldsOf(store.Finding{Title: "Lock", Severity: "high", DueAt: &due})
	if !fields.DueAt.Equal(due.Truncate(time.Second)) || fields.DueAt.Location() != time.UTC || fields.DueAt.Nanosecond() != 0 {
		t.Fatalf("due %v", fields.DueAt)
	}
	if !ValidSeverity("critical") || ValidSeverity("urgent") {
		t.Error("severities")
	}
}
