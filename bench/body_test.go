package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/patrolsync/patrolsync/checklists"
)

// testPlan is the inspection of a library template the push scenario
// sends.
func testPlan(t testing.TB, template string, declareInPush bool) *plan {
	t.Helper()
	document, err := os.ReadFile("../checklists/library/" + template + ".json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlan("01938f6e-0000-7000-8000-000000000001", 3, "01938f6e-0000-7000-8000-000000000002", document)
	if err != nil {
		t.Fatal(err)
	}
	p.declareInPush = declareInPush
	if p.needsCountersigner() {
		_, private, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		p.countersigner = &countersigner{userID: newID(), keyID: newID(), private: private}
	}
	return p
}

// counter gives the ids a device would, but the same ones on every call
// sequence, so that two encodings can be compared byte for byte.
func counter() func([]byte) []byte {
	n := 0
	return func(dst []byte) []byte {
		n++
		return fmt.Appendf(dst, "01938f6e-1111-7000-8000-%012d", n)
	}
}

// TestPushBodyTemplate: a body spliced from the template is byte for byte
// the body encoding/json makes of the same inspection, ids, time and
// digests, with and without the media's declarations in the batch, for
// the push scenario's template (four signatures) and the day's (one
// signature, an optional photo item).
func TestPushBodyTemplate(t *testing.T) {
	t.Parallel()
	for _, template := range []string{defaultPushTemplate, defaultDayTemplate} {
		for _, declare := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, declarations in the push %v", template, declare), func(t *testing.T) {
				p := testPlan(t, template, declare)
				body, err := p.newBodyTemplate()
				if err != nil {
					t.Fatal(err)
				}
				for _, at := range []time.Time{time.Date(2026, 12, 5, 15, 30, 0, 0, time.UTC), time.Date(2027, 1, 1, 23, 59, 59, 0, time.UTC)} {
					n := 0
					media := p.newMedia(0, func() string { n++; return fmt.Sprintf("01938f6e-3333-7000-8000-%012d", n) })
					v := values{inspection: "01938f6e-2222-7000-8000-000000000001", media: media,
						clientTime: at.Format(time.RFC3339), appendMutationID: counter()}
					want, err := p.encodeBatch(v)
					if err != nil {
						t.Fatal(err)
					}
					v.appendMutationID = counter()
					got := body.appendBody(make([]byte, 0, body.size), v)
					if !bytes.Equal(got, want) {
						t.Fatalf("spliced body differs from the encoded one:\n got %s\nwant %s", got, want)
					}
					if len(got) > body.size {
						t.Errorf("body %d bytes, more than the %d made room for", len(got), body.size)
					}
				}
			})
		}
	}
}

// TestPlanMedia: every signature and two-person item of a template gets
// its own declared medium, named by its answer, so that the submit's checks
// pass; a countersignature verifies with the countersigner's key over the
// inspection; and the push carries start, every answer, submit and the
// declarations.
func TestPlanMedia(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		template                  string
		answers, media, mutations int
	}{
		{defaultPushTemplate, 30, 8, 40},
		{defaultDayTemplate, 14, 1, 17},
	} {
		t.Run(tc.template, func(t *testing.T) {
			p := testPlan(t, tc.template, true)
			media := p.newMedia(0, newID)
			if len(p.answers) != tc.answers || len(media) != tc.media || p.mutationsPerPush() != tc.mutations {
				t.Fatalf("%d answers, %d media, %d mutations per push; want %d, %d, %d", len(p.answers), len(media),
					p.mutationsPerPush(), tc.answers, tc.media, tc.mutations)
			}
			inspection, signedAt := newID(), "2026-12-05T22:00:00Z"
			replace := p.mediaAnswers(inspection, signedAt, media)
			for _, m := range media {
				var payload struct {
					Path   string            `json:"path"`
					Answer checklists.Answer `json:"answer"`
				}
				if err := json.Unmarshal(replace[m.item.answer], &payload); err != nil {
					t.Fatal(err)
				}
				if payload.Path != m.item.path || !bytes.Contains(replace[m.item.answer], []byte(m.id)) {
					t.Errorf("answer of %s is %s, want one naming %s", m.item.key, replace[m.item.answer], m.id)
				}
				if cs := payload.Answer.Countersign; m.item.kind == countersignKind {
					message := checklists.CountersignSubject{InspectionID: inspection, Path: payload.Path,
						AnswerSHA256: checklists.AnswerDigest(payload.Answer), UserID: cs.UserID, KeyID: cs.KeyID, SignedAt: cs.SignedAt}.Message()
					proof, err := base64.StdEncoding.DecodeString(cs.Signature)
					public := p.countersigner.private.Public().(ed25519.PublicKey)
					if err != nil || cs.SignedAt != signedAt || !ed25519.Verify(public, message, proof) {
						t.Errorf("countersignature of %s does not verify: %+v", m.item.key, cs)
					}
				}
			}
		})
	}
}

// BenchmarkPushBody is the tool's cost of one push's body: encoded with
// encoding/json each time (before) or spliced from the template.
func BenchmarkPushBody(b *testing.B) {
	p := testPlan(b, defaultPushTemplate, true)
	body, err := p.newBodyTemplate()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.encodeBatch(values{inspection: newID(), media: p.newMedia(0, newID), clientTime: time.Now().UTC().Format(time.RFC3339), appendMutationID: appendNewID}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body.appendBody(make([]byte, 0, body.size), values{inspection: newID(), media: p.newMedia(0, newID), clientTime: time.Now().UTC().Format(time.RFC3339), appendMutationID: appendNewID})
		}
	})
}

// BenchmarkAppendNewID is one fresh mutation id, 49 of which a push
// takes: each from its own crypto/rand read, or from uuid's pool of random
// bytes (main enables it); alone, and from 16 goroutines per core, as the
// devices take them.
func BenchmarkAppendNewID(b *testing.B) {
	defer uuid.DisableRandPool()
	for _, pool := range []bool{false, true} {
		if pool {
			uuid.EnableRandPool()
		}
		b.Run(fmt.Sprintf("pool %v", pool), func(b *testing.B) {
			b.ReportAllocs()
			buffer := make([]byte, 0, 36)
			for b.Loop() {
				buffer = appendNewID(buffer[:0])
			}
		})
		b.Run(fmt.Sprintf("pool %v, parallel", pool), func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				buffer := make([]byte, 0, 36)
				for pb.Next() {
					buffer = appendNewID(buffer[:0])
				}
			})
		})
	}
}

// TestAppendNewID: the appended id is a UUIDv7 in the text form newID gives.
func TestAppendNewID(t *testing.T) {
	t.Parallel()
	got := string(appendNewID([]byte("x")))
	id, err := uuid.Parse(got[1:])
	if err != nil || id.Version() != 7 || id.String() != got[1:] || got[0] != 'x' {
		t.Fatalf("appended %q: %v, version %d", got, err, id.Version())
	}
}

// TestSignatureDigest: the spliced digest of a signature's answer is the
// one checklists.AnswerDigest computes, for the tool's ids and for ids
// JSON would escape.
func TestSignatureDigest(t *testing.T) {
	t.Parallel()
	for _, id := range []string{newID(), newID(), "01938F6E-0000-7000-8000-00000000000A", "", `a"b`, "<&>", "ünïcode", "\u2028"} {
		if got, want := signatureDigest(id), checklists.AnswerDigest(signatureAnswer(id)); got != want {
			t.Errorf("signatureDigest(%q) = %s, want %s", id, got, want)
		}
	}
}

// FuzzSignatureDigest: whatever the id, the digest is AnswerDigest's.
func FuzzSignatureDigest(f *testing.F) {
	f.Add("01938f6e-0000-7000-8000-000000000001")
	f.Add(`a\b`)
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := signatureDigest(id), checklists.AnswerDigest(signatureAnswer(id)); got != want {
			t.Fatalf("signatureDigest(%q) = %s, want %s", id, got, want)
		}
	})
}
