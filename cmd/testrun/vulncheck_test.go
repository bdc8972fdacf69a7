package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReachedVulnsCountsOnlyCalledCode(t *testing.T) {
	stream := `{"config":{"protocol_version":"v1.0.0"}}
{"osv":{"id":"GO-1"}}
{"finding":{"osv":"GO-1","trace":[{"module":"m","package":"m/p","function":"F"}]}}
{"finding":{"osv":"GO-2","trace":[{"module":"m","package":"m/p"}]}}
{"finding":{"osv":"GO-3","trace":[{"module":"m"}]}}
{"finding":{"osv":"GO-1","trace":[{"module":"m","package":"m/p","function":"G"}]}}
`
	got, err := reachedVulns(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"GO-1"}) {
		t.Fatalf("reached = %v, want only the advisory whose function is called", got)
	}
	if _, err := reachedVulns(strings.NewReader(`{"finding":`)); err == nil {
		t.Fatal("a cut stream must be an error")
	}
}

// TestInstallOnceRacesSafely: test runs building the vulnerability
// database at once (two make test on one machine) all succeed and leave
// one complete database, with no scratch directory behind.
func TestInstallOnceRacesSafely(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "vulndb")
	const runs = 8
	start := make(chan struct{})
	errs := make(chan error, runs)
	for run := range runs {
		go func() {
			<-start
			errs <- installOnce(dir, func(out string) error {
				if err := os.MkdirAll(filepath.Join(out, "index"), 0o755); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(out, "index", "db.json"), []byte(strconv.Itoa(run)), 0o644)
			})
		}()
	}
	close(start)
	for range runs {
		if err := <-errs; err != nil {
			t.Errorf("a concurrent run failed: %v", err)
		}
	}
	written, err := os.ReadFile(filepath.Join(dir, "index", "db.json"))
	if err != nil {
		t.Fatalf("no complete database after the runs: %v", err)
	}
	if _, err := strconv.Atoi(string(written)); err != nil {
		t.Errorf("the database holds %q, not one run's whole output", written)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, entry := range entries {
			names = append(names, entry.Name())
		}
		t.Errorf("left in the cache: %v, want only vulndb", names)
	}
}

// TestInstallOnceKeepsNothingOfAFailedBuild: a build that fails leaves no
// database for the next run to take as complete.
func TestInstallOnceKeepsNothingOfAFailedBuild(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "vulndb")
	err := installOnce(dir, func(out string) error {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		return errors.New("gendb failed")
	})
	if err == nil || err.Error() != "gendb failed" {
		t.Fatalf("installOnce = %v, want the build's error", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a failed build left %d entries in the cache", len(entries))
	}
}

// latestFixed is gendb's rule for the modules index's "fixed".
func TestLatestFixedIsGendbsRule(t *testing.T) {
	type ev = struct{ Introduced, Fixed string }
	semverRange := func(events ...ev) osvRange {
		r := osvRange{Type: "SEMVER"}
		for _, e := range events {
			r.Events = append(r.Events, struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			}{e.Introduced, e.Fixed})
		}
		return r
	}
	for _, c := range []struct {
		name   string
		ranges []osvRange
		want   string
	}{
		{"never fixed", []osvRange{semverRange(ev{Introduced: "0"})}, ""},
		{"fixed once", []osvRange{semverRange(ev{Introduced: "0"}, ev{Fixed: "1.2.3"})}, "1.2.3"},
		{"the latest of two fixes", []osvRange{semverRange(ev{Introduced: "0"}, ev{Fixed: "1.2.3"}, ev{Introduced: "2.0.0"}, ev{Fixed: "2.4.0"})}, "2.4.0"},
		{"fixes compare as versions, not text", []osvRange{semverRange(ev{Introduced: "0"}, ev{Fixed: "1.10.0"}, ev{Introduced: "1.9.0"}, ev{Fixed: "1.9.5"})}, "1.10.0"},
		{"introduced again after the fix", []osvRange{semverRange(ev{Introduced: "0"}, ev{Fixed: "1.2.3"}, ev{Introduced: "1.3.0"})}, ""},
		{"a pre-release fix", []osvRange{semverRange(ev{Introduced: "0"}, ev{Fixed: "1.11.0-alpha.0.0.20260225185322-738bad662b20"})}, "1.11.0-alpha.0.0.20260225185322-738bad662b20"},
		{"other range types do not count", []osvRange{{Type: "ECOSYSTEM"}}, ""},
		{"no ranges", nil, ""},
	} {
		if got := latestFixed(c.ranges); got != c.want {
			t.Errorf("%s: latestFixed = %q, want %q", c.name, got, c.want)
		}
	}
}

// writeVulnDB indexes OSV entries as gendb does: one modules entry per
// affected module, sorted, and the release time where an entry has none.
func TestWriteVulnDBIndexesTheEntries(t *testing.T) {
	osv := t.TempDir()
	entries := map[string]string{
		"GO-2026-0002.json": `{"id":"GO-2026-0002","modified":"0001-01-01T00:00:00Z","published":"0001-01-01T00:00:00Z","aliases":["CVE-2026-2"],
			"affected":[{"package":{"name":"example.com/b","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]},
			            {"package":{"name":"example.com/a","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`,
		"GO-2026-0001.json": `{"id":"GO-2026-0001","modified":"2026-10-01T00:00:00Z","published":"2026-09-01T00:00:00Z",
			"affected":[{"package":{"name":"example.com/a","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.9.0"}]}]}]}`,
	}
	for name, body := range entries {
		if err := os.WriteFile(filepath.Join(osv, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "db")
	released := time.Date(2026, 11, 5, 23, 49, 57, 0, time.UTC)
	n, err := writeVulnDB(osv, out, released)
	if err != nil || n != 2 {
		t.Fatalf("writeVulnDB = %d, %v", n, err)
	}
	for file, want := range map[string]string{
		"index/db.json": `{"modified":"2026-11-05T23:49:57Z"}`,
		"index/modules.json": `[{"path":"example.com/a","vulns":[{"id":"GO-2026-0001","modified":"2026-10-01T00:00:00Z","fixed":"0.9.0"},` +
			`{"id":"GO-2026-0002","modified":"2026-11-05T23:49:57Z"}]},` +
			`{"path":"example.com/b","vulns":[{"id":"GO-2026-0002","modified":"2026-11-05T23:49:57Z","fixed":"1.2.0"}]}]`,
		"index/vulns.json": `[{"id":"GO-2026-0001","modified":"2026-10-01T00:00:00Z"},` +
			`{"id":"GO-2026-0002","modified":"2026-11-05T23:49:57Z","aliases":["CVE-2026-2"]}]`,
	} {
		got, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", file, got, want)
		}
	}
	var entry struct {
		ID                  string
		Modified, Published time.Time
		Aliases             []string
	}
	raw, err := os.ReadFile(filepath.Join(out, "ID", "GO-2026-0002.json"))
	if err == nil {
		err = json.Unmarshal(raw, &entry)
	}
	if err != nil || entry.ID != "GO-2026-0002" || !entry.Modified.Equal(released) || !entry.Published.Equal(released) || len(entry.Aliases) != 1 {
		t.Fatalf("ID/GO-2026-0002.json = %s (%+v, %v)", raw, entry, err)
	}
	if _, err := writeVulnDB(t.TempDir(), filepath.Join(t.TempDir(), "db"), released); err == nil {
		t.Fatal("a folder without entries must be an error, not an empty database")
	}
}
