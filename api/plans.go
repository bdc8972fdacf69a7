package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/plans"
)

// Emergency plans (issue 16, item 3).

func (s *Server) listPlans(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := boolParam(c, "active")
	if err != nil {
		return err
	}
	f := plans.Filter{SiteID: c.QueryParam("site_id"), Category: c.QueryParam("category"), Active: active}
	fields := map[string]string{}
	if f.SiteID != "" && !input.IsUUID(f.SiteID) {
		fields["/site_id"] = "must be a UUID"
	}
	if f.Category != "" && !slices.Contains(plans.Categories, f.Category) {
		fields["/category"] = "must be an incident category"
	}
	if len(fields) > 0 {
		return errs.Fields("api.listPlans", fields)
	}
	items, next, err := s.deps.Plans.List(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}
