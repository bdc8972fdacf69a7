package org

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Site as shown to clients.
type Site struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	Address   string    `json:"address"`
	Location  *Location `json:"location"` // null: the site's place is not known
	Active    bool      `json:"active"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Location is where a site is: its centre and the radius within which a
// location taken on a phone counts as at the site.
type Location struct {
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	RadiusM int     `json:"radius_m"`
}

// SiteInput creates a site.
type SiteInput struct {
	ID       string    `json:"id"`
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Timezone string    `json:"timezone"`
	Address  string    `json:"address"`
	Location *Location `json:"location"`
}

// SitePatch changes the fields that are set.
type SitePatch struct {
	Code     *string `json:"code"`
	Name     *string `json:"name"`
	Timezone *string `json:"timezone"`
	Address  *string `json:"address"`
	// Location, when present, replaces the site's place; null clears it.
	Location Nullable[Location] `json:"location"`
	Active   *bool              `json:"active"`
	Version  *int64             `json:"version"` // when set, the update applies only to this version
}

// Nullable is a patch field that tells "absent" (leave it) from "null"
// (clear it).
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON is called only when the field is present.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	n.Set = true
	if string(data) == "null" {
		n.Value = nil
		return nil
	}
	n.Value = new(T)
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	return decoder.Decode(n.Value)
}

func siteView(s store.Site) Site {
	var location *Location
	if s.Latitude != nil && s.Longitude != nil && s.RadiusM != nil {
		location = &Location{Lat: *s.Latitude, Lng: *s.Longitude, RadiusM: *s.RadiusM}
	}
	return Site{ID: s.ID, Code: s.Code, Name: s.Name, Timezone: s.Timezone, Address: s.Address, Location: location,
		Active: s.Active, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// placeSite stores a location in the site's columns (nil clears them).
func placeSite(site *store.Site, location *Location) {
	if location == nil {
		site.Latitude, site.Longitude, site.RadiusM = nil, nil, nil
		return
	}
	lat, lng, radius := location.Lat, location.Lng, location.RadiusM
	site.Latitude, site.Longitude, site.RadiusM = &lat, &lng, &radius
}

func checkLocation(fields map[string]string, location *Location) {
	if location == nil {
		return
	}
	if location.Lat < -90 || location.Lat > 90 {
		fields["/location/lat"] = "must be a latitude between -90 and 90"
	}
	if location.Lng < -180 || location.Lng > 180 {
		fields["/location/lng"] = "must be a longitude between -180 and 180"
	}
	if location.RadiusM < 1 || location.RadiusM > 100000 {
		fields["/location/radius_m"] = "must be a radius between 1 and 100000 metres"
	}
}

func checkSite(fields map[string]string, s store.Site) {
	checkText(fields, "/code", s.Code, true, 32)
	checkText(fields, "/name", s.Name, true, 200)
	checkText(fields, "/address", s.Address, false, 500)
	if s.Timezone == "" {
		fields["/timezone"] = "required: an IANA time zone such as Asia/Shanghai"
	} else if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "Local" {
		fields["/timezone"] = "must be an IANA time zone such as Asia/Shanghai"
	}
}

// CreateSite adds a site to the caller's organisation.
func (s *Service) CreateSite(ctx context.Context, in SiteInput) (Site, error) {
	const op = "org.CreateSite"
	fields := map[string]string{}
	site := store.Site{ID: checkID(in.ID, fields), Code: in.Code, Name: in.Name, Timezone: in.Timezone,
		Address: in.Address, Active: true}
	checkSite(fields, site)
	checkLocation(fields, in.Location)
	placeSite(&site, in.Location)
	if len(fields) > 0 {
		return Site{}, errs.Fields(op, fields)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(&site); err != nil {
			return err
		}
		audit.Append(tx, "site.created", "site", site.ID, map[string]any{"code": site.Code, "name": site.Name})
		if err := recordAdminsAt(tx, site.ID); err != nil {
			return err
		}
		return recordSite(tx, site)
	})
	if errs.Is(err, errs.Conflict) {
		return Site{}, errs.E(op, errs.Conflict, "a site with this id or code already exists", err)
	}
	return siteView(site), errs.Wrap(op, err)
}

// Site reads one site; guards and supervisors see only their own sites.
func (s *Service) Site(ctx context.Context, id string) (Site, error) {
	site, err := s.db.Read(ctx).Site(id)
	if err == nil && !canSeeSite(ctx, id) {
		err = errs.E("org.Site", errs.NotFound, "not found")
	}
	return siteView(site), errs.Wrap("org.Site", err)
}

// ListSites lists the sites the caller may see.
func (s *Service) ListSites(ctx context.Context, active *bool, page store.Page) ([]Site, string, error) {
	filter := store.SiteFilter{Active: active}
	if p, _ := principal.From(ctx); !principal.OrgWide(p.Role) {
		filter.IDs = append([]string{}, p.SiteIDs...)
	}
	rows, next, err := s.db.Read(ctx).ListSites(filter, page)
	out := make([]Site, len(rows))
	for i, r := range rows {
		out[i] = siteView(r)
	}
	return out, next, errs.Wrap("org.ListSites", err)
}

// UpdateSite applies a patch; deactivating is a patch with active=false.
func (s *Service) UpdateSite(ctx context.Context, id string, patch SitePatch) (Site, error) {
	const op = "org.UpdateSite"
	var site store.Site
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if site, err = tx.Site(id); err != nil {
			return err
		}
		expected := site.Version
		if patch.Version != nil {
			expected = *patch.Version
		}
		set(&site.Code, patch.Code)
		set(&site.Name, patch.Name)
		set(&site.Timezone, patch.Timezone)
		set(&site.Address, patch.Address)
		set(&site.Active, patch.Active)
		fields := map[string]string{}
		checkSite(fields, site)
		if patch.Location.Set {
			checkLocation(fields, patch.Location.Value)
			placeSite(&site, patch.Location.Value)
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if err := tx.UpdateSite(&site, expected); err != nil {
			return err
		}
		audit.Append(tx, "site.updated", "site", site.ID, map[string]any{"code": site.Code, "name": site.Name,
			"timezone": site.Timezone, "address": site.Address, "location": siteView(site).Location, "active": site.Active})
		return recordSite(tx, site)
	})
	if errs.Is(err, errs.Conflict) {
		return Site{}, errs.E(op, errs.Conflict, "a site with this code already exists", err)
	}
	return siteView(site), errs.Wrap(op, err)
}

func canSeeSite(ctx context.Context, siteID string) bool {
	p, _ := principal.From(ctx)
	if principal.OrgWide(p.Role) {
		return true
	}
	for _, id := range p.SiteIDs {
		if id == siteID {
			return true
		}
	}
	return false
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// recordSite puts the site's new state in the change log for everyone
// attached to it.
func recordSite(tx *store.Tx, site store.Site) error {
	data, err := json.Marshal(siteView(site))
	if err != nil {
		return errs.E("org.recordSite", errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "site", EntityID: site.ID, Op: "upsert", Version: site.Version,
		Audience: store.AudienceSite, SiteID: &site.ID, Data: data})
	return nil
}
