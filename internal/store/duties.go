package store

import "time"

// DutyShift is one line of the roster: who holds which post when.
type DutyShift struct {
	ID        string
	OrgID     string
	SiteID    string
	Post      string
	UserID    string
	StartsAt  time.Time
	EndsAt    time.Time
	Note      string
	Cancelled bool
	CreatedBy string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ShiftHandover is a handover between two guards, signed by both.
type ShiftHandover struct {
	ID               string
	OrgID            string
	SiteID           string
	Post             string
	ShiftID          *string
	OutgoingUserID   string
	IncomingUserID   string
	HandedAt         time.Time
	Items            []byte
	ContentDigest    string
	OutgoingStrokes  []byte
	OutgoingSignedAt time.Time
	OutgoingDeviceID string
	IncomingStrokes  []byte
	IncomingSignedAt *time.Time
	IncomingDeviceID string
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// DutyLogEntry is one line of the duty log; never changed.
type DutyLogEntry struct {
	ID         string
	OrgID      string
	SiteID     string
	UserID     string
	ShiftID    *string
	Kind       string
	Body       string
	OccurredAt time.Time
	DeviceID   string
	CreatedAt  time.Time
}

// TrainingSession is a training held for a site or the organisation.
type TrainingSession struct {
	ID        string
	OrgID     string
	SiteID    *string
	Topic     string
	Trainer   string
	Place     string
	Content   string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TrainingAttendance is a person's signed attendance and result.
type TrainingAttendance struct {
	OrgID      string
	SessionID  string
	UserID     string
	Strokes    []byte
	SignedInAt time.Time
	DeviceID   string
	Result     *string
	Score      *float64
	RecordedBy *string
	RecordedAt *time.Time
}

// DailySafetyReport is a site's safety report for one day.
type DailySafetyReport struct {
	ID          string
	OrgID       string
	SiteID      string
	Day         string
	ReporterID  string
	AllClear    bool
	Body        []byte
	DueAt       time.Time
	SubmittedAt time.Time
	Late        bool
	CreatedAt   time.Time
}

// DutySettings are an organisation's duty settings.
type DutySettings struct {
	OrgID               string
	DailyReportCutoff   string
	HandoverConfirmMins int
	UpdatedAt           time.Time
}

// DutyFilter narrows the duty lists: a time range, sites, a person.
type DutyFilter struct {
	SiteIDs  []string // when not nil: only these sites (and, for training, the organisation's)
	UserID   string
	From, To time.Time
}

// dutyLimit bounds one list; a narrower range shows the rest.
const dutyLimit = 1000

// AddShift inserts a roster line.
func (tx *Tx) AddShift(row *DutyShift) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.AddShift", tx.gorm.Table("duty_shifts").Create(row).Error)
}

// Shift reads one roster line.
func (tx *Tx) Shift(id string) (DutyShift, error) {
	var row DutyShift
	err := tx.scoped("duty_shifts").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Shift", err)
}

// OverlappingShifts lists a person's live shifts that overlap [from, to).
func (tx *Tx) OverlappingShifts(userID string, from, to time.Time) ([]DutyShift, error) {
	var rows []DutyShift
	err := tx.scoped("duty_shifts").Where("user_id = ? AND cancelled = ? AND starts_at < ? AND ends_at > ?",
		userID, false, to, from).Find(&rows).Error
	return rows, translate("store.OverlappingShifts", err)
}

// Shifts lists the roster lines overlapping the filter's range, by start.
func (tx *Tx) Shifts(f DutyFilter) ([]DutyShift, error) {
	q := tx.scoped("duty_shifts").Where("starts_at < ? AND ends_at > ?", f.To, f.From)
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", orNone(f.SiteIDs))
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	var rows []DutyShift
	err := q.Order("starts_at, id").Limit(dutyLimit).Find(&rows).Error
	return rows, translate("store.Shifts", err)
}

// CancelShift marks a shift cancelled if it is still at version expected.
func (tx *Tx) CancelShift(row *DutyShift, expected int64) error {
	row.Cancelled, row.UpdatedAt, row.Version = true, tx.Now, expected+1
	res := tx.scoped("duty_shifts").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"cancelled": true, "version": row.Version, "updated_at": row.UpdatedAt})
	return casResult("store.CancelShift", res.Error, res.RowsAffected)
}

// AddHandover inserts a handover signed by the outgoing guard.
func (tx *Tx) AddHandover(row *ShiftHandover) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.AddHandover", tx.gorm.Table("shift_handovers").Create(row).Error)
}

// Handover reads one handover.
func (tx *Tx) Handover(id string) (ShiftHandover, error) {
	var row ShiftHandover
	err := tx.scoped("shift_handovers").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Handover", err)
}

// HandoversByID loads handovers of the caller's organisation and names the
// ids another organisation holds (sync: client ids are global keys).
func (tx *Tx) HandoversByID(ids []string) (map[string]ShiftHandover, []string, error) {
	var found []ShiftHandover
	if err := tx.gorm.Table("shift_handovers").Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, nil, translate("store.HandoversByID", err)
	}
	out, taken := byOrg(found, tx.orgOf(), func(r ShiftHandover) (string, string) { return r.OrgID, r.ID })
	return out, taken, nil
}

// Handovers lists the handovers handed in the filter's range, by time.
func (tx *Tx) Handovers(f DutyFilter) ([]ShiftHandover, error) {
	q := tx.scoped("shift_handovers").Where("handed_at >= ? AND handed_at < ?", f.From, f.To)
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", orNone(f.SiteIDs))
	}
	if f.UserID != "" {
		q = q.Where("outgoing_user_id = ? OR incoming_user_id = ?", f.UserID, f.UserID)
	}
	var rows []ShiftHandover
	err := q.Order("handed_at DESC, id").Limit(dutyLimit).Find(&rows).Error
	return rows, translate("store.Handovers", err)
}

// CountersignHandover adds the incoming guard's signature if nobody has
// signed as incoming yet and the handover is still at version expected.
func (tx *Tx) CountersignHandover(row *ShiftHandover, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("shift_handovers").Where("id = ? AND version = ? AND incoming_signed_at IS NULL", row.ID, expected).
		Updates(map[string]any{"incoming_strokes": row.IncomingStrokes, "incoming_signed_at": row.IncomingSignedAt,
			"incoming_device_id": row.IncomingDeviceID, "version": row.Version, "updated_at": row.UpdatedAt})
	return casResult("store.CountersignHandover", res.Error, res.RowsAffected)
}

// AddDutyLogEntry inserts a line of the duty log.
func (tx *Tx) AddDutyLogEntry(row *DutyLogEntry) error {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.AddDutyLogEntry", tx.gorm.Table("duty_log_entries").Create(row).Error)
}

// DutyLogEntriesByID loads entries by id, of any organisation: the
// caller's by id, and the ids another organisation holds.
func (tx *Tx) DutyLogEntriesByID(ids []string) (map[string]DutyLogEntry, []string, error) {
	var found []DutyLogEntry
	if err := tx.gorm.Table("duty_log_entries").Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, nil, translate("store.DutyLogEntriesByID", err)
	}
	out, taken := byOrg(found, tx.orgOf(), func(r DutyLogEntry) (string, string) { return r.OrgID, r.ID })
	return out, taken, nil
}

// byOrg splits rows read by id across organisations: the caller's by id,
// and the ids another organisation holds.
func byOrg[T any](rows []T, org string, key func(T) (orgID, id string)) (map[string]T, []string) {
	out, taken := map[string]T{}, []string{}
	for _, r := range rows {
		if owner, id := key(r); owner == org {
			out[id] = r
		} else {
			taken = append(taken, id)
		}
	}
	return out, taken
}

// DutyLog lists the entries of the filter's range, newest first.
func (tx *Tx) DutyLog(f DutyFilter) ([]DutyLogEntry, error) {
	q := tx.scoped("duty_log_entries").Where("occurred_at >= ? AND occurred_at < ?", f.From, f.To)
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", orNone(f.SiteIDs))
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	var rows []DutyLogEntry
	err := q.Order("occurred_at DESC, id").Limit(dutyLimit).Find(&rows).Error
	return rows, translate("store.DutyLog", err)
}

// AddTraining inserts a training session.
func (tx *Tx) AddTraining(row *TrainingSession) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.AddTraining", tx.gorm.Table("training_sessions").Create(row).Error)
}

// UpdateTraining writes a session's details if it is still at version
// expected (compare-and-set; Stale otherwise).
func (tx *Tx) UpdateTraining(row *TrainingSession, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("training_sessions").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"topic": row.Topic, "trainer": row.Trainer, "place": row.Place, "content": row.Content,
		"starts_at": row.StartsAt, "ends_at": row.EndsAt, "version": row.Version, "updated_at": row.UpdatedAt})
	return casResult("store.UpdateTraining", res.Error, res.RowsAffected)
}

// Training reads one training session.
func (tx *Tx) Training(id string) (TrainingSession, error) {
	var row TrainingSession
	err := tx.scoped("training_sessions").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Training", err)
}

// Trainings lists the sessions starting in the filter's range; with
// SiteIDs, those sites' and the organisation's.
func (tx *Tx) Trainings(f DutyFilter) ([]TrainingSession, error) {
	q := tx.scoped("training_sessions").Where("starts_at >= ? AND starts_at < ?", f.From, f.To)
	if f.SiteIDs != nil {
		q = q.Where("site_id IS NULL OR site_id IN ?", orNone(f.SiteIDs))
	}
	var rows []TrainingSession
	err := q.Order("starts_at DESC, id").Limit(dutyLimit).Find(&rows).Error
	return rows, translate("store.Trainings", err)
}

// AddAttendance inserts a signed attendance; twice for one person is a
// Conflict.
func (tx *Tx) AddAttendance(row *TrainingAttendance) error {
	row.OrgID = tx.orgOf()
	return translate("store.AddAttendance", tx.gorm.Table("training_attendance").Create(row).Error)
}

// Attendance lists a session's attendance by sign-in time.
func (tx *Tx) Attendance(sessionID string) ([]TrainingAttendance, error) {
	var rows []TrainingAttendance
	err := tx.scoped("training_attendance").Where("session_id = ?", sessionID).Order("signed_in_at, user_id").Find(&rows).Error
	return rows, translate("store.Attendance", err)
}

// RecordResult sets a person's result; NotFound when they did not attend.
func (tx *Tx) RecordResult(sessionID, userID string, result *string, score *float64, by string) error {
	res := tx.scoped("training_attendance").Where("session_id = ? AND user_id = ?", sessionID, userID).Updates(map[string]any{
		"result": result, "score": score, "recorded_by": by, "recorded_at": tx.Now})
	return casResult("store.RecordResult", res.Error, res.RowsAffected)
}

// AddDailyReport inserts a site's report for a day; a second one for the
// same site and day is a Conflict.
func (tx *Tx) AddDailyReport(row *DailySafetyReport) error {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.AddDailyReport", tx.gorm.Table("daily_safety_reports").Create(row).Error)
}

// DailyReports lists the reports of the days from first to last
// (YYYY-MM-DD, inclusive).
func (tx *Tx) DailyReports(siteIDs []string, first, last string) ([]DailySafetyReport, error) {
	q := tx.scoped("daily_safety_reports").Where("day >= ? AND day <= ?", first, last)
	if siteIDs != nil {
		q = q.Where("site_id IN ?", orNone(siteIDs))
	}
	var rows []DailySafetyReport
	err := q.Order("day DESC, site_id").Limit(dutyLimit).Find(&rows).Error
	return rows, translate("store.DailyReports", err)
}

// DutySettingsOf reads the organisation's duty settings; NotFound when
// never set (the defaults apply).
func (tx *Tx) DutySettingsOf() (DutySettings, error) {
	var row DutySettings
	err := tx.scoped("duty_settings").Take(&row).Error
	return row, translate("store.DutySettingsOf", err)
}

// PutDutySettings writes the organisation's duty settings.
func (tx *Tx) PutDutySettings(row *DutySettings) error {
	row.OrgID, row.UpdatedAt = tx.orgOf(), tx.Now
	res := tx.scoped("duty_settings").Updates(map[string]any{"daily_report_cutoff": row.DailyReportCutoff,
		"handover_confirm_mins": row.HandoverConfirmMins, "updated_at": row.UpdatedAt})
	if res.Error != nil || res.RowsAffected > 0 {
		return translate("store.PutDutySettings", res.Error)
	}
	return translate("store.PutDutySettings", tx.gorm.Table("duty_settings").Create(row).Error)
}

// orNone is ids for an IN list, never empty: an empty list matches
// nothing (the zero UUID is no record's id).
func orNone(ids []string) []string {
	return append(append([]string{}, ids...), "00000000-0000-0000-0000-000000000000")
}

// HandoverRegisterFilter narrows the shift handovers of the handover
// register: when handed over, and where.
type HandoverRegisterFilter struct {
	SiteIDs  []string // when not nil: only these sites
	From, To *time.Time
}

// HandoverRegister reads a page of shift handovers in id order (the
// register's keyset), without the drawn signatures.
func (tx *Tx) HandoverRegister(f HandoverRegisterFilter, p Page) ([]ShiftHandover, string, error) {
	q := tx.scoped("shift_handovers").Omit("outgoing_strokes", "incoming_strokes")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", orNone(f.SiteIDs))
	}
	if f.From != nil {
		q = q.Where("handed_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("handed_at < ?", *f.To)
	}
	var rows []ShiftHandover
	if err := p.apply(q, "shift_handovers").Find(&rows).Error; err != nil {
		return nil, "", translate("store.HandoverRegister", err)
	}
	rows, next := trim(rows, p, func(r ShiftHandover) string { return r.ID })
	return rows, next, nil
}

// SiteCutoff is a site's own daily report cut-off.
type SiteCutoff struct {
	SiteID            string
	OrgID             string
	DailyReportCutoff string
	UpdatedAt         time.Time
}

// SiteCutoffs reads the organisation's site cut-offs, by site id.
func (tx *Tx) SiteCutoffs() (map[string]string, error) {
	var rows []SiteCutoff
	if err := tx.scoped("duty_site_cutoffs").Find(&rows).Error; err != nil {
		return nil, translate("store.SiteCutoffs", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.SiteID] = r.DailyReportCutoff
	}
	return out, nil
}

// PutSiteCutoffs replaces the organisation's site cut-offs.
func (tx *Tx) PutSiteCutoffs(cutoffs map[string]string) error {
	if err := tx.scoped("duty_site_cutoffs").Delete(&SiteCutoff{}).Error; err != nil {
		return translate("store.PutSiteCutoffs", err)
	}
	for siteID, cutoff := range cutoffs {
		row := SiteCutoff{SiteID: siteID, OrgID: tx.orgOf(), DailyReportCutoff: cutoff, UpdatedAt: tx.Now}
		if err := tx.gorm.Table("duty_site_cutoffs").Create(&row).Error; err != nil {
			return translate("store.PutSiteCutoffs", err)
		}
	}
	return nil
}
