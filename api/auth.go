package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	DeviceID string `json:"device_id"`
}

func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	tokens, err := s.deps.Auth.Login(c.Request().Context(), in.Email, in.Password, in.DeviceID, c.RealIP())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, tokens)
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
	DeviceID     string `json:"device_id"`
}

func (s *Server) refresh(c echo.Context) error {
	var in refreshRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	tokens, err := s.deps.Auth.Refresh(c.Request().Context(), in.RefreshToken, in.DeviceID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, tokens)
}

type logoutRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) logout(c echo.Context) error {
	var in logoutRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.deps.Auth.Logout(c.Request().Context(), in.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	me, err := s.deps.Org.Me(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

// listKeys lists the caller's own countersign keys.
func (s *Server) listKeys(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	keys, next, err := s.deps.Keys.List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(keys, next))
}
