package store

import "time"

// Asset is a piece of a site's reference data: a camera, an alarm, an
// extinguisher, a vehicle (Code is its plate), a cash-transport company or
// one of its crew (IDNumber is the crew member's ID card number).
type Asset struct {
	ID        string
	OrgID     string
	SiteID    string
	Kind      string
	Code      string
	Name      string
	CompanyID *string
	IDNumber  string
	Details   []byte
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateAsset inserts an asset.
func (tx *Tx) CreateAsset(row *Asset) error {
	row.OrgID, row.CreatedAt, row.UpdatedAt, row.Version = tx.orgOf(), tx.Now, tx.Now, 1
	return translate("store.CreateAsset", tx.gorm.Table("assets").Create(row).Error)
}

// Asset reads one asset of the caller's organisation.
func (tx *Tx) Asset(id string) (Asset, error) {
	var row Asset
	err := tx.scoped("assets").Where("id = ?", id).Take(&row).Error
	return row, translate("store.Asset", err)
}

// AssetFilter narrows ListAssets.
type AssetFilter struct {
	SiteIDs []string // when not nil, only these sites
	Kind    string
	Active  *bool
}

// ListAssets lists assets in id order.
func (tx *Tx) ListAssets(f AssetFilter, p Page) ([]Asset, string, error) {
	q := tx.scoped("assets")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var rows []Asset
	if err := p.apply(q, "assets").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListAssets", err)
	}
	rows, next := trim(rows, p, func(r Asset) string { return r.ID })
	return rows, next, nil
}

// UpdateAsset writes row if it is still at version expected.
func (tx *Tx) UpdateAsset(row *Asset, expected int64) error {
	row.UpdatedAt, row.Version = tx.Now, expected+1
	res := tx.scoped("assets").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"code": row.Code, "name": row.Name, "company_id": row.CompanyID, "id_number": row.IDNumber,
		"details": row.Details, "active": row.Active, "version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.UpdateAsset", res.Error, res.RowsAffected)
}

// ReferenceValue is one value of a site for a day (in the site's zone),
// such as the system cash balance.
type ReferenceValue struct {
	ID        string
	OrgID     string
	SiteID    string
	Key       string
	Day       string // YYYY-MM-DD
	Value     float64
	Unit      string
	Source    string
	Note      string
	SetBy     string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReferenceValue reads the value of key at a site for a day.
func (tx *Tx) ReferenceValue(siteID, key, day string) (ReferenceValue, error) {
	var row ReferenceValue
	err := tx.scoped("reference_values").Where("site_id = ? AND key = ? AND day = ?", siteID, key, day).Take(&row).Error
	return row, translate("store.ReferenceValue", err)
}

// PutReferenceValue inserts row, or replaces the stored value of the same
// site, key and day when it is still at version expected (0: insert only).
func (tx *Tx) PutReferenceValue(row *ReferenceValue, expected int64) error {
	row.OrgID, row.UpdatedAt = tx.orgOf(), tx.Now
	if expected == 0 {
		row.CreatedAt, row.Version = tx.Now, 1
		return translate("store.PutReferenceValue", tx.gorm.Table("reference_values").Create(row).Error)
	}
	row.Version = expected + 1
	res := tx.scoped("reference_values").Where("id = ? AND version = ?", row.ID, expected).Updates(map[string]any{
		"value": row.Value, "unit": row.Unit, "source": row.Source, "note": row.Note, "set_by": row.SetBy,
		"version": row.Version, "updated_at": row.UpdatedAt,
	})
	return casResult("store.PutReferenceValue", res.Error, res.RowsAffected)
}

// ReferenceValueFilter narrows ListReferenceValues.
type ReferenceValueFilter struct {
	SiteIDs  []string
	Key      string
	From, To string // days, inclusive; empty: open
}

// ListReferenceValues lists values in id order.
func (tx *Tx) ListReferenceValues(f ReferenceValueFilter, p Page) ([]ReferenceValue, string, error) {
	q := tx.scoped("reference_values")
	if f.SiteIDs != nil {
		q = q.Where("site_id IN ?", f.SiteIDs)
	}
	if f.Key != "" {
		q = q.Where("key = ?", f.Key)
	}
	if f.From != "" {
		q = q.Where("day >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("day <= ?", f.To)
	}
	var rows []ReferenceValue
	if err := p.apply(q, "reference_values").Find(&rows).Error; err != nil {
		return nil, "", translate("store.ListReferenceValues", err)
	}
	rows, next := trim(rows, p, func(r ReferenceValue) string { return r.ID })
	return rows, next, nil
}

// SiteReferenceData is what the engine's reference values of a site for a
// day are made of: the site's values of the day and its active assets
// (in kind and code order; only Kind, Code and IDNumber are read). One
// statement by hand, without gorm (Prefetch.SiteReferenceData's, for one
// site and day): it runs for every submitted inspection whose site and day
// its transaction has not looked up yet, unless a push group read it ahead.
func (tx *Tx) SiteReferenceData(siteID, day string) ([]ReferenceValue, []Asset, error) {
	var values []ReferenceValue
	var assets []Asset
	reads := tx.Prefetch()
	reads.SiteReferenceData([]string{siteID}, []string{day}, func(v []ReferenceValue, a []Asset) { values, assets = v, a })
	if err := reads.Run(); err != nil {
		return nil, nil, err
	}
	return values, assets, nil
}
