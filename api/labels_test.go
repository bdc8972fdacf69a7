package api_test

import (
	"fmt"
	"image"
	"image/draw"
	"net/http"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/qrscan"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The printed checkpoint labels scan back to the checkpoints' tag codes:
// each label's QR, cut out of the rendered page, decodes to the code the
// round matches a scan by. Eleven checkpoints make two pages.
func TestCheckpointLabelsScanBack(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("labels")
		var points []map[string]any
		var codes []string
		for i := range 11 {
			code := fmt.Sprintf("QR-%02d-%s", i+1, [...]string{"LOBBY", "VAULT", "金库门", "SERVER"}[i%4])
			codes = append(codes, code)
			points = append(points, map[string]any{"name": fmt.Sprintf("巡检点 %d Checkpoint", i+1), "tag_code": code})
		}
		env.Post("/v1/routes", tenant.Admin.Token, map[string]any{"site_id": tenant.Sites[0].ID, "name": "夜间巡逻 Night round",
			"checkpoints": points}).Want(t, http.StatusCreated)
		res := env.Get("/v1/sites/"+tenant.Sites[0].ID+"/checkpoint-labels.pdf", tenant.Supervisor.Token).Want(t, http.StatusOK)
		if res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("labels: %s", res.Header.Get("Content-Type"))
		}
		const dpi = 150
		pages := renderPages(t, res.Body, dpi)
		if len(pages) != 2 {
			t.Fatalf("%d pages, want 2 (ten labels a page)", len(pages))
		}
		px := func(mm float64) int { return int(mm / 25.4 * dpi) }
		for i, code := range codes {
			page, n := pages[i/10], i%10
			x, y := 15+float64(n%2)*90, 20+float64(n/2)*52 // labelLeft, labelTop, label size
			frame := image.NewRGBA(image.Rect(0, 0, px(52), px(52)))
			draw.Draw(frame, frame.Bounds(), page, image.Pt(px(x), px(y)), draw.Src)
			got, err := qrscan.DecodeRGBA(frame.Bounds().Dx(), frame.Bounds().Dy(), frame.Pix)
			if err != nil || got != code {
				t.Errorf("label %d decodes to %q (%v), want %q", i+1, got, err, code)
			}
		}
		text := pdfUnicodeText(res.Body)
		for _, want := range []string{tenant.Sites[0].Name, "巡检点 11", "Checkpoint", "夜间巡逻 Night round", "QR-03-金库门"} {
			if !strings.Contains(text, want) {
				t.Errorf("labels miss %q", want)
			}
		}
		// A guard cannot print them; an auditor can, and the language is checked.
		other := env.NewGuard(tenant, "elsewhere", tenant.Sites[1].ID)
		env.Get("/v1/sites/"+tenant.Sites[0].ID+"/checkpoint-labels.pdf", other.Token).Want(t, http.StatusForbidden)
		auditor := env.NewAuditor(tenant, "labels-auditor")
		env.Get("/v1/sites/"+tenant.Sites[0].ID+"/checkpoint-labels.pdf?lang=en", auditor.Token).Want(t, http.StatusOK)
		env.Get("/v1/sites/"+tenant.Sites[0].ID+"/checkpoint-labels.pdf?lang=de", auditor.Token).Want(t, http.StatusUnprocessableEntity)
	})
}
