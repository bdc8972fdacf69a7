package checklists

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameResultAsMarshal fails unless MarshalResult gives json.Marshal's
// bytes, or fails where it fails: json.Marshal is the reference.
func sameResultAsMarshal(t *testing.T, r Result) {
	t.Helper()
	want, wantErr := json.Marshal(r)
	got, err := MarshalResult(r)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("MarshalResult(%#v)\n got %s, %v\nwant %s, %v", r, got, err, want, wantErr)
	}
}

func TestMarshalResultIsJSONMarshal(t *testing.T) {
	full := Result{Outcome: OutcomeFail, Score: 66.67,
		Sections: []SectionResult{{Key: "a", Visible: true, Weight: 1, Earned: 0.5, Possible: 2, Percent: 33.33}, {Key: "b"}},
		Visible:  map[string]bool{"/b": true, "/a": false}, Required: map[string]bool{},
		Blocked: []string{"/g"}, Missing: []string{}, Errors: []FieldError{{Path: "/a", Code: CodeWrongType, Message: "must be a number"}},
		Failed: []string{"/a", "/b"}, CriticalFailed: nil,
		Findings: []Finding{{Path: "/a", ItemKey: "a", Severity: "high", DueHours: 24, DueDate: "2026-12-20",
			Title: Text{"zh-CN": "灭火器", "en": "Fire extinguisher"}}, {Path: "/b", DueHours: -3}},
		Incidents: []RaisedIncident{{Path: "/a", ItemKey: "a", Category: "fire", Level: "major", Title: Text{}}},
		Countersigns: []CountersignCheck{{Path: "/a", UserID: "u", Role: "supervisor", AnswerSHA256: "ab"},
			{Path: "/b", UserID: "u", Role: "any", SignatureMediaID: "m", KeyID: "k", SignedAt: "t", Signature: "c2ln+/==",
				Verdict: &CountersignVerdict{}},
			{Verdict: &CountersignVerdict{Verified: true, Code: "c", Reason: "r", UserName: "张三"}}}}
	with := func(change func(*Result)) Result {
		r := full
		change(&r)
		return r
	}
	cases := map[string]Result{
		"zero":  {},
		"full":  full,
		"empty": {Sections: []SectionResult{}, Visible: map[string]bool{}, Blocked: []string{}, Errors: []FieldError{}, Findings: []Finding{}, Incidents: []RaisedIncident{}, Countersigns: []CountersignCheck{}},
		"numbers": with(func(r *Result) {
			r.Score = 1e21
			r.Sections = []SectionResult{{Weight: 1e-7, Earned: math.Copysign(0, -1), Possible: 123456789012345678, Percent: 0.1}}
		}),
		"nan score":     with(func(r *Result) { r.Score = math.NaN() }),
		"inf section":   with(func(r *Result) { r.Sections = []SectionResult{{Percent: math.Inf(-1)}} }),
		"html":          with(func(r *Result) { r.Errors = []FieldError{{Message: "<b>&</b>"}} }),
		"html key":      with(func(r *Result) { r.Visible = map[string]bool{"/a<": true} }),
		"html title":    with(func(r *Result) { r.Findings = []Finding{{Title: Text{"en": "a & b"}}} }),
		"u2028":         with(func(r *Result) { r.Countersigns[2].Verdict.Reason = "a\u2028b" }),
		"invalid utf8":  with(func(r *Result) { r.Incidents = []RaisedIncident{{Title: Text{"\xff": "x"}}} }),
		"escapes":       with(func(r *Result) { r.Failed = []string{"a\"b\\c\n\t\x7f"} }),
		"nil title":     with(func(r *Result) { r.Findings = []Finding{{Title: nil}} }),
		"nil verdict":   with(func(r *Result) { r.Countersigns = []CountersignCheck{{Verdict: nil, Signature: "\x00"}} }),
		"outcome quote": with(func(r *Result) { r.Outcome = `"` }),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) { sameResultAsMarshal(t, r) })
	}
}

// TestMarshalResultOfEvaluations holds MarshalResult to json.Marshal over
// what the engine gives for every logic vector and the fuzz template's
// sample answers.
func TestMarshalResultOfEvaluations(t *testing.T) {
	files, _ := filepath.Glob("testdata/logic/*.json")
	if len(files) == 0 {
		t.Fatal("no logic vectors")
	}
	for _, file := range files {
		var vector struct {
			Template json.RawMessage
			Answers  map[string]Answer
		}
		data, err := os.ReadFile(file)
		if err != nil || json.Unmarshal(data, &vector) != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		template := mustParse(t, string(vector.Template))
		t.Run(filepath.Base(file), func(t *testing.T) {
			sameResultAsMarshal(t, Evaluate(template, Input{Answers: vector.Answers}))
			for _, pass := range []bool{true, false} {
				sameResultAsMarshal(t, Evaluate(template, SampleAnswers(template, pass)))
			}
		})
	}
}

func FuzzMarshalResult(f *testing.F) {
	data, err := os.ReadFile("testdata/evaluate_fuzz_template.json")
	if err != nil {
		f.Fatal(err)
	}
	template := mustParse(f, string(data))
	for _, pass := range []bool{true, false} {
		result, _ := json.Marshal(Evaluate(template, SampleAnswers(template, pass)))
		f.Add(result, "0193a1b2", "<", 100.0, uint8(0))
	}
	f.Add([]byte(`{"outcome":"pass","score":1e400,"findings":[{"title":{"en":"x"}}],"countersigns":[{"verdict":{"verified":true}}]}`), "\xff", "\u2028", math.Inf(1), uint8(0xff))
	f.Fuzz(func(t *testing.T, raw []byte, key, s string, number float64, bits uint8) {
		var r Result
		json.Unmarshal(raw, &r) // whatever part decodes
		sameResultAsMarshal(t, r)
		r.Score = number
		if bits&1 != 0 {
			r.Sections = append(r.Sections, SectionResult{Key: s, Visible: true, Weight: number, Percent: -number})
		}
		if bits&2 != 0 {
			r.Visible = map[string]bool{key: true, s: false}
			r.Missing = strings.Split(s, ",")
		}
		if bits&4 != 0 {
			r.Findings = append(r.Findings, Finding{Path: key, DueHours: int(number), DueDate: s, Title: Text{key: s}})
			r.Incidents = append(r.Incidents, RaisedIncident{Level: s, Title: Text{s: key}})
		}
		if bits&8 != 0 {
			r.Countersigns = append(r.Countersigns, CountersignCheck{UserID: key, KeyID: s,
				Verdict: &CountersignVerdict{Verified: bits&16 != 0, UserName: s}})
		}
		if bits&32 != 0 {
			r.Errors = append(r.Errors, FieldError{Path: key, Code: s, Message: key + s})
		}
		sameResultAsMarshal(t, r)
	})
}

func BenchmarkMarshalResult(b *testing.B) {
	data, err := os.ReadFile("testdata/evaluate_fuzz_template.json")
	if err != nil {
		b.Fatal(err)
	}
	template := mustParse(b, string(data))
	result := Evaluate(template, SampleAnswers(template, false))
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(result)
		}
	})
	b.Run("MarshalResult", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MarshalResult(result)
		}
	})
}
