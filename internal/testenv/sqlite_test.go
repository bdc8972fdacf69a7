package testenv

import (
	"strings"
	"testing"
)

// Subtests of the same name (Go names the second "x#01") each get a
// database of their own: a "#" in the URL would cut its path short.
func TestSQLiteOfRepeatedSubtestsDiffer(t *testing.T) {
	var urls []string
	for range 2 {
		t.Run("x", func(t *testing.T) { urls = append(urls, SQLite(t)) })
	}
	if len(urls) != 2 || urls[0] == urls[1] || strings.ContainsAny(urls[0]+urls[1], "#?") {
		t.Fatalf("SQLite URLs %q, want two different paths without # or ?", urls)
	}
}
