package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// requireLoopback refuses any server that is not on this machine: the
// tool is a load generator and must never aim at another host.
func requireLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("--server %q: want http://127.0.0.1:PORT", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--server %q: only loopback addresses (127.0.0.0/8, ::1, localhost) may be loaded", raw)
	}
	return nil
}

// requireLoopbackDatabase refuses a PostgreSQL server on another host: the
// load lands on the database too.
func requireLoopbackDatabase(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("--postgres: want postgres://user@127.0.0.1:5432/postgres?sslmode=disable")
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--postgres: only a server on a loopback address may be loaded, not %q", host)
	}
	return nil
}

// api is a small JSON client of one server.
type api struct {
	baseURL string
	http    *http.Client
}

func newAPI(baseURL string, connections int) *api {
	transport := &http.Transport{
		Proxy:               nil, // never through a proxy: loopback only
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        connections + 16,
		MaxIdleConnsPerHost: connections + 16,
		IdleConnTimeout:     time.Minute,
	}
	return &api{baseURL: baseURL, http: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
}

// statusError is an answer other than the one wanted.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// do sends body (nil or already JSON-encoded) and decodes a 2xx answer into out.
func (a *api) do(ctx context.Context, method, path, token string, body []byte, out any) error {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.baseURL+path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		if len(raw) > 300 {
			raw = raw[:300]
		}
		return &statusError{status: res.StatusCode, body: string(raw)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func (a *api) postJSON(ctx context.Context, path, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return a.do(ctx, http.MethodPost, path, token, body, out)
}

// login signs in on deviceKey and returns the access token.
func (a *api) login(ctx context.Context, email, password, deviceKey string) (string, error) {
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	err := a.postJSON(ctx, "/v1/auth/login", "", map[string]string{"email": email, "password": password, "device_id": deviceKey}, &tokens)
	if err != nil {
		return "", fmt.Errorf("login %s on %s: %w", email, deviceKey, err)
	}
	return tokens.AccessToken, nil
}

// waitReady polls /readyz until it answers 200 or the deadline passes.
func (a *api) waitReady(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		err := a.do(ctx, http.MethodGet, "/readyz", "", nil, nil)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server not ready within %s: %w", within, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
