package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/records"
)

func (s *Server) updateOrg(c echo.Context) error {
	var in records.OrgSettings
	if err := decode(c, &in); err != nil {
		return err
	}
	org, err := s.deps.Records.UpdateOrg(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, org)
}

func (s *Server) deleteInspection(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Records.DeleteInspection(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) inspectionReport(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pdf, err := s.deps.Records.Report(c.Request().Context(), id, c.QueryParam("lang"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="inspection-`+id+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// register serves GET /registers/{inspections|hazards|handovers}, as JSON
// pages or, with ?format=csv, as one CSV file.
func (s *Server) register(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := page(c)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		f := records.RegisterFilter{SiteID: c.QueryParam("site_id")}
		if f.SiteID != "" && !input.IsUUID(f.SiteID) {
			fields["/site_id"] = "must be a UUID"
		}
		f.From = timeParam(c, "from", fields)
		f.To = timeParam(c, "to", fields)
		format := c.QueryParam("format")
		if format != "" && format != "json" && format != "csv" {
			fields["/format"] = "must be json or csv"
		}
		if len(fields) > 0 {
			return errs.Fields("api.register", fields)
		}
		ctx := c.Request().Context()
		if format == "csv" {
			c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
			c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`-register.csv"`)
			c.Response().WriteHeader(http.StatusOK)
			return s.deps.Records.ExportCSV(ctx, c.Response(), name, f)
		}
		if name == records.HazardRegister {
			items, next, err := s.deps.Records.Hazards(ctx, f, p)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, list(items, next))
		}
		items, next, err := s.deps.Records.Inspections(ctx, f, name, p)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, list(items, next))
	}
}
