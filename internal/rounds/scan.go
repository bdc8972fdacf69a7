package rounds

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/patrolsync/patrolsync/internal/store"
)

// Scan flags. A flagged scan is still stored and shown; only a scan within
// the window (plus grace) at the right checkpoint counts it as done.
const (
	FlagWrongTag       = "wrong_tag"       // the tag is not a checkpoint of the round's route
	FlagOutOfOrder     = "out_of_order"    // an earlier checkpoint of an ordered route was not scanned yet
	FlagEarly          = "early"           // before the window opened
	FlagLate           = "late"            // after the window closed
	FlagOutsideWindow  = "outside_window"  // early, or later than the grace allows
	FlagClockSkew      = "clock_skew"      // the device clock disagrees with the server's or GPS time beyond the skew
	FlagOutOfRange     = "out_of_range"    // farther from the checkpoint than its radius (plus accuracy)
	FlagRepeat         = "repeat"          // the checkpoint was already scanned on this round
	FlagAfterJudgement = "after_judgement" // arrived after the round was judged
)

// ScanInput is what a device reports about one tag read.
type ScanInput struct {
	TagCode      string
	CheckpointID string // optional: the checkpoint the device thinks it is at
	ScannedAt    time.Time
	ReceivedAt   time.Time
	Latitude     *float64
	Longitude    *float64
	AccuracyM    *float64
	GPSTime      *time.Time
}

// EvaluateScan finds the checkpoint a scan is at and its flags, given the
// round and its earlier scans. Device time decides the order and the
// window, because an offline device delivers late; the server's receive
// time and the GPS time only serve to catch a wrong device clock.
func EvaluateScan(r store.Round, earlier []store.Scan, in ScanInput, cfg Config) (*Checkpoint, []string) {
	var flags []string
	checkpoints := checkpointsOf(r.Checkpoints)
	index := -1
	for i, c := range checkpoints {
		if c.TagCode == in.TagCode {
			index = i
		}
	}
	if index < 0 || (in.CheckpointID != "" && checkpoints[index].ID != in.CheckpointID) {
		flags = append(flags, FlagWrongTag)
	}
	if in.ScannedAt.Before(r.WindowStart) {
		flags = append(flags, FlagEarly, FlagOutsideWindow)
	} else if in.ScannedAt.After(r.WindowEnd) {
		flags = append(flags, FlagLate)
		if in.ScannedAt.After(r.WindowEnd.Add(cfg.Grace)) {
			flags = append(flags, FlagOutsideWindow)
		}
	}
	if in.ScannedAt.After(in.ReceivedAt.Add(cfg.Skew)) ||
		(in.GPSTime != nil && absolute(in.ScannedAt.Sub(*in.GPSTime)) > cfg.Skew) {
		flags = append(flags, FlagClockSkew)
	}
	if r.Status != Scheduled {
		flags = append(flags, FlagAfterJudgement)
	}
	if index < 0 || slices.Contains(flags, FlagWrongTag) {
		return nil, flags
	}
	checkpoint := checkpoints[index]
	done := doneBefore(earlier, r.WindowStart, in.ScannedAt)
	if done[checkpoint.ID] {
		flags = append(flags, FlagRepeat)
	}
	if r.Ordered {
		for _, c := range checkpoints[:index] {
			if !done[c.ID] {
				flags = append(flags, FlagOutOfOrder)
				break
			}
		}
	}
	if tooFar(checkpoint, in) {
		flags = append(flags, FlagOutOfRange)
	}
	return &checkpoint, flags
}

// doneBefore is the set of checkpoints scanned since the window opened and
// before t (an early scan does not count as having been there).
func doneBefore(scans []store.Scan, opened, t time.Time) map[string]bool {
	done := map[string]bool{}
	for _, s := range scans {
		if s.CheckpointID != nil && !s.ScannedAt.Before(opened) && !s.ScannedAt.After(t) {
			done[*s.CheckpointID] = true
		}
	}
	return done
}

func tooFar(c Checkpoint, in ScanInput) bool {
	if c.Latitude == nil || c.RadiusM == nil || in.Latitude == nil || in.Longitude == nil {
		return false
	}
	allowed := *c.RadiusM
	if in.AccuracyM != nil {
		allowed += *in.AccuracyM
	}
	return distanceM(*c.Latitude, *c.Longitude, *in.Latitude, *in.Longitude) > allowed
}

// distanceM is the haversine distance in metres.
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earth * math.Asin(math.Sqrt(a))
}

func absolute(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// SortScans orders scans by device time, as judgement reads them.
func SortScans(scans []store.Scan) {
	sort.SliceStable(scans, func(i, j int) bool { return scans[i].ScannedAt.Before(scans[j].ScannedAt) })
}
