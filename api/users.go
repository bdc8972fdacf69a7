package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/org"
	"github.com/patrolsync/patrolsync/internal/principal"
)

func (s *Server) listUsers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	active, err := boolParam(c, "active")
	if err != nil {
		return err
	}
	filter := org.UserFilter{Role: c.QueryParam("role"), Active: active, SiteID: c.QueryParam("site_id")}
	if filter.Role != "" && !principal.ValidRole(filter.Role) {
		return errs.Fields("api.listUsers", map[string]string{"/role": "must be one of " + principal.Roles})
	}
	if filter.SiteID != "" && !input.IsUUID(filter.SiteID) {
		return errs.Fields("api.listUsers", map[string]string{"/site_id": "must be a UUID"})
	}
	users, next, err := s.deps.Org.ListUsers(c.Request().Context(), filter, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(users, next))
}
