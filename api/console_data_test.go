package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A site has a place (centre and radius) that is set, changed, cleared and
// checked field by field, on both dialects.
func TestSiteLocation(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("place")
		type site struct {
			ID       string
			Location *struct {
				Lat, Lng float64
				RadiusM  int `json:"radius_m"`
			}
		}
		var created site
		env.Post("/v1/sites", tenant.Admin.Token, map[string]any{"code": "C", "name": "Branch C", "timezone": "Asia/Shanghai",
			"location": map[string]any{"lat": 31.2304, "lng": 121.4737, "radius_m": 150}}).Want(t, http.StatusCreated).JSON(t, &created)
		if created.Location == nil || created.Location.Lat != 31.2304 || created.Location.RadiusM != 150 {
			t.Fatalf("created site location = %+v", created.Location)
		}
		var read site
		env.Get("/v1/sites/"+created.ID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &read)
		if read.Location == nil || read.Location.Lng != 121.4737 {
			t.Fatalf("read site location = %+v", read.Location)
		}
		// A patch without location keeps it; null clears it.
		env.Patch("/v1/sites/"+created.ID, tenant.Admin.Token, map[string]any{"name": "Branch C renamed"}).Want(t, http.StatusOK).JSON(t, &read)
		if read.Location == nil {
			t.Fatal("a patch without location cleared it")
		}
		env.Patch("/v1/sites/"+created.ID, tenant.Admin.Token, map[string]any{"location": nil}).Want(t, http.StatusOK).JSON(t, &read)
		if read.Location != nil {
			t.Fatalf("location after null = %+v", read.Location)
		}
		bad := env.Patch("/v1/sites/"+created.ID, tenant.Admin.Token, map[string]any{
			"location": map[string]any{"lat": 91, "lng": 200, "radius_m": 0}}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, pointer := range []string{"/location/lat", "/location/lng", "/location/radius_m"} {
			if bad[pointer] == "" {
				t.Errorf("a bad location does not name %s: %v", pointer, bad)
			}
		}
		env.Get("/v1/sites/"+created.ID, tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &read)
		if read.Location != nil {
			t.Fatal("a refused patch was half-written")
		}
	})
}

// The inspection API gives each signature's strokes, so the console draws
// signatures as they were signed.
func TestInspectionCarriesSignatureStrokes(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("strokes")
		inspectionID, batch, all := declaredInspection(t, env, tenant)
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results[len(results)-1:], "applied")
		signature := all[len(all)-1]
		var detail struct {
			Signatures map[string]struct {
				Strokes      [][][]float64 `json:"strokes"`
				SignerUserID string        `json:"signer_user_id"`
				SignerRole   string        `json:"signer_role"`
			} `json:"signatures"`
		}
		env.Get("/v1/inspections/"+inspectionID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &detail)
		got, ok := detail.Signatures[signature.id]
		if !ok || len(got.Strokes) == 0 || len(got.Strokes[0]) < 2 || got.SignerUserID != tenant.Guard.User.ID {
			raw, _ := json.Marshal(detail.Signatures)
			t.Fatalf("signatures = %s, want the strokes of %s", raw, signature.id)
		}
		if len(detail.Signatures) != 1 {
			t.Fatalf("%d signatures for one signature answer (photos are not signatures)", len(detail.Signatures))
		}
	})
}
