package store

import "time"

// Finding is a hidden hazard found on an inspection or reported by hand.
type Finding struct {
	ID           string
	OrgID        string
	SiteID       string
	InspectionID *string
	ItemPath     string
	Title        string
	Description  string
	Severity     string
	Status       string
	AssigneeID   *string
	CreatedBy    string
	DueAt        *time.Time
	Media        []byte
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// The rectification loop: who acted at each step, and when.
	AssignedBy           *string
	RectifierID          *string
	RectifiedAt          *time.Time
	RectificationNote    string
	Evidence             []byte
	FollowUpInspectionID *string
	VerifierID           *string
	VerifiedAt           *time.Time
	ClosedBy             *string
	ClosedAt             *time.Time
	EscalationLevel      int
}

// FindingVersion keeps the mergeable fields of one version of a finding.
type FindingVersion struct {
	FindingID string
	Version   int64
	OrgID     string
	Fields    []byte
	CreatedAt time.Time
}

// FindingsByID loads findings of the caller's organisation, and names the
// ids among ids that another organisation uses (see ofOrg).
func (tx *Tx) FindingsByID(ids []string) (rows map[string]Finding, taken []string, err error) {
	var found []Finding
	err = tx.byIDs("findings", ids, &found)
	rows, taken = ofOrg(tx, found, func(r Finding) (string, string) { return r.ID, r.OrgID })
	return rows, taken, translate("store.FindingsByID", err)
}

// FindingVersionFields returns the stored fields of one version of a finding.
func (tx *Tx) FindingVersionFields(findingID string, version int64) ([]byte, error) {
	var row FindingVersion
	err := tx.scoped("finding_versions").Where("finding_id = ? AND version = ?", findingID, version).Take(&row).Error
	return row.Fields, translate("store.FindingVersionFields", err)
}

// CreateFinding inserts a finding and its first version.
func (tx *Tx) CreateFinding(row *Finding, fields []byte) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt = tx.orgOf(), tx.Now, tx.Now
	if err := tx.gorm.Table("findings").Create(row).Error; err != nil {
		return translate("store.CreateFinding", err)
	}
	return tx.addFindingVersion(row, fields)
}

// UpdateFinding writes row if it is still at version expected, keeping the
// new version's fields for later merges.
func (tx *Tx) UpdateFinding(row *Finding, expected int64, fields []byte) error {
	row.UpdatedAt = tx.Now
	res := tx.scoped("findings").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"title": row.Title, "description": row.Description, "severity": row.Severity, "status": row.Status,
		"assignee_id": row.AssigneeID, "due_at": row.DueAt, "media": row.Media, "version": row.Version,
		"updated_at": row.UpdatedAt, "assigned_by": row.AssignedBy, "rectifier_id": row.RectifierID,
		"rectified_at": row.RectifiedAt, "rectification_note": row.RectificationNote, "evidence": row.Evidence,
		"follow_up_inspection_id": row.FollowUpInspectionID, "verifier_id": row.VerifierID, "verified_at": row.VerifiedAt,
		"closed_by": row.ClosedBy, "closed_at": row.ClosedAt, "escalation_level": row.EscalationLevel,
	})
	if err := casResult("store.UpdateFinding", res.Error, res.RowsAffected); err != nil {
		return err
	}
	return tx.addFindingVersion(row, fields)
}

func (tx *Tx) addFindingVersion(row *Finding, fields []byte) error {
	v := FindingVersion{FindingID: row.ID, Version: row.Version, OrgID: row.OrgID, Fields: fields, CreatedAt: tx.Now}
	return translate("store.addFindingVersion", tx.gorm.Table("finding_versions").Create(&v).Error)
}
