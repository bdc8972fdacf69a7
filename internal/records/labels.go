package records

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/pdfdoc"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/qrscan"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Label sheet geometry in millimetres: two columns of five labels on A4,
// each with a QR code big enough for a phone held at arm's length.
const (
	labelColumns = 2
	labelRows    = 5
	labelWidth   = 90.0
	labelHeight  = 52.0
	labelQR      = 40.0
	labelTop     = 20.0
	labelLeft    = (pdfdoc.PageWidth - labelColumns*labelWidth) / 2
)

// label is one checkpoint to print.
type label struct {
	route, name, code string
}

var fLabelName = pdfdoc.Font{Style: pdfdoc.Bold, Size: 12}

// CheckpointLabels prints the checkpoints of a site's active routes as a
// sheet of labels to cut out and fix at each point: the site, the route,
// the checkpoint's name and a QR code of its tag code, exactly what the
// guard app's scan dialog reads and a round matches a scan by (the tag
// code, compared as it is). The code is printed under the QR too, for
// typing in when a camera fails.
func (s *Service) CheckpointLabels(ctx context.Context, w io.Writer, siteID, lang string) error {
	const op = "records.CheckpointLabels"
	if lang != LangBoth && lang != LangChinese && lang != LangEnglish {
		return errs.Fields(op, map[string]string{"/lang": "must be zh-CN or en"})
	}
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	allowed := sites(p, siteID)
	if allowed != nil && len(allowed) == 0 {
		return errs.E(op, errs.NotFound, "not found")
	}
	site, err := tx.Site(siteID)
	if err != nil {
		return errs.Wrap(op, err)
	}
	var labels []label
	active := true
	for page := (store.Page{Limit: 500}); ; {
		routes, next, err := tx.ListRoutes(store.SiteFilterOf{SiteIDs: []string{siteID}, Active: &active}, page)
		if err != nil {
			return errs.Wrap(op, err)
		}
		for _, route := range routes {
			var points []struct {
				Name    string `json:"name"`
				TagCode string `json:"tag_code"`
			}
			if err := json.Unmarshal(route.Checkpoints, &points); err != nil {
				return errs.E(op, errs.Internal, fmt.Errorf("route %s: %w", route.ID, err))
			}
			for _, point := range points {
				labels = append(labels, label{route: route.Name, name: point.Name, code: point.TagCode})
			}
		}
		if next == "" {
			break
		}
		page.After = next
	}
	var out bytes.Buffer
	if err := drawLabels(&out, tableDoc{lang: lang}, site, labels); err != nil {
		return errs.E(op, errs.Internal, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

func drawLabels(w io.Writer, t tableDoc, site store.Site, labels []label) error {
	title := t.t("巡检点标签", "Checkpoint labels") + " · " + site.Name
	doc := pdfdoc.New(title)
	doc.Footer = func(doc *pdfdoc.Doc, page int) {
		y := pdfdoc.PageHeight - 13
		doc.Text(labelLeft, y+1, title, fSmall)
		doc.Text(pdfdoc.PageWidth-labelLeft-28, y+1, t.t("页码", "page")+fmt.Sprintf(" %d / %s", page, pdfdoc.PageTotal), fSmall)
	}
	doc.AddPage()
	if len(labels) == 0 {
		doc.Paragraph(title, fTitle, 0)
		doc.Paragraph(t.t("该站点的路线还没有巡检点。", "The routes of this site have no checkpoints yet."), fBody, 0)
	}
	perPage := labelColumns * labelRows
	for i, l := range labels {
		if i > 0 && i%perPage == 0 {
			doc.AddPage()
		}
		n := i % perPage
		x := labelLeft + float64(n%labelColumns)*labelWidth
		y := labelTop + float64(n/labelColumns)*labelHeight
		if err := drawLabel(doc, t, site, l, x, y); err != nil {
			return err
		}
	}
	if err := doc.Err(); err != nil {
		return err
	}
	return doc.Output(w)
}

// drawLabel draws one label with its top-left corner at x, y: a dashed
// cutting frame, the QR code on the left, the names on the right.
func drawLabel(doc *pdfdoc.Doc, t tableDoc, site store.Site, l label, x, y float64) error {
	pdf := doc.PDF()
	pdf.SetDrawColor(pdfdoc.Rule.R, pdfdoc.Rule.G, pdfdoc.Rule.B)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	pdf.Rect(x, y, labelWidth, labelHeight, "D")
	pdf.SetDashPattern(nil, 0)
	modules, err := qrscan.Modules(l.code)
	if err != nil {
		return err
	}
	// The quiet zone is the label's white margin: at least four modules.
	size := float64(len(modules))
	module := min(labelQR/size, (labelHeight-8)/(size+8))
	qx, qy := x+6, y+(labelHeight-module*size)/2
	pdf.SetFillColor(0, 0, 0)
	for row, line := range modules {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			// Runs of dark modules as one rectangle each, overlapping a
			// hair so that no white seam shows between rows.
			pdf.Rect(qx+float64(col)*module, qy+float64(row)*module, float64(end-col)*module+0.01, module+0.01, "F")
			col = end
		}
	}
	tx := qx + module*size + 6
	width := x + labelWidth - tx - 4
	doc.SetY(y + 6)
	for _, line := range []struct {
		text string
		font pdfdoc.Font
	}{{site.Name, fLabel}, {l.name, fLabelName}, {t.t("路线", "Route") + " " + l.route, fSub}} {
		for _, wrapped := range doc.Lines(line.text, line.font, width) {
			doc.Text(tx, doc.Y(), wrapped, line.font)
			doc.SetY(doc.Y() + pdfdoc.LineHeight(line.font))
		}
	}
	code := doc.Lines(l.code, fMono, width)
	for i, wrapped := range code {
		doc.Text(tx, y+labelHeight-6-float64(len(code)-i)*pdfdoc.LineHeight(fMono), wrapped, fMono)
	}
	return nil
}
