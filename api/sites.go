package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
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

// listSitePeople lists who works at a site, by name: whom its findings and
// schedules may be assigned to.
func (s *Server) listSitePeople(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	people, next, err := s.deps.Org.SitePeople(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(people, next))
}
