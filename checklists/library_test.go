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

// Every standard template's current digest is its last release, and every
// release belongs to a template of the library: an edit to a library file
// must append its digest to library/releases.txt, or organisations could
// never be upgraded to it.
func TestLibraryReleases(t *testing.T) {
	t.Parallel()
	templates, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	releases, err := LibraryReleases()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, template := range templates {
		keys[template.Key] = true
		digests, digest := releases[template.Key], Digest(template)
		if len(digests) == 0 || digests[len(digests)-1] != digest {
			t.Errorf("library/releases.txt: append the line %q (the current %s)", template.Key+" "+digest, template.Key)
		}
		seen := map[string]bool{}
		for _, d := range digests {
			if seen[d] {
				t.Errorf("%s: release %s listed twice", template.Key, d)
			}
			seen[d] = true
		}
	}
	for key := range releases {
		if !keys[key] {
			t.Errorf("library/releases.txt names %s, which the library has not", key)
		}
	}
}
