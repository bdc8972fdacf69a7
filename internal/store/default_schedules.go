package store

import "time"

// DefaultSchedule is an organisation's stored day-one schedule for a
// standard checklist: disabled and site-less until an administrator
// chooses a site, then tied to the schedule made there.
type DefaultSchedule struct {
	ID               string
	OrgID            string
	StandardKey      string
	TemplateID       *string
	RRule            string `gorm:"column:rrule"`
	StartTime        string
	ToleranceSeconds int64
	SiteID           *string
	ScheduleID       *string
	Enabled          bool
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// AddDefaultSchedule stores a default schedule in the caller's
// organisation; a second waiting default of the same standard, or a
// second row of one standard at one site, is a Conflict.
func (tx *Tx) AddDefaultSchedule(row *DefaultSchedule) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.AddDefaultSchedule", tx.gorm.Table("default_schedules").Create(row).Error)
}

// DefaultSchedules lists the organisation's default schedules by
// standard, the waiting one of each first, then by site.
func (tx *Tx) DefaultSchedules() ([]DefaultSchedule, error) {
	var rows []DefaultSchedule
	err := tx.scoped("default_schedules").Order("standard_key, site_id IS NOT NULL, created_at, id").Find(&rows).Error
	return rows, translate("store.DefaultSchedules", err)
}

// EnableDefaultSchedule gives a waiting default its site and schedule if
// it is still waiting at version expected (Stale otherwise).
func (tx *Tx) EnableDefaultSchedule(row *DefaultSchedule, expected int64) error {
	row.UpdatedAt, row.Version, row.Enabled = tx.Now, expected+1, true
	res := tx.scoped("default_schedules").Where("id = ? AND version = ? AND site_id IS NULL", row.ID, expected).
		Updates(map[string]any{"site_id": row.SiteID, "schedule_id": row.ScheduleID, "enabled": true,
			"version": row.Version, "updated_at": row.UpdatedAt})
	return casResult("store.EnableDefaultSchedule", res.Error, res.RowsAffected)
}
