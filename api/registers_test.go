package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The handover and outsider registers (seed 1: 交接登记簿, 外来人员登记簿)
// are the inspections of their checklists only: each lists its own, as a
// JSON page, as CSV and as a printed PDF, with people and sites by name.
func TestHandoverAndOutsiderRegisters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("registers")
		handover, _ := submitted(t, env, tenant, "cu-closing-handover", true)
		outsider, _ := submitted(t, env, tenant, "cu-outsider-register", true)
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
		// An auditor reads the registers; a bad format is named.
		auditor := env.NewAuditor(tenant, "auditor")
		env.Get("/v1/registers/outsiders?format=csv", auditor.Token).Want(t, http.StatusOK)
		env.Get("/v1/registers/handovers?format=docx", token).Want(t, http.StatusUnprocessableEntity).Problem(t)
	})
}
