package api

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/drills"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
)

// Emergency drills (issue 16, item 3).

func (s *Server) listDrills(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	overdue, err := boolParam(c, "overdue")
	if err != nil {
		return err
	}
	f := drills.Filter{SiteID: c.QueryParam("site_id"), PlanID: c.QueryParam("plan_id"), Status: c.QueryParam("status"), Overdue: overdue}
	fields := map[string]string{}
	for pointer, id := range map[string]string{"/site_id": f.SiteID, "/plan_id": f.PlanID} {
		if id != "" && !input.IsUUID(id) {
			fields[pointer] = "must be a UUID"
		}
	}
	if f.Status != "" && !slices.Contains(drills.Statuses, f.Status) {
		fields["/status"] = "must be scheduled, held or evaluated"
	}
	if len(fields) > 0 {
		return errs.Fields("api.listDrills", fields)
	}
	items, next, err := s.deps.Drills.List(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

// scheduleDrills answers 201 with the year's drills of the plan.
func (s *Server) scheduleDrills(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in drills.ScheduleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Drills.Schedule(c.Request().Context(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}
