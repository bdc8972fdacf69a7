package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/duties"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
)

// Duties (issue 16, item 4): roster, handovers, duty log, training, the
// daily safety report. The lists are bounded by a time range (from, to),
// not pages.

// dutyQuery reads the common query of the duty lists.
func dutyQuery(c echo.Context, op string) (site, user string, r duties.Range, err error) {
	fields := map[string]string{}
	site, user = c.QueryParam("site_id"), c.QueryParam("user_id")
	if site != "" && !input.IsUUID(site) {
		fields["/site_id"] = "must be a UUID"
	}
	if user != "" && !input.IsUUID(user) {
		fields["/user_id"] = "must be a UUID"
	}
	if from := timeParam(c, "from", fields); from != nil {
		r.From = from.UTC()
	}
	if to := timeParam(c, "to", fields); to != nil {
		r.To = to.UTC()
	}
	if len(fields) > 0 {
		return "", "", r, errs.Fields(op, fields)
	}
	return site, user, r, nil
}

func (s *Server) listShifts(c echo.Context) error {
	site, user, r, err := dutyQuery(c, "api.listShifts")
	if err != nil {
		return err
	}
	mine, err := boolParam(c, "mine")
	if err != nil {
		return err
	}
	items, err := s.deps.Duties.Shifts(c.Request().Context(), duties.ShiftFilter{SiteID: site, UserID: user,
		Mine: mine != nil && *mine, Range: r})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, ""))
}

func (s *Server) listHandovers(c echo.Context) error {
	site, user, r, err := dutyQuery(c, "api.listHandovers")
	if err != nil {
		return err
	}
	items, err := s.deps.Duties.Handovers(c.Request().Context(), duties.HandoverFilter{SiteID: site, UserID: user, Range: r})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, ""))
}

func (s *Server) listDutyLog(c echo.Context) error {
	site, user, r, err := dutyQuery(c, "api.listDutyLog")
	if err != nil {
		return err
	}
	items, err := s.deps.Duties.DutyLog(c.Request().Context(), duties.LogFilter{SiteID: site, UserID: user, Range: r})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, ""))
}

func (s *Server) listTrainings(c echo.Context) error {
	site, _, r, err := dutyQuery(c, "api.listTrainings")
	if err != nil {
		return err
	}
	items, err := s.deps.Duties.Trainings(c.Request().Context(), duties.TrainingFilter{SiteID: site, Range: r})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, ""))
}

func (s *Server) listDailyReports(c echo.Context) error {
	site, _, _, err := dutyQuery(c, "api.listDailyReports")
	if err != nil {
		return err
	}
	items, err := s.deps.Duties.DailyReports(c.Request().Context(), duties.DayFilter{Day: c.QueryParam("day"), SiteID: site})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, ""))
}

func (s *Server) getDutySettings(c echo.Context) error {
	out, err := s.deps.Duties.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) putDutySettings(c echo.Context) error {
	var in duties.Settings
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Duties.PutSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
