package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

func TestBadInputIsAClearProblem(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t), apitest.WithSetting("PATROLSYNC_BODY_LIMIT", "4096"))
	tenant := env.NewTenant("bad")
	admin := tenant.Admin.Token
	cases := []struct {
		name   string
		req    apitest.Request
		status int
		fields []string // pointers that must be named
	}{
		{"malformed json", apitest.Request{Method: "POST", Path: "/v1/sites", RawBody: []byte(`{"code": "X",`)}, 400, nil},
		{"not an object", apitest.Request{Method: "POST", Path: "/v1/sites", RawBody: []byte(`[1,2]`)}, 400, nil},
		{"two values", apitest.Request{Method: "POST", Path: "/v1/sites", RawBody: []byte(`{} {}`)}, 400, nil},
		{"empty body", apitest.Request{Method: "POST", Path: "/v1/sites", RawBody: []byte(``)}, 400, nil},
		{"unknown field", apitest.Request{Method: "POST", Path: "/v1/sites", Body: map[string]any{"code": "X", "colour": "red"}}, 422, []string{"/colour"}},
		{"wrong type", apitest.Request{Method: "POST", Path: "/v1/sites", Body: map[string]any{"code": 7}}, 422, []string{"/code"}},
		{"every field at once", apitest.Request{Method: "POST", Path: "/v1/users", Body: map[string]any{
			"email": "not-an-email", "name": "", "password": "short", "role": "king", "site_ids": []string{"nope"}}},
			422, []string{"/email", "/name", "/password", "/role", "/site_ids"}},
		{"bad time zone", apitest.Request{Method: "POST", Path: "/v1/sites", Body: map[string]any{"code": "Z", "name": "Z", "timezone": "Mars/Olympus"}}, 422, []string{"/timezone"}},
		{"too large", apitest.Request{Method: "POST", Path: "/v1/sites", RawBody: []byte(`{"name":"` + strings.Repeat("x", 5000) + `"}`)}, 413, nil},
		{"bad limit", apitest.Request{Method: "GET", Path: "/v1/users?limit=0"}, 422, []string{"/limit"}},
		{"forged cursor", apitest.Request{Method: "GET", Path: "/v1/users?cursor=abc"}, 422, []string{"/cursor"}},
		{"unknown route", apitest.Request{Method: "GET", Path: "/v1/nothing-here"}, 404, nil},
		{"malformed id", apitest.Request{Method: "GET", Path: "/v1/users/42"}, 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Token = admin
			r := env.Do(tc.req)
			r.Want(t, tc.status)
			p := r.Problem(t)
			if p.Status != tc.status || p.Type == "" || p.Title == "" {
				t.Fatalf("problem = %+v", p)
			}
			fields := r.FieldErrors(t)
			for _, f := range tc.fields {
				if fields[f] == "" {
					t.Errorf("problem does not name %s: %s", f, r.Body)
				}
			}
		})
	}
	// Nothing was half-written by the failed creates.
	var sites struct{ Items []any }
	env.Get("/v1/sites", admin).Want(t, http.StatusOK).JSON(t, &sites)
	if len(sites.Items) != 2 {
		t.Fatalf("%d sites after failed creates, want the 2 fixture sites", len(sites.Items))
	}
}

func TestWrongContentTypeIsRefused(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, testenv.SQLite(t))
	tenant := env.NewTenant("ct")
	r := env.Do(apitest.Request{Method: "POST", Path: "/v1/sites", Token: tenant.Admin.Token, RawBody: []byte(`{}`),
		Header: map[string]string{"Content-Type": "text/plain"}})
	r.Want(t, http.StatusBadRequest).Problem(t)
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("idem")
		create := apitest.Request{Method: "POST", Path: "/v1/sites", Token: tenant.Admin.Token,
			Body:   map[string]any{"code": "NEW", "name": "New site", "timezone": "UTC"},
			Header: map[string]string{"Idempotency-Key": "k-1"}}
		first := env.Do(create).Want(t, http.StatusCreated)
		second := env.Do(create).Want(t, http.StatusCreated)
		if string(first.Body) != string(second.Body) || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry answered %s (replayed=%q), want the first answer %s", second.Body, second.Header.Get("Idempotent-Replayed"), first.Body)
		}
		// The same key with another body is refused, not silently replayed.
		create.Body = map[string]any{"code": "OTHER", "name": "Other", "timezone": "UTC"}
		env.Do(create).Want(t, http.StatusUnprocessableEntity)
		// Without the key, a duplicate code is a conflict.
		create.Header, create.Body = nil, map[string]any{"code": "NEW", "name": "New site", "timezone": "UTC"}
		env.Do(create).Want(t, http.StatusConflict)
		var sites struct{ Items []any }
		env.Get("/v1/sites", tenant.Admin.Token).JSON(t, &sites)
		if len(sites.Items) != 3 {
			t.Fatalf("%d sites, want 3", len(sites.Items))
		}
	})
}

func TestStaleVersionIsPreconditionFailed(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("cas")
		path := "/v1/sites/" + tenant.Sites[0].ID
		env.Patch(path, tenant.Admin.Token, map[string]any{"name": "First", "version": 1}).Want(t, http.StatusOK)
		env.Patch(path, tenant.Admin.Token, map[string]any{"name": "Second", "version": 1}).Want(t, http.StatusPreconditionFailed)
		var site struct {
			Name    string
			Version int
		}
		env.Get(path, tenant.Admin.Token).JSON(t, &site)
		if site.Name != "First" || site.Version != 2 {
			t.Fatalf("site = %+v", site)
		}
	})
}
