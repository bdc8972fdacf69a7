package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/audit"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/principal"
)

func (s *Server) listAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := audit.Filter{ActorID: c.QueryParam("actor_id"), Action: c.QueryParam("action"),
		EntityType: c.QueryParam("entity_type"), EntityID: c.QueryParam("entity_id"), Limit: p.Limit + 1}
	if f.ActorID != "" && !input.IsUUID(f.ActorID) {
		fields["/actor_id"] = "must be a UUID"
	}
	if p.After != "" {
		if f.AfterSeq, err = strconv.ParseInt(p.After, 10, 64); err != nil {
			fields["/cursor"] = "not a cursor this server issued"
		}
	}
	f.From = timeParam(c, "from", fields)
	f.To = timeParam(c, "to", fields)
	if len(fields) > 0 {
		return errs.Fields("api.listAudit", fields)
	}
	items, err := s.deps.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) > p.Limit {
		items = items[:p.Limit]
		next = strconv.FormatInt(items[len(items)-1].Seq, 10)
	}
	return c.JSON(http.StatusOK, list(items, next))
}

func (s *Server) verifyAudit(c echo.Context) error {
	p, _ := principal.From(c.Request().Context())
	report, err := s.deps.Audit.Verify(c.Request().Context(), p.OrgID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}
