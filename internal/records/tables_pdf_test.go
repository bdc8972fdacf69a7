package records

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/patrolsync/patrolsync/internal/pdfdoc"
)

// Every rune a printed list draws — Latin, digits, Chinese, the dashes and
// dots between them — is set in a face that has its glyph, in each
// language; a table longer than a page repeats its column heads.
func TestTableDocGlyphs(t *testing.T) {
	for _, lang := range []string{LangBoth, LangChinese, LangEnglish} {
		var rows [][]tableCell
		for i := range 80 {
			rows = append(rows, []tableCell{{text: "网点 A (A)", sub: "Asia/Shanghai"},
				{text: "巡逻点扫描不符 / Checkpoint scan mismatch", sub: "扫描金库巡逻点 / Scan the vault checkpoint"},
				{text: "2026-12-05 11:14", alert: i%2 == 0}, {text: "—"}})
		}
		doc := tableDoc{lang: lang, title: registerTitles[HazardRegister], org: "Demo Security Co. 演示安保公司",
			covers: []string{"Period: 2026-11-30 – 2026-12-06 · Asia/Shanghai"}}
		doc.covers = append(doc.covers, doc.printedAt(time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC), time.UTC))
		doc.sections = []tableSection{{heading: [2]string{"隐患", "Findings"}, rows: rows, note: capNote(doc, len(rows)),
			columns: []tableColumn{{"站点", "Site", 40}, {"隐患", "Finding", 80}, {"期限", "Due", 35}, {"关闭", "Closed", 25}}}}
		var drawn strings.Builder
		heads := 0
		var out bytes.Buffer
		err := doc.write(&out, func(run pdfdoc.Run) {
			for _, r := range run.Text {
				if !unicode.IsSpace(r) && !run.Face.Has(r) {
					t.Errorf("%q: %q drawn in %s, which has no glyph for it", lang, r, run.Face.Name)
				}
			}
			if run.Text == doc.t("站点", "Site") || run.Text == "站点" {
				heads++
			}
			drawn.WriteString(run.Text)
		})
		if err != nil || !bytes.HasPrefix(out.Bytes(), []byte("%PDF-")) {
			t.Fatalf("%q: %v", lang, err)
		}
		if heads < 2 {
			t.Errorf("%q: the column heads are drawn %d times over a table of several pages", lang, heads)
		}
		if lang == LangEnglish && !strings.Contains(drawn.String(), "Checkpoint scan mismatch") {
			t.Errorf("English text missing from %q", drawn.String())
		}
	}
}

// A period is the local week (Monday to Monday), month or year around a
// day, across the turn of a year and a daylight-saving change.
func TestPeriodBounds(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name, period string
		day          time.Time
		from, to     string
		label        string
	}{
		{"a Sunday ends its week", PeriodWeek, time.Date(2026, 12, 6, 23, 0, 0, 0, shanghai), "2026-11-30T00:00:00+08:00", "2026-12-07T00:00:00+08:00", "2026-W49"},
		{"a week across new year", PeriodWeek, time.Date(2027, 1, 1, 12, 0, 0, 0, shanghai), "2026-12-28T00:00:00+08:00", "2027-01-04T00:00:00+08:00", "2026-W53"},
		{"December", PeriodMonth, time.Date(2026, 12, 31, 12, 0, 0, 0, shanghai), "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", "2026-12"},
		{"a month with a clock change", PeriodMonth, time.Date(2026, 3, 15, 12, 0, 0, 0, berlin), "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00", "2026-03"},
		{"a year", PeriodYear, time.Date(2026, 6, 1, 12, 0, 0, 0, shanghai), "2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00", "2026"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, label := bounds(tc.period, tc.day)
			if from.Format(time.RFC3339) != tc.from || to.Format(time.RFC3339) != tc.to || label != tc.label {
				t.Errorf("got %s – %s %s, want %s – %s %s", from.Format(time.RFC3339), to.Format(time.RFC3339), label, tc.from, tc.to, tc.label)
			}
		})
	}
}
