// Package input checks the plain values clients send: ids and times. It
// exists so that every package reads them by one rule; it knows nothing of
// what the values are for, and never touches storage.
package input

import (
	"time"

	"github.com/google/uuid"
)

// IsUUID reports whether s is a UUID in its canonical 36-character form
// (uuid.Parse alone also takes braces, urn: prefixes and bare hex).
func IsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// ParseTime reads an RFC 3339 time, in UTC; nil when s is empty or not
// such a time.
func ParseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
