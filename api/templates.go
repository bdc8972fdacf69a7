package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/templates"
)

func (s *Server) listTemplates(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	filter := templates.Filter{Status: c.QueryParam("status"), Key: c.QueryParam("key"), Category: c.QueryParam("category")}
	items, next, err := s.deps.Templates.List(c.Request().Context(), filter, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

// transitionRequest is the optional body of publish and archive: the
// version the caller last saw.
type transitionRequest struct {
	Version *int64 `json:"version"`
}

func (s *Server) publishTemplate(c echo.Context) error {
	id, in, err := transition(c)
	if err != nil {
		return err
	}
	template, err := s.deps.Templates.Publish(c.Request().Context(), id, in.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, template)
}

// upgradeLibrary brings the organisation's standard templates up to the
// server's library (templates.UpgradeLibrary), answering each outcome.
func (s *Server) upgradeLibrary(c echo.Context) error {
	outcomes, err := s.deps.Templates.UpgradeLibrary(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": outcomes})
}

// previewLibrary answers what upgradeLibrary would do now and writes
// nothing (templates.PreviewLibrary).
func (s *Server) previewLibrary(c echo.Context) error {
	outcomes, err := s.deps.Templates.PreviewLibrary(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": outcomes})
}

func (s *Server) archiveTemplate(c echo.Context) error {
	id, in, err := transition(c)
	if err != nil {
		return err
	}
	template, err := s.deps.Templates.Archive(c.Request().Context(), id, in.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, template)
}

// transition reads the id and the optional body of publish and archive.
func transition(c echo.Context) (string, transitionRequest, error) {
	var in transitionRequest
	id, err := pathID(c)
	if err != nil {
		return "", in, err
	}
	if c.Request().ContentLength != 0 {
		err = decode(c, &in)
	}
	return id, in, err
}

func (s *Server) listTemplateVersions(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	versions, next, err := s.deps.Templates.Versions(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(versions, next))
}

func (s *Server) getTemplateVersion(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	// A number that is not a positive whole number of the column's range
	// (32 bits) names no version.
	number, err := strconv.Atoi(c.Param("number"))
	if err != nil || number < 1 || number > math.MaxInt32 {
		return errs.E("api.getTemplateVersion", errs.NotFound, "not found")
	}
	version, err := s.deps.Templates.Version(c.Request().Context(), id, number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, version)
}
