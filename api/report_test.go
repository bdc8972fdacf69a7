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
// sign-off in Chinese and English, with names instead of ids and times in
// the site's zone. Text is read back with a pure-Go PDF reader; then every
// language's report is checked the way a viewer draws it: each printed
// character has a glyph in the font that shows it, the fonts are embedded
// subsets, and every page rendered to pixels carries ink.
func TestInspectionReportPDF(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("report")
		id, hash := submitted(t, env, tenant, patrolTemplate, false)
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
		for _, want := range []string{"Inspection report", "Score", "Sign-off", "signed off", "Night-duty patrol round", hash[:16]} {
			if !strings.Contains(latin, want) {
				t.Errorf("report text lacks %q:\n%.2000s", want, latin)
			}
		}
		shown := pdfUnicodeText(res.Body)
		for _, want := range []string{"检查报告", "得分", "签核", "已签核", "夜间值班巡逻", "巡逻开始时间", "Round started at", "否 no",
			"不合格 FAIL", tenant.Guard.User.Name, tenant.Supervisor.User.Name, tenant.Sites[0].Name, tenant.Org.Name,
			tenant.Guard.DeviceID, "Asia/Shanghai", "+08:00"} {
			if !strings.Contains(shown, want) {
				t.Errorf("report text lacks %q:\n%.3000s", want, shown)
			}
		}
		for _, id := range []string{tenant.Guard.User.ID, tenant.Supervisor.User.ID, tenant.Sites[0].ID, `"strokes"`, "[[0,0]"} {
			if strings.Contains(shown, id) {
				t.Errorf("report prints %q instead of a name or a drawing", id)
			}
		}
		for _, lang := range []string{"", "zh-CN", "en"} {
			doc := res.Body
			if lang != "" {
				doc = env.Get("/v1/inspections/"+id+"/report.pdf?lang="+lang, tenant.Guard.Token).Want(t, http.StatusOK).Body
			}
			checkRendering(t, lang, doc)
		}
		env.Get("/v1/inspections/"+id+"/report.pdf?lang=fr", tenant.Guard.Token).Want(t, http.StatusUnprocessableEntity)
		// Another guard of the same site cannot read it; a bad id is 404.
		other := env.NewGuard(tenant, "peer", tenant.Sites[0].ID)
		env.Get("/v1/inspections/"+id+"/report.pdf", other.Token).Want(t, http.StatusNotFound)
	})
}

// checkRendering fails when a printed character would show as an empty
// box, when a font is not embedded or not subset, or when a page renders
// (at 50 dpi) blank or nearly so.
func checkRendering(t *testing.T, lang string, doc []byte) {
	t.Helper()
	gaps, checked := pdfGlyphGaps(t, doc)
	if len(gaps) > 0 {
		t.Errorf("lang %q: %d of %d printed characters have no glyph in their font, e.g. %v", lang, len(gaps), checked,
			gaps[:min(len(gaps), 10)])
	}
	if checked < 500 {
		t.Errorf("lang %q: only %d characters printed", lang, checked)
	}
	for _, row := range pdfFonts(t, doc) {
		// name type... encoding emb sub uni object ID
		if n := len(row); n < 7 || row[n-5] != "yes" || row[n-3] != "yes" {
			t.Errorf("lang %q: font not embedded with a Unicode map: %v", lang, row)
		}
	}
	// The whole CJK font is 3.4 MB; a report embeds only the glyphs it uses.
	if len(doc) > 600<<10 {
		t.Errorf("lang %q: the report is %d bytes; fonts are not subset", lang, len(doc))
	}
	pages := renderPages(t, doc, 50)
	if len(pages) == 0 {
		t.Fatalf("lang %q: no pages rendered", lang)
	}
	total := 0.0
	for i, page := range pages {
		ink := inked(page)
		total += ink
		if ink < 0.002 || ink > 0.5 { // every page has at least its header and footer
			t.Errorf("lang %q: page %d is %.2f%% inked", lang, i+1, 100*ink)
		}
	}
	if mean := total / float64(len(pages)); mean < 0.015 {
		t.Errorf("lang %q: pages are %.2f%% inked on average", lang, 100*mean)
	}
}
