package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
)

var inspectionStates = map[string]bool{inspection.InProgress: true, inspection.Submitted: true,
	inspection.Approved: true, inspection.Returned: true}

func (s *Server) listInspections(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := inspection.Filter{Status: c.QueryParam("status"), SiteID: c.QueryParam("site_id"),
		TemplateID: c.QueryParam("template_id"), OwnerID: c.QueryParam("guard_id")}
	if f.Status != "" && !inspectionStates[f.Status] {
		fields["/status"] = "must be in_progress, submitted, approved or returned"
	}
	for name, value := range map[string]string{"site_id": f.SiteID, "template_id": f.TemplateID, "guard_id": f.OwnerID} {
		if value != "" && !input.IsUUID(value) {
			fields["/"+name] = "must be a UUID"
		}
	}
	f.From = timeParam(c, "from", fields)
	f.To = timeParam(c, "to", fields)
	if len(fields) > 0 {
		return errs.Fields("api.listInspections", fields)
	}
	items, next, err := s.deps.Inspections.List(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func timeParam(c echo.Context, name string, fields map[string]string) *time.Time {
	raw := c.QueryParam(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		fields["/"+name] = "must be an RFC 3339 time such as 2026-11-26T00:00:00Z"
		return nil
	}
	return &t
}

// getInspection answers an inspection with its content hash as the ETag,
// quoted as HTTP wants it; sign-off takes that value back in If-Match.
func (s *Server) getInspection(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	detail, err := s.deps.Inspections.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if detail.ContentHash != nil {
		c.Response().Header().Set("ETag", `"`+*detail.ContentHash+`"`)
	}
	return c.JSON(http.StatusOK, detail)
}
