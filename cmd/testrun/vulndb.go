package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/mod/semver"
)

// writeVulnDB writes the database govulncheck reads (-db file://dir) from
// the OSV entries in osvDir (golang.org/x/vulndb's data/osv): ID/<id>.json
// for each entry and the three indexes, index/db.json, index/modules.json
// and index/vulns.json, as the module's own gendb writes them.
//
// gendb costs three minutes of CPU to compile on a fresh machine and wants
// a git checkout of the reports, only to stamp each entry with the time of
// its last commit; the module is no checkout. Here an entry without times
// takes the database's release time (the module's pseudo-version), which
// says when the data was current.
func writeVulnDB(osvDir, out string, released time.Time) (entries int, err error) {
	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no OSV entries in %s", osvDir)
	}
	for _, dir := range []string{"ID", "index"} {
		if err := os.MkdirAll(filepath.Join(out, dir), 0o755); err != nil {
			return 0, err
		}
	}
	var (
		latest  time.Time
		modules = map[string][]moduleVuln{}
		vulns   []vulnMeta
	)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return 0, err
		}
		// The entry is written back whole, with its times filled in; only
		// the fields the indexes need are read into a struct.
		var whole map[string]any
		var entry osvEntry
		if err := json.Unmarshal(raw, &whole); err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		if entry.ID == "" {
			return 0, fmt.Errorf("%s: an entry without an id", file)
		}
		if entry.Modified.IsZero() {
			entry.Modified = released
			whole["modified"] = released
		}
		if entry.Published.IsZero() {
			whole["published"] = released
		}
		if entry.Modified.After(latest) {
			latest = entry.Modified
		}
		for _, affected := range entry.Affected {
			path := affected.Package.Name
			modules[path] = append(modules[path], moduleVuln{ID: entry.ID, Modified: entry.Modified, Fixed: latestFixed(affected.Ranges)})
		}
		vulns = append(vulns, vulnMeta{ID: entry.ID, Modified: entry.Modified, Aliases: entry.Aliases})
		if err := writeJSON(filepath.Join(out, "ID", entry.ID+".json"), whole); err != nil {
			return 0, err
		}
	}
	index := make([]moduleMeta, 0, len(modules))
	for path, vs := range modules {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
		index = append(index, moduleMeta{Path: path, Vulns: vs})
	}
	sort.Slice(index, func(i, j int) bool { return index[i].Path < index[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	for name, value := range map[string]any{"db": dbMeta{Modified: latest}, "modules": index, "vulns": vulns} {
		if err := writeJSON(filepath.Join(out, "index", name+".json"), value); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

// osvEntry is what the indexes need of an OSV entry.
type osvEntry struct {
	ID        string    `json:"id"`
	Modified  time.Time `json:"modified"`
	Published time.Time `json:"published"`
	Aliases   []string  `json:"aliases"`
	Affected  []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

// The index formats (golang.org/x/vuln's client reads them).
type (
	dbMeta struct {
		Modified time.Time `json:"modified"`
	}
	moduleMeta struct {
		Path  string       `json:"path"`
		Vulns []moduleVuln `json:"vulns"`
	}
	moduleVuln struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
		Fixed    string    `json:"fixed,omitempty"`
	}
	vulnMeta struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
		Aliases  []string  `json:"aliases,omitempty"`
	}
)

// latestFixed is the latest version that fixes the ranges, or "" when the
// vulnerability was introduced again after it (or never fixed): the index's
// "fixed", by which govulncheck skips entries that cannot affect a version.
// It is gendb's rule (vulndb's osvutils.LatestFixed).
func latestFixed(ranges []osvRange) string {
	latest := ""
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed != "" && versionBefore(latest, e.Fixed) {
				latest = e.Fixed
			}
		}
		for _, e := range r.Events {
			if e.Introduced != "" && e.Introduced != "0" && versionBefore(latest, e.Introduced) {
				latest = ""
				break
			}
		}
	}
	return latest
}

// versionBefore compares OSV versions, which are semantic versions
// without the "v"; "" ("v", not valid) is before every version.
func versionBefore(a, b string) bool { return semver.Compare("v"+a, "v"+b) < 0 }

func writeJSON(path string, value any) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}
