package store

import (
	"time"

	"gorm.io/gorm"
)

// PeriodFigures are what a site did in a period [From, To): the counts a
// security manager reports weekly, monthly and yearly.
type PeriodFigures struct {
	InspectionsSubmitted int64
	InspectionsApproved  int64
	InspectionsReturned  int64 // returned for correction, by when returned
	InspectionsFailed    int64 // submitted with the outcome fail
	InspectionsLate      int64 // submitted after their round's window closed
	RoundsScheduled      int64 // every round due in the period
	RoundsCompleted      int64
	RoundsPartial        int64
	RoundsMissed         int64
	RoundsOpen           int64 // not judged yet
	FindingsOpened       int64
	FindingsClosed       int64
	FindingsOverdue      int64 // fell due in the period (by now) and were not closed by then
	IncidentsByLevel     map[string]int64
	Drills               int64 // drill inspections submitted
}

// DrillTemplates is the template_key pattern of drill records.
const DrillTemplates = "%drill%"

// PeriodFigures counts one site's records in [from, to) as they stand at
// now (a finding falling due after now is not overdue yet).
func (tx *Tx) PeriodFigures(siteID string, from, to, now time.Time) (PeriodFigures, error) {
	f := PeriodFigures{IncidentsByLevel: map[string]int64{}}
	dueBy := to
	if now.Before(to) {
		dueBy = now
	}
	inspections := func(where string, args ...any) *gorm.DB {
		return tx.scoped("inspections").Where("inspections.site_id = ?", siteID).Where(where, args...)
	}
	counts := []struct {
		into  *int64
		query *gorm.DB
	}{
		{&f.InspectionsSubmitted, inspections("submitted_at >= ? AND submitted_at < ? AND status <> 'in_progress'", from, to)},
		{&f.InspectionsApproved, inspections("approved_at >= ? AND approved_at < ?", from, to)},
		{&f.InspectionsFailed, inspections("submitted_at >= ? AND submitted_at < ? AND status <> 'in_progress' AND outcome = 'fail'", from, to)},
		{&f.Drills, inspections("submitted_at >= ? AND submitted_at < ? AND status <> 'in_progress' AND template_key LIKE ?", from, to, DrillTemplates)},
		{&f.InspectionsLate, tx.scoped("inspections").Joins("JOIN rounds ON rounds.id = inspections.round_id").
			Where("inspections.site_id = ? AND inspections.submitted_at >= ? AND inspections.submitted_at < ?", siteID, from, to).
			Where("inspections.status <> 'in_progress' AND inspections.submitted_at > rounds.window_end")},
		{&f.InspectionsReturned, tx.scoped("inspection_events").Joins("JOIN inspections ON inspections.id = inspection_events.inspection_id").
			Where("inspections.site_id = ? AND inspection_events.kind = 'returned'", siteID).
			Where("inspection_events.created_at >= ? AND inspection_events.created_at < ?", from, to)},
		{&f.FindingsOpened, tx.scoped("findings").Where("site_id = ? AND created_at >= ? AND created_at < ?", siteID, from, to)},
		{&f.FindingsClosed, tx.scoped("findings").Where("site_id = ? AND closed_at >= ? AND closed_at < ?", siteID, from, to)},
		{&f.FindingsOverdue, tx.scoped("findings").Where("site_id = ? AND due_at >= ? AND due_at < ?", siteID, from, dueBy).
			Where("(closed_at IS NULL OR closed_at > due_at)")},
	}
	for _, c := range counts {
		if err := c.query.Count(c.into).Error; err != nil {
			return f, translate("store.PeriodFigures", err)
		}
	}
	var rounds []struct {
		Status string
		N      int64
	}
	err := tx.scoped("rounds").Select("status, count(*) AS n").Where("site_id = ? AND slot_at >= ? AND slot_at < ?", siteID, from, to).
		Group("status").Scan(&rounds).Error
	if err != nil {
		return f, translate("store.PeriodFigures", err)
	}
	for _, r := range rounds {
		f.RoundsScheduled += r.N
		switch r.Status {
		case "completed":
			f.RoundsCompleted = r.N
		case "partial":
			f.RoundsPartial = r.N
		case "missed":
			f.RoundsMissed = r.N
		default:
			f.RoundsOpen += r.N
		}
	}
	var incidents []struct {
		Level string
		N     int64
	}
	err = tx.scoped("incidents").Select("level, count(*) AS n").Where("site_id = ? AND occurred_at >= ? AND occurred_at < ?", siteID, from, to).
		Group("level").Scan(&incidents).Error
	for _, i := range incidents {
		f.IncidentsByLevel[i.Level] = i.N
	}
	return f, translate("store.PeriodFigures", err)
}

// Evaluated is a submitted inspection's checklist and the engine's
// evaluation of it (which items failed), for counting failed items.
type Evaluated struct {
	TemplateID      string
	TemplateKey     string
	TemplateVersion int
	Evaluation      []byte
}

// EvaluationsIn reads the evaluations of the inspections submitted at a
// site in [from, to).
func (tx *Tx) EvaluationsIn(siteID string, from, to time.Time) ([]Evaluated, error) {
	var rows []Evaluated
	err := tx.scoped("inspections").Select("template_id, template_key, template_version, evaluation").
		Where("site_id = ? AND submitted_at >= ? AND submitted_at < ? AND status <> 'in_progress' AND evaluation IS NOT NULL",
			siteID, from, to).Order("submitted_at, id").Scan(&rows).Error
	return rows, translate("store.EvaluationsIn", err)
}
