package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// requireAuth admits only callers with a valid bearer token and at least
// minRole, and puts the principal in the request context for the store.
func (s *Server) requireAuth(minRole string) echo.MiddlewareFunc {
	return s.requireAuthWith(minRole, s.deps.Auth.Authenticate, false)
}

// requireAuthConfirmedLater is requireAuth for the push, whose use case
// reads the caller's standing again in the transaction that applies it
// (auth.Service.AuthenticateConfirmedLater): one lookup per group of
// pushes instead of one per request. Whatever answers such a request
// without reaching that transaction (a stored answer replayed for its
// Idempotency-Key) must first call confirmStanding.
func (s *Server) requireAuthConfirmedLater(minRole string) echo.MiddlewareFunc {
	return s.requireAuthWith(minRole, s.deps.Auth.AuthenticateConfirmedLater, true)
}

func (s *Server) requireAuthWith(minRole string, authenticate func(context.Context, string) (principal.Principal, error),
	confirmedLater bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			header := c.Request().Header.Get(echo.HeaderAuthorization)
			token, ok := strings.CutPrefix(header, "Bearer ")
			if !ok || token == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="patrolsync"`)
				return errs.E("api.auth", errs.Unauthenticated, "an Authorization: Bearer token is required")
			}
			p, err := s.admit(c, authenticate, token, minRole)
			if err != nil {
				return err
			}
			if confirmedLater {
				c.Set(unconfirmedKey, unconfirmed{token: token, minRole: minRole})
			}
			c.SetRequest(c.Request().WithContext(principal.With(c.Request().Context(), p)))
			return next(c)
		}
	}
}

// admit authenticates token and checks that its role may call the route.
func (s *Server) admit(c echo.Context, authenticate func(context.Context, string) (principal.Principal, error),
	token, minRole string) (principal.Principal, error) {
	p, err := authenticate(c.Request().Context(), token)
	if err != nil {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="patrolsync", error="invalid_token"`)
		return principal.Principal{}, err
	}
	return p, roleMay(p.Role, c.Request().Method, minRole)
}

// unconfirmedKey holds, in the echo context of a request whose caller's
// standing may have been remembered rather than read
// (requireAuthConfirmedLater), what confirmStanding needs to read it.
const unconfirmedKey = "patrolsync.unconfirmed"

type unconfirmed struct{ token, minRole string }

// confirmStanding reads the caller's standing now, as requireAuth would,
// when the request's authentication may have taken it from memory: a
// session revoked, or a user or device deactivated, within the minute
// that auth remembers a standing for is refused here exactly as the push's
// own transaction would refuse it. Other requests were confirmed already.
func (s *Server) confirmStanding(c echo.Context) error {
	u, ok := c.Get(unconfirmedKey).(unconfirmed)
	if !ok {
		return nil
	}
	_, err := s.admit(c, s.deps.Auth.Authenticate, u.token, u.minRole)
	return err
}

// roleMay is the one rule of who may call a route: a role at least as
// strong as the route's, except that an auditor reads every route and
// writes none. Keeping the auditor's rule here, on the method, covers every
// route added later without anyone remembering to.
func roleMay(role, method, minRole string) error {
	if principal.ReadOnly(role) {
		if method == http.MethodGet || method == http.MethodHead {
			return nil
		}
		return errs.E("api.auth", errs.Forbidden, "an auditor's account can read everything and change nothing")
	}
	if !principal.AtLeast(role, minRole) {
		return errs.E("api.auth", errs.Forbidden, "your role may not do this")
	}
	return nil
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil {
			c.Error(err) // render now so the logged status is the one sent
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", req.Method), slog.String("route", c.Path()), slog.String("path", req.URL.Path),
			slog.Int("status", res.Status), slog.Int64("bytes", res.Size), slog.String("remote", c.RealIP()),
		}
		if p, ok := principal.From(req.Context()); ok {
			attrs = append(attrs, slog.String("org_id", p.OrgID), slog.String("user_id", p.UserID))
		}
		s.log.LogAttrs(req.Context(), level, "request", attrs...)
		return nil
	}
}

// idempotencyStore keeps the first answer to a keyed write.
type idempotencyStore interface {
	Replay(ctx context.Context, key, method, path, requestHash string) (status int, contentType string, body []byte, found bool, err error)
	Remember(ctx context.Context, key, method, path, requestHash string, status int, contentType string, body []byte) error
}

// idempotent replays the stored answer of a write retried with the same
// Idempotency-Key, so a phone that lost the response can safely send again.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" || c.Request().Method == http.MethodGet {
			return next(c)
		}
		if len(key) > 200 {
			return errs.Fields("api.idempotent", map[string]string{"/headers/Idempotency-Key": "at most 200 characters"})
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return decodeError("api.idempotent", err)
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		ctx, method, path := c.Request().Context(), c.Request().Method, c.Request().URL.Path
		status, contentType, stored, found, err := s.deps.Idempotency.Replay(ctx, key, method, path, hash)
		if err != nil {
			return err
		}
		if found {
			// The stored answer never reaches the push's transaction,
			// which is where a remembered standing is checked.
			if err := s.confirmStanding(c); err != nil {
				return err
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(status, contentType, stored)
		}
		recorder := &recordingWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = recorder
		if err := next(c); err != nil {
			c.Error(err)
		}
		if c.Response().Status < 500 {
			err := s.deps.Idempotency.Remember(ctx, key, method, path, hash, c.Response().Status,
				c.Response().Header().Get(echo.HeaderContentType), recorder.body.Bytes())
			if err != nil && !errs.Is(err, errs.Conflict) {
				s.log.Error("remember idempotent response", "err", err)
			}
		}
		return nil
	}
}

type recordingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// perSessionLimit throttles a route per session with a token bucket, so a
// device stuck in a tight retry loop cannot crowd out the others. A rate
// of zero turns it off.
func (s *Server) perSessionLimit(perSecond float64, burst int) echo.MiddlewareFunc {
	if perSecond <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: 3 * time.Minute})
	retry := time.Duration(float64(time.Second) / perSecond)
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			p, _ := principal.From(c.Request().Context())
			return p.SessionID, nil
		},
		DenyHandler: func(c echo.Context, identifier string, err error) error {
			return errs.E("api.rateLimit", errs.RateLimited, "too many requests from this device; slow down", retry)
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return errs.E("api.rateLimit", errs.Internal, err)
		},
	})
}
