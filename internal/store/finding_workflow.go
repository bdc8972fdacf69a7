package store

import (
	"time"

	"gorm.io/gorm/clause"
)

// Finding reads one finding of the caller's organisation.
func (tx *Tx) Finding(id string) (Finding, error) {
	var row Finding
	err := tx.scoped("findings").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Finding", err)
}

// FindingEvent is one step of a finding's history.
type FindingEvent struct {
	ID         string
	OrgID      string
	FindingID  string
	Kind       string
	ActorID    *string
	FromStatus string
	ToStatus   string
	Detail     []byte
	CreatedAt  time.Time
}

// AddFindingEvent appends to a finding's history.
func (tx *Tx) AddFindingEvent(e *FindingEvent) error {
	e.OrgID, e.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.AddFindingEvent", tx.gorm.Table("finding_events").Create(e).Error)
}

// FindingEvents lists a finding's history, oldest first.
func (tx *Tx) FindingEvents(findingID string) ([]FindingEvent, error) {
	var rows []FindingEvent
	err := tx.scoped("finding_events").Where("finding_id = ?", findingID).Order("created_at, id").Find(&rows).Error
	return rows, translate("store.FindingEvents", err)
}

// FindingFilter narrows ListFindings. Empty fields do not filter.
type FindingFilter struct {
	Statuses   []string
	SiteIDs    []string // nil: any site
	Severity   string
	AssigneeID string
	VisibleTo  string // a guard: only findings they created or are assigned
	Inspection string // raised on this inspection
	OverdueAt  *time.Time
	From, To   *time.Time // on created_at
}

// ListFindings lists findings in id order.
func (tx *Tx) ListFindings(f FindingFilter, p Page) ([]Finding, string, error) {
	q := tx.scoped("findings")
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.Severity != "" {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.AssigneeID != "" {
		q = q.Where("assignee_id = ?", f.AssigneeID)
	}
	if f.Inspection != "" {
		q = q.Where("inspection_id = ?", f.Inspection)
	}
	if f.VisibleTo != "" {
		q = q.Where("(created_by = ? OR assignee_id = ?)", f.VisibleTo, f.VisibleTo)
	}
	if f.OverdueAt != nil {
		q = q.Where("due_at < ? AND status IN ?", *f.OverdueAt, OpenFindingStates)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	var rows []Finding
	if err := p.apply(q, "findings").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListFindings", err)
	}
	rows, next := trim(rows, p, func(r Finding) string { return r.ID })
	return rows, next, nil
}

// OpenFindingStates are the states in which a finding still waits for
// someone to act, so it can be overdue.
var OpenFindingStates = []string{"open", "assigned", "rejected"}

// OverdueFindings lists an organisation's overdue findings below level.
func (tx *Tx) OverdueFindings(now time.Time, belowLevel int, limit int) ([]Finding, error) {
	var rows []Finding
	err := tx.scoped("findings").Where("due_at < ? AND status IN ? AND escalation_level < ?", now, OpenFindingStates, belowLevel).
		Order("id").Limit(limit).Find(&rows).Error
	return rows, translate("store.OverdueFindings", err)
}

// FindingEscalation records that a finding reached a level.
type FindingEscalation struct {
	FindingID    string
	Level        int
	OrgID        string
	EscalatedTo  string
	RecipientIDs string
	CreatedAt    time.Time
}

// AddFindingEscalation records a level once: it reports false when the
// level was recorded already (by an earlier or concurrent run).
func (tx *Tx) AddFindingEscalation(e *FindingEscalation) (bool, error) {
	e.OrgID, e.CreatedAt = tx.orgOf(), tx.Now
	res := tx.gorm.Table("finding_escalations").Clauses(clause.OnConflict{DoNothing: true}).Create(e)
	return res.RowsAffected == 1, translate("store.AddFindingEscalation", res.Error)
}

// FindingEscalations lists the levels a finding reached.
func (tx *Tx) FindingEscalations(findingID string) ([]FindingEscalation, error) {
	var rows []FindingEscalation
	err := tx.scoped("finding_escalations").Where("finding_id = ?", findingID).Order("level").Find(&rows).Error
	return rows, translate("store.FindingEscalations", err)
}

// UsersWithRole lists active users of the caller's organisation with role,
// optionally only those attached to site.
func (tx *Tx) UsersWithRole(role, siteID string) ([]string, error) {
	q := tx.scoped("users").Where("users.role = ? AND users.active = ?", role, true)
	if siteID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM user_sites WHERE user_sites.user_id = users.id AND user_sites.site_id = ?)", siteID)
	}
	var ids []string
	err := q.Order("users.id").Pluck("users.id", &ids).Error
	return ids, translate("store.UsersWithRole", err)
}

// SetOrgRetention changes the caller's organisation's retention period.
func (tx *Tx) SetOrgRetention(days int) error {
	err := tx.gorm.Table("orgs").Where("id = ?", tx.orgOf()).Updates(map[string]any{"retention_days": days, "updated_at": tx.Now}).Error
	return translate("store.SetOrgRetention", err)
}

// TemplateRetentionDays is a template's own retention period, if it has one.
func (tx *Tx) TemplateRetentionDays(templateID string) (*int, error) {
	var row struct{ RetentionDays *int }
	err := tx.scoped("templates").Select("retention_days").Where("id = ?", templateID).Limit(1).Find(&row).Error
	return row.RetentionDays, translate("store.TemplateRetentionDays", err)
}
