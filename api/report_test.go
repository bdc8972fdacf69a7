package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The report of a signed-off inspection prints its answers, findings and
// sign-off in Chinese and English. Text is read back with a pure-Go PDF
// reader, so the test needs nothing installed.
func TestInspectionReportPDF(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("report")
		id, hash := submitted(t, env, tenant, patrolTemplate, true)
		approve(env, tenant.Supervisor.Token, id, hash, strokes).Want(t, http.StatusOK)
		res := env.Get("/v1/inspections/"+id+"/report.pdf", tenant.Guard.Token).Want(t, http.StatusOK)
		if res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %s %.20q", res.Header.Get("Content-Type"), res.Body)
		}
		reader, err := pdf.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if pages := reader.NumPage(); pages < 1 || pages > 20 {
			t.Fatalf("%d pages", pages)
		}
		var text strings.Builder
		for i := 1; i <= reader.NumPage(); i++ {
			content, err := reader.Page(i).GetPlainText(nil)
			if err != nil {
				t.Fatal(err)
			}
			text.WriteString(content)
		}
		latin := strings.ReplaceAll(text.String(), "\n", "")
		for _, want := range []string{"Inspection report", "Score", "Sign-off", "approved", "Night-duty patrol round", hash[:16]} {
			if !strings.Contains(latin, want) {
				t.Errorf("report text lacks %q:\n%.2000s", want, latin)
			}
		}
		chinese := pdfUnicodeText(res.Body)
		for _, want := range []string{"检查报告", "得分", "签核", "已签核", "夜间值班巡逻", "巡逻开始时间 / Round started at", "是 yes"} {
			if !strings.Contains(chinese, want) {
				t.Errorf("report text lacks %q:\n%.2000s", want, chinese)
			}
		}
		// Another guard of the same site cannot read it; a bad id is 404.
		other := env.NewGuard(tenant, "peer", tenant.Sites[0].ID)
		env.Get("/v1/inspections/"+id+"/report.pdf", other.Token).Want(t, http.StatusNotFound)
	})
}
