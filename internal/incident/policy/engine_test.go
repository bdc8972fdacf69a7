package policy_test

import (
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
)

// The engine checks a template's incident rules against its own copy of
// the categories and levels (checklists stays dependency-free): they must
// stay the incident domain's.
func TestEngineKnowsTheCategoriesAndLevels(t *testing.T) {
	if !slices.Equal(checklists.IncidentCategories, policy.Categories) {
		t.Errorf("checklists.IncidentCategories = %v, want policy.Categories %v", checklists.IncidentCategories, policy.Categories)
	}
	if !slices.Equal(checklists.IncidentLevels, policy.Levels) {
		t.Errorf("checklists.IncidentLevels = %v, want policy.Levels %v", checklists.IncidentLevels, policy.Levels)
	}
}
