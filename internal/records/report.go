package records

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/inspection"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// reportFont covers Chinese and Latin text; see fonts/README.md.
//
//go:embed fonts/DroidSansFallback.ttf
var reportFont []byte

// reportData is everything a report prints, read in one place.
type reportData struct {
	row      store.Inspection
	template *checklists.Template
	answers  map[string]checklists.Answer
	findings []store.Finding
	events   []store.InspectionEvent
}

// Report renders an inspection the caller may see as a bilingual PDF:
// answers, score, photos (thumbnails where the photo source has them),
// findings, sign-off and history.
func (s *Service) Report(ctx context.Context, id string) ([]byte, error) {
	const op = "records.Report"
	data, err := s.reportData(ctx, id)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("cjk", "", reportFont)
	pdf.SetFont("cjk", "", 10)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.CellFormat(0, 6, fmt.Sprintf("%s · 第 %d/{nb} 页 page", id, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	r := &renderer{pdf: pdf, ctx: ctx, photos: s.photos}
	r.header(data)
	r.answers(data)
	r.findings(data)
	r.signOff(data)
	r.history(data)
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out.Bytes(), nil
}

func (s *Service) reportData(ctx context.Context, id string) (reportData, error) {
	p, _ := principal.From(ctx)
	tx := s.db.Read(ctx)
	row, err := tx.Inspection(id)
	if err == nil && !inspection.CanSee(p, row.SiteID, row.OwnerID) {
		err = errs.E("records.Report", errs.NotFound, "not found")
	}
	if err != nil {
		return reportData{}, err
	}
	version, err := tx.TemplateVersion(row.TemplateID, row.TemplateVersion)
	if err != nil {
		return reportData{}, err
	}
	doc, err := checklists.Parse([]byte(version.Document))
	if err != nil {
		return reportData{}, errs.E("records.Report", errs.Internal, err)
	}
	d := reportData{row: row, template: doc, answers: map[string]checklists.Answer{}}
	if err := json.Unmarshal(row.Answers, &d.answers); err != nil {
		return reportData{}, errs.E("records.Report", errs.Internal, err)
	}
	if d.findings, _, err = tx.ListFindings(store.FindingFilter{Inspection: id}, store.Page{Limit: 500}); err != nil {
		return reportData{}, err
	}
	d.events, err = tx.InspectionEvents(id)
	return d, err
}

// renderer writes the sections of a report.
type renderer struct {
	pdf    *fpdf.Fpdf
	ctx    context.Context
	photos PhotoSource
	images int
}

func (r *renderer) heading(zh, en string) {
	r.pdf.Ln(3)
	r.pdf.SetFont("cjk", "", 13)
	r.pdf.CellFormat(0, 8, zh+" "+en, "B", 1, "L", false, 0, "")
	r.pdf.SetFont("cjk", "", 10)
}

func (r *renderer) line(label, value string) {
	r.pdf.SetFont("cjk", "", 9)
	r.pdf.CellFormat(55, 6, label, "", 0, "L", false, 0, "")
	r.pdf.SetFont("cjk", "", 10)
	r.pdf.MultiCell(0, 6, value, "", "L", false)
}

func (r *renderer) header(d reportData) {
	r.pdf.SetFont("cjk", "", 16)
	r.pdf.CellFormat(0, 10, "检查报告 Inspection report", "", 1, "C", false, 0, "")
	r.pdf.SetFont("cjk", "", 12)
	r.pdf.CellFormat(0, 8, text(d.template.Title, "zh-CN")+" / "+text(d.template.Title, "en"), "", 1, "C", false, 0, "")
	row := d.row
	r.line("模板 Template", fmt.Sprintf("%s v%d", row.TemplateKey, row.TemplateVersion))
	r.line("地点 Site", row.SiteID)
	r.line("检查人 Inspector", row.OwnerID)
	r.line("状态 Status", statusText(row.Status))
	r.line("开始 Started", when(row.StartedAt))
	r.line("提交 Submitted", when(row.SubmittedAt))
	r.line("收到 Received", when(row.ReceivedAt))
	score := "—"
	if row.Score != nil {
		score = fmt.Sprintf("%.1f", *row.Score)
	}
	outcome := "—"
	if row.Outcome != nil {
		outcome = outcomeText(*row.Outcome)
	}
	r.line("得分 Score", score)
	r.line("结果 Outcome", outcome)
	r.line("内容摘要 Content hash", deref(row.ContentHash))
}

func (r *renderer) answers(d reportData) {
	r.heading("检查项目", "Answers")
	for _, section := range d.template.Sections {
		r.pdf.SetFont("cjk", "", 11)
		r.pdf.MultiCell(0, 7, text(section.Title, "zh-CN")+" / "+text(section.Title, "en"), "", "L", false)
		for _, item := range section.Items {
			if item.Type == checklists.TypeInstruction {
				continue
			}
			answer, ok := d.answers[item.Key]
			label := text(item.Label, "zh-CN") + " / " + text(item.Label, "en")
			if !ok {
				r.line(label, "未作答 not answered")
				continue
			}
			if len(answer.Repeats) > 0 {
				for i, repeat := range answer.Repeats {
					for _, child := range item.Items {
						if a, ok := repeat[child.Key]; ok {
							r.answer(fmt.Sprintf("%s #%d %s / %s", text(item.Label, "zh-CN"), i+1,
								text(child.Label, "zh-CN"), text(child.Label, "en")), child, a)
						}
					}
				}
				continue
			}
			r.answer(label, item, answer)
		}
	}
}

func (r *renderer) answer(label string, item checklists.Item, a checklists.Answer) {
	r.line(label, valueText(item, a.Value))
	if a.Note != "" {
		r.line("  备注 Note", a.Note)
	}
	if a.Countersign != nil {
		raw, _ := json.Marshal(a.Countersign)
		r.line("  会签 Countersign", string(raw))
	}
	for _, id := range a.Media {
		r.photo(id)
	}
}

// photo embeds a thumbnail, or names the photo when none is stored yet.
func (r *renderer) photo(mediaID string) {
	if r.photos != nil {
		if raw, contentType, err := r.photos(r.ctx, mediaID); err == nil {
			kind := "JPG"
			if strings.Contains(contentType, "png") {
				kind = "PNG"
			}
			name := fmt.Sprintf("photo-%d", r.images)
			r.images++
			info := r.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(raw))
			if r.pdf.Ok() && info != nil {
				r.pdf.ImageOptions(name, r.pdf.GetX()+55, r.pdf.GetY(), 40, 0, true, fpdf.ImageOptions{ImageType: kind}, 0, "")
				return
			}
			r.pdf.ClearError() // a broken thumbnail is skipped, not fatal
		}
	}
	r.line("  照片 Photo", mediaID)
}

func (r *renderer) findings(d reportData) {
	r.heading("隐患", "Findings")
	if len(d.findings) == 0 {
		r.line("", "无 none")
		return
	}
	for _, f := range d.findings {
		r.line(f.ItemPath, fmt.Sprintf("%s · %s · %s · %s", f.Title, severityText(f.Severity), statusText(f.Status),
			"due "+when(f.DueAt)))
	}
}

func (r *renderer) signOff(d reportData) {
	r.heading("签核", "Sign-off")
	row := d.row
	if row.ApprovedBy == nil {
		r.line("", "未签核 not signed off")
		return
	}
	var signature struct {
		Signature struct {
			MediaID *string       `json:"media_id"`
			Strokes [][][]float64 `json:"strokes"`
			Name    string        `json:"name"`
		} `json:"signature"`
		Comment string `json:"comment"`
	}
	json.Unmarshal(row.Signature, &signature)
	r.line("签核人 Approved by", *row.ApprovedBy+" "+signature.Signature.Name)
	r.line("签核时间 Approved at", when(row.ApprovedAt))
	r.line("签核摘要 Approved hash", deref(row.ApprovedHash))
	r.line("意见 Comment", signature.Comment)
	if signature.Signature.MediaID != nil {
		r.photo(*signature.Signature.MediaID)
	} else if len(signature.Signature.Strokes) > 0 {
		r.strokes(signature.Signature.Strokes)
	}
}

// strokes draws a pen signature scaled into a 60 × 20 mm box.
func (r *renderer) strokes(strokes [][][]float64) {
	maxX, maxY := 1.0, 1.0
	for _, s := range strokes {
		for _, p := range s {
			if len(p) >= 2 {
				maxX, maxY = max(maxX, p[0]), max(maxY, p[1])
			}
		}
	}
	x0, y0 := r.pdf.GetX()+55, r.pdf.GetY()
	scale := min(60/maxX, 20/maxY)
	for _, s := range strokes {
		for i := 1; i < len(s); i++ {
			if len(s[i-1]) >= 2 && len(s[i]) >= 2 {
				r.pdf.Line(x0+s[i-1][0]*scale, y0+s[i-1][1]*scale, x0+s[i][0]*scale, y0+s[i][1]*scale)
			}
		}
	}
	r.pdf.Ln(22)
}

func (r *renderer) history(d reportData) {
	r.heading("记录", "History")
	for _, e := range d.events {
		r.line(e.CreatedAt.UTC().Format(time.RFC3339), e.Kind+" · "+e.ActorID)
	}
}

func text(t checklists.Text, lang string) string {
	if v := t[lang]; v != "" {
		return v
	}
	for _, v := range t {
		return v
	}
	return ""
}

// valueText prints an answer's value, with the option labels of choices in
// both languages.
func valueText(item checklists.Item, value any) string {
	switch v := value.(type) {
	case nil:
		return "—"
	case string:
		for _, o := range item.Options {
			if o.Value == v {
				return text(o.Label, "zh-CN") + " / " + text(o.Label, "en")
			}
		}
		switch v {
		case "yes":
			return "是 yes"
		case "no":
			return "否 no"
		case "na":
			return "不适用 N/A"
		}
		return v
	}
	raw, _ := json.Marshal(value)
	return string(raw)
}

func statusText(s string) string {
	names := map[string]string{"in_progress": "进行中", "submitted": "已提交", "approved": "已签核", "returned": "已退回",
		"open": "待处理", "assigned": "已指派", "rectified": "已整改", "verified": "已复查", "closed": "已关闭", "rejected": "复查未通过"}
	return names[s] + " " + s
}

func outcomeText(s string) string {
	names := map[string]string{"pass": "合格", "fail": "不合格", "incomplete": "未完成"}
	return names[s] + " " + s
}

func severityText(s string) string {
	names := map[string]string{"low": "低", "medium": "中", "high": "高", "critical": "严重"}
	return names[s] + " " + s
}

func when(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

func deref(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}
