package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
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
