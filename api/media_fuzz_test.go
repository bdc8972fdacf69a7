package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// FuzzDeclareMedia sends arbitrary bodies to the media declare handler of a
// real server: it must answer every one with a documented client error or
// success, never a 5xx, and always in the shape openapi.yaml promises.
func FuzzDeclareMedia(f *testing.F) {
	env := apitest.New(f, testenv.SQLite(f))
	tenant := env.NewTenant("fuzzmedia")
	for _, seed := range []string{
		`{"id":"0194f2a0-1111-7000-8000-000000000001","sha256":"` + string(bytes.Repeat([]byte("ab"), 32)) + `","size":10,"content_type":"image/png","kind":"photo","inspection_id":"0194f2a0-1111-7000-8000-000000000002"}`,
		`{"id":"x","sha256":"zz","size":-1,"content_type":"text/html","kind":"virus"}`,
		`{"id":"0194f2a0-1111-7000-8000-000000000003","sha256":"` + string(bytes.Repeat([]byte("cd"), 32)) + `","size":99999999999,"content_type":"image/jpeg","kind":"signature","signature":{"strokes":[[[1,2]]],"signer_role":"guard"}}`,
		`{"location":{"lat":999,"lng":"x"},"captured_at":"yesterday"}`,
		`{"size":1e309}`, `[]`, `{`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	client := &http.Client{}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest(http.MethodPost, env.URL+"/v1/media", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tenant.Guard.Token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("declare answered %d to %q: %s", res.StatusCode, body, out)
		}
		apitest.CheckContract(t, req, apitest.Response{Status: res.StatusCode, Header: res.Header, Body: out})
	})
}
