package store

import (
	"time"

	"gorm.io/gorm"
)

// Inspection is one filled-in checklist.
type Inspection struct {
	ID              string
	OrgID           string
	SiteID          string
	TemplateID      string
	TemplateKey     string
	TemplateVersion int
	OwnerID         string
	DeviceID        string
	AssignmentID    *string
	RoundID         *string
	Status          string
	Answers         []byte
	Context         []byte
	Evaluation      []byte
	ContentHash     *string
	Score           *float64
	Outcome         *string
	MediaPending    bool
	Version         int64
	StartedAt       *time.Time
	SubmittedAt     *time.Time
	ReceivedAt      *time.Time
	ApprovedBy      *string
	ApprovedAt      *time.Time
	ApprovedHash    *string
	Signature       []byte
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// InspectionEvent is one step in an inspection's history.
type InspectionEvent struct {
	ID           string
	OrgID        string
	InspectionID string
	Kind         string
	ActorID      string
	ContentHash  *string
	Detail       []byte
	CreatedAt    time.Time
}

// InspectionsByID loads inspections of the caller's organisation, and
// names the ids among ids that another organisation uses (see ofOrg).
func (tx *Tx) InspectionsByID(ids []string) (rows map[string]Inspection, taken []string, err error) {
	var found []Inspection
	err = tx.byIDs("inspections", ids, &found)
	rows, taken = ofOrg(tx, found, func(r Inspection) (string, string) { return r.ID, r.OrgID })
	return rows, taken, translate("store.InspectionsByID", err)
}

// Inspection reads one inspection of the caller's organisation.
func (tx *Tx) Inspection(id string) (Inspection, error) {
	var row Inspection
	err := tx.scoped("inspections").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Inspection", err)
}

// CreateInspections inserts new inspections in one statement, by hand: a
// group of pushes starts dozens at once.
func (tx *Tx) CreateInspections(rows []*Inspection) error {
	err := tx.insertColumns("inspections", `id, org_id, site_id, template_id, template_key, template_version,
    owner_id, device_id, assignment_id, round_id, status, answers, context, evaluation, content_hash, score, outcome,
    media_pending, version, started_at, submitted_at, received_at, created_at, updated_at`,
		"uuid, uuid, uuid, uuid, text, int4, uuid, uuid, uuid, uuid, text, bytea, bytea, bytea, text, float8, text, "+
			"bool, int8, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz", "", len(rows),
		func(i int) []any {
			row := rows[i]
			row.OrgID, row.CreatedAt, row.UpdatedAt = tx.orgOf(), tx.Now, tx.Now
			return []any{row.ID, row.OrgID, row.SiteID, row.TemplateID, row.TemplateKey, row.TemplateVersion,
				row.OwnerID, row.DeviceID, row.AssignmentID, row.RoundID, row.Status, row.Answers, row.Context,
				nullBytes(row.Evaluation), row.ContentHash, row.Score, row.Outcome, row.MediaPending, row.Version,
				row.StartedAt, row.SubmittedAt, row.ReceivedAt, row.CreatedAt, row.UpdatedAt}
		})
	return translate("store.CreateInspections", err)
}

// UpdateInspection writes row if it is still at version expected.
func (tx *Tx) UpdateInspection(row *Inspection, expected int64) error {
	row.UpdatedAt = tx.Now
	res := tx.scoped("inspections").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"status": row.Status, "answers": row.Answers, "context": row.Context, "evaluation": row.Evaluation,
		"content_hash": row.ContentHash, "score": row.Score, "outcome": row.Outcome, "media_pending": row.MediaPending,
		"version": row.Version, "submitted_at": row.SubmittedAt, "received_at": row.ReceivedAt, "updated_at": row.UpdatedAt,
		"approved_by": row.ApprovedBy, "approved_at": row.ApprovedAt, "approved_hash": row.ApprovedHash, "signature": row.Signature,
	})
	return casResult("store.UpdateInspection", res.Error, res.RowsAffected)
}

// AddInspectionEvents appends to inspections' histories, in one statement.
func (tx *Tx) AddInspectionEvents(events []InspectionEvent) error {
	err := tx.insertColumns("inspection_events", "id, org_id, inspection_id, kind, actor_id, content_hash, detail, created_at",
		"uuid, uuid, uuid, text, uuid, text, bytea, timestamptz", "", len(events), func(i int) []any {
			e := &events[i]
			e.OrgID, e.CreatedAt = tx.orgOf(), tx.Now
			return []any{e.ID, e.OrgID, e.InspectionID, e.Kind, e.ActorID, e.ContentHash, nullBytes(e.Detail), e.CreatedAt}
		})
	return translate("store.AddInspectionEvents", err)
}

// InspectionEvents lists an inspection's history, oldest first.
func (tx *Tx) InspectionEvents(inspectionID string) ([]InspectionEvent, error) {
	var rows []InspectionEvent
	err := tx.scoped("inspection_events").Where("inspection_id = ?", inspectionID).Order("created_at, id").Find(&rows).Error
	return rows, translate("store.InspectionEvents", err)
}

// InspectionFilter narrows ListInspections. Empty fields do not filter.
type InspectionFilter struct {
	Status     string
	SiteIDs    []string // nil: any site
	OwnerID    string
	TemplateID string
	From, To   *time.Time // on created_at
	// Review queue and register filters.
	Outcome       string
	HasFindings   *bool
	MediaPending  *bool
	TemplateMatch string // template_key LIKE pattern
	Statuses      []string
}

// ListInspections lists inspections in id order.
func (tx *Tx) ListInspections(f InspectionFilter, p Page) ([]Inspection, string, error) {
	q := tx.scoped("inspections")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.OwnerID != "" {
		q = q.Where("owner_id = ?", f.OwnerID)
	}
	if f.TemplateID != "" {
		q = q.Where("template_id = ?", f.TemplateID)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("created_at < ?", *f.To)
	}
	q = f.narrow(q)
	var rows []Inspection
	if err := p.apply(q, "inspections").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListInspections", err)
	}
	rows, next := trim(rows, p, func(i Inspection) string { return i.ID })
	return rows, next, nil
}

func (f InspectionFilter) narrow(q *gorm.DB) *gorm.DB {
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.MediaPending != nil {
		q = q.Where("media_pending = ?", *f.MediaPending)
	}
	if f.HasFindings != nil {
		exists := "EXISTS (SELECT 1 FROM findings WHERE findings.inspection_id = inspections.id)"
		if !*f.HasFindings {
			exists = "NOT " + exists
		}
		q = q.Where(exists)
	}
	if f.TemplateMatch != "" {
		q = q.Where("template_key LIKE ?", f.TemplateMatch)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	return q
}

// DeleteInspection removes an inspection and its history for good; the
// findings it raised stay, unlinked. Retention is checked by the caller.
func (tx *Tx) DeleteInspection(id string) error {
	const op = "store.DeleteInspection"
	if err := tx.scoped("inspection_events").Where("inspection_id = ?", id).Delete(&InspectionEvent{}).Error; err != nil {
		return translate(op, err)
	}
	for _, column := range []string{"inspection_id", "follow_up_inspection_id"} {
		if err := tx.scoped("findings").Where(column+" = ?", id).Update(column, nil).Error; err != nil {
			return translate(op, err)
		}
	}
	res := tx.scoped("inspections").Where("id = ?", id).Delete(&Inspection{})
	return casResult(op, res.Error, res.RowsAffected)
}
