package pdfdoc

import (
	"strings"
	"unicode"
)

// ptToMM converts a font size in points to millimetres.
const ptToMM = 25.4 / 72

// LineHeight is the height of one line of text in f.
func LineHeight(f Font) float64 { return f.Size * ptToMM * 1.35 }

// Width is how wide s is when set in f.
func (d *Doc) Width(s string, f Font) float64 {
	w := 0.0
	for _, run := range Runs(s, f.Style) {
		d.pdf.SetFont(run.Face.Name, "", f.Size)
		w += d.pdf.GetStringWidth(run.Text)
	}
	return w
}

// Text draws s on one line with its top-left corner at x, y; it is not
// wrapped. It returns the width drawn.
func (d *Doc) Text(x, y float64, s string, f Font) float64 {
	s = clean(s)
	d.pdf.SetTextColor(f.Color.R, f.Color.G, f.Color.B)
	baseline := y + LineHeight(f)/2 + 0.3*f.Size*ptToMM
	start := x
	for _, run := range Runs(s, f.Style) {
		if d.Drawn != nil {
			d.Drawn(run)
		}
		d.pdf.SetFont(run.Face.Name, "", f.Size)
		d.pdf.Text(x, baseline, run.Text)
		x += d.pdf.GetStringWidth(run.Text)
	}
	d.pdf.SetTextColor(0, 0, 0)
	return x - start
}

// TextRight draws s on one line ending at x.
func (d *Doc) TextRight(x, y float64, s string, f Font) {
	d.Text(x-d.Width(clean(s), f), y, s, f)
}

// Lines wraps s to width: at spaces between words, between any two
// Chinese characters (never before closing punctuation), at line breaks in
// s, and inside a word only when the word alone is too wide.
func (d *Doc) Lines(s string, f Font, width float64) []string {
	var out []string
	for _, paragraph := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, d.wrap(clean(paragraph), f, width)...)
	}
	return out
}

func (d *Doc) wrap(paragraph string, f Font, width float64) []string {
	var lines []string
	var line strings.Builder
	used := 0.0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		used = 0
	}
	for _, token := range tokens(paragraph) {
		w := d.Width(token, f)
		switch {
		case used+w <= width:
		case token == " " || strings.Trim(token, " ") == "":
			flush()
			continue
		case line.Len() > 0:
			flush()
		}
		if line.Len() == 0 && strings.Trim(token, " ") == "" {
			continue // no line starts with a space
		}
		if w > width { // a word wider than the column: break it anywhere
			for _, r := range token {
				rw := d.Width(string(r), f)
				if used+rw > width && line.Len() > 0 {
					flush()
				}
				line.WriteRune(r)
				used += rw
			}
			continue
		}
		line.WriteString(token)
		used += w
	}
	if line.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits a paragraph into the pieces a line may break between:
// words, runs of spaces, and single Chinese, Japanese or Korean characters
// (with any closing punctuation that follows them, which may not start a
// line).
func tokens(s string) []string {
	var out []string
	var word strings.Builder
	end := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune(noLineStart, r) && (word.Len() > 0 || len(out) > 0):
			if word.Len() == 0 {
				out[len(out)-1] += string(r)
				continue
			}
			word.WriteRune(r)
		case r == ' ':
			if word.Len() > 0 && !strings.HasSuffix(word.String(), " ") {
				end()
			}
			word.WriteRune(r)
		case breaksAround(r):
			end()
			out = append(out, string(r))
		default:
			if strings.HasSuffix(word.String(), " ") {
				end()
			}
			word.WriteRune(r)
		}
	}
	end()
	return out
}

// noLineStart is punctuation a line must not begin with.
const noLineStart = "，。、；：？！）」』》〉】〕…·,.;:?!)%"

// breaksAround reports whether a line may break before and after r: the
// ideographic scripts, written without spaces.
func breaksAround(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// clean turns tabs into spaces and drops other control characters, which
// have no glyph in any font.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B':
			return -1
		}
		return r
	}, s)
}
