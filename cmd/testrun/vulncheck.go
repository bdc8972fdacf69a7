package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	gomodule "golang.org/x/mod/module"
)

// The vulnerability database normally comes from vuln.go.dev, which this
// workplace cannot reach. The same reports ship in the golang.org/x/vulndb
// module, which the Go module proxy serves, as OSV entries that writeVulnDB
// indexes into the database govulncheck reads. Both are pinned, so a run
// is repeatable; bump them to pick up new advisories.
const (
	vulndbVersion      = "v0.0.0-20261105234957-e22db6528018"
	govulncheckVersion = "v1.9.0"
)

// acceptedVulns are advisories govulncheck reports that no release fixes
// for the stack this project must use, each with why it is safe here.
// Anything else that the code reaches fails make test.
var acceptedVulns = map[string]string{
	"GO-2026-6872": "echo v4's RealIP trusts X-Forwarded-For and no v4 release fixes it; api/ sets the IP " +
		"extractor to the TCP peer unless PATROLSYNC_TRUSTED_PROXIES names the load balancers (TestThrottleIgnoresSpoofedForwardedFor)",
	"GO-2026-6875": "echo v4's reverse-proxy middleware forwards a client's X-Real-IP and no v4 release fixes it; " +
		"patrolsync does not use echo's proxy middleware",
}

// prepareVulncheck builds the vulnerability database and compiles
// govulncheck, so that vulncheck after the tests only analyses.
func prepareVulncheck(ctx context.Context) error {
	if _, err := vulnDatabase(ctx); err != nil {
		return err
	}
	out, err := lowPriority(ctx, goTool(), "run", "golang.org/x/vuln/cmd/govulncheck@"+govulncheckVersion, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("build govulncheck@%s: %w\n%s", govulncheckVersion, err, out)
	}
	return nil
}

// vulncheck runs govulncheck over the module and fails on any reachable
// advisory that is not accepted above.
func vulncheck(ctx context.Context) error {
	db, err := vulnDatabase(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, goTool(), "run", "golang.org/x/vuln/cmd/govulncheck@"+govulncheckVersion,
		"-db", "file://"+db, "-format", "json", "./...")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("govulncheck: %w\n%s", err, stderr.String())
	}
	reached, err := reachedVulns(&out)
	if err != nil {
		return err
	}
	var unaccepted []string
	for _, id := range reached {
		if why, ok := acceptedVulns[id]; ok {
			logf("vulncheck: %s reached but accepted: %s", id, why)
			continue
		}
		unaccepted = append(unaccepted, id)
	}
	if len(unaccepted) > 0 {
		return fmt.Errorf("the code reaches %s: run `go run golang.org/x/vuln/cmd/govulncheck@%s -db file://%s ./...` for traces and fixes",
			strings.Join(unaccepted, ", "), govulncheckVersion, db)
	}
	logf("vulncheck: no unaccepted vulnerability reachable (database %s)", vulndbVersion)
	return nil
}

// reachedVulns reads govulncheck's JSON stream and returns the advisories
// whose vulnerable code the module calls, sorted.
func reachedVulns(r io.Reader) ([]string, error) {
	dec := json.NewDecoder(r)
	seen := map[string]bool{}
	for {
		var msg struct {
			Finding *struct {
				OSV   string `json:"osv"`
				Trace []struct {
					Function string `json:"function"`
				} `json:"trace"`
			} `json:"finding"`
		}
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("govulncheck output: %w", err)
		}
		if msg.Finding != nil && len(msg.Finding.Trace) > 0 && msg.Finding.Trace[0].Function != "" {
			seen[msg.Finding.OSV] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// vulnDatabase returns the directory of the database, building it once per
// machine into the user cache.
func vulnDatabase(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	db := filepath.Join(cache, "patrolsync", "vulndb-osv-"+vulndbVersion)
	if _, err := os.Stat(filepath.Join(db, "index", "db.json")); err == nil {
		return db, nil
	}
	logf("vulncheck: building the vulnerability database from golang.org/x/vulndb@%s (once per machine)", vulndbVersion)
	var download struct{ Dir, Error string }
	raw, err := lowPriority(ctx, goTool(), "mod", "download", "-json", "golang.org/x/vulndb@"+vulndbVersion).Output()
	if err != nil || json.Unmarshal(raw, &download) != nil || download.Dir == "" {
		return "", fmt.Errorf("download golang.org/x/vulndb@%s: %v %s", vulndbVersion, err, download.Error)
	}
	released, err := gomodule.PseudoVersionTime(vulndbVersion)
	if err != nil {
		return "", fmt.Errorf("golang.org/x/vulndb@%s: %w", vulndbVersion, err)
	}
	err = installOnce(db, func(out string) error {
		entries, err := writeVulnDB(filepath.Join(download.Dir, "data", "osv"), out, released)
		if err == nil {
			logf("vulncheck: indexed %d advisories", entries)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return db, nil
}

// lowPriority is exec.CommandContext at the lowest CPU priority (nice 19,
// inherited by what the command starts: go run's compiles), where the
// system has nice: the vulnerability check's preparation runs beside the
// build and should only take the CPU it leaves idle. The analysis runs
// after the tests, alone, at the normal priority.
func lowPriority(ctx context.Context, name string, args ...string) *exec.Cmd {
	if nice, err := exec.LookPath("nice"); err == nil {
		return exec.CommandContext(ctx, nice, append([]string{"-n", "19", name}, args...)...)
	}
	return exec.CommandContext(ctx, name, args...)
}

// installOnce makes dir by build, safely when several test runs on one
// machine (two make test at once) build it at the same time: each builds
// into a directory of its own beside dir and renames it into place, which
// is atomic, so no run sees another's half-written database or removes it
// from under it. The first rename wins; a run that lost keeps the winner's.
func installOnce(dir string, build func(out string) error) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	scratch, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".building-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	out := filepath.Join(scratch, "out")
	if err := build(out); err != nil {
		return err
	}
	if err := os.Rename(out, dir); err != nil {
		// Another run renamed its complete database into place first.
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil
		}
		return err
	}
	return nil
}
