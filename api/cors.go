package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/patrolsync/patrolsync/internal/blob"
)

// cors lets pages of the listed origins call the API and PUT to the local
// blob store's upload URLs. Preflights answer with the methods the route
// has; an origin not listed gets no CORS headers, so its browser blocks
// the call. No credentials mode: the API takes bearer tokens, not cookies.
func cors(origins []string) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: origins,
		AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key", "If-Match",
			blob.ChecksumHeader},
		ExposeHeaders: []string{"ETag", echo.HeaderLocation, echo.HeaderRetryAfter, echo.HeaderXRequestID,
			"Idempotent-Replayed", blob.ChecksumHeader},
		MaxAge: 600,
	})
}
