package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/patrolsync/patrolsync"
	"github.com/patrolsync/patrolsync/checklists"
)

// healthz says the process is alive; it checks nothing else, so that a slow
// database never gets a healthy process restarted.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}

// readyz says whether this replica can serve: every dependency answers.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	names := make([]string, 0, len(s.deps.Checks))
	for name := range s.deps.Checks {
		names = append(names, name)
	}
	sort.Strings(names)
	checks := map[string]string{}
	status := http.StatusOK
	for _, name := range names {
		if err := s.deps.Checks[name](ctx); err != nil {
			checks[name] = "unavailable"
			status = http.StatusServiceUnavailable
			s.log.Warn("readiness check failed", "check", name, "err", err)
			continue
		}
		checks[name] = "ok"
	}
	word := "ready"
	if status != http.StatusOK {
		word = "unavailable"
		c.Response().Header().Set("Retry-After", "5")
	}
	return c.JSON(status, map[string]any{"status": word, "checks": checks})
}

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", patrolsync.OpenAPI)
}

// templateSchema serves the checklist template JSON Schema that
// openapi.yaml refers to, for editors and mobile code generators.
func (s *Server) templateSchema(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/schema+json", checklists.SchemaJSON)
}

// docs renders the contract with Swagger UI, served from assets embedded in
// the binary so that the docs work with no internet.
func (s *Server) docs(c echo.Context) error {
	switch c.Request().URL.Path {
	case "/docs":
		return c.Redirect(http.StatusMovedPermanently, "/docs/")
	case "/docs/sync-protocol.md":
		// Plain text so that a browser shows it rather than saving it.
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", patrolsync.SyncProtocol)
	}
	s.docsOnce.Do(func() {
		s.docsHandler = v5emb.NewWithConfig(swgui.Config{ShowTopBar: false, HideCurl: false})(
			"patrolsync API", "/openapi.yaml", "/docs/")
	})
	s.docsHandler.ServeHTTP(c.Response(), c.Request())
	return nil
}
