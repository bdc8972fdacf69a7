package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/rounds"
)

func (s *Server) listRoutes(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	siteID, active, err := siteAndActive(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Rounds.ListRoutes(c.Request().Context(), siteID, active, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func (s *Server) listSchedules(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	siteID, active, err := siteAndActive(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Rounds.ListSchedules(c.Request().Context(), siteID, active, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

var roundStates = map[string]bool{rounds.Scheduled: true, rounds.Completed: true, rounds.Partial: true, rounds.Missed: true}

// roundFilter reads the filters shared by the round list and reports.
func roundFilter(c echo.Context) (rounds.Filter, error) {
	fields := map[string]string{}
	f := rounds.Filter{SiteID: c.QueryParam("site_id"), RouteID: c.QueryParam("route_id"),
		GuardID: c.QueryParam("guard_id"), Status: c.QueryParam("status")}
	if f.Status != "" && !roundStates[f.Status] {
		fields["/status"] = "must be scheduled, completed, partial or missed"
	}
	for name, value := range map[string]string{"site_id": f.SiteID, "route_id": f.RouteID, "guard_id": f.GuardID} {
		if value != "" && !input.IsUUID(value) {
			fields["/"+name] = "must be a UUID"
		}
	}
	f.From = timeParam(c, "from", fields)
	f.To = timeParam(c, "to", fields)
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		fields["/to"] = "must be after from"
	}
	if len(fields) > 0 {
		return f, errs.Fields("api.roundFilter", fields)
	}
	return f, nil
}

type roundList struct {
	List[rounds.Round]
	Summary *rounds.Summary `json:"summary,omitempty"`
}

// roundScansList is a page of rounds each with its scans (?scans=true).
type roundScansList struct {
	List[rounds.RoundDetail]
	Summary *rounds.Summary `json:"summary,omitempty"`
}

// listRounds lists rounds; with ?summary=true the completion report of the
// same filter comes alongside the page.
func (s *Server) listRounds(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f, err := roundFilter(c)
	if err != nil {
		return err
	}
	withSummary, err := boolParam(c, "summary")
	if err != nil {
		return err
	}
	withScans, err := boolParam(c, "scans")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	items, next, err := s.deps.Rounds.ListRounds(ctx, f, p)
	if err != nil {
		return err
	}
	var summary *rounds.Summary
	if withSummary != nil && *withSummary {
		report, err := s.deps.Rounds.Summary(ctx, f)
		if err != nil {
			return err
		}
		summary = &report
	}
	if withScans != nil && *withScans {
		detailed, err := s.deps.Rounds.WithScans(ctx, items)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, roundScansList{List: list(detailed, next), Summary: summary})
	}
	return c.JSON(http.StatusOK, roundList{List: list(items, next), Summary: summary})
}

func (s *Server) roundSummary(c echo.Context) error {
	f, err := roundFilter(c)
	if err != nil {
		return err
	}
	summary, err := s.deps.Rounds.Summary(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, summary)
}

func (s *Server) exportRounds(c echo.Context) error {
	f, err := roundFilter(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="rounds.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	return s.deps.Rounds.ExportCSV(c.Request().Context(), f, c.Response())
}

func siteAndActive(c echo.Context) (string, *bool, error) {
	siteID := c.QueryParam("site_id")
	if siteID != "" && !input.IsUUID(siteID) {
		return "", nil, errs.Fields("api.siteAndActive", map[string]string{"/site_id": "must be a UUID"})
	}
	active, err := boolParam(c, "active")
	return siteID, active, err
}

// previewSchedule answers the next slots of a rule at a site, computed as
// rounds are materialised; nothing is stored.
func (s *Server) previewSchedule(c echo.Context) error {
	var in rounds.PreviewInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Rounds.PreviewSchedule(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// scheduleStandards lists the day-one schedules an administrator can set up
// at a site (issue 16 point 6).
func (s *Server) scheduleStandards(c echo.Context) error {
	items, err := s.deps.Rounds.Standards(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// listDefaultSchedules lists the organisation's stored day-one schedules:
// waiting (disabled, no site) or enabled at a site.
func (s *Server) listDefaultSchedules(c echo.Context) error {
	items, err := s.deps.Rounds.DefaultSchedules(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// enableDefaultSchedule chooses a site for a standard schedule: 201 with
// the enabled default when it starts running there, 200 when it already
// ran there.
func (s *Server) enableDefaultSchedule(c echo.Context) error {
	var in struct {
		SiteID string `json:"site_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, created, err := s.deps.Rounds.EnableDefault(c.Request().Context(), c.Param("key"), in.SiteID)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, out)
	}
	return c.JSON(http.StatusOK, out)
}
