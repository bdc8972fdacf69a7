package rounds

import (
	"strings"
	"testing"
	"time"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(value string) time.Time {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		panic(err)
	}
	return t
}

// Slots are wall-clock times in the site's zone: a 22:00 patrol in
// Shanghai is 14:00 UTC every day, and a 09:00 or 08:00 patrol keeps its
// local time across daylight-saving changes, so its UTC time moves.
func TestOccurrences(t *testing.T) {
	cases := []struct {
		name, zone, rule, dtstart string
		from, to                  string
		limit                     int
		want                      []string
	}{
		{"Shanghai nightly, no DST", "Asia/Shanghai", "FREQ=DAILY", "2026-12-01T22:00:00",
			"2026-12-01T00:00:00Z", "2026-12-03T23:59:59Z", 10,
			[]string{"2026-12-01T14:00:00Z", "2026-12-02T14:00:00Z", "2026-12-03T14:00:00Z"}},
		{"Shanghai around midnight UTC", "Asia/Shanghai", "FREQ=DAILY;BYHOUR=7,23", "2026-06-30T07:00:00",
			"2026-06-30T00:00:00Z", "2026-07-01T00:00:00Z", 10,
			[]string{"2026-06-30T15:00:00Z", "2026-06-30T23:00:00Z"}},
		{"New York spring forward", "America/New_York", "FREQ=DAILY", "2026-03-07T09:00:00",
			"2026-03-07T00:00:00Z", "2026-03-09T23:59:59Z", 10,
			[]string{"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"}},
		{"Berlin fall back", "Europe/Berlin", "FREQ=DAILY", "2026-10-24T08:00:00",
			"2026-10-24T00:00:00Z", "2026-10-26T23:59:59Z", 10,
			[]string{"2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z", "2026-10-26T07:00:00Z"}},
		{"weekdays", "Asia/Shanghai", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "2026-11-30T08:30:00",
			"2026-11-30T00:00:00Z", "2026-12-07T23:59:59Z", 10,
			[]string{"2026-11-30T00:30:00Z", "2026-12-02T00:30:00Z", "2026-12-04T00:30:00Z", "2026-12-07T00:30:00Z"}},
		{"every four hours, window cuts", "Asia/Shanghai", "FREQ=HOURLY;INTERVAL=4", "2026-12-01T00:00:00",
			"2026-12-01T00:00:00Z", "2026-12-01T08:00:00Z", 10,
			[]string{"2026-12-01T00:00:00Z", "2026-12-01T04:00:00Z", "2026-12-01T08:00:00Z"}},
		{"limit", "Asia/Shanghai", "FREQ=DAILY", "2026-12-01T22:00:00",
			"2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z", 2,
			[]string{"2026-12-01T14:00:00Z", "2026-12-02T14:00:00Z"}},
		{"COUNT ends it", "Asia/Shanghai", "FREQ=DAILY;COUNT=2", "2026-12-01T22:00:00",
			"2026-12-01T00:00:00Z", "2026-12-10T00:00:00Z", 10,
			[]string{"2026-12-01T14:00:00Z", "2026-12-02T14:00:00Z"}},
		{"nothing before dtstart", "Asia/Shanghai", "FREQ=DAILY", "2026-12-05T22:00:00",
			"2026-12-01T00:00:00Z", "2026-12-04T00:00:00Z", 10, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, problems := recurrence(c.rule, c.dtstart, zone(t, c.zone))
			if len(problems) > 0 {
				t.Fatalf("recurrence: %v", problems)
			}
			var got []string
			for _, slot := range occurrences(r, utc(c.from), utc(c.to), c.limit) {
				if slot.Location() != time.UTC {
					t.Fatalf("slot %v is not in UTC", slot)
				}
				got = append(got, slot.Format(time.RFC3339))
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Fatalf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

// Rules the server cannot run are refused with the field to fix.
func TestRecurrenceRefusals(t *testing.T) {
	shanghai := zone(t, "Asia/Shanghai")
	cases := []struct{ rule, dtstart, field string }{
		{"", "2026-12-01T22:00:00", "/rrule"},
		{"DTSTART:20261201T220000\nRRULE:FREQ=DAILY", "2026-12-01T22:00:00", "/rrule"},
		{"FREQ=DAILY;TZID=Asia/Shanghai", "2026-12-01T22:00:00", "/rrule"},
		{"FREQ=MINUTELY", "2026-12-01T22:00:00", "/rrule"},
		{"FREQ=SECONDLY", "2026-12-01T22:00:00", "/rrule"},
		{"FREQ=FORTNIGHTLY", "2026-12-01T22:00:00", "/rrule"},
		{"FREQ=DAILY", "2026-12-01 22:00", "/dtstart"},
		{"FREQ=DAILY", "2026-12-01T22:00:00+08:00", "/dtstart"},
		// Expansion walks from dtstart, and a rule with no slot would be
		// searched hour by hour to the year 9999: both used to hang.
		{"FREQ=HOURLY", "1900-01-01T00:00:00", "/dtstart"},
		{"FREQ=DAILY", "2200-01-01T00:00:00", "/dtstart"},
		{"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "2026-01-01T00:00:00", "/rrule"},
		{"FREQ=DAILY;UNTIL=20250101T000000Z", "2026-01-01T00:00:00", "/rrule"},
	}
	for _, c := range cases {
		r, problems := recurrence(c.rule, c.dtstart, shanghai)
		if r != nil || problems[c.field] == "" {
			t.Errorf("recurrence(%q, %q) = %v, %v; want a problem at %s", c.rule, c.dtstart, r, problems, c.field)
		}
	}
	if r, problems := recurrence("RRULE:FREQ=DAILY;BYHOUR=22", "2026-12-01T22:00:00", shanghai); r == nil || len(problems) > 0 {
		t.Errorf("an RRULE: prefix is allowed: %v", problems)
	}
	// A rare rule is still a rule: 29 February, and ISO week 53.
	for _, rule := range []string{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO"} {
		if _, problems := recurrence(rule, "2025-03-01T09:00:00", shanghai); len(problems) > 0 {
			t.Errorf("%s refused: %v", rule, problems)
		}
	}
}

// Whatever a schedule's rule and start, parsing never panics, and the
// slots of an accepted rule are in UTC, in order, inside the window and
// within the limit.
func FuzzRecurrence(f *testing.F) {
	for _, seed := range [][2]string{
		{"FREQ=DAILY", "2026-12-01T22:00:00"},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=8,20", "2026-03-08T02:30:00"},
		{"FREQ=MONTHLY;BYMONTHDAY=31", "2026-01-31T09:00:00"},
		{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2024-02-29T23:59:59"},
		{"FREQ=HOURLY;INTERVAL=3;COUNT=5", "2026-10-25T01:00:00"},
		{"FREQ=DAILY;UNTIL=20261203T000000Z", "2026-12-01T22:00:00"},
		{"FREQ=daily;;", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	loc := zone(f, "Europe/Berlin")
	from, to := utc("2026-01-01T00:00:00Z"), utc("2026-02-01T00:00:00Z")
	f.Fuzz(func(t *testing.T, rule, dtstart string) {
		r, problems := recurrence(rule, dtstart, loc)
		if r == nil {
			if len(problems) == 0 {
				t.Fatal("refused without saying why")
			}
			return
		}
		slots := occurrences(r, from, to, 50)
		if len(slots) > 50 {
			t.Fatalf("%d slots over the limit", len(slots))
		}
		for i, slot := range slots {
			if slot.Location() != time.UTC || slot.Before(from) || slot.After(to) || (i > 0 && !slot.After(slots[i-1])) {
				t.Fatalf("slot %d %v out of order or window: %v", i, slot, slots)
			}
		}
	})
}
