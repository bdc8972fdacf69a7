package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/media"
)

func (s *Server) declareMedia(c echo.Context) error {
	var in media.DeclareInput
	if err := decode(c, &in); err != nil {
		return err
	}
	declared, err := s.deps.Media.Declare(c.Request().Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if declared.New {
		status = http.StatusCreated
	}
	return c.JSON(status, declared)
}

// getMedia redirects to a short-lived URL of the bytes, so that they never
// pass through the API.
func (s *Server) getMedia(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	url, err := s.deps.Media.DownloadURL(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, url)
}

func (s *Server) getMediaThumbnail(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	url, err := s.deps.Media.ThumbnailURL(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, url)
}
