package records

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/image/font/sfnt"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/pdfdoc"
	"github.com/patrolsync/patrolsync/internal/store"
)

var reportOut = flag.String("report-out", "", "write the sample reports' PDFs to this directory")

// Every rune the report draws, for every template of the library passed
// and failed, in each language, has a glyph in the face that draws it:
// the check a text extractor cannot make (it reads code points, not
// glyphs). The faces are parsed here again, independently of the chooser.
func TestReportGlyphs(t *testing.T) {
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	parsed := map[string]*sfnt.Font{}
	covered := func(face *pdfdoc.Face, r rune) bool {
		f := parsed[face.Name]
		if f == nil {
			if f, err = sfnt.Parse(face.TTF); err != nil {
				t.Fatal(err)
			}
			parsed[face.Name] = f
		}
		var buf sfnt.Buffer
		index, err := f.GlyphIndex(&buf, r)
		return err == nil && index != 0
	}
	for _, template := range library {
		for _, variant := range []string{"pass", "fail", "mixed"} {
			langs := []string{LangBoth}
			if variant == "mixed" { // each language alone once per template: rendering costs
				langs = append(langs, LangChinese, LangEnglish)
			}
			for _, lang := range langs {
				name := fmt.Sprintf("%s-%s-%s", template.Key, variant, lang)
				data := sampleReport(t, template, variant)
				var runes, latin, han int
				drawn := func(run pdfdoc.Run) {
					for _, r := range run.Text {
						if unicode.IsSpace(r) {
							continue
						}
						runes++
						if r < 0x80 {
							latin++
						}
						if unicode.Is(unicode.Han, r) {
							han++
						}
						if !covered(run.Face, r) {
							t.Errorf("%s: %q (U+%04X) in %q is drawn in %s, which has no glyph for it", name, r, r, run.Text, run.Face.Name)
						}
					}
				}
				var out bytes.Buffer
				if err := render(context.Background(), &out, data, lang, samplePhotos, drawn); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if latin < 200 || (lang != LangEnglish && han < 100) {
					t.Errorf("%s: drew only %d runes (%d Latin, %d Chinese)", name, runes, latin, han)
				}
				if *reportOut != "" {
					if err := os.WriteFile(filepath.Join(*reportOut, name+".pdf"), out.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

// A rune no embedded face has is reported by the hook in the face that
// draws it, and the coverage check fails for it: the test above cannot
// pass by accident.
func TestUncoveredRuneIsReported(t *testing.T) {
	doc := pdfdoc.New("t")
	doc.AddPage()
	var faces []*pdfdoc.Run
	doc.Drawn = func(run pdfdoc.Run) { faces = append(faces, &run) }
	doc.Text(20, 20, "A 中 \U0001F600", pdfdoc.Font{Size: 10})
	var missing []rune
	for _, run := range faces {
		for _, r := range run.Text {
			if !unicode.IsSpace(r) && !run.Face.Has(r) {
				missing = append(missing, r)
			}
		}
	}
	if string(missing) != "\U0001F600" {
		t.Fatalf("runs %v: missing %q, want the emoji only", faces, string(missing))
	}
}

func TestParseStrokes(t *testing.T) {
	for _, raw := range []string{`[[[0,0],[10,12,5]],[[3,4]]]`, `[[{"x":0,"y":0},{"x":10,"y":12}],[{"x":3,"y":4}]]`,
		`[{"points":[[0,0],[10,12]]},{"points":[{"x":3,"y":4}]}]`} {
		got := parseStrokes(json.RawMessage(raw))
		if len(got) != 2 || len(got[0]) != 2 || got[0][1] != (pdfdoc.Point{X: 10, Y: 12}) || got[1][0] != (pdfdoc.Point{X: 3, Y: 4}) {
			t.Errorf("%s: %v", raw, got)
		}
	}
	if got := parseStrokes(json.RawMessage(`"nope"`)); got != nil {
		t.Errorf("garbage: %v", got)
	}
}

// sampleReport is a realistic inspection of template: sample answers
// (with a note, a countersignature and photos), its evaluation, findings
// for the failures, a sign-off with pen strokes, and history. The variant
// is pass, fail (everything that can fail does), or mixed: a passing
// inspection with its second and third yes/no answers failed, with photos.
func sampleReport(t *testing.T, template *checklists.Template, variant string) reportData {
	t.Helper()
	input := checklists.SampleAnswers(template, variant != "fail")
	if variant == "mixed" {
		failed := 0
		for _, section := range template.Sections {
			for _, item := range section.Items {
				a, ok := input.Answers[item.Key]
				if !ok || item.Type != checklists.TypeYesNo || a.Value != "yes" {
					continue
				}
				if failed++; failed == 2 || failed == 3 {
					a.Value = "no"
					a.Media = []string{fmt.Sprintf("0193a1b2-0000-7000-8000-00000000f0%d1", failed), fmt.Sprintf("0193a1b2-0000-7000-8000-00000000f0%d2", failed)}
					input.Answers[item.Key] = a
				}
			}
		}
	}
	input.InspectorID = "00000000-0000-4000-8000-000000000001"
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2026, 12, 4, 13, 30, 0, 0, time.UTC)
	submitted, approved := started.Add(42*time.Minute), started.Add(3*time.Hour)
	d := reportData{
		org:  store.Org{Name: "江南农村信用社 Jiangnan Rural Credit Union"},
		site: store.Site{Name: "城东支行 Chengdong Branch", Code: "CD-01", Address: "杭州市上城区解放路 88 号", Timezone: "Asia/Shanghai"},
		loc:  loc, device: "Galaxy Tab A8 · 值班室 (android)", template: template, answers: input.Answers,
		names: map[string]string{input.InspectorID: "王建国", "00000000-0000-4000-8000-000000000002": "李明 (Li Ming)",
			"00000000-0000-4000-8000-000000000003": "Zhang Wei 张伟"},
		media: map[string]store.Media{},
	}
	d.evaluation = checklists.Evaluate(template, input)
	if variant == "mixed" { // the guard describes what was found
		for _, path := range d.evaluation.Missing {
			key := strings.TrimPrefix(path, "/")
			for _, section := range template.Sections {
				for _, item := range section.Items {
					if item.Key == key && item.Type == checklists.TypeText {
						d.answers[key] = checklists.Answer{Value: "人脸识别终端黑屏，已报修。Face terminal screen is black; repair requested."}
					}
				}
			}
		}
		d.evaluation = checklists.Evaluate(template, input)
	}
	hash := strings.Repeat("9f86d081884c7d65", 4)
	supervisor := "00000000-0000-4000-8000-000000000002"
	d.row = store.Inspection{ID: "0193a1b2-0000-7000-8000-00000000abcd", TemplateKey: template.Key, TemplateVersion: 3,
		OwnerID: input.InspectorID, Status: "approved", Score: &d.evaluation.Score, Outcome: &d.evaluation.Outcome,
		StartedAt: &started, SubmittedAt: &submitted, ReceivedAt: &submitted, ApprovedBy: &supervisor,
		ApprovedAt: &approved, ApprovedHash: &hash, ContentHash: &hash, CreatedAt: started,
		Signature: []byte(`{"signature":{"strokes":[[[0,30],[10,5],[20,28],[30,8],[45,25]],[[50,20],[80,18],[95,2]]]},"comment":"已复核，同意。Reviewed, agreed."}`)}
	// The first answer gets a long note and a countersignature; every
	// photo or signature named gets a media row.
	for _, section := range template.Sections {
		for _, item := range section.Items {
			a, ok := d.answers[item.Key]
			if !ok || item.Type == checklists.TypeGroup {
				continue
			}
			if a.Note == "" {
				a.Note = "门禁读卡器外壳松动，已通知厂家维修；The card reader housing is loose, the vendor has been called."
				a.Countersign = &checklists.Countersignature{UserID: "00000000-0000-4000-8000-000000000003",
					SignatureMediaID: "0193a1b2-0000-7000-8000-0000000000c1"}
				d.answers[item.Key] = a
				break
			}
		}
		break
	}
	for _, id := range d.mediaIDs() {
		m := store.Media{ID: id, Kind: "photo", CapturedAt: &started}
		if strings.HasSuffix(id, "c1") || d.isSignature(id) {
			m.Kind = "signature"
			m.Signature = []byte(`{"strokes":[[{"x":0,"y":0},{"x":40,"y":30},{"x":80,"y":5}]],"signer_name":"Zhang Wei 张伟","signer_role":"保卫干部","signed_at":"2026-12-04T21:50:00+08:00"}`)
		}
		d.media[id] = m
	}
	for i, f := range d.evaluation.Findings {
		due := submitted.Add(time.Duration(f.DueHours) * time.Hour)
		d.findings = append(d.findings, store.Finding{ItemPath: f.Path, Title: localized(f.Title, "zh-CN"), Severity: f.Severity,
			Status: []string{"open", "assigned", "rectified"}[i%3], DueAt: &due, AssigneeID: &supervisor})
	}
	d.events = []store.InspectionEvent{
		{Kind: "started", ActorID: input.InspectorID, CreatedAt: started},
		{Kind: "submitted", ActorID: input.InspectorID, CreatedAt: submitted,
			Detail: []byte(fmt.Sprintf(`{"score":%v,"outcome":%q}`, d.evaluation.Score, d.evaluation.Outcome))},
		{Kind: "returned", ActorID: supervisor, CreatedAt: submitted.Add(time.Hour),
			Detail: []byte(`{"comment":"请补拍照片 Please add the photos","items":{"/` + template.Sections[0].Items[0].Key + `":"照片模糊 blurred"}}`)},
		{Kind: "approved", ActorID: supervisor, CreatedAt: approved},
	}
	return d
}

// isSignature reports whether a signature item's value names id.
func (d reportData) isSignature(id string) bool {
	found := false
	d.each(func(_ string, item checklists.Item, a checklists.Answer) {
		if item.Type == checklists.TypeSignature && len(valueMediaIDs(item, a.Value)) > 0 && valueMediaIDs(item, a.Value)[0] == id {
			found = true
		}
	})
	return found
}

// samplePhotos is a photo source with a small picture for every photo.
func samplePhotos(_ context.Context, id string) ([]byte, string, error) {
	if strings.HasSuffix(id, "0") {
		return nil, "", errs.E("test", errs.NotFound, "no thumbnail")
	}
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.Set(x, y, color.RGBA{uint8(60 + x/2), uint8(90 + y), 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/png", nil
}

// An inspection still in progress (no evaluation, score, hash or sign-off
// yet) prints with dashes, not a failure.
func TestReportOfAnInspectionInProgress(t *testing.T) {
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2026, 12, 4, 13, 30, 0, 0, time.UTC)
	d := reportData{row: store.Inspection{ID: "0193a1b2-0000-7000-8000-00000000abcd", TemplateKey: library[0].Key,
		TemplateVersion: 1, OwnerID: "gone", Status: "in_progress", StartedAt: &started, CreatedAt: started},
		org: store.Org{Name: "Org"}, site: store.Site{Name: "Site"}, loc: time.UTC, device: "—", template: library[0],
		answers: map[string]checklists.Answer{}, names: map[string]string{}, media: map[string]store.Media{}}
	var out bytes.Buffer
	var text strings.Builder
	if err := render(context.Background(), &out, d, LangEnglish, nil, func(r pdfdoc.Run) { text.WriteString(r.Text) }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"in progress", "unknown user", "not answered", "Not signed off", "2026-12-04 13:30:00 +00:00"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestItemLabel(t *testing.T) {
	library, err := checklists.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, template := range library {
		for _, section := range template.Sections {
			for _, item := range section.Items {
				if got := itemLabel(template, "/"+item.Key); !strings.Contains(got, localized(item.Label, "en")) {
					t.Errorf("%s /%s: %q", template.Key, item.Key, got)
				}
				for _, child := range item.Items {
					got := itemLabel(template, "/"+item.Key+"/1/"+child.Key)
					if !strings.Contains(got, "#2 · ") || !strings.HasSuffix(got, localized(child.Label, "en")) {
						t.Errorf("%s /%s/1/%s: %q", template.Key, item.Key, child.Key, got)
					}
				}
			}
		}
		if got := itemLabel(template, "/no-such-item"); got != "" {
			t.Errorf("unknown item: %q", got)
		}
	}
}
