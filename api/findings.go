package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/input"
)

var findingStates = map[string]bool{finding.Open: true, finding.Assigned: true, finding.Rectified: true,
	finding.Verified: true, finding.Closed: true, finding.Rejected: true}

func (s *Server) listFindings(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := finding.Filter{Status: c.QueryParam("status"), SiteID: c.QueryParam("site_id"), Severity: c.QueryParam("severity"),
		AssigneeID: c.QueryParam("assignee_id")}
	if f.Status != "" && !findingStates[f.Status] {
		fields["/status"] = "must be open, assigned, rectified, verified, closed or rejected"
	}
	if f.Severity != "" && !finding.ValidSeverity(f.Severity) {
		fields["/severity"] = "must be low, medium, high or critical"
	}
	for name, value := range map[string]string{"site_id": f.SiteID, "assignee_id": f.AssigneeID} {
		if value != "" && !input.IsUUID(value) {
			fields["/"+name] = "must be a UUID"
		}
	}
	overdue, err := boolParam(c, "overdue")
	if err != nil {
		fields["/overdue"] = "must be true or false"
	}
	f.Overdue = overdue != nil && *overdue
	if len(fields) > 0 {
		return errs.Fields("api.listFindings", fields)
	}
	items, next, err := s.deps.Findings.List(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

// findingAction serves POST /findings/{id}/{assign|unassign|rectify|verify|reject|close}.
func (s *Server) findingAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var in finding.Action
		if err := decode(c, &in); err != nil {
			return err
		}
		detail, err := s.deps.Findings.Act(c.Request().Context(), id, action, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, detail)
	}
}
