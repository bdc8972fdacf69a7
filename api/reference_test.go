package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// vaultTemplate publishes a closing check whose counted cash must equal the
// site's system cash balance of the day and whose cash van must carry a
// registered plate: both compared with the server's reference data.
func vaultTemplate(t *testing.T, env *apitest.Env, admin string) string {
	t.Helper()
	label := func(zh, en string) map[string]string { return map[string]string{"zh-CN": zh, "en": en} }
	document := map[string]any{"key": "vault-reference", "title": label("金库核对", "Vault check"), "sections": []any{map[string]any{
		"key": "vault", "title": label("金库", "Vault"), "items": []any{
			map[string]any{"key": "cash_count", "type": "number", "label": label("库存现金清点金额", "Cash on hand counted"),
				"unit": "CNY", "required": true, "decimals": 2, "critical": true,
				"expected": map[string]any{"reference": "system_cash_balance"}},
			map[string]any{"key": "van_plate", "type": "text", "label": label("运钞车车牌号码", "Cash van plate"),
				"required": true, "expected": map[string]any{"reference": "registered_plates"}},
		}}}}
	var created struct{ ID string }
	env.Post("/v1/templates", admin, map[string]any{"document": document}).Want(t, http.StatusCreated).JSON(t, &created)
	env.Post("/v1/templates/"+created.ID+"/publish", admin, nil).Want(t, http.StatusOK)
	return created.ID
}

type submittedView struct {
	Status, Outcome string
	Evaluation      struct {
		Failed []string
		Errors []struct{ Path, Code string }
	}
}

// Reference data is entered by an admin (or an integration), reaches the
// guard's phone through pull, and is what the server judges a submission
// against: a phone that claims another expected value changes nothing.
func TestReferenceDataJudgesSubmissions(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("reference")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		admin, guard := tenant.Admin.Token, tenant.Guard.Token

		// Assets: a company, its crew member (ID number checked) and a van.
		var company, van struct{ ID string }
		env.Post("/v1/assets", admin, map[string]any{"site_id": siteA, "kind": "cash_transport_company", "code": "YS-01",
			"name": "安保押运公司"}).Want(t, http.StatusCreated).JSON(t, &company)
		bad := env.Post("/v1/assets", admin, map[string]any{"site_id": siteA, "kind": "cash_transport_crew", "code": "C1",
			"name": "张三", "id_number": "1234", "company_id": newID()}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if bad["/id_number"] == "" || bad["/company_id"] == "" {
			t.Fatalf("field errors %v, want /id_number and /company_id", bad)
		}
		env.Post("/v1/assets", admin, map[string]any{"site_id": siteA, "kind": "cash_transport_crew", "code": "C1",
			"name": "张三", "id_number": "44030119800101123x", "company_id": company.ID}).Want(t, http.StatusCreated)
		env.Post("/v1/assets", admin, map[string]any{"site_id": siteA, "kind": "vehicle", "code": "粤B12345",
			"name": "运钞车 1", "company_id": company.ID}).Want(t, http.StatusCreated).JSON(t, &van)
		env.Post("/v1/assets", admin, map[string]any{"site_id": siteA, "kind": "vehicle", "code": "粤B12345",
			"name": "twice"}).Want(t, http.StatusConflict)
		env.Post("/v1/assets", guard, map[string]any{"site_id": siteA, "kind": "camera", "code": "CAM-1",
			"name": "lobby"}).Want(t, http.StatusForbidden)
		var assets struct{ Items []struct{ Kind, Code string } }
		env.Get("/v1/assets?site_id="+siteB, guard).Want(t, http.StatusOK).JSON(t, &assets)
		if len(assets.Items) != 0 {
			t.Fatalf("a guard of site A lists %d assets of site B", len(assets.Items))
		}
		env.Get("/v1/assets?kind=vehicle", guard).Want(t, http.StatusOK).JSON(t, &assets)
		if len(assets.Items) != 1 || assets.Items[0].Code != "粤B12345" {
			t.Fatalf("guard lists vehicles %+v", assets.Items)
		}

		// The day's system cash balance, from an integration; resent, it
		// stays one value with a new version.
		day := time.Now().In(shanghai(t)).Format(time.DateOnly)
		value := map[string]any{"site_id": siteA, "key": "system_cash_balance", "day": day, "value": 120000, "unit": "CNY",
			"source": "integration"}
		put(env, "/v1/reference-values", admin, value).Want(t, http.StatusOK)
		value["value"] = 152300.5
		var stored struct {
			Value   float64
			Version int64
		}
		put(env, "/v1/reference-values", admin, value).Want(t, http.StatusOK).JSON(t, &stored)
		if stored.Value != 152300.5 || stored.Version != 2 {
			t.Fatalf("stored %+v, want 152300.5 at version 2", stored)
		}
		problems := put(env, "/v1/reference-values", admin, map[string]any{"site_id": siteA, "key": "registered_plates",
			"day": "2026-13-01", "value": 1}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/key"] == "" || problems["/day"] == "" {
			t.Fatalf("field errors %v, want /key (derived) and /day", problems)
		}
		var values struct{ Items []struct{ Key, Day string } }
		env.Get("/v1/reference-values?from="+day+"&to="+day, guard).Want(t, http.StatusOK).JSON(t, &values)
		if len(values.Items) != 1 {
			t.Fatalf("guard lists %d values of the day, want 1", len(values.Items))
		}

		// The phone gets them by pull.
		r := newReplica()
		r.pullAll(t, env, guard, 100)
		if len(r.ofType("asset")) != 3 || len(r.ofType("reference_value")) != 1 {
			t.Fatalf("pulled %d assets and %d reference values, want 3 and 1", len(r.ofType("asset")), len(r.ofType("reference_value")))
		}

		// The phone says the expected cash is 999 and counts 999: the
		// server compares with its own 152300.5 and fails the item.
		templateID := vaultTemplate(t, env, admin)
		r.pullAll(t, env, guard, 100)
		_, number, doc := r.template(t, "vault-reference")
		judge := func(cash float64, plate string) submittedView {
			t.Helper()
			answers := map[string]checklists.Answer{"cash_count": {Value: cash}, "van_plate": {Value: plate}}
			id, batch := inspectionBatch(templateID, number, siteA, doc, checklists.Input{Answers: answers,
				Context: map[string]any{"system_cash_balance": 999.0}}, true)
			_, results := push(t, env, guard, batch)
			wantStatus(t, results, "applied")
			var view submittedView
			env.Get("/v1/inspections/"+id, guard).Want(t, http.StatusOK).JSON(t, &view)
			return view
		}
		lying := judge(999, "粤B 12345")
		if lying.Outcome != "fail" || len(lying.Evaluation.Failed) != 1 || lying.Evaluation.Failed[0] != "/cash_count" {
			t.Fatalf("an inspection counting 999 against a balance of 152300.5: %+v", lying)
		}
		honest := judge(152300.5, "粤b12345")
		if honest.Outcome != "pass" {
			t.Fatalf("the right count and a registered plate: %+v", honest)
		}
		stranger := judge(152300.5, "粤A00000")
		if len(stranger.Evaluation.Failed) != 1 || stranger.Evaluation.Failed[0] != "/van_plate" {
			t.Fatalf("an unregistered van: %+v", stranger)
		}

		// Retiring the van removes its plate from the registered plates.
		env.Delete("/v1/assets/"+van.ID, admin).Want(t, http.StatusOK)
		if retired := judge(152300.5, "粤B12345"); len(retired.Evaluation.Failed) != 1 {
			t.Fatalf("a retired van's plate still passes: %+v", retired)
		}
	})
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

func put(env *apitest.Env, path, token string, body any) apitest.Response {
	return env.Do(apitest.Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}
