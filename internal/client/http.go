package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// ErrUnauthenticated means the server refused the session and the client
// could not renew it: the user has to sign in.
var ErrUnauthenticated = errors.New("client: not signed in, or the session ended; sign in again")

// StatusError is an answer the client does not retry as is: a 4xx other
// than 401, 408 and 429, carrying the server's problem document.
type StatusError struct {
	Status int
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

// FieldError names a field by JSON pointer.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("server answered %d %s", e.Status, e.Title)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	for _, f := range e.Errors {
		msg += fmt.Sprintf("; %s %s", f.Pointer, f.Detail)
	}
	return msg
}

// StatusOf returns the HTTP status of a StatusError in err's chain, or 0.
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// request is one API call; body is sent again as is on every attempt.
type request struct {
	method string
	path   string
	query  url.Values
	body   []byte
	auth   bool
	// target, when set, is an absolute URL used instead of the server's
	// path (a presigned blob URL), and headers are sent exactly as given
	// (a presigned upload is signed over them).
	target  string
	headers map[string]string
	// mutations in body, counted on every attempt.
	mutations int
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// maxReauth bounds token renewals within one call.
const maxReauth = 3

// call sends req until it gets an answer worth returning. Network errors,
// timeouts, 5xx, 408 and 429 are retried with backoff (the server's
// Retry-After first); 401 renews the session and retries; any other status
// is returned, 2xx as a response and the rest as a *StatusError.
func (c *Client) call(ctx context.Context, req request) (response, error) {
	reauths := 0
	for attempt := 0; ; attempt++ {
		token, err := c.bearer(ctx, req.auth)
		if err != nil {
			return response{}, err
		}
		res, err := c.once(ctx, req, token)
		if ctx.Err() != nil {
			return response{}, ctx.Err()
		}
		var header http.Header
		switch {
		case err != nil:
			// The request may or may not have reached the server: resending
			// is safe because every write carries its own idempotency.
		case res.status == http.StatusUnauthorized && req.auth && reauths < maxReauth:
			reauths++
			if err := c.reauthenticate(ctx, token); err != nil {
				return response{}, err
			}
			attempt-- // a renewed session is not a failed attempt
			continue
		case res.status >= 500, res.status == http.StatusTooManyRequests, res.status == http.StatusRequestTimeout:
			header, err = res.header, fmt.Errorf("server answered %d", res.status)
		case res.status >= 200 && res.status < 300:
			return res, nil
		default:
			return res, statusError(res)
		}
		if c.opts.MaxAttempts > 0 && attempt+1 >= c.opts.MaxAttempts {
			return response{}, fmt.Errorf("%s %s: giving up after %d attempts: %w", req.method, req.path, attempt+1, err)
		}
		delay := c.delay(attempt, header)
		c.counters.retries.Add(1)
		c.log.Debug("retrying", "method", req.method, "path", req.path, "attempt", attempt+1, "delay", delay, "err", err)
		if err := wait(ctx, delay); err != nil {
			return response{}, err
		}
	}
}

// bearer is the access token to send, if the request needs one.
func (c *Client) bearer(ctx context.Context, needed bool) (string, error) {
	if !needed {
		return "", nil
	}
	s, err := c.session(ctx)
	if err != nil {
		return "", err
	}
	if s.Access == "" {
		return "", ErrUnauthenticated
	}
	return s.Access, nil
}

// once makes one attempt, bounded by RequestTimeout.
func (c *Client) once(ctx context.Context, req request, token string) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	target := c.server + req.path
	if req.target != "" {
		target = req.target
	}
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return response{}, err
	}
	httpReq.Header.Set("Accept", "application/json")
	if req.body != nil && req.headers == nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	for name, value := range req.headers {
		httpReq.Header.Set(name, value)
	}
	if token != "" {
		httpReq.Header.Set("Authorization", "Bearer "+token)
	}
	c.counters.requests.Add(1)
	c.counters.mutationSends.Add(int64(req.mutations))
	res, err := c.http.Do(httpReq)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return response{}, err // a body cut short is as good as no answer
	}
	return response{status: res.StatusCode, header: res.Header, body: data}, nil
}

func statusError(res response) error {
	se := &StatusError{Status: res.status}
	_ = json.Unmarshal(res.body, se) // a body that is not a problem document still has a status
	if se.Title == "" {
		se.Title = http.StatusText(res.status)
	}
	se.Status = res.status
	return se
}

// callJSON sends in (nil: no body) and decodes a 2xx answer into out.
func (c *Client) callJSON(ctx context.Context, method, path string, query url.Values, in, out any, auth bool) error {
	req := request{method: method, path: path, query: query, auth: auth}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		req.body = b
	}
	res, err := c.call(ctx, req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}
