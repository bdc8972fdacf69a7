package api

import (
	"bytes"
	"net/http"
	"time"

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

// register serves GET /registers/{inspections|hazards|handovers|outsiders},
// as JSON pages or, with ?format=csv or pdf, as one file.
func (s *Server) register(name string) echo.HandlerFunc {
	decode := decodeCursor
	if name == records.HandoverRegister {
		decode = decodePartCursor
	}
	return func(c echo.Context) error {
		p, err := pageWith(c, decode)
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
		if format != "" && format != "json" && format != "csv" && format != "pdf" {
			fields["/format"] = "must be json, csv or pdf"
		}
		if len(fields) > 0 {
			return errs.Fields("api.register", fields)
		}
		ctx := c.Request().Context()
		if format == "pdf" {
			var out bytes.Buffer
			if err := s.deps.Records.ExportPDF(ctx, &out, name, f, c.QueryParam("lang")); err != nil {
				return err
			}
			c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`-register.pdf"`)
			return c.Blob(http.StatusOK, "application/pdf", out.Bytes())
		}
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
		if name == records.HandoverRegister {
			items, next, err := s.deps.Records.HandoverRows(ctx, f, p)
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

// checkpointLabels prints the QR labels of a site's checkpoints.
func (s *Server) checkpointLabels(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := s.deps.Records.CheckpointLabels(c.Request().Context(), &out, id, c.QueryParam("lang")); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="checkpoints-`+id+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", out.Bytes())
}

// periodicReport serves GET /reports/periodic: the week, month or year
// per site and in total, as JSON, CSV or PDF.
func (s *Server) periodicReport(c echo.Context) error {
	q := records.PeriodicQuery{Period: c.QueryParam("period"), Date: c.QueryParam("date"), SiteID: c.QueryParam("site_id")}
	fields := q.Check()
	if q.SiteID != "" && !input.IsUUID(q.SiteID) {
		fields["/site_id"] = "must be a UUID"
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "csv" && format != "pdf" {
		fields["/format"] = "must be json, csv or pdf"
	}
	if len(fields) > 0 {
		return errs.Fields("api.periodicReport", fields)
	}
	ctx := c.Request().Context()
	report, err := s.deps.Records.Periodic(ctx, q, time.Now())
	if err != nil {
		return err
	}
	name := "report-" + report.Period + "-" + report.Label
	switch format {
	case "csv":
		var out bytes.Buffer
		if err := records.PeriodicCSV(&out, report); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", out.Bytes())
	case "pdf":
		var out bytes.Buffer
		if err := s.deps.Records.PeriodicPDF(ctx, &out, report, c.QueryParam("lang")); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		return c.Blob(http.StatusOK, "application/pdf", out.Bytes())
	}
	return c.JSON(http.StatusOK, report)
}
