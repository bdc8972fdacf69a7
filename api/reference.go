package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/reference"
)

// Reference data (issue 16, item 5): assets and reference values.

func (s *Server) listAssets(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := boolParam(c, "active")
	if err != nil {
		return err
	}
	f := reference.AssetFilter{SiteID: c.QueryParam("site_id"), Kind: c.QueryParam("kind"), Active: active}
	fields := map[string]string{}
	if f.SiteID != "" && !input.IsUUID(f.SiteID) {
		fields["/site_id"] = "must be a UUID"
	}
	if f.Kind != "" && !slices.Contains(reference.Kinds, f.Kind) {
		fields["/kind"] = "must be an asset kind"
	}
	if len(fields) > 0 {
		return errs.Fields("api.listAssets", fields)
	}
	items, next, err := s.deps.Reference.ListAssets(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func (s *Server) listReferenceValues(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f := reference.ValueFilter{SiteID: c.QueryParam("site_id"), Key: c.QueryParam("key"), From: c.QueryParam("from"),
		To: c.QueryParam("to")}
	if f.SiteID != "" && !input.IsUUID(f.SiteID) {
		return errs.Fields("api.listReferenceValues", map[string]string{"/site_id": "must be a UUID"})
	}
	items, next, err := s.deps.Reference.ListValues(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

// putReferenceValue sets a site's value of a key for a day: the same
// body twice leaves one value, so an integration may resend its feed.
func (s *Server) putReferenceValue(c echo.Context) error {
	var in reference.ValueInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Reference.PutValue(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
