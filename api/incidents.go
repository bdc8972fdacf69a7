package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/notify"
)

func (s *Server) listIncidents(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f := incident.Filter{SiteID: c.QueryParam("site_id"), Status: c.QueryParam("status"), Level: c.QueryParam("level")}
	fields := map[string]string{}
	if f.SiteID != "" && !input.IsUUID(f.SiteID) {
		fields["/site_id"] = "must be a UUID"
	}
	if f.Status != "" && f.Status != "open" && !slices.Contains(incident.Statuses, f.Status) {
		fields["/status"] = "must be open, reported, acknowledged, handling, resolved, summarized or closed"
	}
	if _, ok := incident.Labels[f.Level]; f.Level != "" && !ok {
		fields["/level"] = "must be general, serious, major or critical"
	}
	if len(fields) > 0 {
		return errs.Fields("api.listIncidents", fields)
	}
	items, next, err := s.deps.Incidents.List(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func (s *Server) getAlertSettings(c echo.Context) error {
	settings, err := s.deps.Notify.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, settings)
}

func (s *Server) putAlertSettings(c echo.Context) error {
	var in notify.SettingsInput
	if err := decode(c, &in); err != nil {
		return err
	}
	settings, err := s.deps.Notify.UpdateSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, settings)
}

// incidentEmails lists the emails sent about an incident the caller may
// see, with their delivery state.
func (s *Server) incidentEmails(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.deps.Incidents.Get(ctx, id); err != nil {
		return err
	}
	emails, err := s.deps.Notify.Emails(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": emails})
}

// incidentCategories lists the categories with their names and the
// template of their questions.
func (s *Server) incidentCategories(c echo.Context) error {
	out, err := incident.CategoryList()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
