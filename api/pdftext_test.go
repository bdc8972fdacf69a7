package api_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"unicode/utf16"
)

// pdfStream finds a PDF's streams (the data between "stream" and its
// end-of-line and "endstream"). The end is "\nendstream" alone: a
// compressed stream whose last byte happens to be \r (1 in 256 of them)
// would otherwise lose it and fail to inflate, and the page's text would
// go missing from the test's reading by chance.
var pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\nendstream`)

// pdfUnicodeText reads the text shown with fpdf's UTF-8 fonts, which write
// strings as UTF-16BE code units (Identity-H, CID = code point). The
// ledongthuc/pdf reader handles page counts and Latin text but not these
// two-byte strings, so the Chinese is checked through this.
func pdfUnicodeText(doc []byte) string {
	var out bytes.Buffer
	streams := pdfStream.FindAllSubmatch(doc, -1)
	shown := regexp.MustCompile(`(?s)\(((?:\\.|[^\\)])*)\)\s*Tj`)
	for _, s := range streams {
		z, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			continue
		}
		content, err := io.ReadAll(z)
		if err != nil {
			continue
		}
		for _, m := range shown.FindAllSubmatch(content, -1) {
			raw := unescape(m[1])
			units := make([]uint16, 0, len(raw)/2)
			for i := 0; i+1 < len(raw); i += 2 {
				units = append(units, uint16(raw[i])<<8|uint16(raw[i+1]))
			}
			out.WriteString(string(utf16.Decode(units)))
		}
	}
	return out.String()
}

// unescape undoes PDF literal-string escapes.
func unescape(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if c >= '0' && c <= '7' {
				v, n := 0, 0
				for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
					v = v*8 + int(s[i]-'0')
					i++
					n++
				}
				i--
				out = append(out, byte(v))
				continue
			}
			out = append(out, c)
		}
	}
	return out
}
