package store

import "time"

// Site is a place guarded and inspected: a branch, a depot, a campus.
type Site struct {
	ID        string
	OrgID     string
	Code      string
	Name      string
	Timezone  string
	Address   string
	Latitude  *float64 // the site's centre, where it has one
	Longitude *float64
	RadiusM   *int // a location within this many metres of the centre is at the site
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateSite inserts a site in the caller's organisation.
func (tx *Tx) CreateSite(site *Site) error {
	site.OrgID = tx.orgOf()
	site.CreatedAt, site.UpdatedAt, site.Version = tx.Now, tx.Now, 1
	return translate("store.CreateSite", tx.gorm.Table("sites").Create(site).Error)
}

// Site reads one site of the caller's organisation.
func (tx *Tx) Site(id string) (Site, error) {
	var site Site
	err := tx.scoped("sites").Where("id = ?", id).Take(&site).Error
	return site, translate("store.Site", err)
}

// SiteFilter narrows ListSites.
type SiteFilter struct {
	Active *bool
	IDs    []string // when not nil, only these sites
}

// ListSites lists the caller's sites in id order.
func (tx *Tx) ListSites(f SiteFilter, p Page) ([]Site, string, error) {
	q := tx.scoped("sites")
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.IDs != nil {
		q = q.Where("id IN ?", f.IDs)
	}
	var sites []Site
	if err := p.apply(q, "sites").Find(&sites).Error; err != nil {
		return nil, "", translate("store.ListSites", err)
	}
	sites, next := trim(sites, p, func(s Site) string { return s.ID })
	return sites, next, nil
}

// UpdateSite writes site if its version is still expected (compare-and-set).
func (tx *Tx) UpdateSite(site *Site, expected int64) error {
	site.UpdatedAt, site.Version = tx.Now, expected+1
	res := tx.scoped("sites").Where("id = ? AND version = ?", site.ID, expected).Updates(map[string]any{
		"code": site.Code, "name": site.Name, "timezone": site.Timezone, "address": site.Address,
		"latitude": site.Latitude, "longitude": site.Longitude, "radius_m": site.RadiusM,
		"active": site.Active, "version": site.Version, "updated_at": site.UpdatedAt,
	})
	return casResult("store.UpdateSite", res.Error, res.RowsAffected)
}

// CountSites counts how many of ids are sites of the caller's organisation.
func (tx *Tx) CountSites(ids []string) (int, error) {
	var n int64
	err := tx.scoped("sites").Where("id IN ?", ids).Count(&n).Error
	return int(n), translate("store.CountSites", err)
}
