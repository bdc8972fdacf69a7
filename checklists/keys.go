package checklists

import (
	"maps"
	"slices"
)

// sortedKeys returns a map's keys in order, so that problems and errors come
// out in the same order on every run.
func sortedKeys[Value any](values map[string]Value) []string {
	return slices.Sorted(maps.Keys(values))
}
