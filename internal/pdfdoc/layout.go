package pdfdoc

import "slices"

// Cell is one column of a Row: text wrapped to the column's width, and
// optionally a second text under it in another font.
type Cell struct {
	Text    string
	Font    Font
	Sub     string
	SubFont Font
	Width   float64
}

// line is one wrapped line of a cell.
type line struct {
	text string
	font Font
}

func (d *Doc) cellLines(c Cell) []line {
	var out []line
	for _, part := range []struct {
		text string
		font Font
	}{{c.Text, c.Font}, {c.Sub, c.SubFont}} {
		if part.text == "" {
			continue
		}
		for _, l := range d.Lines(part.text, part.font, c.Width-2) {
			out = append(out, line{l, part.font})
		}
	}
	return out
}

// RowHeight is how tall Row would draw cells.
func (d *Doc) RowHeight(cells []Cell) float64 {
	height := 0.0
	for _, c := range cells {
		h := 0.0
		for _, l := range d.cellLines(c) {
			h += LineHeight(l.font)
		}
		height = max(height, h)
	}
	return height + 2*padding
}

// padding is the space above and below the text of a row.
const padding = 1.2

// Row draws cells side by side from the left margin, each wrapped to its
// width, and moves below the tallest. A row that fits on a page is never
// split: it moves to the next page whole. A row taller than a page breaks
// between lines. Ruled rows get a hairline underneath.
func (d *Doc) Row(cells []Cell, ruled bool) {
	lines := make([][]line, len(cells))
	for i, c := range cells {
		lines[i] = d.cellLines(c)
	}
	height := d.RowHeight(cells)
	if d.Y()+height > Bottom && height <= Bottom-Margin-10 {
		d.AddPage()
	}
	top := d.Y() + padding
	ys := make([]float64, len(cells)) // how far down each cell has drawn
	for n := 0; ; n++ {
		more := false
		step := 0.0
		for i := range cells {
			if n < len(lines[i]) {
				more = true
				step = max(step, ys[i]+LineHeight(lines[i][n].font))
			}
		}
		if !more {
			break
		}
		if top+step > Bottom { // only rows taller than a page get here
			d.AddPage()
			top = d.Y() + padding
			for i := range ys {
				ys[i] = 0
			}
		}
		x := Margin
		for i, c := range cells {
			if n < len(lines[i]) {
				d.Text(x, top+ys[i], lines[i][n].text, lines[i][n].font)
				ys[i] += LineHeight(lines[i][n].font)
			}
			x += c.Width
		}
	}
	d.SetY(top + slices.Max(append(ys, 0)) + padding)
	if ruled {
		d.HRule(d.Y(), Rule)
	}
}

// Paragraph draws s wrapped to the content width at the left margin
// (indented by indent), breaking pages between lines.
func (d *Doc) Paragraph(s string, f Font, indent float64) {
	d.Row([]Cell{{Width: indent}, {Text: s, Font: f, Width: ContentWidth - indent}}, false)
}

// HRule draws a hairline across the content width at y.
func (d *Doc) HRule(y float64, c Color) {
	d.pdf.SetDrawColor(c.R, c.G, c.B)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(Margin, y, PageWidth-Margin, y)
	d.pdf.SetDrawColor(0, 0, 0)
}

// Banner draws a heading on a shaded band across the content width,
// moving to a new page first unless the band and keep millimetres of what
// follows fit on this one.
func (d *Doc) Banner(s string, f Font, keep float64) {
	lines := d.Lines(s, f, ContentWidth-4)
	h := float64(len(lines))*LineHeight(f) + 2*padding
	d.Need(h + keep)
	y := d.Y()
	d.pdf.SetFillColor(Band.R, Band.G, Band.B)
	d.pdf.Rect(Margin, y, ContentWidth, h, "F")
	for i, line := range lines {
		d.Text(Margin+2, y+padding+float64(i)*LineHeight(f), line, f)
	}
	d.SetY(y + h + 0.5)
}

// Point is a point of a pen stroke, in the units it was captured in.
type Point struct{ X, Y float64 }

// Strokes draws pen strokes as ink lines, scaled to fit a w × h box at x, y
// with their aspect kept, and frames the box.
func (d *Doc) Strokes(x, y, w, h float64, strokes [][]Point) {
	d.pdf.SetDrawColor(Rule.R, Rule.G, Rule.B)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Rect(x, y, w, h, "D")
	minX, minY, maxX, maxY := 0.0, 0.0, 0.0, 0.0
	first := true
	for _, stroke := range strokes {
		for _, p := range stroke {
			if first {
				minX, minY, maxX, maxY, first = p.X, p.Y, p.X, p.Y, false
			}
			minX, minY, maxX, maxY = min(minX, p.X), min(minY, p.Y), max(maxX, p.X), max(maxY, p.Y)
		}
	}
	const inset = 2.0
	scale := min((w-2*inset)/max(maxX-minX, 1e-9), (h-2*inset)/max(maxY-minY, 1e-9))
	// Centre the drawing in the box.
	ox := x + inset + ((w-2*inset)-(maxX-minX)*scale)/2
	oy := y + inset + ((h-2*inset)-(maxY-minY)*scale)/2
	d.pdf.SetDrawColor(Ink.R, Ink.G, Ink.B)
	d.pdf.SetLineWidth(0.45)
	d.pdf.SetLineCapStyle("round")
	d.pdf.SetLineJoinStyle("round")
	for _, stroke := range strokes {
		for i := range stroke {
			a, b := stroke[max(i-1, 0)], stroke[i]
			if i == 0 && len(stroke) > 1 {
				continue
			}
			d.pdf.Line(ox+(a.X-minX)*scale, oy+(a.Y-minY)*scale, ox+(b.X-minX)*scale, oy+(b.Y-minY)*scale)
		}
	}
	d.pdf.SetLineCapStyle("butt")
	d.pdf.SetLineJoinStyle("miter")
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.2)
}
