package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// FuzzDecodePush feeds arbitrary bodies through the push's decoder and the
// database-free mutation checks: they must never panic, and every refusal
// must be a client error kind, never an internal one.
func FuzzDecodePush(f *testing.F) {
	for _, seed := range []string{
		`{"mutations":[]}`,
		`{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"inspection.start","entity_id":"0194f2a0-2222-7000-8000-000000000002","payload":{"template_id":"0194f2a0-2222-7000-8000-000000000003","template_version":1,"site_id":"0194f2a0-2222-7000-8000-000000000004"},"client_time":"2026-11-26T14:01:00Z"}]}`,
		`{"mutations":[{"mutation_id":"x","type":"answer.set","entity_id":"y","payload":{"path":"/a","answer":{"value":[1,2,{"k":null}]}}}]}`,
		`{"mutations":[{"mutation_id":"0194f2a0-1111-7000-8000-000000000001","type":"finding.update","entity_id":"0194f2a0-2222-7000-8000-000000000002","base_version":-1,"payload":{"severity":7}}]}`,
		`{"mutations":{"a":1}}`,
		`{"mutations":[null,1,"s"]}`,
		`[]`, `{`, ``, `{"mutations":[{"payload":"\u0000"}]}`,
	} {
		f.Add([]byte(seed))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/sync/push", bytes.NewReader(body))
		req.Header.Set(echo.HeaderContentType, "application/json")
		c := e.NewContext(req, httptest.NewRecorder())
		mutations, err := decodePush(c)
		if err != nil {
			switch errs.KindOf(err) {
			case errs.Malformed, errs.Invalid, errs.TooLarge:
			default:
				t.Fatalf("decode refused %q with kind %v", body, errs.KindOf(err))
			}
			return
		}
		for _, m := range mutations {
			for _, problem := range syncer.Precheck(m) {
				if problem.Pointer == "" || problem.Detail == "" {
					t.Fatalf("a problem without pointer or detail for %q", body)
				}
			}
		}
	})
}
