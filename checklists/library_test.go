package checklists

import (
	"encoding/json"
	"testing"
)

func TestLibrary(t *testing.T) {
	templates, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	for index := 1; index < len(templates); index++ {
		if templates[index-1].Key >= templates[index].Key {
			t.Errorf("library not sorted by key: %s before %s", templates[index-1].Key, templates[index].Key)
		}
	}
	for _, template := range templates {
		t.Run(template.Key, func(t *testing.T) {
			t.Parallel()
			input := SampleAnswers(template, true)
			result := Evaluate(template, input)
			if result.Outcome != OutcomePass {
				encoded, _ := json.MarshalIndent(result, "", "  ")
				t.Errorf("all-passing sample: outcome %s, want pass\n%s", result.Outcome, encoded)
			}
			failing := Evaluate(template, SampleAnswers(template, false))
			if len(failing.Errors) > 0 || len(failing.Missing) > 0 {
				t.Errorf("failing sample must still be complete and valid: errors %v, missing %v", failing.Errors, failing.Missing)
			}
		})
	}
}
