package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/store"
)

func (s *Server) listDevices(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := boolParam(c, "active")
	if err != nil {
		return err
	}
	filter := store.DeviceFilter{UserID: c.QueryParam("user_id"), Active: active}
	if filter.UserID != "" && !input.IsUUID(filter.UserID) {
		return errs.Fields("api.listDevices", map[string]string{"/user_id": "must be a UUID"})
	}
	devices, next, err := s.deps.Org.ListDevices(c.Request().Context(), filter, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(devices, next))
}
