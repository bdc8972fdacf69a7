// Package reference is the reference data that checks compare with (issue
// 16, item 5): the assets of a site and its reference values by day. An
// admin enters them, or an integration (the core banking system's cash
// balance) puts them with an admin's token; devices pull them (entity
// types asset and reference_value); and the server judges a submitted
// inspection against its own copy (Values), never against what a phone
// sends (design.md §6 "Server-side truth").
//
// Seeds: the vault check "库存现金与系统记录是否一致" (cash on hand equals the
// system record) and the closing check "核实运钞车辆、车牌号码及押运人员"
// (verify the cash van, its plate and its escorts) in 003 营业终了; the
// security equipment of 003 第九–十二条 and 004 (cameras, alarms,
// extinguishers) that daily checks count.
package reference

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Asset kinds.
const (
	Camera               = "camera"
	Alarm                = "alarm"
	Extinguisher         = "extinguisher"
	Vehicle              = "vehicle"
	CashTransportCompany = "cash_transport_company"
	CashTransportCrew    = "cash_transport_crew"
)

// Kinds lists the asset kinds.
var Kinds = []string{Camera, Alarm, Extinguisher, Vehicle, CashTransportCompany, CashTransportCrew}

// Service holds the use cases.
type Service struct{ db *store.DB }

// NewService builds the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Asset as clients see it.
type Asset struct {
	ID        string          `json:"id"`
	SiteID    string          `json:"site_id"`
	Kind      string          `json:"kind"`
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	CompanyID *string         `json:"company_id"`
	IDNumber  string          `json:"id_number"`
	Details   json.RawMessage `json:"details"`
	Active    bool            `json:"active"`
	Version   int64           `json:"version"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// AssetInput creates an asset.
type AssetInput struct {
	ID        string          `json:"id"`
	SiteID    string          `json:"site_id"`
	Kind      string          `json:"kind"`
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	CompanyID *string         `json:"company_id"`
	IDNumber  string          `json:"id_number"`
	Details   json.RawMessage `json:"details"`
}

// AssetPatch changes the fields that are set.
type AssetPatch struct {
	Code      *string         `json:"code"`
	Name      *string         `json:"name"`
	CompanyID *string         `json:"company_id"`
	IDNumber  *string         `json:"id_number"`
	Details   json.RawMessage `json:"details"`
	Active    *bool           `json:"active"`
	Version   *int64          `json:"version"`
}

func assetView(r store.Asset) Asset {
	details := json.RawMessage(r.Details)
	if len(details) == 0 {
		details = json.RawMessage("{}")
	}
	return Asset{ID: r.ID, SiteID: r.SiteID, Kind: r.Kind, Code: r.Code, Name: r.Name, CompanyID: r.CompanyID,
		IDNumber: r.IDNumber, Details: details, Active: r.Active, Version: r.Version, CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}
}

// idNumberPattern is a mainland resident ID card number (18 characters,
// the last a digit or X); crews of cash-transport companies are
// identified by it.
var idNumberPattern = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)

// checkAsset reports every problem of an asset at once.
func (s *Service) checkAsset(tx *store.Tx, row *store.Asset, fields map[string]string) error {
	checkText(fields, "/code", row.Code, true, 64)
	checkText(fields, "/name", row.Name, true, 200)
	row.Code = strings.TrimSpace(row.Code)
	if !slices.Contains(Kinds, row.Kind) {
		fields["/kind"] = "must be one of " + strings.Join(Kinds, ", ")
	}
	row.IDNumber = strings.ToUpper(strings.TrimSpace(row.IDNumber))
	switch {
	case row.Kind == CashTransportCrew && !idNumberPattern.MatchString(row.IDNumber):
		fields["/id_number"] = "required for a crew member: an 18-character ID card number"
	case row.Kind != CashTransportCrew && row.IDNumber != "":
		fields["/id_number"] = "only a cash-transport crew member has an ID number"
	}
	if row.CompanyID != nil {
		if row.Kind != CashTransportCrew && row.Kind != Vehicle {
			fields["/company_id"] = "only a crew member or a vehicle belongs to a company"
		} else if !input.IsUUID(*row.CompanyID) {
			fields["/company_id"] = "must be the id of a cash-transport company"
		} else if company, err := tx.Asset(*row.CompanyID); errs.Is(err, errs.NotFound) ||
			(err == nil && (company.Kind != CashTransportCompany || company.SiteID != row.SiteID)) {
			fields["/company_id"] = "must be a cash-transport company of the same site"
		} else if err != nil {
			return err
		}
	}
	return nil
}

func checkDetails(fields map[string]string, raw json.RawMessage) []byte {
	if len(raw) == 0 || string(raw) == "null" {
		return []byte("{}")
	}
	var values map[string]any
	if json.Unmarshal(raw, &values) != nil {
		fields["/details"] = "must be an object"
		return nil
	}
	out, _ := json.Marshal(values)
	if len(out) > 4000 {
		fields["/details"] = "at most 4000 bytes"
	}
	return out
}

// CreateAsset adds an asset to a site (admins).
func (s *Service) CreateAsset(ctx context.Context, in AssetInput) (Asset, error) {
	const op = "reference.CreateAsset"
	fields := map[string]string{}
	row := store.Asset{ID: checkID(in.ID, fields), SiteID: in.SiteID, Kind: in.Kind, Code: in.Code, Name: in.Name,
		CompanyID: in.CompanyID, IDNumber: in.IDNumber, Active: true}
	row.Details = checkDetails(fields, in.Details)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := requireSite(tx, row.SiteID, fields); err != nil {
			return err
		}
		if err := s.checkAsset(tx, &row, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if err := tx.CreateAsset(&row); err != nil {
			return err
		}
		audit.Append(tx, "asset.created", "asset", row.ID, map[string]any{"site_id": row.SiteID, "kind": row.Kind,
			"code": row.Code, "name": row.Name})
		return recordAsset(tx, row)
	})
	if errs.Is(err, errs.Conflict) {
		return Asset{}, errs.E(op, errs.Conflict, "the site already has an asset of this kind with this code (or the id is taken)", err)
	}
	return assetView(row), errs.Wrap(op, err)
}

// Asset reads one asset the caller may see.
func (s *Service) Asset(ctx context.Context, id string) (Asset, error) {
	row, err := s.db.Read(ctx).Asset(id)
	if err == nil && !canSeeSite(ctx, row.SiteID) {
		err = errs.E("reference.Asset", errs.NotFound, "not found")
	}
	return assetView(row), errs.Wrap("reference.Asset", err)
}

// AssetFilter narrows ListAssets.
type AssetFilter struct {
	SiteID string
	Kind   string
	Active *bool
}

// ListAssets lists the assets of the sites the caller may see.
func (s *Service) ListAssets(ctx context.Context, f AssetFilter, page store.Page) ([]Asset, string, error) {
	filter := store.AssetFilter{Kind: f.Kind, Active: f.Active, SiteIDs: visibleSites(ctx, f.SiteID)}
	rows, next, err := s.db.Read(ctx).ListAssets(filter, page)
	out := make([]Asset, len(rows))
	for i, r := range rows {
		out[i] = assetView(r)
	}
	return out, next, errs.Wrap("reference.ListAssets", err)
}

// UpdateAsset applies a patch; retiring an asset is active=false.
func (s *Service) UpdateAsset(ctx context.Context, id string, patch AssetPatch) (Asset, error) {
	const op = "reference.UpdateAsset"
	var row store.Asset
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if row, err = tx.Asset(id); err != nil {
			return err
		}
		expected := row.Version
		if patch.Version != nil {
			expected = *patch.Version
		}
		set(&row.Code, patch.Code)
		set(&row.Name, patch.Name)
		set(&row.IDNumber, patch.IDNumber)
		set(&row.Active, patch.Active)
		if patch.CompanyID != nil {
			row.CompanyID = patch.CompanyID
			if *patch.CompanyID == "" {
				row.CompanyID = nil
			}
		}
		fields := map[string]string{}
		if patch.Details != nil {
			row.Details = checkDetails(fields, patch.Details)
		}
		if err := s.checkAsset(tx, &row, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		if err := tx.UpdateAsset(&row, expected); err != nil {
			return err
		}
		audit.Append(tx, "asset.updated", "asset", row.ID, map[string]any{"site_id": row.SiteID, "kind": row.Kind,
			"code": row.Code, "name": row.Name, "active": row.Active})
		return recordAsset(tx, row)
	})
	if errs.Is(err, errs.Conflict) {
		return Asset{}, errs.E(op, errs.Conflict, "the site already has an asset of this kind with this code", err)
	}
	return assetView(row), errs.Wrap(op, err)
}

// recordAsset puts the asset in the change log for everyone at its site:
// the phones check against it offline.
func recordAsset(tx *store.Tx, row store.Asset) error {
	data, err := json.Marshal(assetView(row))
	if err != nil {
		return errs.E("reference.recordAsset", errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "asset", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceSite, SiteID: &row.SiteID, Data: data})
	return nil
}

func requireSite(tx *store.Tx, siteID string, fields map[string]string) error {
	if !input.IsUUID(siteID) {
		fields["/site_id"] = "must be a site id"
		return nil
	}
	site, err := tx.Site(siteID)
	switch {
	case errs.Is(err, errs.NotFound), err == nil && !site.Active:
		fields["/site_id"] = "must be an active site of the organisation"
	case err != nil:
		return err
	}
	return nil
}

// visibleSites narrows a query to the sites the caller may see, and to
// siteID when it is given: nil means every site (admins).
func visibleSites(ctx context.Context, siteID string) []string {
	p, _ := principal.From(ctx)
	if p.Role == principal.Admin {
		if siteID != "" {
			return []string{siteID}
		}
		return nil
	}
	if siteID != "" {
		if slices.Contains(p.SiteIDs, siteID) {
			return []string{siteID}
		}
		return []string{}
	}
	return append([]string{}, p.SiteIDs...)
}

func canSeeSite(ctx context.Context, siteID string) bool {
	p, _ := principal.From(ctx)
	return p.Role == principal.Admin || slices.Contains(p.SiteIDs, siteID)
}

func checkID(id string, fields map[string]string) string {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	parsed, err := uuid.Parse(id)
	if err != nil {
		fields["/id"] = "must be a UUID"
		return id
	}
	return parsed.String()
}

func checkText(fields map[string]string, pointer, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		fields[pointer] = "required"
	case len([]rune(value)) > max:
		fields[pointer] = "too long"
	}
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
