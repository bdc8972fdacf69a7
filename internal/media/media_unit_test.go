package media

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
)

const (
	mediaID = "0194F2A0-3333-7000-8000-000000000011"
	digest  = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
)

func declaration(kind, contentType string) DeclareInput {
	in := DeclareInput{ID: mediaID, SHA256: digest, Size: 1000, Kind: kind, ContentType: contentType,
		InspectionID: "0194f2a0-2222-7000-8000-000000000002"}
	if kind == Signature {
		in.Signature = &SignatureInput{Strokes: json.RawMessage(`[[[0,0],[1,1]]]`), SignerName: "Wang", SignerRole: "witness",
			SignedAt: "2026-11-27T08:30:00+08:00", ContentDigest: strings.ToLower(digest)}
	}
	return in
}

// A declaration is checked field by field, every problem at once, and
// ids and digests are stored in lower case.
func TestCheckFields(t *testing.T) {
	noUsers := func(string) bool { return false }
	cases := []struct {
		name   string
		change func(*DeclareInput)
		fields []string // pointers with a problem; none for a good declaration
	}{
		{"photo", func(*DeclareInput) {}, nil},
		{"pdf attachment", func(in *DeclareInput) { in.Kind, in.ContentType = Attachment, "application/pdf" }, nil},
		{"signature", func(in *DeclareInput) { *in = declaration(Signature, "image/png") }, nil},
		{"pdf photo", func(in *DeclareInput) { in.ContentType = "application/pdf" }, []string{"/content_type"}},
		{"gif", func(in *DeclareInput) { in.ContentType = "image/gif" }, []string{"/content_type"}},
		{"unknown kind", func(in *DeclareInput) { in.Kind = "video" }, []string{"/kind"}},
		{"empty", func(in *DeclareInput) { in.Size = 0 }, []string{"/size"}},
		{"everything wrong", func(in *DeclareInput) {
			in.ID, in.SHA256, in.Size, in.CapturedAt = "photo-1", "abc", -1, "yesterday"
			in.ItemKey = strings.Repeat("k", 201)
			in.Location = json.RawMessage(`{"lat": 91, "lng": 0}`)
		}, []string{"/id", "/sha256", "/size", "/captured_at", "/item_key", "/location"}},
		{"signature without its facts", func(in *DeclareInput) {
			*in = declaration(Signature, "image/png")
			in.Signature = &SignatureInput{Strokes: json.RawMessage(`[]`), SignerUserID: "0194f2a0-4444-7000-8000-000000000004"}
		}, []string{"/signature/strokes", "/signature/signer_user_id", "/signature/signer_role", "/signature/signed_at", "/signature/content_digest"}},
		{"photo with a signature", func(in *DeclareInput) { in.Signature = declaration(Signature, "image/png").Signature }, []string{"/signature"}},
		{"signature without one", func(in *DeclareInput) { in.Kind = Signature }, []string{"/signature"}},
	}
	for _, c := range cases {
		in := declaration(Photo, "image/jpeg")
		c.change(&in)
		row, fields := CheckFields(in, "uploader", noUsers)
		for _, pointer := range c.fields {
			if fields[pointer] == "" {
				t.Errorf("%s: no problem at %s (got %v)", c.name, pointer, fields)
			}
		}
		if len(fields) != len(c.fields) {
			t.Errorf("%s: problems %v, want exactly %v", c.name, fields, c.fields)
		}
		if len(c.fields) == 0 && (row.ID != strings.ToLower(mediaID) || row.SHA256 != strings.ToLower(digest) || row.Status != Pending) {
			t.Errorf("%s: stored %+v", c.name, row)
		}
	}
}

// A declared signature carries its content digest, the one its stored
// signature decodes to, so that signs judges it without decoding the
// strokes again; and judges a row read from the database (no carried
// digest) the same.
func TestSignedDigestIsTheStoredOne(t *testing.T) {
	answer := checklists.Answer{Value: map[string]any{"media_id": mediaID, "signer_name": "Wang"}}
	for _, contentDigest := range []string{checklists.AnswerDigest(answer), strings.ToUpper(checklists.AnswerDigest(answer)),
		strings.ToLower(digest), "not hex", ""} {
		in := declaration(Signature, "image/png")
		in.Signature.ContentDigest = contentDigest
		row, _ := CheckFields(in, "uploader", func(string) bool { return false })
		var stored struct {
			ContentDigest string `json:"content_digest"`
		}
		if err := json.Unmarshal(row.Signature, &stored); err != nil {
			t.Fatal(err)
		}
		if row.SignedDigest != "" && row.SignedDigest != stored.ContentDigest {
			t.Errorf("%q: carried digest %q, stored %q", contentDigest, row.SignedDigest, stored.ContentDigest)
		}
		read := row
		read.SignedDigest = ""
		if signs(row, answer) != signs(read, answer) {
			t.Errorf("%q: signs %v with the carried digest, %v as read", contentDigest, signs(row, answer), signs(read, answer))
		}
	}
}

// Object keys keep every organisation under its own prefix.
func TestKeys(t *testing.T) {
	if got := ObjectKey("org-1", "m-1"); got != "orgs/org-1/media/m-1" {
		t.Errorf("ObjectKey = %s", got)
	}
	if got := thumbnailKey("org-1", "m-1"); got != "orgs/org-1/thumbnails/m-1.jpg" {
		t.Errorf("thumbnailKey = %s", got)
	}
}

// A multipart upload is cut into full parts and one shorter last part.
func TestParts(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		size, partSize int64
		count          int
		last           int64
	}{
		{10 * mib, 0, 1, 10 * mib},
		{10 * mib, 5 * mib, 2, 5 * mib},
		{11 * mib, 5 * mib, 3, 1 * mib},
		{5*mib - 1, 5 * mib, 1, 5*mib - 1},
	}
	for _, c := range cases {
		row := store.Media{Size: c.size, PartSize: c.partSize}
		if got := partCount(row); got != c.count {
			t.Errorf("%d bytes in parts of %d: %d parts, want %d", c.size, c.partSize, got, c.count)
		}
		var total int64
		for number := 1; number <= c.count; number++ {
			total += partLength(row, number)
		}
		if partLength(row, c.count) != c.last || total != c.size {
			t.Errorf("%d bytes in parts of %d: last %d, total %d", c.size, c.partSize, partLength(row, c.count), total)
		}
	}
}

// The stored type comes from the bytes, whatever the phone declared.
func TestSniff(t *testing.T) {
	cases := map[string]string{
		"\xff\xd8\xff\xe0\x00\x10JFIF\x00":         "image/jpeg",
		"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR":      "image/png",
		"RIFF\x00\x00\x00\x00WEBPVP8 ":             "image/webp",
		"%PDF-1.7\n":                               "application/pdf",
		"<html><script>alert(1)</script></html>":   "text/html",
		"just words pretending to be a photograph": "text/plain",
	}
	for head, want := range cases {
		got := sniff([]byte(head))
		if got != want {
			t.Errorf("sniff(%q) = %s, want %s", head, got, want)
		}
		if isImage(got) != strings.HasPrefix(want, "image/") {
			t.Errorf("isImage(%s) = %v", got, isImage(got))
		}
		if allowedTypes[Photo][got] != strings.HasPrefix(want, "image/") {
			t.Errorf("photos allow %s: %v", got, allowedTypes[Photo][got])
		}
	}
}

// References finds every media id the answers name, where they name it.
func TestReferences(t *testing.T) {
	template, err := checklists.Parse([]byte(`{"key": "refs", "title": {"en": "R", "zh-CN": "R"}, "sections": [{"key": "s",
	  "title": {"en": "S", "zh-CN": "S"}, "items": [
	  {"key": "door", "type": "photo", "label": {"en": "Door", "zh-CN": "门"}},
	  {"key": "sign", "type": "signature", "label": {"en": "Sign", "zh-CN": "签"}, "signer_role": "guard"},
	  {"key": "pair", "type": "yes_no", "label": {"en": "Pair", "zh-CN": "双"}, "countersign": {"role": "any"}},
	  {"key": "boxes", "type": "group", "label": {"en": "Boxes", "zh-CN": "箱"}, "items": [
	    {"key": "sealed", "type": "yes_no", "label": {"en": "Sealed", "zh-CN": "封"}}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	id := func(n string) string { return "0194f2a0-0000-7000-8000-0000000000" + n }
	answers := map[string]checklists.Answer{
		"door":  {Value: []any{id("01"), "not-a-uuid", strings.ToUpper(id("02"))}},
		"sign":  {Value: map[string]any{"media_id": id("03")}},
		"pair":  {Value: "yes", Media: []string{id("04")}, Countersign: &checklists.Countersignature{UserID: id("99"), SignatureMediaID: id("05")}},
		"boxes": {Repeats: []map[string]checklists.Answer{{}, {"sealed": {Value: "no", Media: []string{id("06")}}}}},
	}
	var got []string
	for _, r := range References(template, answers) {
		got = append(got, r.Path+"="+r.ID[len(r.ID)-2:])
	}
	want := "/door/0=01 /door/2=02 /sign/media_id=03 /pair/media/0=04 /pair/countersign/signature_media_id=05 /boxes/1/sealed/media/0=06"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// validStrokes's scan says what decoding into [][][]float64 says.
func TestValidStrokesIsTheDecode(t *testing.T) {
	for _, raw := range []string{`[[[0,0],[1,1]]]`, ` [ [ [ 0.5 , -1e3 ] ] ] `, `[[[null,1]]]`, `[]`, `[[]]`, `[[[1]]]`,
		`[[[1,2,3]]]`, `null`, `[null]`, `[[null]]`, `[[[1,"2"]]]`, `[[[1,2]],[]]`, `[[[1e400,0]]]`, `[[[1e-400,0]]]`,
		`[[[01,0]]]`, `[[[1.,0]]]`, `[[[-,0]]]`, `[[[0,0]]]x`, `[[[0,0]]`, `{"a":1}`, `[[[true,0]]]`, `[[[0,0]],[[1,1],[2,2]]]`,
		strings.Repeat("9", 320)} {
		if got, want := validStrokes(json.RawMessage(raw)), decodedStrokesValid(json.RawMessage(raw)); got != want {
			t.Errorf("validStrokes(%s) = %v, decoding says %v", raw, got, want)
		}
	}
}

func FuzzValidStrokes(f *testing.F) {
	for _, seed := range []string{`[[[0,0],[1,1]]]`, `[[[null,1e5]]]`, ` [ [ [ -0.5 , 2E-3 ] ] ] `, `[[[1,2,3]]]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := validStrokes(raw), decodedStrokesValid(raw); got != want {
			t.Errorf("validStrokes(%q) = %v, decoding says %v", raw, got, want)
		}
	})
}

// sameSignatureAsMarshal fails unless the signature as stored is
// json.Marshal's bytes, and validStrokes is the decode's verdict.
func sameSignatureAsMarshal(t *testing.T, sig SignatureInput) {
	t.Helper()
	want, _ := json.Marshal(&sig)
	valid, plain := scanStrokes(sig.Strokes)
	if got := marshalSignature(&sig, plain); !bytes.Equal(got, want) {
		t.Fatalf("marshalSignature(%#v, %v)\n got %s\nwant %s", sig, plain, got, want)
	}
	if want := decodedStrokesValid(sig.Strokes); valid != want {
		t.Fatalf("scanStrokes(%q) valid = %v, decoding says %v", sig.Strokes, valid, want)
	}
}

func TestStoredSignatureIsJSONMarshal(t *testing.T) {
	base := SignatureInput{Strokes: json.RawMessage(`[[[0,0],[1.5,-2e3]],[[null,1]]]`), SignerUserID: "0193a1b2-0000-7000-8000-000000000001",
		SignerName: "张三", SignerRole: "duty manager", SignedAt: "2026-12-06T06:00:00Z", ContentDigest: strings.Repeat("ab", 32)}
	with := func(change func(*SignatureInput)) SignatureInput {
		sig := base
		change(&sig)
		return sig
	}
	cases := map[string]SignatureInput{
		"full":             base,
		"zero":             {},
		"no signer id":     with(func(s *SignatureInput) { s.SignerUserID = "" }),
		"no strings":       {Strokes: json.RawMessage(`[[[1,2]]]`)},
		"spaced strokes":   with(func(s *SignatureInput) { s.Strokes = json.RawMessage(" [ [ [ 0 , 1 ] ] ]\n") }),
		"empty strokes":    with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[]`) }),
		"invalid strokes":  with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[[[01,0]]]`) }),
		"string strokes":   with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[[["<",0]]]`) }),
		"object strokes":   with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`{"a" : "&"}`) }),
		"huge coordinate":  with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[[[1e400,0]]]`) }),
		"long coordinate":  with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[[[` + strings.Repeat("9", 320) + `,0]]]`) }),
		"html name":        with(func(s *SignatureInput) { s.SignerName = "A & B <c>" }),
		"escaped role":     with(func(s *SignatureInput) { s.SignerRole = "a\"b\\\n" }),
		"u2028 time":       with(func(s *SignatureInput) { s.SignedAt = "\u2028" }),
		"invalid utf8":     with(func(s *SignatureInput) { s.ContentDigest = "\xff" }),
		"escaped signer":   with(func(s *SignatureInput) { s.SignerUserID = "\x00" }),
		"null strokes":     with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`null`) }),
		"trailing garbage": with(func(s *SignatureInput) { s.Strokes = json.RawMessage(`[[[0,0]]]x`) }),
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) { sameSignatureAsMarshal(t, sig) })
	}
}

func FuzzStoredSignature(f *testing.F) {
	f.Add([]byte(`[[[0,0],[1,1]]]`), "0193a1b2-0000-7000-8000-000000000001", "张三", "guard", "2026-12-06T06:00:00Z")
	f.Add([]byte(` [ [ [ -0.5 , 2E-3 ] ] ] `), "", "<b>", "a\u2028", "\xff")
	f.Add([]byte(`[[[null,1e5]],[[1,2,3]]]`), "&", "", "", "")
	f.Fuzz(func(t *testing.T, strokes []byte, signerID, name, role, digest string) {
		sameSignatureAsMarshal(t, SignatureInput{Strokes: strokes, SignerUserID: signerID, SignerName: name,
			SignerRole: role, SignedAt: name + role, ContentDigest: digest})
	})
}

func BenchmarkStoredSignature(b *testing.B) {
	var strokes []byte
	for i := range 5 {
		strokes = append(strokes, ",["[1-min(i, 1):]...)
		for j := range 40 {
			strokes = fmt.Appendf(strokes, "%s[%d.5,%d]", ","[:min(j, 1)], 10*i+j, 200-j)
		}
		strokes = append(strokes, ']')
	}
	sig := SignatureInput{Strokes: append(append([]byte("["), strokes...), ']'), SignerUserID: "0193a1b2-0000-7000-8000-000000000001",
		SignerRole: "duty manager", SignedAt: "2026-12-06T06:00:00Z", ContentDigest: strings.Repeat("ab", 32)}
	if valid, plain := scanStrokes(sig.Strokes); !valid || !plain {
		b.Fatalf("strokes %s: valid %v, plain %v", sig.Strokes, valid, plain)
	}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(&sig)
		}
	})
	b.Run("marshalSignature", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			marshalSignature(&sig, true)
		}
	})
}
