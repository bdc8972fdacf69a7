package main

import "testing"

// TestActivityStatement: the sampler's remembered reading of a statement
// is shortQuery's and isBackground's, the first time and again.
func TestActivityStatement(t *testing.T) {
	t.Parallel()
	a := &activitySampler{}
	for _, query := range []string{
		"SELECT * FROM inspections WHERE id = $1 AND org_id = $2",
		"INSERT INTO media (id, org_id)\n    VALUES ($1, $2), ($3, $4)",
		`ANALYZE "media" (created_at, id)`,
		"  vacuum analyze changes",
		"",
		"SELECT " + string(make([]byte, 200)),
	} {
		want := statement{short: shortQuery(query), background: isBackground(query)}
		for round := range 2 {
			if got := a.statement(query); got != want {
				t.Errorf("round %d, %q: %+v, want %+v", round, query, got, want)
			}
		}
	}
	if len(a.seen) != 6 {
		t.Errorf("%d statements remembered, want 6", len(a.seen))
	}
}
