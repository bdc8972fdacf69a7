package records

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/pdfdoc"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Fonts of the report.
var (
	fTitle    = pdfdoc.Font{Style: pdfdoc.Bold, Size: 16}
	fSubtitle = pdfdoc.Font{Style: pdfdoc.Bold, Size: 11.5}
	fHeading  = pdfdoc.Font{Style: pdfdoc.Bold, Size: 12}
	fSection  = pdfdoc.Font{Style: pdfdoc.Bold, Size: 10}
	fLabel    = pdfdoc.Font{Style: pdfdoc.Regular, Size: 8.5, Color: pdfdoc.Grey}
	fBody     = pdfdoc.Font{Style: pdfdoc.Regular, Size: 9.5}
	fSub      = pdfdoc.Font{Style: pdfdoc.Regular, Size: 8, Color: pdfdoc.Grey}
	fMono     = pdfdoc.Font{Style: pdfdoc.Mono, Size: 8}
	fSmall    = pdfdoc.Font{Style: pdfdoc.Regular, Size: 7.5, Color: pdfdoc.Grey}
	fTableHd  = pdfdoc.Font{Style: pdfdoc.Bold, Size: 8.5, Color: pdfdoc.Grey}
	fFail     = pdfdoc.Font{Style: pdfdoc.Bold, Size: 9, Color: pdfdoc.Red}
	fWarn     = pdfdoc.Font{Style: pdfdoc.Bold, Size: 9, Color: pdfdoc.Amber}
	fTime     = pdfdoc.Font{Style: pdfdoc.Regular, Size: 8.5}
)

// Columns of the answer table, in millimetres.
const (
	colLabel  = 72.0
	colAnswer = 80.0
	colResult = pdfdoc.ContentWidth - colLabel - colAnswer
)

// renderer draws one report.
type renderer struct {
	doc    *pdfdoc.Doc
	ctx    context.Context
	d      reportData
	lang   string
	photos PhotoSource
	images int
}

// render draws the report of d into w. drawn, when set, sees every run
// of text drawn (for the glyph tests).
func render(ctx context.Context, w io.Writer, d reportData, lang string, photos PhotoSource, drawn func(pdfdoc.Run)) error {
	r := &renderer{ctx: ctx, d: d, lang: lang, photos: photos}
	title := r.t("检查报告", "Inspection report") + " · " + r.text(d.template.Title)
	r.doc = pdfdoc.New(title)
	r.doc.Drawn = drawn
	r.doc.Header = r.pageHeader
	r.doc.Footer = r.pageFooter
	r.doc.AddPage()
	r.header()
	r.answers()
	r.findings()
	r.signOff()
	r.history()
	if err := r.doc.Err(); err != nil {
		return err
	}
	return r.doc.Output(w)
}

// t picks the report's language: Chinese, English, or both.
func (r *renderer) t(zh, en string) string {
	switch r.lang {
	case LangChinese:
		return zh
	case LangEnglish:
		return en
	}
	return zh + " " + en
}

// text is a template text in the report's language; both languages are
// joined with a slash when they differ.
func (r *renderer) text(t checklists.Text) string {
	zh, en := localized(t, "zh-CN"), localized(t, "en")
	switch {
	case r.lang == LangChinese:
		return zh
	case r.lang == LangEnglish:
		return en
	case zh == en:
		return zh
	}
	return zh + " / " + en
}

// label splits a template text into a main line and, when the report is
// in both languages, the English under it.
func (r *renderer) label(t checklists.Text) (string, string) {
	zh, en := localized(t, "zh-CN"), localized(t, "en")
	switch {
	case r.lang == LangChinese:
		return zh, ""
	case r.lang == LangEnglish:
		return en, ""
	case zh == en:
		return zh, ""
	}
	return zh, en
}

func localized(t checklists.Text, lang string) string {
	if v := t[lang]; v != "" {
		return v
	}
	for _, key := range []string{"zh-CN", "en"} {
		if v := t[key]; v != "" {
			return v
		}
	}
	for _, v := range t {
		return v
	}
	return ""
}

// colon ends a label before its value.
func (r *renderer) colon() string {
	if r.lang == LangChinese {
		return "："
	}
	return ": "
}

// when prints a time in the site's zone with its offset.
func (r *renderer) when(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(r.d.loc).Format("2006-01-02 15:04:05 -07:00")
}

// reference is the time the report is about, for the zone's offset.
func (r *renderer) reference() time.Time {
	for _, t := range []*time.Time{r.d.row.SubmittedAt, r.d.row.StartedAt} {
		if t != nil {
			return *t
		}
	}
	return r.d.row.CreatedAt
}

// name prints a person by name; an id the organisation no longer knows
// prints as such, marked.
func (r *renderer) name(id string) string {
	if id == "" {
		return "—"
	}
	if n, ok := r.d.names[id]; ok && n != "" {
		return n
	}
	return r.t("未知用户", "unknown user")
}

func (r *renderer) pageHeader(doc *pdfdoc.Doc, page int) {
	if page == 1 {
		return
	}
	left := r.t("检查报告", "Inspection report") + " · " + r.text(r.d.template.Title)
	doc.Text(pdfdoc.Margin, 8, left, fSmall)
	doc.TextRight(pdfdoc.PageWidth-pdfdoc.Margin, 8, r.d.site.Name+" · "+r.when(r.d.row.StartedAt), fSmall)
	doc.HRule(12.5, pdfdoc.Rule)
	doc.SetY(pdfdoc.Margin)
}

func (r *renderer) pageFooter(doc *pdfdoc.Doc, page int) {
	y := pdfdoc.PageHeight - 13
	doc.HRule(y, pdfdoc.Rule)
	doc.Text(pdfdoc.Margin, y+1, r.d.org.Name+" · "+r.d.site.Name, fSmall)
	// The total is filled in when the document ends, so it comes last and
	// the line is set from a fixed left edge, not measured.
	num := r.t("页码", "page") + fmt.Sprintf(" %d / %s", page, pdfdoc.PageTotal)
	doc.Text(pdfdoc.PageWidth-pdfdoc.Margin-28, y+1, num, fSmall)
}

// kv is one ruled label–value line of the header.
func (r *renderer) kv(label, value string, f pdfdoc.Font) {
	r.kvNote(label, value, f, "", fSub)
}

// kvNote is a header line with a note under the value.
func (r *renderer) kvNote(label, value string, f pdfdoc.Font, note string, noteFont pdfdoc.Font) {
	r.doc.Row([]pdfdoc.Cell{
		{Text: label, Font: fLabel, Width: 42},
		{Text: value, Font: f, Sub: note, SubFont: noteFont, Width: pdfdoc.ContentWidth - 42},
	}, true)
}

func (r *renderer) header() {
	d, row := r.d, r.d.row
	doc := r.doc
	doc.Text(pdfdoc.Margin, doc.Y(), r.t("检查报告", "Inspection report"), fTitle)
	r.badge()
	doc.SetY(doc.Y() + pdfdoc.LineHeight(fTitle))
	doc.Row([]pdfdoc.Cell{{Text: r.text(d.template.Title), Font: fSubtitle, Width: pdfdoc.ContentWidth - 50}}, false)
	doc.Space(2)
	doc.HRule(doc.Y(), pdfdoc.Grey)
	r.kv(r.t("机构", "Organisation"), d.org.Name, fBody)
	site := d.site.Name
	if d.site.Code != "" {
		site += " (" + d.site.Code + ")"
	}
	if d.site.Address != "" {
		site += " · " + d.site.Address
	}
	r.kv(r.t("地点", "Site"), site, fBody)
	r.kv(r.t("时区", "Time zone"), d.loc.String()+" (UTC"+r.reference().In(d.loc).Format("-07:00")+")", fBody)
	r.kv(r.t("检查模板", "Checklist"), fmt.Sprintf("%s · %s v%d", r.text(d.template.Title), row.TemplateKey, row.TemplateVersion), fBody)
	r.kv(r.t("检查人", "Inspector"), r.name(row.OwnerID), fBody)
	r.kv(r.t("设备", "Device"), d.device, fBody)
	r.kv(r.t("状态", "Status"), r.status(row.Status), fBody)
	r.kv(r.t("开始时间", "Started"), r.when(row.StartedAt), fBody)
	r.kv(r.t("提交时间", "Submitted"), r.when(row.SubmittedAt), fBody)
	r.kv(r.t("服务器收到", "Received by server"), r.when(row.ReceivedAt), fBody)
	outcome, f := r.outcome()
	r.kv(r.t("结果", "Outcome"), outcome, f)
	r.kv(r.t("得分", "Score"), r.score(), fBody)
	if row.ApprovedBy != nil {
		r.kv(r.t("签核", "Signed off"), r.name(*row.ApprovedBy)+" · "+r.when(row.ApprovedAt), fBody)
	}
	r.kv(r.t("内容摘要 (SHA-256)", "Content hash (SHA-256)"), deref(row.ContentHash), fMono)
	r.kv(r.t("记录编号", "Record ID"), row.ID, fMono)
}

// badge prints the outcome in a coloured box at the top right.
func (r *renderer) badge() {
	if r.d.row.Outcome == nil {
		return
	}
	text, f := r.outcome()
	f.Size = 11
	w := r.doc.Width(text, f) + 8
	x, y := pdfdoc.PageWidth-pdfdoc.Margin-w, r.doc.Y()
	pdf := r.doc.PDF()
	pdf.SetDrawColor(f.Color.R, f.Color.G, f.Color.B)
	pdf.SetLineWidth(0.6)
	pdf.RoundedRect(x, y, w, 9, 1.5, "1234", "D")
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)
	r.doc.Text(x+4, y+(9-pdfdoc.LineHeight(f))/2, text, f)
}

func (r *renderer) outcome() (string, pdfdoc.Font) {
	if r.d.row.Outcome == nil {
		return "—", fBody
	}
	switch o := *r.d.row.Outcome; o {
	case checklists.OutcomePass:
		return r.t("合格", "PASS"), pdfdoc.Font{Style: pdfdoc.Bold, Size: 10, Color: pdfdoc.Green}
	case checklists.OutcomeFail:
		return r.t("不合格", "FAIL"), pdfdoc.Font{Style: pdfdoc.Bold, Size: 10, Color: pdfdoc.Red}
	case checklists.OutcomeIncomplete:
		return r.t("未完成", "INCOMPLETE"), pdfdoc.Font{Style: pdfdoc.Bold, Size: 10, Color: pdfdoc.Amber}
	default:
		return o, fBody
	}
}

func (r *renderer) score() string {
	if r.d.row.Score == nil {
		return "—"
	}
	s := strconv.FormatFloat(*r.d.row.Score, 'f', 2, 64) + " / 100"
	s += " · " + r.t("合格线", "pass mark") + " " + strconv.FormatFloat(r.d.template.PassThreshold, 'f', -1, 64)
	if n := len(r.d.evaluation.Failed); n > 0 {
		s += " · " + r.t("不合格项", "failed items") + " " + strconv.Itoa(n)
	}
	if n := len(r.d.evaluation.CriticalFailed); n > 0 {
		s += " · " + r.t("其中严重项", "critical") + " " + strconv.Itoa(n)
	}
	return s
}

func (r *renderer) heading(zh, en string) {
	r.doc.Space(4)
	r.doc.Need(20)
	r.doc.Text(pdfdoc.Margin, r.doc.Y(), r.t(zh, en), fHeading)
	r.doc.SetY(r.doc.Y() + pdfdoc.LineHeight(fHeading) + 0.5)
	r.doc.HRule(r.doc.Y(), pdfdoc.Grey)
	r.doc.Space(1)
}

func (r *renderer) answers() {
	r.heading("检查项目", "Answers")
	percent := map[string]float64{}
	for _, s := range r.d.evaluation.Sections {
		if s.Possible > 0 {
			percent[s.Key] = s.Percent
		}
	}
	for i, section := range r.d.template.Sections {
		title := fmt.Sprintf("%d. %s", i+1, r.text(section.Title))
		if p, ok := percent[section.Key]; ok {
			title += fmt.Sprintf("  (%s %s%%)", r.t("得分", "score"), strconv.FormatFloat(p, 'f', -1, 64))
		}
		r.doc.Banner(title, fSection, 12)
		for _, item := range section.Items {
			if item.Type == checklists.TypeInstruction {
				continue
			}
			path := "/" + item.Key
			a, ok := r.d.answers[item.Key]
			if item.Type == checklists.TypeGroup && ok && len(a.Repeats) > 0 {
				for n, repeat := range a.Repeats {
					for _, child := range item.Items {
						if child.Type == checklists.TypeInstruction {
							continue
						}
						main, sub := r.label(item.Label)
						prefix := fmt.Sprintf("%s #%d · ", main, n+1)
						childMain, childSub := r.label(child.Label)
						if sub != "" {
							childSub = fmt.Sprintf("%s #%d · %s", sub, n+1, childSub)
						}
						ca, has := repeat[child.Key]
						r.item(path+"/"+strconv.Itoa(n)+"/"+child.Key, child, prefix+childMain, childSub, ca, has)
					}
				}
				continue
			}
			main, sub := r.label(item.Label)
			r.item(path, item, main, sub, a, ok)
		}
	}
}

// item prints one answer row, then its photos, signatures and
// countersignature.
func (r *renderer) item(path string, item checklists.Item, label, sub string, a checklists.Answer, answered bool) {
	ev := r.d.evaluation
	var verdict string
	verdictFont := fFail
	switch {
	case slices.Contains(ev.CriticalFailed, path):
		verdict = r.t("严重不合格", "CRITICAL FAIL")
	case slices.Contains(ev.Failed, path):
		verdict = r.t("不合格", "FAIL")
	case slices.Contains(ev.Missing, path):
		verdict, verdictFont = r.t("缺项", "MISSING"), fWarn
	}
	value := r.t("未作答", "not answered")
	valueFont := fSub
	if answered {
		value, valueFont = r.value(item, a.Value), fBody
		if verdict != "" && verdictFont == fFail {
			valueFont.Color = pdfdoc.Red
		}
	}
	if item.Critical {
		sub = strings.TrimSpace(sub + " " + r.t("【关键项】", "[critical item]"))
	}
	var note string
	if a.Note != "" {
		note = r.t("备注", "Note") + r.colon() + a.Note
	}
	cells := []pdfdoc.Cell{
		{Text: label, Font: pdfdoc.Font{Style: pdfdoc.Regular, Size: 9}, Sub: sub, SubFont: fSub, Width: colLabel},
		{Text: value, Font: valueFont, Sub: note, SubFont: fSub, Width: colAnswer},
		{Text: verdict, Font: verdictFont, Width: colResult},
	}
	var attached []string
	if answered {
		attached = append(valueMediaIDs(item, a.Value), a.Media...)
	}
	// An item keeps its first photo or signature on its page.
	keep := r.doc.RowHeight(cells)
	if len(attached) > 0 || (answered && a.Countersign != nil) {
		keep += 32
	}
	r.doc.Need(min(keep, 120))
	r.doc.Row(cells, false)
	defer func() { r.doc.HRule(r.doc.Y(), pdfdoc.Rule) }()
	if !answered {
		return
	}
	if item.Type == checklists.TypeSignature {
		for _, id := range attached {
			r.signatureMedia(id, r.t("签名", "Signature"))
		}
	} else {
		r.photoGrid(attached)
	}
	if c := a.Countersign; c != nil {
		r.doc.Row([]pdfdoc.Cell{
			{Width: colLabel},
			{Text: r.t("会签人", "Countersigned by") + r.colon() + r.name(c.UserID), Font: fBody, Width: colAnswer + colResult},
		}, false)
		if c.SignatureMediaID != "" {
			r.signatureMedia(c.SignatureMediaID, r.t("会签签名", "Countersignature"))
		}
	}
}

// value prints an answer's value for its item type.
func (r *renderer) value(item checklists.Item, value any) string {
	switch v := value.(type) {
	case nil:
		return "—"
	case string:
		switch item.Type {
		case checklists.TypeYesNo:
			switch v {
			case "yes":
				return r.t("是", "yes")
			case "no":
				return r.t("否", "no")
			case "na":
				return r.t("不适用", "N/A")
			}
		case checklists.TypeSingleChoice:
			return r.option(item, v)
		case checklists.TypeDateTime:
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return r.when(&t)
			}
		}
		return v
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if item.Unit != "" {
			s += " " + item.Unit
		}
		return s
	case bool:
		return strconv.FormatBool(v)
	case []any:
		if item.Type == checklists.TypePhoto {
			return fmt.Sprintf("%d %s", len(v), r.t("张照片", "photo(s)"))
		}
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				parts = append(parts, r.option(item, s))
			} else {
				parts = append(parts, r.value(checklists.Item{}, e))
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		return r.object(item, v)
	}
	raw, _ := json.Marshal(value)
	return string(raw)
}

func (r *renderer) option(item checklists.Item, value string) string {
	for _, o := range item.Options {
		if o.Value == value {
			return r.text(o.Label)
		}
	}
	return value
}

// object prints the structured values: a location, a checkpoint scan, a
// signature.
func (r *renderer) object(item checklists.Item, v map[string]any) string {
	num := func(key string, digits int) string {
		if f, ok := v[key].(float64); ok {
			return strconv.FormatFloat(f, 'f', digits, 64)
		}
		return "?"
	}
	switch item.Type {
	case checklists.TypeLocation:
		s := num("lat", 5) + ", " + num("lng", 5)
		if _, ok := v["accuracy_m"].(float64); ok {
			s += " (±" + num("accuracy_m", 0) + " m)"
		}
		return s
	case checklists.TypeCheckpointScan:
		s := r.t("已扫描", "scanned") + " " + fmt.Sprint(v["tag"])
		if m, ok := v["method"].(string); ok && m != "" {
			s += " (" + m + ")"
		}
		return s
	case checklists.TypeSignature:
		s := r.t("已签名", "signed")
		if n, ok := v["signer_name"].(string); ok && n != "" {
			s += r.colon() + n
		}
		return s
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fmt.Sprint(v[k])
	}
	return strings.Join(parts, ", ")
}

// photoGrid prints the thumbnails of photos under the answer column, three
// to a line, each captioned with when it was taken.
func (r *renderer) photoGrid(ids []string) {
	const width, gap, perLine = 34.0, 3.0, 3
	x0 := pdfdoc.Margin + colLabel
	var missing int
	column, lineHeight := 0, 0.0
	top := r.doc.Y()
	for n, id := range ids {
		name, h, ok := r.image(id, width)
		if !ok {
			missing++
			continue
		}
		if column == perLine {
			r.doc.SetY(top + lineHeight + gap)
			column, lineHeight = 0, 0
		}
		if column == 0 {
			r.doc.Need(h + 6)
			top = r.doc.Y() + 1
		}
		x := x0 + float64(column)*(width+gap)
		r.doc.PDF().ImageOptions(name, x, top, width, h, false, fpdf.ImageOptions{}, 0, "")
		caption := r.t("照片", "Photo") + " " + strconv.Itoa(n+1)
		if m, ok := r.d.media[id]; ok && m.CapturedAt != nil {
			caption += " · " + m.CapturedAt.In(r.d.loc).Format("01-02 15:04")
		}
		r.doc.Text(x, top+h+0.3, caption, fSmall)
		lineHeight = max(lineHeight, h+4)
		column++
	}
	if column > 0 {
		r.doc.SetY(top + lineHeight + 1)
	}
	if missing > 0 {
		r.doc.Row([]pdfdoc.Cell{{Width: colLabel}, {Text: fmt.Sprintf("%d %s", missing,
			r.t("张照片尚无缩略图", "photo(s) without a thumbnail yet")), Font: fSub, Width: colAnswer + colResult}}, false)
	}
}

// image registers a media thumbnail and returns its name and height at the
// given width; ok is false when there is none to print.
func (r *renderer) image(mediaID string, width float64) (string, float64, bool) {
	if r.photos == nil {
		return "", 0, false
	}
	raw, contentType, err := r.photos(r.ctx, mediaID)
	if err != nil {
		return "", 0, false
	}
	kind := "JPG"
	if strings.Contains(contentType, "png") {
		kind = "PNG"
	}
	name := fmt.Sprintf("image-%d", r.images)
	r.images++
	pdf := r.doc.PDF()
	info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(raw))
	if !pdf.Ok() || info == nil || info.Width() == 0 {
		pdf.ClearError() // a broken thumbnail is left out, not fatal
		return "", 0, false
	}
	return name, width * info.Height() / info.Width(), true
}

// signatureMedia draws a signature media: its strokes when it has them,
// else its image, with who signed and when.
func (r *renderer) signatureMedia(id, caption string) {
	m, known := r.d.media[id]
	sig := signatureOf(m)
	signer := sig.SignerName
	if sig.SignerUserID != "" {
		signer = r.name(sig.SignerUserID)
	}
	var signedAt string
	if t, err := time.Parse(time.RFC3339, sig.SignedAt); err == nil {
		signedAt = r.when(&t)
	}
	strokes := parseStrokes(sig.Strokes)
	r.signature(caption, signer, sig.SignerRole, signedAt, strokes, id, known)
}

// signature draws one signature box in the answer column with a caption.
func (r *renderer) signature(caption, signer, role, at string, strokes [][]pdfdoc.Point, mediaID string, known bool) {
	const w, h = 60.0, 22.0
	x := pdfdoc.Margin + colLabel
	details := []string{caption}
	for _, s := range []string{signer, role, at} {
		if s != "" {
			details = append(details, s)
		}
	}
	line := strings.Join(details, " · ")
	switch {
	case len(strokes) > 0:
		r.doc.Need(h + 7)
		y := r.doc.Y() + 1
		r.doc.Strokes(x, y, w, h, strokes)
		r.doc.SetY(y + h + 0.5)
	default:
		name, ih, ok := "", 0.0, false
		if mediaID != "" {
			name, ih, ok = r.image(mediaID, w)
		}
		if !ok {
			why := r.t("签名图像尚未收到", "signature image not received yet")
			if !known && mediaID == "" {
				why = r.t("无签名图像", "no signature image")
			}
			line += " — " + why
			break
		}
		ih = min(ih, 40)
		r.doc.Need(ih + 7)
		y := r.doc.Y() + 1
		r.doc.PDF().ImageOptions(name, x, y, 0, ih, false, fpdf.ImageOptions{}, 0, "")
		r.doc.SetY(y + ih + 0.5)
	}
	r.doc.Row([]pdfdoc.Cell{{Width: colLabel}, {Text: line, Font: fSub, Width: colAnswer + colResult}}, false)
}

func (r *renderer) findings() {
	r.heading("隐患", "Findings")
	if len(r.d.findings) == 0 {
		r.doc.Paragraph(r.t("无", "None"), fBody, 0)
		return
	}
	widths := []float64{38, 46, 20, 22, 30, 24}
	head := []string{r.t("检查项", "Item"), r.t("隐患", "Finding"), r.t("等级", "Severity"),
		r.t("状态", "Status"), r.t("整改期限", "Due"), r.t("责任人", "Assignee")}
	cells := make([]pdfdoc.Cell, len(head))
	for i := range head {
		cells[i] = pdfdoc.Cell{Text: head[i], Font: fTableHd, Width: widths[i]}
	}
	r.doc.Row(cells, true)
	labels := r.itemLabels()
	for _, f := range r.d.findings {
		item := labels[f.ItemPath]
		if item == "" {
			item = f.ItemPath
		}
		severity := fBody
		if f.Severity == "critical" || f.Severity == "high" {
			severity = fFail
		}
		title := f.Title
		if f.Description != "" && f.Description != f.Title {
			title += "\n" + f.Description
		}
		row := []pdfdoc.Cell{
			{Text: item, Font: fBody, Width: widths[0]},
			{Text: title, Font: fBody, Width: widths[1]},
			{Text: r.severity(f.Severity), Font: severity, Width: widths[2]},
			{Text: r.status(f.Status), Font: fBody, Width: widths[3]},
			{Text: r.when(f.DueAt), Font: fTime, Width: widths[4]},
			{Text: r.name(deref(f.AssigneeID)), Font: fBody, Width: widths[5]},
		}
		r.doc.Row(row, true)
	}
}

// itemLabels maps item paths (with repeat indexes taken out) to labels.
func (r *renderer) itemLabels() map[string]string {
	out := map[string]string{}
	for _, section := range r.d.template.Sections {
		for _, item := range section.Items {
			out["/"+item.Key] = r.text(item.Label)
			for n := range r.d.answers[item.Key].Repeats {
				for _, child := range item.Items {
					out[fmt.Sprintf("/%s/%d/%s", item.Key, n, child.Key)] = fmt.Sprintf("%s #%d · %s",
						r.text(item.Label), n+1, r.text(child.Label))
				}
			}
		}
	}
	return out
}

func (r *renderer) signOff() {
	r.doc.Need(80) // the sign-off and its signature stay on one page
	r.heading("签核", "Sign-off")
	row := r.d.row
	if row.ApprovedBy == nil {
		r.doc.Paragraph(r.t("未签核", "Not signed off"), fBody, 0)
		return
	}
	sig := approval(row.Signature)
	r.kv(r.t("签核人", "Signed off by"), r.name(*row.ApprovedBy), fBody)
	r.kv(r.t("签核时间", "Signed off at"), r.when(row.ApprovedAt), fBody)
	var note string
	noteFont := fSub
	if row.ApprovedHash != nil && row.ContentHash != nil {
		if *row.ApprovedHash == *row.ContentHash {
			note = r.t("与内容摘要一致", "matches the content hash")
		} else {
			note = r.t("与内容摘要不一致", "DIFFERS from the content hash")
			noteFont = fFail
		}
	}
	r.kvNote(r.t("签核摘要", "Signed-off hash"), deref(row.ApprovedHash), fMono, note, noteFont)
	if sig.Comment != "" {
		r.kv(r.t("意见", "Comment"), sig.Comment, fBody)
	}
	r.doc.Space(1)
	r.doc.Text(pdfdoc.Margin, r.doc.Y()+1, r.t("签名", "Signature"), fLabel)
	caption := r.t("签核签名", "Sign-off signature")
	switch {
	case sig.Signature.MediaID != nil:
		r.signatureMedia(*sig.Signature.MediaID, caption)
	default:
		signer := sig.Signature.Name
		if signer == "" {
			signer = r.name(*row.ApprovedBy)
		}
		r.signature(caption, signer, "", r.when(row.ApprovedAt), parseStrokes(sig.Signature.Strokes), "", false)
	}
}

func (r *renderer) history() {
	r.heading("记录", "History")
	widths := []float64{50, 30, 38, 62}
	head := []string{r.t("时间", "Time"), r.t("事件", "Event"), r.t("操作人", "By"), r.t("说明", "Detail")}
	cells := make([]pdfdoc.Cell, len(head))
	for i := range head {
		cells[i] = pdfdoc.Cell{Text: head[i], Font: fTableHd, Width: widths[i]}
	}
	r.doc.Row(cells, true)
	for _, e := range r.d.events {
		r.doc.Row([]pdfdoc.Cell{
			{Text: r.when(&e.CreatedAt), Font: fTime, Width: widths[0]},
			{Text: r.event(e.Kind), Font: fBody, Width: widths[1]},
			{Text: r.name(e.ActorID), Font: fBody, Width: widths[2]},
			{Text: r.eventDetail(e), Font: fSub, Width: widths[3]},
		}, true)
	}
}

func (r *renderer) event(kind string) string {
	names := map[string][2]string{"started": {"开始", "started"}, "submitted": {"提交", "submitted"},
		"resubmitted": {"重新提交", "resubmitted"}, "approved": {"签核", "signed off"}, "returned": {"退回", "returned"}}
	if n, ok := names[kind]; ok {
		return r.t(n[0], n[1])
	}
	return kind
}

func (r *renderer) eventDetail(e store.InspectionEvent) string {
	var detail struct {
		Score   *float64          `json:"score"`
		Outcome string            `json:"outcome"`
		Comment string            `json:"comment"`
		Items   map[string]string `json:"items"`
	}
	json.Unmarshal(e.Detail, &detail) // written by the server; an odd one prints empty
	var parts []string
	if detail.Outcome != "" {
		parts = append(parts, r.outcomeName(detail.Outcome))
	}
	if detail.Score != nil {
		parts = append(parts, r.t("得分", "score")+" "+strconv.FormatFloat(*detail.Score, 'f', 2, 64))
	}
	if detail.Comment != "" {
		parts = append(parts, detail.Comment)
	}
	labels := r.itemLabels()
	for _, path := range slices.Sorted(mapKeys(detail.Items)) {
		label := labels[path]
		if label == "" {
			label = path
		}
		parts = append(parts, label+r.colon()+detail.Items[path])
	}
	return strings.Join(parts, "\n")
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (r *renderer) outcomeName(o string) string { return named(r.t, outcomeNames, o) }

func (r *renderer) status(s string) string { return named(r.t, statusNames, s) }

func (r *renderer) severity(s string) string { return named(r.t, severityNames, s) }

// Names of outcomes, statuses and severities in Chinese and English, for
// every printed document.
var (
	outcomeNames = map[string][2]string{"pass": {"合格", "pass"}, "fail": {"不合格", "fail"}, "incomplete": {"未完成", "incomplete"}}
	statusNames  = map[string][2]string{"in_progress": {"进行中", "in progress"}, "submitted": {"已提交", "submitted"},
		"approved": {"已签核", "signed off"}, "returned": {"已退回", "returned"}, "open": {"待处理", "open"},
		"assigned": {"已指派", "assigned"}, "rectified": {"已整改", "rectified"}, "verified": {"已复查", "verified"},
		"closed": {"已关闭", "closed"}, "rejected": {"复查未通过", "rejected"}}
	severityNames = map[string][2]string{"low": {"低", "low"}, "medium": {"中", "medium"}, "high": {"高", "high"},
		"critical": {"严重", "critical"}}
)

// named prints a code by its name in the document's language (t), or as
// it is when it has none.
func named(t func(zh, en string) string, names map[string][2]string, code string) string {
	if n, ok := names[code]; ok {
		return t(n[0], n[1])
	}
	return code
}

func deref(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}
