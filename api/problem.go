package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem names one bad field by JSON pointer.
type FieldProblem struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Malformed:       http.StatusBadRequest,
	errs.Invalid:         http.StatusUnprocessableEntity,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Stale:           http.StatusPreconditionFailed,
	errs.Gone:            http.StatusGone,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.RateLimited:     http.StatusTooManyRequests,
	errs.Unavailable:     http.StatusServiceUnavailable,
}

const problemBase = "https://patrolsync.dev/problems/"

// errorHandler renders every error as problem+json. 5xx answers carry no
// detail; the whole chain goes to the log with the request id.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	p := Problem{Instance: c.Request().URL.Path, RequestID: requestID}
	var he *echo.HTTPError
	var e *errs.Error
	switch {
	case errors.As(err, &he):
		p.Status = he.Code
		p.Type = problemBase + slug(he.Code)
		p.Title = http.StatusText(he.Code)
		if msg, ok := he.Message.(string); ok && he.Code < 500 {
			p.Detail = msg
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			p.Detail = "the request body is larger than this endpoint accepts"
		}
	default:
		kind := errs.KindOf(err)
		errors.As(err, &e)
		p.Status = statusOf[kind]
		p.Type = problemBase + kind.String()
		p.Title = http.StatusText(p.Status)
		if e != nil && p.Status < 500 {
			p.Detail = e.Detail
			p.Errors = fieldProblems(e.Fields)
		}
		if e != nil && e.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())+1))
		} else if kind == errs.Unavailable {
			c.Response().Header().Set("Retry-After", "5")
		}
	}
	if p.Status >= 500 {
		s.log.Error("request failed", "request_id", requestID, "method", c.Request().Method,
			"path", c.Path(), "status", p.Status, "err", err)
		if p.Status == http.StatusServiceUnavailable {
			p.Detail = "a service this request needs is unavailable; retry later"
		}
	}
	writeProblem(c, p)
}

func writeProblem(c echo.Context, p Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		slog.Error("marshal problem", "err", err)
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	c.Response().Write(body)
}

func fieldProblems(fields map[string]string) []FieldProblem {
	if len(fields) == 0 {
		return nil
	}
	out := make([]FieldProblem, 0, len(fields))
	for pointer, detail := range fields {
		out = append(out, FieldProblem{Pointer: pointer, Detail: detail})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

func slug(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusTooManyRequests:
		return "rate_limited"
	}
	return strconv.Itoa(status)
}
