package store

import "time"

// EmergencyPlan is an emergency plan (应急预案) of the organisation or of
// one site, for one incident category; its content is in its versions.
type EmergencyPlan struct {
	ID             string
	OrgID          string
	SiteID         *string
	Category       string
	CurrentVersion int
	Active         bool
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// EmergencyPlanVersion is one published, immutable version of a plan.
type EmergencyPlanVersion struct {
	OrgID       string
	PlanID      string
	Number      int
	Title       string
	Body        []byte
	PublishedBy string
	PublishedAt time.Time
}

// PlanAcknowledgement records that a person read a version of a plan.
type PlanAcknowledgement struct {
	ID          string
	OrgID       string
	PlanID      string
	PlanVersion int
	UserID      string
	DeviceID    string
	ClientTime  *time.Time
	CreatedAt   time.Time
}

// CreatePlan inserts a plan and its first version.
func (tx *Tx) CreatePlan(row *EmergencyPlan, first *EmergencyPlanVersion) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	if err := tx.gorm.Table("emergency_plans").Create(row).Error; err != nil {
		return translate("store.CreatePlan", err)
	}
	return tx.AddPlanVersion(first)
}

// AddPlanVersion inserts a published version.
func (tx *Tx) AddPlanVersion(v *EmergencyPlanVersion) error {
	v.OrgID, v.PublishedAt = tx.orgOf(), tx.Now
	return translate("store.AddPlanVersion", tx.gorm.Table("emergency_plan_versions").Create(v).Error)
}

// Plan reads one plan of the caller's organisation.
func (tx *Tx) Plan(id string) (EmergencyPlan, error) {
	var row EmergencyPlan
	err := tx.scoped("emergency_plans").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Plan", err)
}

// PlansByID loads plans of the caller's organisation (sync).
func (tx *Tx) PlansByID(ids []string) (map[string]EmergencyPlan, error) {
	var found []EmergencyPlan
	err := tx.scoped("emergency_plans").Where("id IN ?", ids).Find(&found).Error
	out := make(map[string]EmergencyPlan, len(found))
	for _, r := range found {
		out[r.ID] = r
	}
	return out, translate("store.PlansByID", err)
}

// PlanVersion reads one version of a plan.
func (tx *Tx) PlanVersion(planID string, number int) (EmergencyPlanVersion, error) {
	var row EmergencyPlanVersion
	err := tx.scoped("emergency_plan_versions").Where("plan_id = ? AND number = ?", planID, number).Take(&row).Error
	return row, translate("store.PlanVersion", err)
}

// PlanFilter narrows ListPlans.
type PlanFilter struct {
	SiteIDs  []string // when not nil: plans of these sites and the organisation-wide ones
	OnlySite string   // when set: only this site's plans
	Category string
	Active   *bool
}

// ListPlans lists plans in id order.
func (tx *Tx) ListPlans(f PlanFilter, p Page) ([]EmergencyPlan, string, error) {
	q := tx.scoped("emergency_plans")
	switch {
	case f.SiteIDs != nil && len(f.SiteIDs) == 0:
		q = q.Where("site_id IS NULL")
	case f.SiteIDs != nil:
		q = q.Where("site_id IS NULL OR site_id IN ?", f.SiteIDs)
	}
	if f.OnlySite != "" {
		q = q.Where("site_id = ?", f.OnlySite)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var rows []EmergencyPlan
	if err := p.apply(q, "emergency_plans").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListPlans", err)
	}
	rows, next := trim(rows, p, func(r EmergencyPlan) string { return r.ID })
	return rows, next, nil
}

// UpdatePlan writes row if it is still at version expected.
func (tx *Tx) UpdatePlan(row *EmergencyPlan, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("emergency_plans").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"current_version": row.CurrentVersion, "active": row.Active, "version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdatePlan", res.Error, res.RowsAffected)
}

// AddPlanAcknowledgement inserts an acknowledgement; the same person and
// version twice is a Conflict.
func (tx *Tx) AddPlanAcknowledgement(row *PlanAcknowledgement) error {
	row.OrgID, row.CreatedAt = tx.orgOf(), tx.Now
	return translate("store.AddPlanAcknowledgement", tx.gorm.Table("plan_acknowledgements").Create(row).Error)
}

// PlanAcknowledgement reads a person's acknowledgement of a plan version.
func (tx *Tx) PlanAcknowledgement(planID string, number int, userID string) (PlanAcknowledgement, error) {
	var row PlanAcknowledgement
	err := tx.scoped("plan_acknowledgements").Where("plan_id = ? AND plan_version = ? AND user_id = ?", planID, number, userID).
		Take(&row).Error
	return row, translate("store.PlanAcknowledgement", err)
}

// PlanAcknowledgements lists the acknowledgements of a plan version,
// oldest first.
func (tx *Tx) PlanAcknowledgements(planID string, number int) ([]PlanAcknowledgement, error) {
	var rows []PlanAcknowledgement
	err := tx.scoped("plan_acknowledgements").Where("plan_id = ? AND plan_version = ?", planID, number).
		Order("created_at, id").Find(&rows).Error
	return rows, translate("store.PlanAcknowledgements", err)
}
