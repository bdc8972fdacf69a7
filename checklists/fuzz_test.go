package checklists

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and what it
// accepts must evaluate and digest.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/logic/*.json")
	for _, file := range files[:min(len(files), 8)] {
		var test struct{ Template json.RawMessage }
		data, _ := os.ReadFile(file)
		if json.Unmarshal(data, &test) == nil {
			f.Add([]byte(test.Template))
		}
	}
	f.Add([]byte(`{"key":"abc","title":{"zh-CN":"题","en":"T"},"sections":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		template, err := Parse(data)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("Parse returned a non-validation error: %v", err)
			}
			return
		}
		if err := Validate(template); err != nil {
			t.Fatalf("Parse accepted what Validate rejects: %v", err)
		}
		if len(Digest(template)) != 64 {
			t.Fatal("digest is not sha256 hex")
		}
		checkInvariants(t, template, Evaluate(template, Input{}))
	})
}

// FuzzEvaluate feeds arbitrary answers to a fixed template that uses every
// item type: Evaluate must never panic and its result must be coherent.
func FuzzEvaluate(f *testing.F) {
	data, err := os.ReadFile("testdata/evaluate_fuzz_template.json")
	if err != nil {
		f.Fatal(err)
	}
	template := mustParse(f, string(data))
	for _, pass := range []bool{true, false} {
		answers, _ := json.Marshal(SampleAnswers(template, pass).Answers)
		f.Add(answers, "0193a1b2-0000-7000-8000-000000000100", 100.0)
	}
	f.Add([]byte(`{"alarm_on":{"value":"no"},"boxes":{"repeats":[{"sealed":{"value":"no"},"seal_no":{"value":"x"}}]}}`), "", 0.0)
	f.Fuzz(func(t *testing.T, answersJSON []byte, inspectorID string, systemCash float64) {
		var answers map[string]Answer
		if json.Unmarshal(answersJSON, &answers) != nil {
			return
		}
		input := Input{Answers: answers, InspectorID: inspectorID,
			Context: map[string]any{"system_cash": systemCash, "checkpoint_tag": "T-1"}}
		result := Evaluate(template, input)
		checkInvariants(t, template, result)
		first, _ := json.Marshal(result)
		second, _ := json.Marshal(Evaluate(template, input))
		if !bytes.Equal(first, second) {
			t.Fatal("Evaluate is not deterministic")
		}
	})
}

// checkInvariants holds for every result, whatever the answers.
func checkInvariants(t *testing.T, template *Template, result Result) {
	t.Helper()
	if result.Score < 0 || result.Score > 100 {
		t.Fatalf("score %v outside 0..100", result.Score)
	}
	for _, section := range result.Sections {
		if section.Percent < 0 || section.Percent > 100 || section.Earned > section.Possible+1e-9 {
			t.Fatalf("section %s out of range: %+v", section.Key, section)
		}
	}
	if !slices.Contains([]string{OutcomePass, OutcomeFail, OutcomeIncomplete}, result.Outcome) {
		t.Fatalf("unknown outcome %q", result.Outcome)
	}
	complete := len(result.Missing) == 0 && len(result.Errors) == 0
	if complete == (result.Outcome == OutcomeIncomplete) {
		t.Fatalf("outcome %s with %d missing and %d errors", result.Outcome, len(result.Missing), len(result.Errors))
	}
	if result.Outcome == OutcomePass && (len(result.CriticalFailed) > 0 || result.Score < template.PassThreshold) {
		t.Fatalf("pass despite critical failures %v or score %v", result.CriticalFailed, result.Score)
	}
	for _, path := range result.Missing {
		if !result.Visible[path] || !result.Required[path] {
			t.Fatalf("missing %s is not visible and required", path)
		}
	}
	for _, path := range result.Failed {
		if !result.Visible[path] {
			t.Fatalf("failed %s is not visible", path)
		}
	}
}
