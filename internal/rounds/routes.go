package rounds

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Checkpoint is a place on a route with a tag to scan (QR text or NFC UID),
// an optional location with a radius, and an optional checklist template
// to fill in there.
type Checkpoint struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	TagCode    string   `json:"tag_code"`
	Latitude   *float64 `json:"latitude"`
	Longitude  *float64 `json:"longitude"`
	RadiusM    *float64 `json:"radius_m"`
	TemplateID *string  `json:"template_id"`
}

// Route as clients see it, in the API and in pulls.
type Route struct {
	ID          string       `json:"id"`
	SiteID      string       `json:"site_id"`
	Name        string       `json:"name"`
	Ordered     bool         `json:"ordered"`
	Checkpoints []Checkpoint `json:"checkpoints"`
	Active      bool         `json:"active"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// RouteInput creates a route.
type RouteInput struct {
	ID          string       `json:"id"`
	SiteID      string       `json:"site_id"`
	Name        string       `json:"name"`
	Ordered     *bool        `json:"ordered"`
	Checkpoints []Checkpoint `json:"checkpoints"`
}

// RoutePatch changes the fields that are set.
type RoutePatch struct {
	Name        *string       `json:"name"`
	Ordered     *bool         `json:"ordered"`
	Checkpoints *[]Checkpoint `json:"checkpoints"`
	Active      *bool         `json:"active"`
	Version     *int64        `json:"version"`
}

func checkpointsOf(raw []byte) []Checkpoint {
	out := []Checkpoint{}
	json.Unmarshal(raw, &out)
	return out
}

func routeView(r store.Route) Route {
	return Route{ID: r.ID, SiteID: r.SiteID, Name: r.Name, Ordered: r.Ordered, Checkpoints: checkpointsOf(r.Checkpoints),
		Active: r.Active, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// checkCheckpoints validates every checkpoint and gives new ones an id.
func checkCheckpoints(fields map[string]string, list []Checkpoint) {
	if len(list) == 0 || len(list) > 200 {
		fields["/checkpoints"] = "required: 1 to 200 checkpoints"
	}
	ids, tags := map[string]bool{}, map[string]bool{}
	for i := range list {
		c := &list[i]
		at := fmt.Sprintf("/checkpoints/%d", i)
		if c.ID == "" {
			c.ID = uuid.Must(uuid.NewV7()).String()
		} else if !input.IsUUID(c.ID) || ids[c.ID] {
			fields[at+"/id"] = "must be a UUID, unique in the route"
		}
		ids[c.ID] = true
		if c.Name == "" || len([]rune(c.Name)) > 200 {
			fields[at+"/name"] = "required, at most 200 characters"
		}
		if c.TagCode == "" || len(c.TagCode) > 500 {
			fields[at+"/tag_code"] = "required: the QR text or NFC UID, at most 500 bytes"
		} else if tags[c.TagCode] {
			fields[at+"/tag_code"] = "already used by another checkpoint of this route"
		}
		tags[c.TagCode] = true
		if (c.Latitude == nil) != (c.Longitude == nil) {
			fields[at+"/latitude"] = "latitude and longitude go together"
		}
		if c.Latitude != nil && (*c.Latitude < -90 || *c.Latitude > 90) {
			fields[at+"/latitude"] = "must be from -90 to 90"
		}
		if c.Longitude != nil && (*c.Longitude < -180 || *c.Longitude > 180) {
			fields[at+"/longitude"] = "must be from -180 to 180"
		}
		if c.RadiusM != nil && (*c.RadiusM <= 0 || *c.RadiusM > 10000 || c.Latitude == nil) {
			fields[at+"/radius_m"] = "must be 0 to 10000 metres, with a location"
		}
		if c.TemplateID != nil && !input.IsUUID(*c.TemplateID) {
			fields[at+"/template_id"] = "must be a template id"
		}
	}
}

// CreateRoute adds a route to a site.
func (s *Service) CreateRoute(ctx context.Context, in RouteInput) (Route, error) {
	const op = "rounds.CreateRoute"
	fields := map[string]string{}
	row := store.Route{ID: in.ID, SiteID: in.SiteID, Name: in.Name, Ordered: true, Active: true}
	set(&row.Ordered, in.Ordered)
	if row.ID == "" {
		row.ID = uuid.Must(uuid.NewV7()).String()
	} else if !input.IsUUID(row.ID) {
		fields["/id"] = "must be a UUID"
	}
	checkName(fields, row.Name)
	checkCheckpoints(fields, in.Checkpoints)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkSite(tx, fields, in.SiteID); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		var err error
		if row.Checkpoints, err = marshal(op, in.Checkpoints); err != nil {
			return err
		}
		if err := tx.CreateRoute(&row); err != nil {
			return err
		}
		return recordRoute(tx, row)
	})
	if errs.Is(err, errs.Conflict) {
		return Route{}, errs.E(op, errs.Conflict, "a route with this id already exists", err)
	}
	return routeView(row), errs.Wrap(op, err)
}

// Route reads a route at one of the caller's sites.
func (s *Service) Route(ctx context.Context, id string) (Route, error) {
	p, _ := principal.From(ctx)
	row, err := s.db.Read(ctx).Route(id)
	if err == nil && !canSeeSite(p, row.SiteID) {
		err = errs.E("rounds.Route", errs.NotFound, "not found")
	}
	return routeView(row), errs.Wrap("rounds.Route", err)
}

// ListRoutes lists routes at the caller's sites.
func (s *Service) ListRoutes(ctx context.Context, siteID string, active *bool, page store.Page) ([]Route, string, error) {
	p, _ := principal.From(ctx)
	sites, ok := siteScope(p, siteID)
	if !ok {
		return []Route{}, "", nil
	}
	rows, next, err := s.db.Read(ctx).ListRoutes(store.SiteFilterOf{SiteIDs: sites, Active: active}, page)
	out := make([]Route, len(rows))
	for i, r := range rows {
		out[i] = routeView(r)
	}
	return out, next, errs.Wrap("rounds.ListRoutes", err)
}

// UpdateRoute applies a patch; deactivating is a patch with active=false.
// Rounds already materialised keep the checkpoints they were made with.
func (s *Service) UpdateRoute(ctx context.Context, id string, patch RoutePatch) (Route, error) {
	const op = "rounds.UpdateRoute"
	var row store.Route
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Route(id); err != nil {
			return err
		}
		expected := row.Version
		set(&expected, patch.Version)
		set(&row.Name, patch.Name)
		set(&row.Ordered, patch.Ordered)
		set(&row.Active, patch.Active)
		fields := map[string]string{}
		checkName(fields, row.Name)
		if patch.Checkpoints != nil {
			checkCheckpoints(fields, *patch.Checkpoints)
			if row.Checkpoints, err = marshal(op, *patch.Checkpoints); err != nil {
				return err
			}
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if err := tx.UpdateRoute(&row, expected); err != nil {
			return err
		}
		return recordRoute(tx, row)
	})
	return routeView(row), errs.Wrap(op, err)
}

// recordRoute sends the route with its checkpoints to everyone at its site.
func recordRoute(tx *store.Tx, row store.Route) error {
	data, err := marshal("rounds.recordRoute", routeView(row))
	if err != nil {
		return err
	}
	tx.RecordChange(store.Change{EntityType: "route", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceSite, SiteID: &row.SiteID, Data: data})
	return nil
}

func checkName(fields map[string]string, name string) {
	if name == "" || len([]rune(name)) > 200 {
		fields["/name"] = "required, at most 200 characters"
	}
}

// checkSite requires an active site of the organisation.
func checkSite(tx *store.Tx, fields map[string]string, siteID string) error {
	if !input.IsUUID(siteID) {
		fields["/site_id"] = "required: an active site"
		return nil
	}
	site, err := tx.Site(siteID)
	if errs.Is(err, errs.NotFound) || (err == nil && !site.Active) {
		fields["/site_id"] = "required: an active site"
		return nil
	}
	return err
}
