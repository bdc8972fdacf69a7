package pdfdoc

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRunsPickTheFaceWithTheGlyph(t *testing.T) {
	got := Runs("检查 Report 2026，OK", Regular)
	want := []string{"droidsansfallback:检查", "goregular: Report 2026", "droidsansfallback:，", "goregular:OK"}
	if len(got) != len(want) {
		t.Fatalf("runs %v", got)
	}
	for i, run := range got {
		if run.Face.Name+":"+run.Text != want[i] {
			t.Errorf("run %d = %s:%q, want %s", i, run.Face.Name, run.Text, want[i])
		}
	}
	for _, run := range Runs("0193a1b2 哈希", Mono) {
		if strings.ContainsRune(run.Text, '0') && run.Face != faceMono {
			t.Errorf("digits of a mono run set in %s", run.Face.Name)
		}
	}
}

// Every character of a realistic mix of scripts and punctuation is in some
// face, so none prints as a box.
func TestFacesCoverWhatRecordsPrint(t *testing.T) {
	text := "检查报告 Inspection report 0123456789 — · … “引号” ‘q’ （括号）【关键项】 ±5 m № ° % & / # @ ½ é ü ß ø ñ Ω Ж"
	for _, style := range []Style{Regular, Bold, Mono} {
		for _, run := range Runs(text, style) {
			for _, r := range run.Text {
				if r != ' ' && !run.Face.Has(r) {
					t.Errorf("style %d: %q (U+%04X) has no glyph in %s", style, r, r, run.Face.Name)
				}
			}
		}
	}
}

func TestLinesFitTheWidthAndBreakWhereTheyMay(t *testing.T) {
	doc := New("t")
	doc.AddPage()
	f := Font{Size: 10}
	text := "巡逻人员发现门禁读卡器外壳松动，已通知厂家维修，并在值班日志中记录。The card reader housing is loose; " +
		"the vendor has been called and the duty log updated. 9f86d081884c7d659f86d081884c7d659f86d081884c7d659f86d081884c7d65"
	for _, width := range []float64{20, 45, 90} {
		lines := doc.Lines(text, f, width)
		if strings.Join(lines, "") == "" || len(lines) < 2 {
			t.Fatalf("width %v: %q", width, lines)
		}
		var joined strings.Builder
		for i, line := range lines {
			if w := doc.Width(line, f); w > width+0.01 {
				t.Errorf("width %v: line %d is %.2f mm: %q", width, i, w, line)
			}
			if r, _ := utf8.DecodeRuneInString(line); strings.ContainsRune("，。；：", r) || r == ' ' {
				t.Errorf("width %v: line %d starts with %q", width, i, r)
			}
			joined.WriteString(line)
		}
		// Nothing is lost but the spaces at the breaks.
		if strip(joined.String()) != strip(text) {
			t.Errorf("width %v: text changed:\n%s\n%s", width, joined.String(), text)
		}
		// English breaks between words, not inside them.
		for _, line := range lines {
			if strings.HasSuffix(line, "hou") || strings.HasPrefix(line, "sing") {
				t.Errorf("width %v: word broken: %q", width, lines)
			}
		}
	}
	if got := doc.Lines("one\ntwo", f, 100); len(got) != 2 || got[1] != "two" {
		t.Errorf("line breaks in the text: %q", got)
	}
}

func strip(s string) string { return strings.ReplaceAll(s, " ", "") }

// A row that fits on a page moves to the next page whole; a row taller
// than a page breaks between lines.
func TestRowsStayWhole(t *testing.T) {
	doc := New("t")
	var pages int
	doc.Header = func(d *Doc, page int) { pages = page }
	doc.AddPage()
	f := Font{Size: 10}
	cell := func(lines int) []Cell {
		return []Cell{{Text: "标签 label", Font: f, Width: 40}, {Text: strings.Repeat("line\n", lines-1) + "end", Font: f, Width: 100}}
	}
	doc.SetY(Bottom - 3*LineHeight(f))
	before := doc.Y()
	doc.Row(cell(5), true)
	if pages != 2 || doc.Y() != Margin+5*LineHeight(f)+2*padding {
		t.Fatalf("row of 5 lines at %.1f: page %d, y %.1f", before, pages, doc.Y())
	}
	doc.Row(cell(80), true) // taller than a page
	if pages < 3 || doc.Y() > Bottom {
		t.Fatalf("tall row: page %d, y %.1f", pages, doc.Y())
	}
	var out bytes.Buffer
	if err := doc.Output(&out); err != nil {
		t.Fatal(err)
	}
}

// fpdf embeds subsets: a page of Chinese carries a small part of the 3.4 MB
// CJK font.
func TestFontsAreSubset(t *testing.T) {
	doc := New("t")
	doc.AddPage()
	doc.Paragraph("检查报告 巡逻 金库 门禁 Inspection report 2026-12-04 21:30 +08:00", Font{Size: 12}, 0)
	doc.Paragraph("9f86d081884c7d65", Font{Style: Mono, Size: 9}, 0)
	doc.Paragraph("Bold 粗体", Font{Style: Bold, Size: 9}, 0)
	var out bytes.Buffer
	if err := doc.Output(&out); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 120<<10 {
		t.Fatalf("a one-page PDF is %d bytes: the fonts are not subset", out.Len())
	}
	for _, face := range allFaces {
		if !bytes.Contains(out.Bytes(), []byte("/BaseFont /utf8"+face.Name)) {
			t.Errorf("%s is not embedded", face.Name)
		}
	}
}
