package api

import (
	"net/http"

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
	if f.Status != "" && f.Status != incident.Reported && f.Status != incident.Acknowledged {
		fields["/status"] = "must be reported or acknowledged"
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
