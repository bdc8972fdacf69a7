package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/review"
)

// listReviews is the supervisor's queue: submitted inspections of their sites.
func (s *Server) listReviews(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := inspection.Filter{SiteID: c.QueryParam("site_id"), TemplateID: c.QueryParam("template_id"), Outcome: c.QueryParam("outcome")}
	for name, value := range map[string]string{"site_id": f.SiteID, "template_id": f.TemplateID} {
		if value != "" && !input.IsUUID(value) {
			fields["/"+name] = "must be a UUID"
		}
	}
	if f.Outcome != "" && f.Outcome != "pass" && f.Outcome != "fail" && f.Outcome != "incomplete" {
		fields["/outcome"] = "must be pass, fail or incomplete"
	}
	for name, target := range map[string]**bool{"has_findings": &f.HasFindings, "media_pending": &f.MediaPending} {
		v, err := boolParam(c, name)
		if err != nil {
			fields["/"+name] = "must be true or false"
		}
		*target = v
	}
	if len(fields) > 0 {
		return errs.Fields("api.listReviews", fields)
	}
	items, next, err := s.deps.Reviews.Queue(c.Request().Context(), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func (s *Server) approveInspection(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in review.ApproveInput
	if err := decode(c, &in); err != nil {
		return err
	}
	detail, err := s.deps.Reviews.Approve(c.Request().Context(), id, c.Request().Header.Get("If-Match"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, detail)
}

func (s *Server) returnInspection(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in review.ReturnInput
	if err := decode(c, &in); err != nil {
		return err
	}
	detail, err := s.deps.Reviews.Return(c.Request().Context(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, detail)
}
