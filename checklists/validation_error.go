package checklists

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a template, located by a JSON pointer into
// the template document ("/sections/0/items/3/options/1/value").
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in a template at once, so that a
// template author fixes them in one pass. The API layer translates it into
// its own invalid-input error; this package may not import that one.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

func (e *ValidationError) Error() string {
	var builder strings.Builder
	fmt.Fprintf(&builder, "invalid template: %d problem(s)", len(e.Problems))
	for _, problem := range e.Problems {
		fmt.Fprintf(&builder, "; %s: %s", displayPath(problem.Path), problem.Message)
	}
	return builder.String()
}

func displayPath(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

// pointerToken escapes one JSON pointer token (RFC 6901).
func pointerToken(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}
