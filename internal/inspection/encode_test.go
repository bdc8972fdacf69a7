package inspection

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/store"
)

// reference is what the change log wrote before MarshalView.
func reference(row store.Inspection) ([]byte, error) { return json.Marshal(ViewOf(row)) }

// sameAsReference fails unless MarshalView gives json.Marshal's bytes, or
// fails where it fails.
func sameAsReference(t *testing.T, row store.Inspection, compact Compact) {
	t.Helper()
	want, wantErr := reference(row)
	got, err := MarshalView(row, compact)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("MarshalView(%+v, %b)\n got %s, %v\nwant %s, %v", row, compact, got, err, want, wantErr)
	}
}

func sampleRow() store.Inspection {
	at := time.Date(2026, 12, 6, 4, 50, 1, 123456789, time.UTC)
	return store.Inspection{ID: "0b7d0c1e-3f1a-4c55-9a57-2a3f0d1e2c3b", SiteID: "site", TemplateID: "tmpl", TemplateKey: "cu-opening-check",
		TemplateVersion: 3, OwnerID: "owner", DeviceID: "device", Status: Submitted, Answers: []byte(`{"a":{"value":1}}`),
		Context: []byte(`{}`), Evaluation: []byte(`{"score":0.5}`), ContentHash: new("abc"), Score: new(0.5), Outcome: new("pass"),
		MediaPending: true, Version: 7, StartedAt: &at, SubmittedAt: &at, ReceivedAt: &at, CreatedAt: at, UpdatedAt: at.Add(time.Second)}
}

func TestMarshalViewIsJSONMarshal(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	far := time.FixedZone("far", 25*3600)
	cases := map[string]func(*store.Inspection){
		"as pushed":        func(*store.Inspection) {},
		"zero":             func(r *store.Inspection) { *r = store.Inspection{} },
		"no evaluation":    func(r *store.Inspection) { r.Evaluation = nil },
		"empty evaluation": func(r *store.Inspection) { r.Evaluation = []byte{} },
		"raw with spaces":  func(r *store.Inspection) { r.Answers = []byte(`{ "a" : [1, 2] }`) },
		"raw with html":    func(r *store.Inspection) { r.Context = []byte(`{"n":"<b>&amp;</b>"}`) },
		"raw u2028":        func(r *store.Inspection) { r.Answers = []byte("{\"n\":\"a\u2028b\u2029\"}") },
		"raw invalid utf8": func(r *store.Inspection) { r.Answers = []byte("{\"n\":\"\xff\"}") },
		"raw not json":     func(r *store.Inspection) { r.Answers = []byte(`{"a":`) },
		"empty answers":    func(r *store.Inspection) { r.Answers = []byte{} },
		"html in strings":  func(r *store.Inspection) { r.ID, r.Outcome = "<a>&", new("a>b") },
		"u2028 in string":  func(r *store.Inspection) { r.DeviceID = "a\u2028b" },
		"invalid utf8":     func(r *store.Inspection) { r.SiteID = "a\xffb" },
		"quote, control":   func(r *store.Inspection) { r.TemplateKey = "a\"b\\c\n\x7f" },
		"nil pointers": func(r *store.Inspection) {
			r.ContentHash, r.Score, r.Outcome, r.StartedAt, r.SubmittedAt, r.ReceivedAt = nil, nil, nil, nil, nil, nil
		},
		"all pointers": func(r *store.Inspection) {
			r.AssignmentID, r.RoundID, r.ApprovedBy, r.ApprovedHash, r.ApprovedAt = new("as"), new("ro"), new("by"), new("ha"), r.StartedAt
		},
		"offset zone":      func(r *store.Inspection) { r.CreatedAt = r.CreatedAt.In(east) },
		"offset of 25 h":   func(r *store.Inspection) { r.UpdatedAt = r.UpdatedAt.In(far) },
		"year 10000":       func(r *store.Inspection) { r.ApprovedAt = new(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) },
		"year -1":          func(r *store.Inspection) { r.StartedAt = new(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)) },
		"score NaN":        func(r *store.Inspection) { r.Score = new(math.NaN()) },
		"score -Inf":       func(r *store.Inspection) { r.Score = new(math.Inf(-1)) },
		"score small":      func(r *store.Inspection) { r.Score = new(1e-7) },
		"score large":      func(r *store.Inspection) { r.Score = new(-1e21) },
		"score -0":         func(r *store.Inspection) { r.Score = new(math.Copysign(0, -1)) },
		"negative version": func(r *store.Inspection) { r.Version, r.TemplateVersion = -1, math.MinInt32 },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			row := sampleRow()
			change(&row)
			sameAsReference(t, row, 0)
			// The flags are only set on bytes json.Marshal wrote.
			var compact Compact
			for flag, part := range map[Compact]*[]byte{AnswersCompact: &row.Answers, ContextCompact: &row.Context, EvaluationCompact: &row.Evaluation} {
				if *part == nil {
					continue
				}
				if raw, err := json.Marshal(json.RawMessage(*part)); err == nil {
					*part, compact = raw, compact|flag
				}
			}
			sameAsReference(t, row, compact)
		})
	}
}

func FuzzMarshalView(f *testing.F) {
	f.Add("id", "<&>", "\u2028", []byte(`{"a": 1}`), []byte("{\"\xff\":\"<\"}"), uint8(0xff), 0.5, int64(1_796_000_000), int64(5), 3600)
	f.Add("", "\xff", "\"\\", []byte(`{`), []byte(``), uint8(0), math.Inf(1), int64(-70_000_000_000), int64(-1), 90000)
	f.Fuzz(func(t *testing.T, s1, s2, s3 string, answers, context []byte, bits uint8, score float64, sec, nsec int64, offset int) {
		at := time.Unix(sec, nsec).In(time.FixedZone("z", offset))
		row := store.Inspection{ID: s1, SiteID: s2, TemplateID: s3, TemplateKey: s1 + s2, OwnerID: s3, DeviceID: s2,
			Status: s1, Answers: answers, Context: context, Evaluation: answers, Version: sec, TemplateVersion: int(nsec),
			MediaPending: bits&1 != 0, CreatedAt: at, UpdatedAt: at.UTC()}
		if bits&2 != 0 {
			row.AssignmentID, row.RoundID, row.ContentHash, row.Outcome, row.ApprovedBy, row.ApprovedHash = &s1, &s2, &s3, &s1, &s2, &s3
		}
		if bits&4 != 0 {
			row.Score, row.StartedAt, row.SubmittedAt, row.ReceivedAt, row.ApprovedAt = &score, &at, &at, &at, &at
		}
		if bits&8 != 0 {
			row.Evaluation = context
		}
		sameAsReference(t, row, 0)
		var compact Compact
		for flag, part := range map[Compact]*[]byte{AnswersCompact: &row.Answers, ContextCompact: &row.Context, EvaluationCompact: &row.Evaluation} {
			if bits&(16<<flag>>1) == 0 || *part == nil {
				continue
			}
			if raw, err := json.Marshal(json.RawMessage(*part)); err == nil {
				*part, compact = raw, compact|flag
			}
		}
		sameAsReference(t, row, compact)
	})
}

func BenchmarkMarshalView(b *testing.B) {
	row := sampleRow()
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reference(row)
		}
	})
	b.Run("MarshalView", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MarshalView(row, AnswersCompact|ContextCompact|EvaluationCompact)
		}
	})
}

// TestMarshalViewNeverRegrows holds MarshalView's size estimate to the
// longest view: it allocates no more than for a short one.
func TestMarshalViewNeverRegrows(t *testing.T) {
	all := AnswersCompact | ContextCompact | EvaluationCompact
	short := store.Inspection{Answers: []byte("{}"), Context: []byte("{}")}
	want := testing.AllocsPerRun(10, func() { MarshalView(short, all) })
	row := sampleRow()
	// The longest times: nanoseconds and a zone offset on each.
	at := time.Date(2026, 12, 6, 4, 50, 1, 123456789, time.FixedZone("west", -(11*3600+30*60)))
	row.StartedAt, row.SubmittedAt, row.ReceivedAt, row.ApprovedAt, row.CreatedAt, row.UpdatedAt = &at, &at, &at, &at, at, at
	row.AssignmentID, row.RoundID, row.ApprovedBy, row.ApprovedHash = new("as"), new("ro"), new("by"), new("ha")
	row.Score, row.Version, row.TemplateVersion = new(-1.2345678901234567e-300), math.MinInt64, math.MinInt32
	if n := testing.AllocsPerRun(10, func() { MarshalView(row, all) }); n > want {
		t.Errorf("MarshalView allocated %v times for the longest view, %v for a short one", n, want)
	}
	sameAsReference(t, row, all)
}
