package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/web"
)

// webApps are the browser apps the web package serves from the binary.
var webApps = []string{"app", "console"}

// webRoutes serves the guard app at /app/ and the console at /console/
// from the embedded web build (or a page saying how to build it).
func (s *Server) webRoutes() {
	assets := web.Embedded()
	for _, app := range webApps {
		handler := echo.WrapHandler(assets.Handler(app, web.Options{Origins: s.deps.BlobOrigins}))
		root := "/" + app
		s.storeFreeRoute(root, func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, root+"/") })
		s.storeFreeRoute(root+"/*", handler)
	}
}
