package store

import "time"

// Incident is a security incident a guard reported (突发事件上报).
type Incident struct {
	ID             string
	OrgID          string
	SiteID         string
	ReporterID     string
	Type           string
	Level          string
	Place          string
	Description    string
	Media          []byte
	OccurredAt     time.Time
	ReceivedAt     time.Time
	AckDueAt       time.Time
	ReportedLate   bool
	Status         string
	EscalationStep int
	AcknowledgedBy *string
	AcknowledgedAt *time.Time
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// The life cycle to closure (migration 00170).
	Category     string
	Answers      []byte // the category's questions answered (incident-report template)
	Witnesses    []byte // [{name, phone, statement}]
	CCTV         []byte `gorm:"column:cctv"` // [{camera, from, to, note}]
	Casualties   bool   // a death or serious injury
	ReportDueAt  *time.Time
	HandleDueAt  *time.Time
	SummaryDueAt *time.Time
	LateSteps    string // comma-separated steps that missed their deadline
	HandlingBy   *string
	HandlingAt   *time.Time
	ResolvedBy   *string
	ResolvedAt   *time.Time
	Summary      string
	SummarizedBy *string
	SummarizedAt *time.Time
	ClosedBy     *string
	ClosedAt     *time.Time
}

// IncidentEvent is one entry of an incident's timeline.
type IncidentEvent struct {
	ID         string
	OrgID      string
	IncidentID string
	Kind       string
	ActorID    *string
	Note       string
	Media      []byte
	ClientTime *time.Time
	CreatedAt  time.Time
}

// CreateIncident inserts an incident.
func (tx *Tx) CreateIncident(row *Incident) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt = tx.orgOf(), tx.Now, tx.Now
	return translate("store.CreateIncident", tx.gorm.Table("incidents").Create(row).Error)
}

// Incident reads one incident of the caller's organisation.
func (tx *Tx) Incident(id string) (Incident, error) {
	var row Incident
	err := tx.scoped("incidents").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Incident", err)
}

// IncidentsByID loads incidents of the caller's organisation, and names
// the ids among ids that another organisation uses (see ofOrg).
func (tx *Tx) IncidentsByID(ids []string) (rows map[string]Incident, taken []string, err error) {
	var found []Incident
	err = tx.byIDs("incidents", ids, &found)
	rows, taken = ofOrg(tx, found, func(r Incident) (string, string) { return r.ID, r.OrgID })
	return rows, taken, translate("store.IncidentsByID", err)
}

// IncidentFilter narrows ListIncidents.
type IncidentFilter struct {
	SiteIDs    []string
	ReporterID string
	Status     string
	Level      string
}

// ListIncidents lists incidents in id order.
func (tx *Tx) ListIncidents(f IncidentFilter, p Page) ([]Incident, string, error) {
	q := tx.scoped("incidents")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.ReporterID != "" {
		q = q.Where("reporter_id = ?", f.ReporterID)
	}
	switch f.Status {
	case "":
	case "open":
		q = q.Where("status <> 'closed'")
	default:
		q = q.Where("status = ?", f.Status)
	}
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	var rows []Incident
	if err := p.apply(q, "incidents").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListIncidents", err)
	}
	rows, next := trim(rows, p, func(r Incident) string { return r.ID })
	return rows, next, nil
}

// IncidentsLate lists open incidents with a step whose deadline passed
// by now and that is not flagged late yet (late_steps), oldest first.
func (tx *Tx) IncidentsLate(now time.Time, limit int) ([]Incident, error) {
	var rows []Incident
	err := tx.scoped("incidents").Where(`status <> 'closed' AND (
		(status = 'reported' AND ack_due_at <= ? AND late_steps NOT LIKE '%acknowledge%')
		OR (status IN ('reported', 'acknowledged') AND report_due_at <= ? AND late_steps NOT LIKE '%report%')
		OR (status IN ('reported', 'acknowledged', 'handling') AND handle_due_at <= ? AND late_steps NOT LIKE '%handle%')
		OR (status = 'resolved' AND summary_due_at <= ? AND late_steps NOT LIKE '%summary%'))`, now, now, now, now).
		Order("received_at, id").Limit(limit).Find(&rows).Error
	return rows, translate("store.IncidentsLate", err)
}

// UpdateIncident writes row if it is still at version expected.
func (tx *Tx) UpdateIncident(row *Incident, expected int64) error {
	row.UpdatedAt = tx.Now
	res := tx.scoped("incidents").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"status": row.Status, "escalation_step": row.EscalationStep, "acknowledged_by": row.AcknowledgedBy,
		"acknowledged_at": row.AcknowledgedAt, "media": row.Media, "version": row.Version, "updated_at": row.UpdatedAt,
		"late_steps": row.LateSteps, "handling_by": row.HandlingBy, "handling_at": row.HandlingAt,
		"resolved_by": row.ResolvedBy, "resolved_at": row.ResolvedAt, "summary": row.Summary,
		"summarized_by": row.SummarizedBy, "summarized_at": row.SummarizedAt, "summary_due_at": row.SummaryDueAt,
		"closed_by": row.ClosedBy, "closed_at": row.ClosedAt,
	})
	return casResult("store.UpdateIncident", res.Error, res.RowsAffected)
}

// AddIncidentEvents appends to incidents' timelines.
func (tx *Tx) AddIncidentEvents(rows []IncidentEvent) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].OrgID, rows[i].CreatedAt = tx.orgOf(), tx.Now
	}
	return translate("store.AddIncidentEvents", tx.gorm.Table("incident_events").Create(&rows).Error)
}

// IncidentEvents reads an incident's timeline, oldest first.
func (tx *Tx) IncidentEvents(incidentID string) ([]IncidentEvent, error) {
	var rows []IncidentEvent
	err := tx.scoped("incident_events").Where("incident_id = ?", incidentID).Order("created_at, id").Find(&rows).Error
	return rows, translate("store.IncidentEvents", err)
}
