package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// raisedIncident is what the incident list shows of an incident raised by
// an inspection.
type raisedIncident struct {
	ID, Type, Category, Level, Status, Description string
	ReporterID                                     string `json:"reporter_id"`
	SiteID                                         string `json:"site_id"`
	Media                                          []string
}

// A night round whose suspicious-person item says yes raises one incident
// through the incident life cycle (robbery, 一般, by the guard, with the
// item's note and photo) and costs the guard no score; replaying the submission,
// as a phone does when it lost the answer, raises nothing more.
func TestSuspiciousPersonOnTheRoundRaisesAnIncident(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("suspicious")
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, doc := r.template(t, patrolTemplate)
		input := checklists.SampleAnswers(doc, true)
		input.Answers["suspicious_found"] = checklists.Answer{Value: "yes", Note: "两名男子在金库窗外徘徊", Media: []string{newID()}}
		input.Answers["suspicious_detail"] = checklists.Answer{Value: "两名男子,灰色外套,22:40 金库后窗"}
		input.Answers["suspicious_reported_to"] = checklists.Answer{Value: "duty_leader"}
		if result := checklists.Evaluate(doc, input); len(result.Missing) > 0 || len(result.Errors) > 0 ||
			result.Outcome != checklists.OutcomePass || len(result.Incidents) != 1 {
			t.Fatalf("the round with a suspicious person: outcome %s score %v missing %v errors %v incidents %v",
				result.Outcome, result.Score, result.Missing, result.Errors, result.Incidents)
		}
		id, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		_, results := push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")

		list := func() []raisedIncident {
			var page struct{ Items []raisedIncident }
			env.Get("/v1/incidents", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
			return page.Items
		}
		incidents := list()
		if len(incidents) != 1 {
			t.Fatalf("incidents after the round = %+v, want one", incidents)
		}
		got := incidents[0]
		if got.Category != "robbery" || got.Level != "general" || got.Status != "reported" ||
			got.ReporterID != tenant.Guard.User.ID || got.SiteID != tenant.Sites[0].ID || len(got.Media) != 1 {
			t.Fatalf("raised incident = %+v", got)
		}
		// The description says where, what and who was told, in the
		// organisation's language (zh-CN by default), then the note.
		lines := strings.Split(got.Description, "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "巡逻点位置: ") ||
			lines[1] != "可疑人员/车辆情况(特征、车牌、位置、时间): 两名男子,灰色外套,22:40 金库后窗" ||
			lines[2] != "已上报对象: 值班领导" || lines[3] != "两名男子在金库窗外徘徊" {
			t.Fatalf("raised incident's description:\n%s", got.Description)
		}
		// Reporting is not a fault: the item raises no finding.
		supervisor := newReplica()
		supervisor.pullAll(t, env, tenant.Supervisor.Token, 200)
		if findings := supervisor.ofType("finding"); len(findings) != 0 {
			t.Fatalf("findings after the report = %d, want none: the item raises only the incident", len(findings))
		}
		var inspection struct{ Score float64 }
		env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &inspection)
		if inspection.Score != 100 {
			t.Fatalf("score %v: reporting a suspicious person must cost the guard nothing", inspection.Score)
		}

		// The same batch again (lost answers: the stored results come
		// back), then the submit alone under a new mutation id: no second
		// incident.
		push(t, env, tenant.Guard.Token, batch)
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("inspection.submit", id, map[string]any{})})
		wantStatus(t, results, "duplicate")
		if again := list(); len(again) != 1 {
			t.Fatalf("incidents after replays = %d, want 1", len(again))
		}

		// The guard's phone gets the incident by sync, as its reporter.
		r.pullAll(t, env, tenant.Guard.Token, 200)
		if _, ok := r.ofType("incident")[got.ID]; !ok {
			t.Fatalf("the reporter's pull has no incident %s", got.ID)
		}

		// An organisation that reads English gets the next one in English.
		env.Patch("/v1/org", tenant.Admin.Token, map[string]any{"language": "fr"}).Want(t, http.StatusUnprocessableEntity)
		env.Patch("/v1/org", tenant.Admin.Token, map[string]any{"language": "en"}).Want(t, http.StatusOK)
		input.Answers["suspicious_found"] = checklists.Answer{Value: "yes", Media: []string{newID()}}
		input.Answers["suspicious_detail"] = checklists.Answer{Value: "white van, no plate"}
		_, batch = inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
		_, results = push(t, env, tenant.Guard.Token, batch)
		wantStatus(t, results, "applied")
		var english *raisedIncident
		for _, incident := range list() {
			if incident.ID != got.ID {
				english = &incident
			}
		}
		if english == nil || !strings.HasPrefix(english.Description, "Checkpoint area: ") ||
			!strings.HasSuffix(english.Description, "\nSuspicious person/vehicle details (description, plate, place, time): white van, no plate\nReported to: Duty leader") {
			t.Fatalf("the English organisation's incident = %+v", english)
		}
	})
}

// A poor assessment item raises a finding due on the agreed rectify-by
// date (end of that day at the site), not on a fixed offset.
func TestPoorAssessmentFindingIsDueOnTheAgreedDate(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("assessment")
		r := newReplica()
		r.pullAll(t, env, tenant.Supervisor.Token, 200)
		templateID, number, doc := r.template(t, "security-assessment")
		input := checklists.SampleAnswers(doc, true)
		input.Answers["haz_ledger"] = checklists.Answer{Value: "poor"}
		input.Answers["problems"] = checklists.Answer{Value: "隐患台账未更新"}
		agreed := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		input.Answers["rectify_by"] = checklists.Answer{Value: agreed}
		result := checklists.Evaluate(doc, input)
		if len(result.Missing) > 0 || len(result.Errors) > 0 || len(result.Findings) != 1 || result.Findings[0].DueDate != agreed {
			t.Fatalf("assessment: missing %v errors %v findings %+v", result.Missing, result.Errors, result.Findings)
		}
		_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Supervisor.Token, doc, batch)
		_, results := push(t, env, tenant.Supervisor.Token, batch)
		wantStatus(t, results, "applied")

		r.pullAll(t, env, tenant.Supervisor.Token, 200)
		findings := r.ofType("finding")
		if len(findings) != 1 {
			t.Fatalf("findings = %d, want the one poor item", len(findings))
		}
		zone, err := time.LoadLocation(tenant.Sites[0].Timezone)
		if err != nil {
			t.Fatal(err)
		}
		day, _ := time.ParseInLocation(time.DateOnly, agreed, zone)
		for _, f := range findings {
			var v struct {
				ItemPath string     `json:"item_path"`
				DueAt    *time.Time `json:"due_at"`
			}
			json.Unmarshal(f.Data, &v)
			if v.ItemPath != "/haz_ledger" || v.DueAt == nil || !v.DueAt.Equal(day.AddDate(0, 0, 1)) {
				t.Fatalf("finding %s due %v, want the end of %s at the site (%v)", v.ItemPath, v.DueAt, agreed, day.AddDate(0, 0, 1))
			}
		}
	})
}

// The hazard investigation's hazard that is not fixed on site is due on
// the date agreed in its own repeat (hz_due), not 72 hours on.
func TestHazardFindingIsDueOnTheAgreedDate(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("hazarddue")
		r := newReplica()
		r.pullAll(t, env, tenant.Supervisor.Token, 200)
		templateID, number, doc := r.template(t, "hidden-hazard-investigation")
		input := checklists.SampleAnswers(doc, true)
		agreed := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		input.Answers["other_hazards_found"] = checklists.Answer{Value: "yes"}
		input.Answers["other_hazards"] = checklists.Answer{Repeats: []map[string]checklists.Answer{{
			"hz_description": {Value: "后门门禁失灵"}, "hz_location": {Value: "后勤通道"}, "hz_level": {Value: "general"},
			"hz_fixed_on_site": {Value: "no", Media: []string{newID()}}, "hz_photo": {Value: []any{newID()}}, "hz_measure": {Value: "更换门禁控制器"},
			"hz_owner": {Value: "王强"}, "hz_due": {Value: agreed}}}}
		input.Answers["rectification_plan"] = checklists.Answer{Value: "更换门禁控制器"}
		result := checklists.Evaluate(doc, input)
		if len(result.Missing) > 0 || len(result.Errors) > 0 || len(result.Findings) != 1 || result.Findings[0].DueDate != agreed {
			t.Fatalf("investigation: missing %v errors %v findings %+v", result.Missing, result.Errors, result.Findings)
		}
		_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
		batch = declareMedia(t, env, tenant.Supervisor.Token, doc, batch)
		_, results := push(t, env, tenant.Supervisor.Token, batch)
		wantStatus(t, results, "applied")

		r.pullAll(t, env, tenant.Supervisor.Token, 200)
		zone, err := time.LoadLocation(tenant.Sites[0].Timezone)
		if err != nil {
			t.Fatal(err)
		}
		day, _ := time.ParseInLocation(time.DateOnly, agreed, zone)
		findings := r.ofType("finding")
		if len(findings) != 1 {
			t.Fatalf("findings = %d, want the hazard not fixed on site", len(findings))
		}
		for _, f := range findings {
			var v struct {
				ItemPath string     `json:"item_path"`
				DueAt    *time.Time `json:"due_at"`
			}
			json.Unmarshal(f.Data, &v)
			if v.ItemPath != "/other_hazards/0/hz_fixed_on_site" || v.DueAt == nil || !v.DueAt.Equal(day.AddDate(0, 0, 1)) {
				t.Fatalf("finding %s due %v, want the end of %s at the site", v.ItemPath, v.DueAt, agreed)
			}
		}
	})
}
