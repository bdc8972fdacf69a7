package records

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
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

// CSV cells: sites and people by name, times in the site's zone with its
// offset, and nothing a spreadsheet would run as a formula.
func TestRegisterCells(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	n := &names{sites: map[string]store.Site{"s1": {ID: "s1", Name: "城东支行", Code: "CD-01"}, "s2": {ID: "s2", Name: "=cmd"}},
		zones: map[string]*time.Location{"s1": shanghai}, users: map[string]string{"u1": "王建国", "u2": "-1+1"}}
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	known, formula, gone := "u1", "u2", "u9"
	cases := []struct{ name, got, want string }{
		{"site with code", n.site("s1"), "城东支行 (CD-01)"},
		{"site named like a formula", n.site("s2"), "'=cmd"},
		{"unknown site", n.site("s9"), "s9"},
		{"person", n.user(&known), "王建国"},
		{"person named like a formula", n.user(&formula), "'-1+1"},
		{"person no longer known", n.user(&gone), "u9"},
		{"nobody", n.user(nil), ""},
		{"time in the site's zone", n.at("s1", &at), "2026-12-01 22:00:00 +08:00"},
		{"time of a site without a zone", n.at("s2", &at), "2026-12-01 14:00:00 +00:00"},
		{"no time", n.at("s1", nil), ""},
		{"plain text", safeCell("门锁损坏, \"急\""), "门锁损坏, \"急\""},
		{"at sign", safeCell("@SUM(A1)"), "'@SUM(A1)"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
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
