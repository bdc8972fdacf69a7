package store

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Round is one occurrence of a schedule: a walk of a route, or an
// inspection to do, within a window.
type Round struct {
	ID           string
	OrgID        string
	SiteID       string
	ScheduleID   *string
	Kind         string
	RouteID      *string
	TemplateID   *string
	Name         string
	Ordered      bool
	Checkpoints  []byte
	AssigneeID   *string
	SlotAt       time.Time
	WindowStart  time.Time
	WindowEnd    time.Time
	Timezone     string
	Status       string
	Flags        []byte
	ScannedCount int
	TotalCount   int
	JudgedAt     *time.Time
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// InsertRoundIfAbsent inserts row unless its schedule already has a round
// in that slot; it reports whether it inserted.
func (tx *Tx) InsertRoundIfAbsent(row *Round) (bool, error) {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	res := tx.gorm.Table("rounds").Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, translate("store.InsertRoundIfAbsent", res.Error)
}

// Round reads one round of the caller's organisation.
func (tx *Tx) Round(id string) (Round, error) {
	var row Round
	err := tx.scoped("rounds").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Round", err)
}

// RoundFilter narrows ListRounds.
type RoundFilter struct {
	SiteIDs    []string // when not nil, only these sites
	AssigneeOf string   // when set, rounds assigned to this user or to the pool of their sites
	AssigneeID string
	RouteID    string
	Status     string
	From, To   *time.Time // on slot_at
}

func (f RoundFilter) query(tx *Tx) *gorm.DB {
	q := tx.scoped("rounds")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.AssigneeOf != "" {
		q = q.Where("(assignee_id = ? OR assignee_id IS NULL)", f.AssigneeOf)
	}
	if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.RouteID != "" {
		q = q.Where("route_id = ?", f.RouteID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.From != nil {
		q = q.Where("slot_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("slot_at < ?", f.To.UTC())
	}
	return q
}

// ListRounds lists rounds in id order.
func (tx *Tx) ListRounds(f RoundFilter, p Page) ([]Round, string, error) {
	var rows []Round
	if err := p.apply(f.query(tx), "rounds").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListRounds", err)
	}
	rows, next := trim(rows, p, func(r Round) string { return r.ID })
	return rows, next, nil
}

// AllRounds reads up to limit rounds matching f in slot order, for reports.
func (tx *Tx) AllRounds(f RoundFilter, limit int) ([]Round, error) {
	var rows []Round
	err := f.query(tx).Order("slot_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.AllRounds", err)
}

// RoundsToJudge lists scheduled rounds whose window closed before cutoff.
func (tx *Tx) RoundsToJudge(cutoff time.Time, limit int) ([]Round, error) {
	var rows []Round
	err := tx.scoped("rounds").Where("status = 'scheduled' AND window_end <= ?", cutoff).
		Order("window_end, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.RoundsToJudge", err)
}

// UpdateRound writes a round's outcome if it is still at version expected.
func (tx *Tx) UpdateRound(row *Round, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("rounds").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"status": row.Status, "flags": row.Flags, "scanned_count": row.ScannedCount, "judged_at": row.JudgedAt,
		"version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateRound", res.Error, res.RowsAffected)
}

// Scan is one tag read on a round, as the device recorded it.
type Scan struct {
	ID           string
	OrgID        string
	RoundID      string
	CheckpointID *string
	TagCode      string
	ScannedAt    time.Time
	ReceivedAt   time.Time
	Latitude     *float64
	Longitude    *float64
	AccuracyM    *float64   `gorm:"column:accuracy_m"`
	GPSTime      *time.Time `gorm:"column:gps_time"`
	Flags        []byte
	UserID       string
	DeviceID     string
}

// ScansOfRounds reads the scans of rounds in device-time order.
func (tx *Tx) ScansOfRounds(roundIDs []string) ([]Scan, error) {
	var rows []Scan
	err := tx.scoped("scans").Where("round_id IN ?", roundIDs).Order("scanned_at, id").Find(&rows).Error
	return rows, translate("store.ScansOfRounds", err)
}

// ScansByID reads scans by their client ids, and names the ids among ids
// that another organisation uses (see ofOrg).
func (tx *Tx) ScansByID(ids []string) (rows map[string]Scan, taken []string, err error) {
	var found []Scan
	err = tx.gorm.Table("scans").Where("id IN ?", ids).Find(&found).Error
	rows, taken = ofOrg(tx, found, func(r Scan) (string, string) { return r.ID, r.OrgID })
	return rows, taken, translate("store.ScansByID", err)
}

// AddScans appends scans.
func (tx *Tx) AddScans(rows []Scan) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].OrgID, rows[i].ReceivedAt = tx.orgOf(), tx.Now
	}
	return translate("store.AddScans", tx.gorm.Table("scans").Create(&rows).Error)
}

// RoundException is one checkpoint a judged round missed.
type RoundException struct {
	ID           string
	OrgID        string
	RoundID      string
	CheckpointID string
	Kind         string
	CreatedAt    time.Time
}

// AddRoundExceptions records exceptions, ignoring ones already recorded.
func (tx *Tx) AddRoundExceptions(rows []RoundException) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].OrgID, rows[i].CreatedAt = tx.orgOf(), tx.Now
	}
	err := tx.gorm.Table("round_exceptions").Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	return translate("store.AddRoundExceptions", err)
}

// RoundExceptions reads the exceptions of a round.
func (tx *Tx) RoundExceptions(roundID string) ([]RoundException, error) {
	var rows []RoundException
	err := tx.scoped("round_exceptions").Where("round_id = ?", roundID).Order("checkpoint_id").Find(&rows).Error
	return rows, translate("store.RoundExceptions", err)
}

// ExceptionsOfRounds reads the exceptions of several rounds at once, for
// a page of rounds shown with their scans.
func (tx *Tx) ExceptionsOfRounds(roundIDs []string) ([]RoundException, error) {
	var rows []RoundException
	err := tx.scoped("round_exceptions").Where("round_id IN ?", roundIDs).Order("round_id, checkpoint_id").Find(&rows).Error
	return rows, translate("store.ExceptionsOfRounds", err)
}

// ActiveSchedules reads every active schedule of the organisation.
func (tx *Tx) ActiveSchedules() ([]Schedule, error) {
	var rows []Schedule
	err := tx.scoped("schedules").Where("active = ?", true).Order("id").Find(&rows).Error
	return rows, translate("store.ActiveSchedules", err)
}

// SubmittedInspectionsOfRound reads the submitted or approved inspections
// done for a round.
func (tx *Tx) SubmittedInspectionsOfRound(roundID string) ([]Inspection, error) {
	var rows []Inspection
	err := tx.scoped("inspections").Where("round_id = ? AND status IN ('submitted', 'approved')", roundID).Find(&rows).Error
	return rows, translate("store.SubmittedInspectionsOfRound", err)
}

// ActiveUserIDs lists the ids of active users with role, at site when set.
func (tx *Tx) ActiveUserIDs(role, siteID string) ([]string, error) {
	q := tx.scoped("users").Select("users.id").Where("users.role = ? AND users.active = ?", role, true)
	if siteID != "" {
		q = q.Joins("JOIN user_sites ON user_sites.user_id = users.id AND user_sites.site_id = ?", siteID)
	}
	var ids []string
	err := q.Order("users.id").Pluck("users.id", &ids).Error
	return ids, translate("store.ActiveUserIDs", err)
}
