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

func (s *Server) getSite(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	site, err := s.deps.Org.Site(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, site)
}

func (s *Server) updateSite(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var patch org.SitePatch
	if err := decode(c, &patch); err != nil {
		return err
	}
	site, err := s.deps.Org.UpdateSite(c.Request().Context(), id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, site)
}

func (s *Server) deactivateSite(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inactive := false
	site, err := s.deps.Org.UpdateSite(c.Request().Context(), id, org.SitePatch{Active: &inactive})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, site)
}
