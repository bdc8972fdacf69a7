package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Times written and compared in different zones compare as instants on
// both dialects. SQLite keeps a time as text with its offset and compares
// the text; before the store bound every time in UTC, a Shanghai site's
// week (bounds at local midnight, +08:00) left out what happened in its
// first eight hours and took in eight hours after its end.
func TestTimesCompareAsInstantsInAnyZone(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	newYork := time.FixedZone("EST", -5*3600)
	weekStart := time.Date(2026, 12, 7, 0, 0, 0, 0, shanghai) // Monday, 2026-12-06 16:00 UTC
	weekEnd := weekStart.AddDate(0, 0, 7)
	occurred := []struct {
		at     time.Time
		inWeek bool
	}{
		{weekStart.Add(-time.Minute), false},                  // written in +08:00, a minute before
		{weekStart.Add(-time.Minute).UTC(), false},            // the same instant in UTC
		{weekStart.UTC(), true},                               // the first instant, in UTC
		{weekStart.Add(30 * time.Minute).In(newYork), true},   // 11:30 the day before in New York
		{weekStart.Add(7 * time.Hour).UTC(), true},            // the first eight hours, in UTC
		{weekEnd.Add(-time.Minute).In(newYork), true},         // the last minute, in -05:00
		{weekEnd.Add(-time.Minute).UTC(), true},               // the last minute, in UTC
		{weekEnd, false},                                      // the end, in +08:00
		{weekEnd.Add(7 * time.Hour).UTC(), false},             // eight hours after the end, in UTC
		{weekEnd.Add(-9 * time.Hour).In(newYork), true},       // before the end, behind UTC
		{weekStart.Add(-9 * time.Hour).In(shanghai), false},   // before the start
		{weekStart.Add(-9 * time.Hour).In(newYork), false},    // the same, in -05:00
		{weekStart.Add(time.Microsecond).In(newYork), true},   // a microsecond in
		{weekStart.Add(-time.Microsecond).In(newYork), false}, // a microsecond before
	}
	testenv.Each(t, func(t *testing.T, url string) {
		db := open(t, url)
		ctx := mustOrg(t, db, "zones")
		site := store.Site{ID: newID(), Code: "SH", Name: "Shanghai branch", Timezone: "Asia/Shanghai", Active: true}
		guard := store.User{ID: newID(), Email: "guard@zones.test", Name: "Guard", Role: "guard", Active: true}
		want := int64(0)
		ids := make([]string, len(occurred))
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSite(&site); err != nil {
				return err
			}
			if err := tx.CreateUser(&guard); err != nil {
				return err
			}
			for i, o := range occurred {
				ids[i] = newID()
				if o.inWeek {
					want++
				}
				in := store.Incident{ID: ids[i], SiteID: site.ID, ReporterID: guard.ID, Type: "intrusion", Level: "general",
					Category: "other", Place: "gate", OccurredAt: o.at, ReceivedAt: o.at, AckDueAt: o.at.Add(time.Hour), Status: "reported",
					Version: 1, Media: []byte("[]"), Answers: []byte("{}"), Witnesses: []byte("[]"), CCTV: []byte("[]")}
				if err := tx.CreateIncident(&in); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, bounds := range [][2]time.Time{
			{weekStart, weekEnd},
			{weekStart.UTC(), weekEnd.UTC()},
			{weekStart.In(newYork), weekEnd.In(newYork)},
		} {
			f, err := db.Read(ctx).PeriodFigures(site.ID, bounds[0], bounds[1], weekEnd)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.IncidentsByLevel["general"]; got != want {
				t.Errorf("week [%s, %s): %d incidents, want %d", bounds[0], bounds[1], got, want)
			}
		}
		for i, o := range occurred {
			got, err := db.Read(ctx).Incident(ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if !got.OccurredAt.Equal(o.at) {
				t.Errorf("incident %d occurred at %s, read back %s", i, o.at, got.OccurredAt)
			}
		}
	})
}

// Migration 00384 rewrites the SQLite times written before the store bound
// them in UTC: the same instant, in UTC, to the same fraction of a second;
// values that are UTC already, carry no offset or are not times stay.
func TestSQLiteTimesMigrateToUTC(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.EmptySQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 383); err != nil {
		t.Fatal(err)
	}
	written := []struct{ window, locked, wantWindow, wantLocked string }{
		{"2026-12-07 00:00:00.123456+08:00", "2026-12-07 00:00:00+08:00", "2026-12-06 16:00:00.123456+00:00", "2026-12-06 16:00:00+00:00"},
		{"2026-12-06 11:00:00.5-05:00", "2026-12-06 11:00:00-05:00", "2026-12-06 16:00:00.5+00:00", "2026-12-06 16:00:00+00:00"},
		{"2026-12-06 16:00:00.000001+00:00", "", "2026-12-06 16:00:00.000001+00:00", ""},
		{"2026-12-06 16:00:00", "", "2026-12-06 16:00:00", ""},
		{"not a time+08:00", "", "not a time+08:00", ""},
	}
	for i, w := range written {
		var locked any
		if w.locked != "" {
			locked = w.locked
		}
		if _, err := db.SQL().ExecContext(ctx, "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES (?, 1, ?, ?)",
			fmt.Sprint(i), w.window, locked); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Migrate(ctx, quiet); err != nil {
		t.Fatal(err)
	}
	for i, w := range written {
		var window string
		var locked sql.NullString
		// Concatenated, the values come back as the stored text, not parsed.
		err := db.SQL().QueryRowContext(ctx, "SELECT window_start || '', locked_until || '' FROM login_throttle WHERE key = ?", fmt.Sprint(i)).
			Scan(&window, &locked)
		if err != nil {
			t.Fatal(err)
		}
		if window != w.wantWindow || locked.String != w.wantLocked {
			t.Errorf("(%q, %q) became (%q, %q), want (%q, %q)", w.window, w.locked, window, locked.String, w.wantWindow, w.wantLocked)
		}
	}
}
