package pdfdoc

import (
	_ "embed"
	"fmt"
	"unicode"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// cjkFont is Droid Sans Fallback: Chinese, Japanese and Korean, but no
// Basic Latin (see fonts/README.md).
//
//go:embed fonts/DroidSansFallback.ttf
var cjkFont []byte

// Face is one embedded TrueType font.
type Face struct {
	Name string // the fpdf family name
	TTF  []byte
	font *sfnt.Font
}

// Has reports whether the face has a glyph for r (not .notdef).
func (f *Face) Has(r rune) bool {
	var buf sfnt.Buffer
	index, err := f.font.GlyphIndex(&buf, r)
	return err == nil && index != 0
}

func mustFace(name string, ttf []byte) *Face {
	font, err := sfnt.Parse(ttf)
	if err != nil {
		panic(fmt.Sprintf("pdfdoc: font %s: %v", name, err))
	}
	return &Face{Name: name, TTF: ttf, font: font}
}

// The faces every document embeds. fpdf subsets each to the glyphs a
// document uses, so a report carries a few kilobytes of each.
var (
	faceRegular = mustFace("goregular", goregular.TTF)
	faceBold    = mustFace("gobold", gobold.TTF)
	faceMono    = mustFace("gomono", gomono.TTF)
	faceCJK     = mustFace("droidsansfallback", cjkFont)
	allFaces    = []*Face{faceRegular, faceBold, faceMono, faceCJK}
)

// Style is a typeface: each is a chain of faces, and every rune is set in
// the first face of the chain that has a glyph for it.
type Style uint8

// Styles.
const (
	Regular Style = iota
	Bold
	Mono
)

// chains lists each style's faces, preferred first. The CJK face has no
// bold; Chinese in a bold line stays regular.
var chains = map[Style][]*Face{
	Regular: {faceRegular, faceCJK},
	Bold:    {faceBold, faceCJK},
	Mono:    {faceMono, faceRegular, faceCJK},
}

// Run is a stretch of text set in one face.
type Run struct {
	Face *Face
	Text string
}

// faceFor picks the face that draws r. A rune no face has falls to the
// last face of the chain and shows as an empty box: the glyph test catches
// it rather than hiding it behind a substitute.
func faceFor(chain []*Face, r rune) *Face {
	if unicode.IsSpace(r) {
		return chain[0]
	}
	for _, face := range chain {
		if face.Has(r) {
			return face
		}
	}
	return chain[len(chain)-1]
}

// Runs splits s into runs of one face each.
func Runs(s string, style Style) []Run {
	chain := chains[style]
	var runs []Run
	start := 0
	var current *Face
	for i, r := range s {
		face := faceFor(chain, r)
		if face != current && current != nil {
			runs = append(runs, Run{Face: current, Text: s[start:i]})
			start = i
		}
		current = face
	}
	if current != nil {
		runs = append(runs, Run{Face: current, Text: s[start:]})
	}
	return runs
}
