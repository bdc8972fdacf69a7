// Package errs is the one error type every domain package returns. It
// classifies failures by Kind so that only api/ decides HTTP statuses, in one
// table. It must never import anything above the standard library.
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kind is the class of a failure; api/ maps each kind to one HTTP status.
type Kind uint8

const (
	Internal        Kind = iota // a bug or an unexpected fault: 500, no detail shown
	Malformed                   // the request could not be parsed: 400
	Invalid                     // parsed, but fields break rules: 422 with Fields
	Unauthenticated             // no or bad credentials: 401
	Forbidden                   // authenticated, role too weak: 403
	NotFound                    // absent, or another tenant's: 404
	Conflict                    // clashes with the current state: 409
	Stale                       // a precondition (version, If-Match) no longer holds: 412
	Gone                        // a cursor or resource expired: 410
	TooLarge                    // body, batch or file over a limit: 413
	RateLimited                 // throttled: 429
	Unavailable                 // a dependency is down, retry later: 503
)

var kindNames = [...]string{"internal", "malformed", "invalid", "unauthenticated", "forbidden",
	"not_found", "conflict", "stale", "gone", "too_large", "rate_limited", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is a classified failure. Detail and Fields are safe to show to
// clients; Err is the cause, for logs only.
type Error struct {
	Op     string            // the operation, e.g. "syncer.Push"
	Kind   Kind              // the class
	Detail string            // a sentence safe for clients
	Fields map[string]string // JSON pointer -> what is wrong, for Invalid
	Err    error             // the cause; logged, never shown
	// RetryAfter tells a throttled or unavailable client when to come back.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " [%s: %s]", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error. Arguments are read by type: string is the Detail,
// Kind is the Kind, error is the cause, map[string]string are Fields,
// time.Duration is RetryAfter.
// The op is always first.
func E(op string, args ...any) *Error {
	e := &Error{Op: op}
	for _, a := range args {
		switch v := a.(type) {
		case Kind:
			e.Kind = v
		case string:
			e.Detail = v
		case map[string]string:
			e.Fields = v
		case time.Duration:
			e.RetryAfter = v
		case error:
			e.Err = v
		case nil:
		default:
			panic(fmt.Sprintf("errs.E: unexpected argument %T", a))
		}
	}
	// A cause that is already classified lends its kind, detail and fields.
	var inner *Error
	if e.Err != nil && errors.As(e.Err, &inner) {
		if e.Kind == Internal {
			e.Kind = inner.Kind
		}
		if e.Detail == "" {
			e.Detail = inner.Detail
		}
		if e.Fields == nil {
			e.Fields = inner.Fields
		}
		if e.RetryAfter == 0 {
			e.RetryAfter = inner.RetryAfter
		}
	}
	return e
}

// Fields builds an Invalid error listing every field problem at once.
func Fields(op string, fields map[string]string) *Error {
	return &Error{Op: op, Kind: Invalid, Detail: "some fields are invalid", Fields: fields}
}

// KindOf reports the kind of err: the outermost classified Error decides,
// Internal when none is classified.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is classified as kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Wrap adds op to a non-nil err, keeping its classification; nil stays nil.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return E(op, err)
}
