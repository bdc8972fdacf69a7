package store

import (
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Org is a tenant.
type Org struct {
	ID            string
	Slug          string
	Name          string
	RetentionDays int
	// Language is what the server writes composed text in: zh-CN or en.
	Language  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateOrg inserts a tenant. Organisations are created by operators, so
// this is not scoped by a principal.
func (tx *Tx) CreateOrg(org *Org) error {
	org.CreatedAt, org.UpdatedAt = tx.Now, tx.Now
	if org.RetentionDays == 0 {
		org.RetentionDays = 3 * 365
	}
	if org.Language == "" {
		org.Language = "zh-CN"
	}
	return translate("store.CreateOrg", tx.gorm.Table("orgs").Create(org).Error)
}

// OrgBySlug finds a tenant by its slug (operator commands only).
func (tx *Tx) OrgBySlug(slug string) (Org, error) {
	var org Org
	err := tx.gorm.Table("orgs").Where("slug = ?", slug).Take(&org).Error
	return org, translate("store.OrgBySlug", err)
}

// OrgByID finds a tenant by id (operator commands and token checks).
func (tx *Tx) OrgByID(id string) (Org, error) {
	var org Org
	err := tx.gorm.Table("orgs").Where("id = ?", id).Take(&org).Error
	return org, translate("store.OrgByID", err)
}

// CallerOrg is the caller's own organisation.
func (tx *Tx) CallerOrg() (Org, error) {
	id := tx.orgOf()
	if id == "" {
		return Org{}, errs.E("store.CallerOrg", errs.Unauthenticated)
	}
	return tx.OrgByID(id)
}

// OrgIDs lists every organisation, for jobs that sweep them all.
func (tx *Tx) OrgIDs() ([]string, error) {
	var ids []string
	err := tx.gorm.Table("orgs").Order("id").Pluck("id", &ids).Error
	return ids, translate("store.OrgIDs", err)
}

// SetOrgLanguage changes the caller's organisation's language.
func (tx *Tx) SetOrgLanguage(language string) error {
	err := tx.gorm.Table("orgs").Where("id = ?", tx.orgOf()).Updates(map[string]any{"language": language, "updated_at": tx.Now}).Error
	return translate("store.SetOrgLanguage", err)
}
