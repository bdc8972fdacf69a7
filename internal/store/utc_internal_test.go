package store

import (
	"database/sql"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"
)

// inUTC puts every form of time the store binds in UTC, leaves the rest,
// and never writes to the caller's slice.
func TestInUTCPutsEveryBoundTimeInUTC(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	local := time.Date(2026, 12, 7, 0, 0, 0, 123456000, shanghai)
	utc := local.UTC()
	var nilTime *time.Time
	var nilNull *sql.NullTime
	for _, c := range []struct {
		name string
		arg  any
		want any
	}{
		{"a time", local, utc},
		{"a pointer to a time", &local, utc},
		{"a nil pointer to a time", nilTime, nilTime},
		{"a nullable time", sql.NullTime{Time: local, Valid: true}, sql.NullTime{Time: utc, Valid: true}},
		{"a null time", sql.NullTime{}, sql.NullTime{Time: time.Time{}.UTC()}},
		{"a pointer to a nullable time", &sql.NullTime{Time: local, Valid: true}, sql.NullTime{Time: utc, Valid: true}},
		{"a nil pointer to a nullable time", nilNull, nilNull},
		{"gorm's deleted-at", gorm.DeletedAt{Time: local, Valid: true}, gorm.DeletedAt{Time: utc, Valid: true}},
		{"a time already in UTC", utc, utc},
		{"text that reads like a time", "2026-12-07 00:00:00+08:00", "2026-12-07 00:00:00+08:00"},
		{"a number", int64(7), int64(7)},
		{"bytes", []byte("x"), []byte("x")},
		{"nil", nil, nil},
	} {
		args := []any{"before", c.arg, "after"}
		kept := append([]any(nil), args...)
		got := inUTC(args)
		if !reflect.DeepEqual(got, []any{"before", c.want, "after"}) {
			t.Errorf("%s: inUTC gave %#v, want %#v", c.name, got[1], c.want)
		}
		if tm, ok := got[1].(time.Time); ok && tm.Location() != time.UTC {
			t.Errorf("%s: %v is not in UTC", c.name, tm)
		}
		if !reflect.DeepEqual(args, kept) {
			t.Errorf("%s: inUTC changed the caller's arguments to %#v", c.name, args)
		}
	}
}
