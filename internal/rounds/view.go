package rounds

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Round as clients see it, in the API and in pulls. Times are UTC; local
// carries the slot's wall-clock time in the site's zone.
type Round struct {
	ID           string       `json:"id"`
	SiteID       string       `json:"site_id"`
	ScheduleID   *string      `json:"schedule_id"`
	Kind         string       `json:"kind"`
	RouteID      *string      `json:"route_id"`
	TemplateID   *string      `json:"template_id"`
	Name         string       `json:"name"`
	Ordered      bool         `json:"ordered"`
	Checkpoints  []Checkpoint `json:"checkpoints"`
	AssigneeID   *string      `json:"assignee_id"`
	SlotAt       time.Time    `json:"slot_at"`
	Local        string       `json:"local"`
	Timezone     string       `json:"timezone"`
	WindowStart  time.Time    `json:"window_start"`
	WindowEnd    time.Time    `json:"window_end"`
	Status       string       `json:"status"`
	Flags        []string     `json:"flags"`
	ScannedCount int          `json:"scanned_count"`
	TotalCount   int          `json:"total_count"`
	JudgedAt     *time.Time   `json:"judged_at"`
	Version      int64        `json:"version"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Scan as clients see it.
type Scan struct {
	ID           string    `json:"id"`
	RoundID      string    `json:"round_id"`
	CheckpointID *string   `json:"checkpoint_id"`
	TagCode      string    `json:"tag_code"`
	ScannedAt    time.Time `json:"scanned_at"`
	ReceivedAt   time.Time `json:"received_at"`
	Location     *Location `json:"location"`
	Flags        []string  `json:"flags"`
	UserID       string    `json:"user_id"`
}

// Location is where a scan was made, in the API's one location format
// (the same as media and location answers).
type Location struct {
	Lat       float64    `json:"lat"`
	Lng       float64    `json:"lng"`
	AccuracyM *float64   `json:"accuracy_m"`
	GPSTime   *time.Time `json:"gps_time"`
}

// RoundDetail is a round with its scans and the checkpoints it missed.
type RoundDetail struct {
	Round
	Scans      []Scan   `json:"scans"`
	Exceptions []string `json:"missed_checkpoints"`
}

// RoundView renders a stored round.
func RoundView(r store.Round) Round {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return Round{ID: r.ID, SiteID: r.SiteID, ScheduleID: r.ScheduleID, Kind: r.Kind, RouteID: r.RouteID,
		TemplateID: r.TemplateID, Name: r.Name, Ordered: r.Ordered, Checkpoints: checkpointsOf(r.Checkpoints),
		AssigneeID: r.AssigneeID, SlotAt: r.SlotAt.UTC(), Local: r.SlotAt.In(loc).Format(localLayout + "Z07:00"),
		Timezone: r.Timezone, WindowStart: r.WindowStart.UTC(), WindowEnd: r.WindowEnd.UTC(), Status: r.Status,
		Flags: flagsOf(r.Flags), ScannedCount: r.ScannedCount, TotalCount: r.TotalCount, JudgedAt: r.JudgedAt,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// ScanView renders a stored scan.
func ScanView(s store.Scan) Scan {
	return Scan{ID: s.ID, RoundID: s.RoundID, CheckpointID: s.CheckpointID, TagCode: s.TagCode,
		ScannedAt: s.ScannedAt.UTC(), ReceivedAt: s.ReceivedAt.UTC(), Location: locationOf(s), Flags: flagsOf(s.Flags),
		UserID: s.UserID}
}

func locationOf(s store.Scan) *Location {
	if s.Latitude == nil || s.Longitude == nil {
		return nil
	}
	return &Location{Lat: *s.Latitude, Lng: *s.Longitude, AccuracyM: s.AccuracyM, GPSTime: s.GPSTime}
}

func flagsOf(raw []byte) []string {
	out := []string{}
	json.Unmarshal(raw, &out)
	return out
}

// CanSee reports whether the caller may see a round: admins all,
// supervisors their sites', guards theirs and their sites' pool.
func CanSee(p principal.Principal, r store.Round) bool {
	switch p.Role {
	case principal.Admin, principal.Auditor:
		return true
	case principal.Supervisor:
		return slices.Contains(p.SiteIDs, r.SiteID)
	}
	if r.AssigneeID != nil {
		return *r.AssigneeID == p.UserID
	}
	return slices.Contains(p.SiteIDs, r.SiteID)
}

// RecordRound sends a round to its assignee (and the site's supervisors),
// or to everyone at the site when it is the pool's.
func RecordRound(tx *store.Tx, r store.Round) error {
	data, err := marshal("rounds.RecordRound", RoundView(r))
	if err != nil {
		return err
	}
	change := store.Change{EntityType: "round", EntityID: r.ID, Op: "upsert", Version: r.Version,
		Audience: store.AudienceSite, SiteID: &r.SiteID, Data: data}
	if r.AssigneeID != nil {
		change.Audience, change.OwnerID = store.AudienceOwner, r.AssigneeID
	}
	tx.RecordChange(change)
	return nil
}

// Round reads a round the caller may see, with its scans and exceptions.
func (s *Service) Round(ctx context.Context, id string) (RoundDetail, error) {
	const op = "rounds.Round"
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Round(id)
	if err == nil && !CanSee(p, row) {
		err = errs.E(op, errs.NotFound, "not found")
	}
	if err != nil {
		return RoundDetail{}, errs.Wrap(op, err)
	}
	scans, err := tx.ScansOfRounds([]string{id})
	if err != nil {
		return RoundDetail{}, errs.Wrap(op, err)
	}
	exceptions, err := tx.RoundExceptions(id)
	if err != nil {
		return RoundDetail{}, errs.Wrap(op, err)
	}
	d := RoundDetail{Round: RoundView(row), Scans: make([]Scan, len(scans)), Exceptions: []string{}}
	for i, sc := range scans {
		d.Scans[i] = ScanView(sc)
	}
	for _, e := range exceptions {
		d.Exceptions = append(d.Exceptions, e.CheckpointID)
	}
	return d, nil
}
