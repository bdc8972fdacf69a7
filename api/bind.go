package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// decode reads exactly one JSON object into v, refusing unknown fields, so
// that a typo in a field name is an error instead of a silent default, and
// refusing every string that breaks the string rule (input.ControlProblems)
// by its JSON pointer, so that no field of any body can carry a character
// the database cannot store.
func decode(c echo.Context, v any) error {
	body, err := decodeBody(c, v)
	if err != nil {
		return err
	}
	if problems := input.ControlProblems(body, ""); len(problems) > 0 {
		return errs.Fields("api.decode", problems)
	}
	return nil
}

// decodeBody is decode without the string rule, for the push body alone:
// its mutations are checked one by one (syncer), so that one bad mutation
// is rejected without sinking the batch.
func decodeBody(c echo.Context, v any) ([]byte, error) {
	body, err := readJSONBody(c)
	if err != nil {
		return nil, err
	}
	return body, decodeJSON(body, v)
}

// readJSONBody reads a request's JSON body.
func readJSONBody(c echo.Context) ([]byte, error) {
	const op = "api.decode"
	mediaType, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mediaType != "application/json" {
		return nil, errs.E(op, errs.Malformed, "the body must be JSON with Content-Type: application/json")
	}
	body, err := readBody(c.Request())
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errs.E(op, errs.TooLarge, fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit))
	}
	if err != nil {
		return nil, errs.E(op, errs.Malformed, "the body could not be read", err)
	}
	return body, nil
}

// decodeJSON decodes a body read by readJSONBody into v strictly.
func decodeJSON(body []byte, v any) error {
	const op = "api.decode"
	if err := strictjson.Value(body, v, strictjson.Options{}); err != nil {
		if errors.Is(err, strictjson.ErrTrailing) {
			return errs.E(op, errs.Malformed, "the body must hold exactly one JSON value")
		}
		return decodeError(op, err)
	}
	return nil
}

// readBody reads the request's body into one buffer of the length it
// declares (every client but a chunked one declares it): io.ReadAll starts
// at 512 bytes and grows, copying a push of 40 mutations about eight times
// (issue 17). BodyLimit has refused a declared length above the API's
// limit before this runs; readBodyHintAtMost bounds what a declared length
// may make this allocate in any case, and a longer body grows as before.
func readBody(r *http.Request) ([]byte, error) {
	declared := r.ContentLength
	if declared <= 0 || declared > readBodyHintAtMost {
		return io.ReadAll(r.Body)
	}
	var buf bytes.Buffer
	buf.Grow(int(declared) + bytes.MinRead) // room for the read that meets EOF
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

const readBodyHintAtMost = 1 << 20

func decodeError(op string, err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return errs.E(op, errs.Malformed, fmt.Sprintf("malformed JSON at byte %d", syntax.Offset))
	case errors.As(err, &typeErr):
		pointer := "/" + strings.ReplaceAll(typeErr.Field, ".", "/")
		if typeErr.Field == "" {
			return errs.E(op, errs.Malformed, "the body must be a JSON object")
		}
		return errs.Fields(op, map[string]string{pointer: "must be " + jsonType(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Fields(op, map[string]string{"/" + name: "unknown field"})
	case errors.Is(err, io.EOF):
		return errs.E(op, errs.Malformed, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(op, errs.Malformed, "the body ends in the middle of a JSON value")
	}
	return errs.E(op, errs.Malformed, "the body is not valid JSON", err)
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// queryStrings holds query parameters to the string rule of bodies
// (input.CleanString): a filter holding NUL could otherwise reach
// PostgreSQL, which refuses it.
func queryStrings(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var problems map[string]string
		for name, values := range c.QueryParams() {
			for _, v := range values {
				if input.CleanString(v) && input.CleanString(name) {
					continue
				}
				if problems == nil {
					problems = map[string]string{}
				}
				if !input.CleanString(name) {
					name = strconv.Quote(name) // named without the character itself
				}
				problems["/"+name] = input.ControlRule
			}
		}
		if problems != nil {
			return errs.Fields("api.query", problems)
		}
		return next(c)
	}
}

// page reads ?limit= and ?cursor= for a list.
func page(c echo.Context) (store.Page, error) { return pageWith(c, decodeCursor) }

// pageWith reads limit and cursor, the cursor by decode.
func pageWith(c echo.Context, decode func(string) (string, error)) (store.Page, error) {
	p := store.Page{Limit: 50}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 500 {
			return p, errs.Fields("api.page", map[string]string{"/limit": "must be a whole number from 1 to 500"})
		}
		p.Limit = n
	}
	if raw := c.QueryParam("cursor"); raw != "" {
		after, err := decode(raw)
		if err != nil {
			return p, errs.Fields("api.page", map[string]string{"/cursor": "not a cursor this server issued"})
		}
		p.After = after
	}
	return p, nil
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string) (*bool, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return nil, nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return nil, errs.Fields("api.boolParam", map[string]string{"/" + name: "must be true or false"})
	}
	return &v, nil
}

// List is the shape of every list answer.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func list[T any](items []T, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	if next != "" {
		next = encodeCursor(next)
	}
	return List[T]{Items: items, NextCursor: next}
}

// pathID reads the :id path parameter. A malformed id cannot name a record,
// so it is answered like an absent one.
func pathID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !input.IsUUID(id) {
		return "", errs.E("api.pathID", errs.NotFound, "not found")
	}
	return id, nil
}
