package syncer

import (
	"slices"
	"testing"
	"time"
)

// zonesAtTheEnds are time zones at and between the ends of the offsets in
// use (UTC-12 to UTC+14), with the odd quarters and halves.
var zonesAtTheEnds = []string{"Etc/GMT+12", "Pacific/Pago_Pago", "America/St_Johns", "UTC", "Asia/Shanghai",
	"Asia/Kathmandu", "Australia/Eucla", "Pacific/Chatham", "Pacific/Kiritimati"}

// A site's local day at any instant is one of the days read ahead for
// that instant (daysAround), whatever the site's time zone: the read-ahead
// reference data holds the day references() asks for.
func TestTheSitesDayIsAmongTheDaysAround(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2028, 2, 29, 10, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), // a daylight-saving change in Europe
		time.Date(2026, 12, 6, 9, 45, 0, 0, time.FixedZone("server", 8*3600)),
	} {
		checkDaysAround(t, at)
	}
}

func FuzzTheSitesDayIsAmongTheDaysAround(f *testing.F) {
	f.Add(int64(1796515200), int64(0))
	f.Add(int64(0), int64(86399))
	f.Fuzz(func(t *testing.T, seconds, nanos int64) {
		if seconds < -1e11 || seconds > 1e11 { // years -1200 to 5100
			return
		}
		checkDaysAround(t, time.Unix(seconds, nanos%1e9))
	})
}

func checkDaysAround(t *testing.T, at time.Time) {
	t.Helper()
	days := daysAround(at)
	for _, name := range zonesAtTheEnds {
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if local := at.In(zone).Format(time.DateOnly); !slices.Contains(days, local) {
			t.Fatalf("at %s the day in %s is %s, not among %v", at.UTC().Format(time.RFC3339Nano), name, local, days)
		}
	}
}
