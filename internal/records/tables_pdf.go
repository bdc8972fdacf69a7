package records

import (
	"fmt"
	"io"
	"time"

	"github.com/patrolsync/patrolsync/internal/pdfdoc"
)

// tableDoc is a printed list: a title, what it covers, and sections of
// ruled tables. Registers and periodic reports print through it, in one
// language or both (LangChinese, LangEnglish, LangBoth).
type tableDoc struct {
	lang     string
	title    [2]string // zh, en
	org      string
	covers   []string // lines under the title: sites, dates, when printed
	sections []tableSection
}

// tableSection is one heading and its table; columns' widths add up to
// the content width.
type tableSection struct {
	heading [2]string
	columns []tableColumn
	rows    [][]tableCell
	empty   [2]string // printed when there are no rows
	note    string    // printed under the table (a row cap reached)
}

type tableColumn struct {
	zh, en string
	width  float64
}

// tableCell is a value and an optional grey line under it; alert prints
// the value in red (failed, overdue, missed).
type tableCell struct {
	text, sub string
	alert     bool
}

var (
	fTableCell  = pdfdoc.Font{Style: pdfdoc.Regular, Size: 8.5}
	fTableAlert = pdfdoc.Font{Style: pdfdoc.Bold, Size: 8.5, Color: pdfdoc.Red}
	fTableSub   = pdfdoc.Font{Style: pdfdoc.Regular, Size: 7.5, Color: pdfdoc.Grey}
)

// t picks the document's language: Chinese, English, or both.
func (d tableDoc) t(zh, en string) string {
	switch d.lang {
	case LangChinese:
		return zh
	case LangEnglish:
		return en
	}
	if zh == en {
		return zh
	}
	return zh + " " + en
}

// write draws the document into w. drawn, when set, sees every run of
// text drawn (for the glyph tests).
func (d tableDoc) write(w io.Writer, drawn func(pdfdoc.Run)) error {
	title := d.t(d.title[0], d.title[1])
	doc := pdfdoc.New(title)
	doc.Drawn = drawn
	doc.Header = func(doc *pdfdoc.Doc, page int) {
		if page == 1 {
			return
		}
		doc.Text(pdfdoc.Margin, 8, title, fSmall)
		doc.TextRight(pdfdoc.PageWidth-pdfdoc.Margin, 8, d.org, fSmall)
		doc.HRule(12.5, pdfdoc.Rule)
		doc.SetY(pdfdoc.Margin)
	}
	doc.Footer = func(doc *pdfdoc.Doc, page int) {
		y := pdfdoc.PageHeight - 13
		doc.HRule(y, pdfdoc.Rule)
		doc.Text(pdfdoc.Margin, y+1, d.org, fSmall)
		doc.Text(pdfdoc.PageWidth-pdfdoc.Margin-28, y+1, d.t("页码", "page")+fmt.Sprintf(" %d / %s", page, pdfdoc.PageTotal), fSmall)
	}
	doc.AddPage()
	doc.Paragraph(title, fTitle, 0)
	for _, line := range d.covers {
		doc.Paragraph(line, fSub, 0)
	}
	doc.Space(3)
	for _, section := range d.sections {
		d.section(doc, section)
	}
	if err := doc.Err(); err != nil {
		return err
	}
	return doc.Output(w)
}

func (d tableDoc) section(doc *pdfdoc.Doc, s tableSection) {
	head := make([]pdfdoc.Cell, len(s.columns))
	for i, c := range s.columns {
		head[i] = pdfdoc.Cell{Text: d.t(c.zh, c.en), Font: fTableHd, Width: c.width}
	}
	if s.heading[0] != "" {
		doc.Banner(d.t(s.heading[0], s.heading[1]), fSection, doc.RowHeight(head)+8)
	}
	doc.Need(doc.RowHeight(head) + 8)
	doc.Row(head, true)
	// The column heads repeat at the top of every page the table runs on.
	for _, row := range s.rows {
		cells := make([]pdfdoc.Cell, len(s.columns))
		for i, c := range s.columns {
			cell := tableCell{}
			if i < len(row) {
				cell = row[i]
			}
			font := fTableCell
			if cell.alert {
				font = fTableAlert
			}
			cells[i] = pdfdoc.Cell{Text: cell.text, Font: font, Sub: cell.sub, SubFont: fTableSub, Width: c.width}
		}
		if doc.Y()+doc.RowHeight(cells) > pdfdoc.Bottom {
			doc.AddPage()
			doc.Row(head, true)
		}
		doc.Row(cells, true)
	}
	if len(s.rows) == 0 && s.empty[0] != "" {
		doc.Paragraph(d.t(s.empty[0], s.empty[1]), fSub, 0)
	}
	if s.note != "" {
		doc.Paragraph(s.note, fSub, 0)
	}
	doc.Space(5)
}

// printedAt is the "printed" line of a document's cover.
func (d tableDoc) printedAt(now time.Time, loc *time.Location) string {
	return d.t("打印时间", "Printed") + " " + now.In(loc).Format("2006-01-02 15:04 -07:00 MST")
}
