package reference

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Value is a reference value as clients see it.
type Value struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Key       string    `json:"key"`
	Day       string    `json:"day"`
	Value     float64   `json:"value"`
	Unit      string    `json:"unit"`
	Source    string    `json:"source"`
	Note      string    `json:"note"`
	SetBy     string    `json:"set_by"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ValueInput sets a site's value of a key for a day.
type ValueInput struct {
	SiteID string  `json:"site_id"`
	Key    string  `json:"key"`
	Day    string  `json:"day"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	// Source says who supplied it: "admin" (typed in) or "integration"
	// (a core system's feed, calling with an admin's token).
	Source string `json:"source"`
	Note   string `json:"note"`
	// Version, when set, replaces the stored value only at this version.
	Version *int64 `json:"version"`
}

func valueView(r store.ReferenceValue) Value {
	return Value{ID: r.ID, SiteID: r.SiteID, Key: r.Key, Day: r.Day, Value: r.Value, Unit: r.Unit, Source: r.Source,
		Note: r.Note, SetBy: r.SetBy, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// keyPattern is what an item's expected.reference may name (the engine's
// item key pattern).
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// derivedPrefix marks the values the server derives from the assets
// (Values); nobody may set them by hand.
const derivedPrefix = "asset_"

// PutValue sets (or replaces) a site's reference value of a day. The day
// is the site's local day: a cash balance belongs to a business day.
func (s *Service) PutValue(ctx context.Context, in ValueInput) (Value, error) {
	const op = "reference.PutValue"
	p, _ := principal.From(ctx)
	fields := map[string]string{}
	if !keyPattern.MatchString(in.Key) {
		fields["/key"] = "must be a key such as system_cash_balance (" + keyPattern.String() + ")"
	} else if strings.HasPrefix(in.Key, derivedPrefix) || in.Key == RegisteredPlates || in.Key == CrewIDNumbers {
		fields["/key"] = "is derived from the site's assets: change the assets instead"
	}
	if _, err := time.Parse(time.DateOnly, in.Day); err != nil {
		fields["/day"] = "must be a day such as 2026-12-04 (the site's local day)"
	}
	if math.IsNaN(in.Value) || math.IsInf(in.Value, 0) {
		fields["/value"] = "must be a number"
	}
	checkText(fields, "/unit", in.Unit, false, 20)
	checkText(fields, "/note", in.Note, false, 500)
	if in.Source == "" {
		in.Source = "admin"
	}
	if in.Source != "admin" && in.Source != "integration" {
		fields["/source"] = "must be admin or integration"
	}
	var row store.ReferenceValue
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := requireSite(tx, in.SiteID, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		stored, err := tx.ReferenceValue(in.SiteID, in.Key, in.Day)
		var expected int64
		switch {
		case errs.Is(err, errs.NotFound):
			stored = store.ReferenceValue{ID: uuid.Must(uuid.NewV7()).String(), SiteID: in.SiteID, Key: in.Key, Day: in.Day}
		case err != nil:
			return err
		default:
			expected = stored.Version
		}
		if in.Version != nil && *in.Version != expected {
			return errs.E(op, errs.Stale, "the value changed since it was read (version "+strconv.FormatInt(expected, 10)+")")
		}
		previous := stored.Value
		row = stored
		row.Value, row.Unit, row.Source, row.Note, row.SetBy = in.Value, in.Unit, in.Source, in.Note, p.UserID
		if err := tx.PutReferenceValue(&row, expected); err != nil {
			return err
		}
		details := map[string]any{"site_id": row.SiteID, "key": row.Key, "day": row.Day, "value": row.Value,
			"source": row.Source}
		if expected > 0 {
			details["previous"] = previous
		}
		audit.Append(tx, "reference_value.set", "reference_value", row.ID, details)
		return recordValue(tx, row)
	})
	if errs.Is(err, errs.Conflict) {
		// Two first puts of the same key and day raced: the loser retries.
		return Value{}, errs.E(op, errs.Unavailable, "the value was set at the same moment: retry", time.Second, err)
	}
	return valueView(row), errs.Wrap(op, err)
}

// ValueFilter narrows ListValues.
type ValueFilter struct {
	SiteID, Key, From, To string
}

// ListValues lists the reference values of the sites the caller may see.
func (s *Service) ListValues(ctx context.Context, f ValueFilter, page store.Page) ([]Value, string, error) {
	fields := map[string]string{}
	for pointer, day := range map[string]string{"/from": f.From, "/to": f.To} {
		if _, err := time.Parse(time.DateOnly, day); day != "" && err != nil {
			fields[pointer] = "must be a day such as 2026-12-04"
		}
	}
	if len(fields) > 0 {
		return nil, "", errs.Fields("reference.ListValues", fields)
	}
	rows, next, err := s.db.Read(ctx).ListReferenceValues(store.ReferenceValueFilter{SiteIDs: visibleSites(ctx, f.SiteID),
		Key: f.Key, From: f.From, To: f.To}, page)
	out := make([]Value, len(rows))
	for i, r := range rows {
		out[i] = valueView(r)
	}
	return out, next, errs.Wrap("reference.ListValues", err)
}

func recordValue(tx *store.Tx, row store.ReferenceValue) error {
	data, err := json.Marshal(valueView(row))
	if err != nil {
		return errs.E("reference.recordValue", errs.Internal, err)
	}
	tx.RecordChange(store.Change{EntityType: "reference_value", EntityID: row.ID, Op: "upsert", Version: row.Version,
		Audience: store.AudienceSite, SiteID: &row.SiteID, Data: data})
	return nil
}

// Names of the values derived from a site's assets.
const (
	// RegisteredPlates lists the plates of the site's active vehicles:
	// a cash van at closing must be one of them (003 营业终了).
	RegisteredPlates = "registered_plates"
	// CrewIDNumbers lists the ID numbers of the active cash-transport
	// crews: an escort's ID must be one of them (003 早间接送款箱).
	CrewIDNumbers = "crew_id_numbers"
)

// Values are the reference values the engine compares a site's inspection
// with (checklists.Input.References): the site's values of the local day
// at (Day), plus what is derived from its active assets: asset_count_<kind>
// (asset_count_camera: the cameras a daily check must find working),
// registered_plates and crew_id_numbers. The server passes these, never
// what a phone holds. Read in one statement; callers that evaluate many
// inspections in one transaction keep the answer per site and day (the
// push's working set does), and must not change it.
func Values(tx *store.Tx, site store.Site, day string) (map[string]any, error) {
	rows, assets, err := tx.SiteReferenceData(site.ID, day)
	if err != nil {
		return nil, err
	}
	return FromData(rows, assets), nil
}

// FromData is Values from what store.SiteReferenceData answers for the
// site and day: the day's values and the site's active assets, in kind and
// code order (read ahead with a push group's other reads, store.Prefetch).
func FromData(rows []store.ReferenceValue, assets []store.Asset) map[string]any {
	out := map[string]any{RegisteredPlates: []any{}, CrewIDNumbers: []any{}}
	for _, kind := range Kinds {
		out[derivedPrefix+"count_"+kind] = float64(0)
	}
	for _, a := range assets {
		out[derivedPrefix+"count_"+a.Kind] = out[derivedPrefix+"count_"+a.Kind].(float64) + 1
		switch a.Kind {
		case Vehicle:
			out[RegisteredPlates] = append(out[RegisteredPlates].([]any), a.Code)
		case CashTransportCrew:
			out[CrewIDNumbers] = append(out[CrewIDNumbers].([]any), a.IDNumber)
		}
	}
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out
}

// Day is the site's local day at (YYYY-MM-DD), whose values Values reads.
func Day(site store.Site, at time.Time) string {
	return at.In(zone(site.Timezone)).Format(time.DateOnly)
}

// zones are the time zones loaded so far: time.LoadLocation reads the zone
// database from disk on every call, and Day runs for every submission.
var zones sync.Map // name → *time.Location

func zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}
