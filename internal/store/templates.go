package store

import "time"

// Template is a checklist template: its editable draft and the number of its
// latest published version (0 before the first publish). Title is the JSON
// of the draft's localized title; Draft is the document's JSON.
type Template struct {
	ID               string
	OrgID            string
	Key              string
	Status           string
	Title            string
	Category         string
	Draft            string
	DraftDigest      string
	PublishedVersion int
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TemplateVersion is one published version. It is written once and never
// updated (the database refuses updates too); Document is empty when a
// query reads summaries only.
type TemplateVersion struct {
	ID          string
	OrgID       string
	TemplateID  string
	Number      int
	Title       string
	Category    string
	Document    string
	Digest      string
	PublishedAt time.Time
	PublishedBy string
}

// templateColumns are what lists read: everything but the draft document.
var templateColumns = []string{"id", "org_id", "key", "status", "title", "category", "draft_digest",
	"published_version", "version", "created_at", "updated_at"}

// versionSummaryColumns are everything but the document.
var versionSummaryColumns = []string{"id", "org_id", "template_id", "number", "title", "category", "digest",
	"published_at", "published_by"}

// CreateTemplate inserts a template in the caller's organisation.
func (tx *Tx) CreateTemplate(template *Template) error {
	template.OrgID = tx.orgOf()
	template.CreatedAt, template.UpdatedAt, template.Version = tx.Now, tx.Now, 1
	return translate("store.CreateTemplate", tx.gorm.Table("templates").Create(template).Error)
}

// Template reads one template of the caller's organisation with its draft.
func (tx *Tx) Template(id string) (Template, error) {
	var template Template
	err := tx.scoped("templates").Where("id = ?", id).Take(&template).Error
	return template, translate("store.Template", err)
}

// TemplateByKey reads the caller's template with this key.
func (tx *Tx) TemplateByKey(key string) (Template, error) {
	var template Template
	err := tx.scoped("templates").Where("key = ?", key).Take(&template).Error
	return template, translate("store.TemplateByKey", err)
}

// TemplateKeys lists the keys of the caller's templates.
func (tx *Tx) TemplateKeys() (map[string]bool, error) {
	var keys []string
	if err := tx.scoped("templates").Pluck("key", &keys).Error; err != nil {
		return nil, translate("store.TemplateKeys", err)
	}
	out := make(map[string]bool, len(keys))
	for _, key := range keys {
		out[key] = true
	}
	return out, nil
}

// TemplateFilter narrows ListTemplates.
type TemplateFilter struct {
	Status   string
	Key      string
	Category string // the draft's, or with PublishedOnly the latest version's
	// PublishedOnly keeps templates with at least one published version and
	// matches Category against that version, for callers who may not see
	// drafts.
	PublishedOnly bool
}

// ListTemplates lists the caller's templates in id order, without drafts.
func (tx *Tx) ListTemplates(f TemplateFilter, p Page) ([]Template, string, error) {
	q := tx.scoped("templates").Select(templateColumns)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Key != "" {
		q = q.Where("key = ?", f.Key)
	}
	switch {
	case f.PublishedOnly && f.Category != "":
		latest := tx.gorm.Table("template_versions").Select("1").
			Where("template_versions.template_id = templates.id AND template_versions.number = templates.published_version").
			Where("template_versions.category = ?", f.Category)
		q = q.Where("published_version > 0 AND EXISTS (?)", latest)
	case f.PublishedOnly:
		q = q.Where("published_version > 0")
	case f.Category != "":
		q = q.Where("category = ?", f.Category)
	}
	var templates []Template
	if err := p.apply(q, "templates").Find(&templates).Error; err != nil {
		return nil, "", translate("store.ListTemplates", err)
	}
	templates, next := trim(templates, p, func(t Template) string { return t.ID })
	return templates, next, nil
}

// UpdateTemplate writes template if its version is still expected
// (compare-and-set).
func (tx *Tx) UpdateTemplate(template *Template, expected int64) error {
	template.UpdatedAt, template.Version = tx.Now, expected+1
	res := tx.scoped("templates").Where("id = ? AND version = ?", template.ID, expected).Updates(map[string]any{
		"status": template.Status, "title": template.Title, "category": template.Category, "draft": template.Draft,
		"draft_digest": template.DraftDigest, "published_version": template.PublishedVersion,
		"version": template.Version, "updated_at": template.UpdatedAt,
	})
	return casResult("store.UpdateTemplate", res.Error, res.RowsAffected)
}

// CreateTemplateVersion freezes a published version. There is deliberately
// no update: a version, once written, stays as it is.
func (tx *Tx) CreateTemplateVersion(version *TemplateVersion) error {
	version.OrgID = tx.orgOf()
	return translate("store.CreateTemplateVersion", tx.gorm.Table("template_versions").Create(version).Error)
}

// TemplateVersion reads one published version with its document.
func (tx *Tx) TemplateVersion(templateID string, number int) (TemplateVersion, error) {
	var version TemplateVersion
	err := tx.scoped("template_versions").Where("template_id = ? AND number = ?", templateID, number).Take(&version).Error
	return version, translate("store.TemplateVersion", err)
}

// ListTemplateVersions lists a template's versions, oldest first, without
// their documents.
func (tx *Tx) ListTemplateVersions(templateID string, p Page) ([]TemplateVersion, string, error) {
	q := tx.scoped("template_versions").Select(versionSummaryColumns).Where("template_id = ?", templateID)
	var versions []TemplateVersion
	if err := p.apply(q, "template_versions").Find(&versions).Error; err != nil {
		return nil, "", translate("store.ListTemplateVersions", err)
	}
	versions, next := trim(versions, p, func(v TemplateVersion) string { return v.ID })
	return versions, next, nil
}

// LatestTemplateVersions returns, by template id, the summary of the latest
// published version of each of these templates that has one.
func (tx *Tx) LatestTemplateVersions(templateIDs []string) (map[string]TemplateVersion, error) {
	out := map[string]TemplateVersion{}
	if len(templateIDs) == 0 {
		return out, nil
	}
	latest := tx.gorm.Table("templates").Select("templates.published_version").
		Where("templates.id = template_versions.template_id")
	var versions []TemplateVersion
	err := tx.scoped("template_versions").Select(versionSummaryColumns).
		Where("template_id IN ?", templateIDs).Where("number = (?)", latest).Find(&versions).Error
	if err != nil {
		return nil, translate("store.LatestTemplateVersions", err)
	}
	for _, v := range versions {
		out[v.TemplateID] = v
	}
	return out, nil
}
