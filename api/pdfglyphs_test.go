package api_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
)

// pdfGlyphGaps reads a PDF written with fpdf's UTF-8 fonts the way a viewer
// does — the font each Tj is shown in, and that font's CIDToGIDMap — and
// lists every printed character whose glyph in the font showing it is
// .notdef (GID 0): what a viewer draws as an empty box. A text extractor
// cannot see this: it maps codes to Unicode and never looks at glyphs.
// It also returns how many characters it checked.
func pdfGlyphGaps(t *testing.T, doc []byte) (gaps []string, checked int) {
	t.Helper()
	objects := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`).FindAllSubmatch(doc, -1) {
		objects[string(m[1])] = string(m[2])
	}
	ref := func(body, key string) string {
		m := regexp.MustCompile(`/` + key + `\s*\[?\s*(\d+) 0 R`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	// Resource name (/F…) → the font's name and its CID → GID map.
	type font struct {
		name string
		gids []byte
	}
	fonts := map[string]font{}
	for _, m := range regexp.MustCompile(`/(F\w+) (\d+) 0 R`).FindAllStringSubmatch(resourceFonts(objects), -1) {
		type0 := objects[m[2]]
		cid := objects[ref(type0, "DescendantFonts")]
		stream := objects[ref(cid, "CIDToGIDMap")]
		name := regexp.MustCompile(`/BaseFont /(\S+)`).FindStringSubmatch(type0)
		if cid == "" || stream == "" || name == nil {
			t.Fatalf("font %s (object %s) is not a CID font with a CIDToGIDMap:\n%.300s", m[1], m[2], type0)
		}
		fonts[m[1]] = font{name: name[1], gids: inflate(t, streamBytes(stream))}
	}
	if len(fonts) == 0 {
		t.Fatal("the PDF has no fonts")
	}
	shows := regexp.MustCompile(`(?s)/(F\w+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj`)
	var current font
	for _, s := range pdfStream.FindAllSubmatch(doc, -1) {
		z, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			continue
		}
		content, err := io.ReadAll(z)
		if err != nil || !bytes.Contains(content, []byte(" Tf")) {
			continue
		}
		for _, m := range shows.FindAllSubmatch(content, -1) {
			if m[1] != nil {
				current = fonts[string(m[1])]
				continue
			}
			raw := unescape(m[2])
			for i := 0; i+1 < len(raw); i += 2 {
				code := int(raw[i])<<8 | int(raw[i+1])
				r := utf16.Decode([]uint16{uint16(code)})[0]
				if unicode.IsSpace(r) {
					continue
				}
				checked++
				if current.gids == nil {
					t.Fatalf("text shown before any font is set")
				}
				if 2*code+1 >= len(current.gids) || current.gids[2*code]|current.gids[2*code+1] == 0 {
					gaps = append(gaps, fmt.Sprintf("%q (U+%04X) in %s", r, r, current.name))
				}
			}
		}
	}
	return gaps, checked
}

// resourceFonts is the /Font dictionary of the pages' resources.
func resourceFonts(objects map[string]string) string {
	for _, body := range objects {
		if m := regexp.MustCompile(`(?s)/Font\s*<<(.*?)>>`).FindStringSubmatch(body); m != nil {
			return m[1]
		}
	}
	return ""
}

func streamBytes(obj string) []byte {
	m := pdfStream.FindStringSubmatch(obj)
	if m == nil {
		return nil
	}
	return []byte(m[1])
}

func inflate(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// renderPages rasterises a PDF with poppler's pdftoppm at dpi and returns
// the page images.
func renderPages(t *testing.T, doc []byte, dpi int) []image.Image {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-png", file, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm (poppler-utils; make test installs it): %v\n%s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	var pages []image.Image
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, img)
	}
	return pages
}

// inked is the share of a page's pixels that are not near-white.
func inked(img image.Image) float64 {
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0xC000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy())
}

// pdfFonts runs poppler's pdffonts and returns its table rows.
func pdfFonts(t *testing.T, doc []byte) [][]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdffonts", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, out)
	}
	var rows [][]string
	for _, line := range strings.Split(string(out), "\n")[2:] {
		if fields := strings.Fields(line); len(fields) > 0 {
			rows = append(rows, fields)
		}
	}
	return rows
}
