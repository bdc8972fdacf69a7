// Package pdfdoc draws the server's PDF documents. It is the one place that
// knows the fonts: text is set rune by rune in the first embedded face that
// has a glyph for it (the Go fonts for Latin and symbols, Droid Sans
// Fallback for Chinese), wrapped to a width by measuring, and rows are kept
// whole across page breaks.
package pdfdoc

import (
	"io"

	"github.com/go-pdf/fpdf"
)

// Font is how a piece of text is set: a style, a size in points and a
// colour.
type Font struct {
	Style Style
	Size  float64
	Color Color
}

// Color is an RGB colour.
type Color struct{ R, G, B int }

// Colours the documents use.
var (
	Black = Color{0, 0, 0}
	Grey  = Color{110, 110, 110}
	Red   = Color{190, 20, 20}
	Green = Color{20, 120, 50}
	Amber = Color{170, 110, 0}
	Ink   = Color{20, 40, 120}
	Rule  = Color{200, 200, 200}
	Band  = Color{234, 238, 244}
)

// A4 portrait page geometry in millimetres.
const (
	PageWidth  = 210.0
	PageHeight = 297.0
	Margin     = 15.0
	// Bottom is where content ends; the footer sits below it.
	Bottom = PageHeight - 18
	// ContentWidth is the width between the side margins.
	ContentWidth = PageWidth - 2*Margin
)

// Doc is a PDF being drawn.
type Doc struct {
	pdf *fpdf.Fpdf
	// Drawn, when set, sees every run of text drawn, in the face that
	// draws it: tests check each rune has a glyph there.
	Drawn func(Run)
	// Header and Footer draw the top and bottom of every page but the
	// first's header; Header returns below which y content starts.
	Header func(d *Doc, page int)
	Footer func(d *Doc, page int)
}

// New starts an A4 portrait document with the fonts embedded; the footer
// may print PageTotal, replaced by the page count at the end.
func New(title string) *Doc {
	pdf := fpdf.New("P", "mm", "A4", "")
	for _, face := range allFaces {
		pdf.AddUTF8FontFromBytes(face.Name, "", face.TTF)
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator("patrolsync", true)
	pdf.SetMargins(Margin, Margin, Margin)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AliasNbPages(PageTotal)
	d := &Doc{pdf: pdf}
	pdf.SetHeaderFunc(func() {
		if d.Header != nil {
			d.Header(d, pdf.PageNo())
		}
	})
	pdf.SetFooterFunc(func() {
		if d.Footer != nil {
			d.Footer(d, pdf.PageNo())
		}
	})
	return d
}

// PageTotal stands for the number of pages in text drawn on any page.
const PageTotal = "{nb}"

// PDF is the underlying document, for lines and images.
func (d *Doc) PDF() *fpdf.Fpdf { return d.pdf }

// AddPage starts a page; content starts below the header.
func (d *Doc) AddPage() {
	d.pdf.AddPage()
	if d.pdf.GetY() < Margin {
		d.pdf.SetY(Margin)
	}
}

// Y is where the next content goes.
func (d *Doc) Y() float64 { return d.pdf.GetY() }

// SetY moves where the next content goes.
func (d *Doc) SetY(y float64) { d.pdf.SetY(y) }

// Need starts a new page unless h millimetres are left on this one.
func (d *Doc) Need(h float64) {
	if d.pdf.GetY()+h > Bottom {
		d.AddPage()
	}
}

// Space moves down by h, or to the next page when that runs off this one.
func (d *Doc) Space(h float64) {
	if d.pdf.GetY()+h > Bottom {
		d.AddPage()
		return
	}
	d.pdf.SetY(d.pdf.GetY() + h)
}

// Output finishes the document.
func (d *Doc) Output(w io.Writer) error {
	return d.pdf.Output(w)
}

// Err is the first drawing error, if any.
func (d *Doc) Err() error { return d.pdf.Error() }
