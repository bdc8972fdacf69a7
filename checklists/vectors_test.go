package checklists

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// vector is one shared test vector: the phone implementations run the same
// files and must reach the same expectations.
type vector struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Template    json.RawMessage   `json:"template"`
	Context     map[string]any    `json:"context"`
	References  map[string]any    `json:"references"`
	InspectorID string            `json:"inspector_id"`
	Answers     map[string]Answer `json:"answers"`
	Expected    expectation       `json:"expected"`
}

// expectation checks only what it names; lists compare exactly, in order.
type expectation struct {
	Visible      map[string]bool    `json:"visible"`
	Required     map[string]bool    `json:"required"`
	Missing      []string           `json:"missing"`
	Failed       []string           `json:"failed"`
	Errors       []string           `json:"errors"`
	Blocked      []string           `json:"blocked"`
	Findings     []string           `json:"findings"`
	Incidents    []string           `json:"incidents"`
	DueDates     map[string]string  `json:"due_dates"`
	Countersigns []string           `json:"countersigns"`
	Sections     map[string]float64 `json:"sections"`
	Score        *float64           `json:"score"`
	Outcome      string             `json:"outcome"`
}

func TestLogicVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/logic/*.json")
	if err != nil || len(files) < 12 {
		t.Fatalf("want at least 12 vectors, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		test := loadVector(t, file)
		t.Run(test.Name, func(t *testing.T) {
			t.Parallel()
			template, err := Parse(test.Template)
			if err != nil {
				t.Fatalf("template: %v", err)
			}
			result := Evaluate(template, Input{Answers: test.Answers, Context: test.Context, References: test.References,
				InspectorID: test.InspectorID})
			test.Expected.check(t, result)
		})
	}
}

func loadVector(t *testing.T, file string) vector {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var test vector
	if err := decoder.Decode(&test); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return test
}

func (expected expectation) check(t *testing.T, result Result) {
	t.Helper()
	defer func() {
		if t.Failed() {
			encoded, _ := json.MarshalIndent(result, "", "  ")
			t.Logf("result: %s", encoded)
		}
	}()
	checkFlags(t, "visible", expected.Visible, result.Visible)
	checkFlags(t, "required", expected.Required, result.Required)
	checkList(t, "missing", expected.Missing, result.Missing)
	checkList(t, "failed", expected.Failed, result.Failed)
	checkList(t, "errors", expected.Errors, errorPaths(result.Errors))
	checkList(t, "blocked", expected.Blocked, result.Blocked)
	checkList(t, "findings", expected.Findings, findingPaths(result.Findings))
	checkList(t, "incidents", expected.Incidents, incidentPaths(result.Incidents))
	for path, want := range expected.DueDates {
		got := "(no finding)"
		for _, f := range result.Findings {
			if f.Path == path {
				got = f.DueDate
			}
		}
		if got != want {
			t.Errorf("due_date of %s = %q, want %q", path, got, want)
		}
	}
	checkList(t, "countersigns", expected.Countersigns, countersignPaths(result.Countersigns))
	for _, section := range result.Sections {
		if want, ok := expected.Sections[section.Key]; ok && math.Abs(want-section.Percent) > 0.005 {
			t.Errorf("section %s percent = %v, want %v", section.Key, section.Percent, want)
		}
	}
	if expected.Score != nil && math.Abs(*expected.Score-result.Score) > 0.005 {
		t.Errorf("score = %v, want %v", result.Score, *expected.Score)
	}
	if expected.Outcome != "" && expected.Outcome != result.Outcome {
		t.Errorf("outcome = %s, want %s", result.Outcome, expected.Outcome)
	}
}

func checkFlags(t *testing.T, name string, want, got map[string]bool) {
	t.Helper()
	for path, flag := range want {
		if actual, ok := got[path]; !ok || actual != flag {
			t.Errorf("%s[%s] = %v (present %v), want %v", name, path, actual, ok, flag)
		}
	}
}

func checkList(t *testing.T, name string, want, got []string) {
	t.Helper()
	if want != nil && !slices.Equal(want, got) {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func errorPaths(errors []FieldError) []string {
	paths := []string{}
	for _, fieldError := range errors {
		paths = append(paths, fieldError.Path)
	}
	return paths
}

func findingPaths(findings []Finding) []string {
	paths := []string{}
	for _, finding := range findings {
		paths = append(paths, finding.Path)
	}
	return paths
}

func countersignPaths(countersigns []CountersignCheck) []string {
	paths := []string{}
	for _, countersign := range countersigns {
		paths = append(paths, countersign.Path)
	}
	return paths
}

func incidentPaths(incidents []RaisedIncident) []string {
	paths := []string{}
	for _, raised := range incidents {
		paths = append(paths, raised.Path)
	}
	return paths
}
