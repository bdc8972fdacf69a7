package api_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The handover and outsider registers (seed 1: 交接登记簿, 外来人员登记簿)
// are the inspections of their checklists only: each lists its own, as a
// JSON page, as CSV and as a printed PDF, with people and sites by name.
func TestHandoverAndOutsiderRegisters(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("registers")
		handover, _ := submitted(t, env, tenant, "cu-closing-handover", true)
		outsider, _ := submittedWith(t, env, tenant, "cu-outsider-register", true, func(a map[string]checklists.Answer) {
			a["visitor_name"] = checklists.Answer{Value: "张伟"}
			a["visitor_unit"] = checklists.Answer{Value: "Acme Lift Repair 电梯维修公司"}
			a["visitor_id_number"] = checklists.Answer{Value: "110101199003074511"}
			a["visit_reason"] = checklists.Answer{Value: "equipment"}
			delete(a, "visit_reason_other")
			a["entered_at"] = checklists.Answer{Value: "08:35"}
			a["left_at"] = checklists.Answer{Value: "09:50"}
		})
		patrol, _ := submitted(t, env, tenant, patrolTemplate, true)
		token := tenant.Supervisor.Token
		for _, register := range []struct {
			name, id, title string
			others          []string
		}{
			{"handovers", handover, "交接登记簿 Handover register", []string{outsider, patrol}},
			{"outsiders", outsider, "外来人员登记簿 Outsider register", []string{handover, patrol}},
		} {
			var page struct{ Items []struct{ ID string } }
			env.Get("/v1/registers/"+register.name+"?site_id="+tenant.Sites[0].ID, token).Want(t, http.StatusOK).JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].ID != register.id {
				t.Errorf("the %s register lists %+v, want only %s", register.name, page.Items, register.id)
			}
			lines := registerCSV(t, env, register.name, token)
			if row := lines[register.id]; row == nil || row["检查人 Inspector"] != tenant.Guard.User.Name || len(lines) != 1 {
				t.Errorf("the %s CSV holds %v", register.name, lines)
			}
			text := registerPDF(t, env, register.name, token)
			for _, want := range []string{register.title, tenant.Guard.User.Name, tenant.Sites[0].Name, "共 1 条。 1 records."} {
				if !strings.Contains(text, want) {
					t.Errorf("the %s PDF misses %q:\n%s", register.name, want, text)
				}
			}
		}
		// The outsider register says who came: name, unit, ID, reason, in
		// and out (seed 1, 003: 外来人员…登记入册).
		var outsiders struct {
			Items []struct{ Visitors []map[string]any }
		}
		env.Get("/v1/registers/outsiders", token).Want(t, http.StatusOK).JSON(t, &outsiders)
		if v := outsiders.Items[0].Visitors; len(v) != 1 || v[0]["name"] != "张伟" || v[0]["id_number"] != "110101199003074511" ||
			v[0]["unit"] != "Acme Lift Repair 电梯维修公司" || v[0]["entered_at"] != "08:35" || v[0]["left_at"] != "09:50" ||
			v[0]["reason_label"].(map[string]any)["en"] != "Equipment repair" {
			t.Errorf("the outsider register's visitors = %+v", outsiders.Items[0].Visitors)
		}
		row := registerCSV(t, env, "outsiders", token)[outsider]
		for column, want := range map[string]string{"姓名 Name": "张伟", "证件号码 ID number": "110101199003074511",
			"事由 Reason": "机器设备维修 / Equipment repair", "进入时间 Entered": "08:35", "离开时间 Left": "09:50"} {
			if row[column] != want {
				t.Errorf("the outsider CSV's %s = %q, want %q", column, row[column], want)
			}
		}
		text := registerPDF(t, env, "outsiders", token)
		for _, want := range []string{"张伟", "110101199003074511", "机器设备维修", "Equipment", "08:35", "→ 09:50"} {
			if !strings.Contains(text, want) {
				t.Errorf("the outsider PDF misses %q:\n%s", want, text)
			}
		}
		// An outside inspector register lists each inspector of its group,
		// with their ID and work ID, and the visit's times in the site's zone.
		inspection, _ := submittedWith(t, env, tenant, "cu-outside-inspector-register", true, func(a map[string]checklists.Answer) {
			group := a["inspectors"]
			group.Repeats = append(group.Repeats[:1], maps.Clone(group.Repeats[0]))
			group.Repeats[0]["name"] = checklists.Answer{Value: "李明"}
			group.Repeats[0]["work_id_number"] = checklists.Answer{Value: "PBOC-0042"}
			group.Repeats[1]["name"] = checklists.Answer{Value: "Wang Fang"}
			group.Repeats[1]["id_number"] = checklists.Answer{Value: "310101198512120022"}
			a["inspectors"] = group
			a["arrived_at"] = checklists.Answer{Value: "2026-03-02T01:30:00Z"}
		})
		env.Get("/v1/registers/outsiders", token).Want(t, http.StatusOK).JSON(t, &outsiders)
		var people []string
		for _, item := range outsiders.Items {
			for _, v := range item.Visitors {
				people = append(people, v["name"].(string))
			}
		}
		if slices.Sort(people); !slices.Equal(people, []string{"Wang Fang", "张伟", "李明"}) {
			t.Errorf("the outsider register names %v", people)
		}
		raw := string(env.Get("/v1/registers/outsiders?format=csv", token).Want(t, http.StatusOK).Body)
		if strings.Count(raw, inspection) != 2 || !strings.Contains(raw, "PBOC-0042") || !strings.Contains(raw, "2026-03-02 09:30") {
			t.Errorf("the outsider CSV does not give each inspector a line:\n%s", raw)
		}
		text = registerPDF(t, env, "outsiders", token)
		for _, want := range []string{"李明", "Wang Fang", "310101198512120022", "PBOC-0042", "2026-03-02 09:30", "共 2 条。 2 records."} {
			if !strings.Contains(text, want) {
				t.Errorf("the outsider PDF misses %q:\n%s", want, text)
			}
		}
		// An auditor reads the registers; a bad format is named.
		auditor := env.NewAuditor(tenant, "auditor")
		env.Get("/v1/registers/outsiders?format=csv", auditor.Token).Want(t, http.StatusOK)
		env.Get("/v1/registers/handovers?format=docx", token).Want(t, http.StatusUnprocessableEntity).Problem(t)
	})
}
