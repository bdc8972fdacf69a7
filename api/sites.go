package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/org"
)

func (s *Server) listSites(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := boolParam(c, "active")
	if err != nil {
		return err
	}
	sites, next, err := s.deps.Org.ListSites(c.Request().Context(), active, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(sites, next))
}

func (s *Server) createSite(c echo.Context) error {
	var in org.SiteInput
	if err := decode(c, &in); err != nil {
		return err
	}
	site, err := s.deps.Org.CreateSite(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, site)
}
