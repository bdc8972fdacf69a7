package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/patrolsync/patrolsync"
)

var (
	contractOnce sync.Once
	contract     routers.Router
	contractErr  error
)

// CheckContract fails the test when the answer's status, headers or body
// are not what openapi.yaml says for that route.
func CheckContract(t testing.TB, req *http.Request, res Response) {
	t.Helper()
	router := loadContract(t)
	if unchecked(req.URL.Path) {
		return
	}
	route, params, err := findRoute(router, req)
	if err != nil {
		if res.Status == http.StatusNotFound && onlyUnknownPath(err) {
			return // a route the spec does not have: 404 is the right answer
		}
		t.Errorf("contract: %s %s answered %d, but openapi.yaml has no such operation: %v",
			req.Method, req.URL.Path, res.Status, err)
		return
	}
	if err := responseProblems(req, route, params, res); err != nil {
		t.Errorf("contract: %s %s answered %d, which openapi.yaml does not allow:\n  %s\n  body: %.400s",
			req.Method, req.URL.Path, res.Status, describe(err), res.Body)
	}
}

// responseProblems checks one answer against its operation.
// openapi3filter.ValidateResponse checks the headers; the rest is done
// here, to keep what the contract proved before:
//   - the status must be declared for every answer: ValidateResponse waves
//     301, 304, 307 and 308 and every HEAD answer through unchecked;
//   - the Content-Type must be one the status declares, and only JSON
//     bodies are held to their schema: the others (CSV, PDF, HTML, YAML,
//     images, scripts) are byte streams typed {type: string} at most;
//   - JSON bodies are checked by a schema compiled once (bodySchemas), as
//     ValidateResponse compiles the whole schema again for every answer:
//     80 to 130 ms for a push or a pull page.
func responseProblems(req *http.Request, route *routers.Route, params map[string]string, res Response) error {
	code, declared := declaredResponse(route.Operation.Responses, res.Status)
	if declared == nil || declared.Value == nil {
		return fmt.Errorf("status %d is not declared for %s %s", res.Status, route.Method, route.Path)
	}
	var problems []error
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		problems = append(problems, err)
	}
	// An answer to HEAD has the headers of a GET and no body to check.
	if content := declared.Value.Content; len(content) > 0 && req.Method != http.MethodHead {
		base := declared.Ref
		if base == "" {
			base = operationPointer(route) + "/responses/" + code
		}
		problems = append(problems, bodyProblems(content, base, res.Header.Get("Content-Type"), res.Body))
	}
	return errors.Join(problems...)
}

// declaredResponse is the response openapi.yaml declares for status and
// its key: the status itself, its range (2XX) or default.
func declaredResponse(responses *openapi3.Responses, status int) (string, *openapi3.ResponseRef) {
	for _, code := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		if declared := responses.Value(code); declared != nil {
			return code, declared
		}
	}
	return "", nil
}

// operationPointer is the JSON pointer of the route's operation in
// openapi.yaml.
func operationPointer(route *routers.Route) string {
	return "#/paths/" + escapePointer(route.Path) + "/" + strings.ToLower(route.Method)
}

func escapePointer(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// bodyProblems checks a body against the content declared at base (a
// response or request body's JSON pointer): its Content-Type must be
// declared, and a JSON body must match its schema.
func bodyProblems(content openapi3.Content, base, contentType string, body []byte) error {
	key, ok := mediaKey(content, contentType)
	if !ok {
		return fmt.Errorf("Content-Type %q is not one of those declared (%s)", contentType, strings.Join(slices.Sorted(maps.Keys(content)), ", "))
	}
	if !jsonMedia(contentType) || content[key].Schema == nil {
		return nil
	}
	return validateJSON(base+"/content/"+escapePointer(key)+"/schema", body)
}

// mediaKey is the key of content that a Content-Type falls under: the
// same media type (parameters such as charset aside), else type/*, else
// */*.
func mediaKey(content openapi3.Content, contentType string) (string, bool) {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", false
	}
	kind, _, _ := strings.Cut(media, "/")
	for _, want := range []string{media, kind + "/*", "*/*"} {
		for key := range content {
			if declared, _, err := mime.ParseMediaType(key); err == nil && declared == want {
				return key, true
			}
		}
	}
	return "", false
}

// jsonMedia reports whether a Content-Type is JSON: application/json and
// the +json family (problem+json, manifest+json, schema+json).
func jsonMedia(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return media == "application/json" || strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json")
}

// loadContract loads openapi.yaml and routes over it once per test binary.
func loadContract(t testing.TB) routers.Router {
	t.Helper()
	contractOnce.Do(func() {
		contract, contractErr = newContract()
	})
	if contractErr != nil {
		t.Fatalf("openapi.yaml does not load: %v", contractErr)
	}
	return contract
}

func newContract() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(patrolsync.OpenAPI)
	if err != nil {
		return nil, err
	}
	// Not doc.Validate: it takes most of a second (it checks every
	// example), which every test binary would pay; TestSpecIsValidOpenAPI31
	// validates the document once. servers is [{url: /}], so routes match
	// any host, with no base path, as the paths are written.
	return gorillamux.NewRouter(doc)
}

// CheckRequest fails the test when a request the server accepted is not one
// openapi.yaml allows: a client written from the contract must be able to
// send everything the tests send. Requests the server refused (4xx) are
// left out on purpose: tests send bad input to see it refused.
func CheckRequest(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	router := loadContract(t)
	if unchecked(req.URL.Path) {
		return
	}
	route, params, err := findRoute(router, req)
	if err != nil {
		t.Errorf("contract: %s %s was accepted, but openapi.yaml has no such operation: %v", req.Method, req.URL.Path, err)
		return
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	input := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:          true,
			SkipSettingDefaults: true,
			ExcludeRequestBody:  true, // requestBodyProblems, for the reason given at responseProblems
			AuthenticationFunc:  bearerPresent,
		},
	}
	problems := []error{openapi3filter.ValidateRequest(req.Context(), input), requestBodyProblems(route, req, body)}
	if err := errors.Join(problems...); err != nil {
		t.Errorf("contract: %s %s sent a request openapi.yaml does not allow, and the server accepted it:\n  %s\n  body: %.400s",
			req.Method, req.URL.Path, describe(err), body)
	}
}

// requestBodyProblems holds a request's body to the operation's: present
// when required, of a declared Content-Type and, when JSON, of its schema.
// A body the operation does not take is the server's to refuse.
func requestBodyProblems(route *routers.Route, req *http.Request, body []byte) error {
	declared := route.Operation.RequestBody
	if declared == nil || declared.Value == nil {
		return nil
	}
	if len(body) == 0 {
		if declared.Value.Required {
			return errors.New("request body: required, but there is none")
		}
		return nil
	}
	base := declared.Ref
	if base == "" {
		base = operationPointer(route) + "/requestBody"
	}
	if err := bodyProblems(declared.Value.Content, base, req.Header.Get("Content-Type"), body); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

// bearerPresent holds a secured request to what a client reading the
// security schemes must send: an Authorization header in the bearer
// scheme. Whether the token is good is the server's business, and it has
// answered already.
func bearerPresent(_ context.Context, input *openapi3filter.AuthenticationInput) error {
	scheme := input.SecurityScheme
	if scheme == nil || scheme.Type != "http" || !strings.EqualFold(scheme.Scheme, "bearer") {
		return nil
	}
	header := input.RequestValidationInput.Request.Header.Get("Authorization")
	if len(header) < len("Bearer ") || !strings.EqualFold(header[:len("Bearer ")], "Bearer ") {
		return fmt.Errorf("security scheme %q wants an Authorization: Bearer header, got %q", input.SecuritySchemeName, header)
	}
	return nil
}

// describe lists the problems of a failed check, one a line, each naming
// the parameter, header or body field (as a JSON pointer) at fault.
func describe(err error) string {
	var lines problems
	lines.add(err, "")
	return strings.Join(lines, "\n  ")
}

type problems []string

// add walks the tree of kin-openapi's errors down to the leaves, carrying
// what each level says (parameter, request body, reason) as a prefix.
func (p *problems) add(err error, prefix string) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, inner := range joined.Unwrap() {
			p.add(inner, prefix)
		}
		return
	}
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			p.add(inner, prefix)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			prefix += fmt.Sprintf("%s parameter %q: ", e.Parameter.In, e.Parameter.Name)
		case e.RequestBody != nil:
			prefix += "request body: "
		}
		p.addCause(prefix, e.Reason, e.Err)
	case *openapi3filter.ResponseError:
		p.addCause(prefix, e.Reason, e.Err)
	case *openapi3filter.SecurityRequirementsError:
		for _, inner := range e.Errors {
			p.add(inner, prefix+"security: ")
		}
	case *openapi3.SchemaError:
		*p = append(*p, prefix+schemaProblem(e))
	default:
		*p = append(*p, prefix+err.Error())
	}
}

// addCause goes on with the cause of a request or response error, its
// reason as a prefix, or ends with the reason when there is no cause.
func (p *problems) addCause(prefix, reason string, cause error) {
	if cause == nil {
		*p = append(*p, prefix+reason)
		return
	}
	if reason != "" && reason != cause.Error() {
		prefix += reason + ": "
	}
	p.add(cause, prefix)
}

// schemaProblem names the field at fault by JSON pointer. The JSON Schema
// 2020-12 validator's reason already does, under a first line naming the
// schema by a made-up URL.
func schemaProblem(e *openapi3.SchemaError) string {
	if rest, ok := strings.CutPrefix(e.Reason, "jsonschema validation failed with "); ok {
		_, fields, _ := strings.Cut(rest, "\n")
		return strings.ReplaceAll(fields, "\n", "\n  ")
	}
	return fmt.Sprintf("at /%s: %s", strings.Join(e.JSONPointer(), "/"), e.Reason)
}

// unchecked are the raw byte streams and third-party pages: described in
// openapi.yaml but not schema-checked.
func unchecked(path string) bool {
	return strings.HasPrefix(path, "/v1/blobs/") || path == "/metrics" || strings.HasPrefix(path, "/docs")
}

// findRoute is the spec's operation for a request. A path with a trailing
// slash falls back to the operation without it, as libopenapi-validator
// matched them and as openapi.yaml says of /app/ and /console/ (the page
// of the path that redirects to it): gorilla/mux tells them apart.
func findRoute(router routers.Router, req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := router.FindRoute(req)
	if err != nil && len(req.URL.Path) > 1 && strings.HasSuffix(req.URL.Path, "/") && errors.Is(err, routers.ErrPathNotFound) {
		trimmed := req.Clone(req.Context())
		trimmed.URL.Path = strings.TrimSuffix(req.URL.Path, "/")
		trimmed.URL.RawPath = ""
		if route, params, trimmedErr := router.FindRoute(trimmed); trimmedErr == nil {
			return route, params, nil
		}
	}
	return route, params, err
}

// onlyUnknownPath reports whether the router found no operation for the
// request: no such path, or no such method on it.
func onlyUnknownPath(err error) bool {
	return errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed)
}
