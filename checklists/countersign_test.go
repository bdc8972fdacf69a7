package checklists

import (
	"strings"
	"testing"
)

const twoPersonTemplate = `{"key": "two", "title": {"en": "Two", "zh-CN": "二"}, "sections": [{"key": "s",
  "title": {"en": "S", "zh-CN": "S"}, "items": [
  {"key": "count", "type": "yes_no", "label": {"en": "Counted", "zh-CN": "清点"}, "required": true,
   "countersign": {"role": "any"}, "finding": {"severity": "high", "due_hours": 24}},
  {"key": "open", "type": "yes_no", "label": {"en": "Opened", "zh-CN": "开门"}, "requires_passed": ["count"]}]}]}`

// The server's verdicts decide, given beforehand (Countersigns) or as the
// evaluation meets each countersignature (Judge, which wins): verified
// passes, anything else fails the item (with its finding) and the
// outcome, without closing its gates; with neither (a phone) the
// countersignature is listed unjudged.
func TestCountersignVerdicts(t *testing.T) {
	t.Parallel()
	template := mustParse(t, twoPersonTemplate)
	answers := map[string]Answer{
		"count": {Value: "yes", Countersign: &Countersignature{UserID: "0193a1b2-0000-7000-8000-000000000002",
			KeyID: "0193a1b2-0000-7000-8000-000000000003", SignedAt: "2026-01-05T08:00:00Z", Signature: "c2ln"}},
		"open": {Value: "yes"},
	}
	inspector := "0193a1b2-0000-7000-8000-000000000001"
	verified := CountersignVerdict{Verified: true, UserName: "Li"}
	refused := CountersignVerdict{Code: CodeCountersignSignature, Reason: "bad"}
	judge := func(verdict CountersignVerdict) func(CountersignCheck) CountersignVerdict {
		return func(check CountersignCheck) CountersignVerdict {
			if check.Path != "/count" || check.KeyID != answers["count"].Countersign.KeyID || check.Role != "any" {
				t.Errorf("judged %+v, want the item's countersignature", check)
			}
			return verdict
		}
	}
	cases := []struct {
		name     string
		verdicts map[string]CountersignVerdict
		judge    func(CountersignCheck) CountersignVerdict
		outcome  string
		failed   []string
	}{
		{"phone", nil, nil, OutcomePass, nil},
		{"verified", map[string]CountersignVerdict{"/count": verified}, nil, OutcomePass, nil},
		{"refused", map[string]CountersignVerdict{"/count": refused}, nil, OutcomeFail, []string{"/count"}},
		{"not judged", map[string]CountersignVerdict{}, nil, OutcomeFail, []string{"/count"}},
		{"judged verified", map[string]CountersignVerdict{}, judge(verified), OutcomePass, nil},
		{"judged refused", nil, judge(refused), OutcomeFail, []string{"/count"}},
		{"the judge over verdicts", map[string]CountersignVerdict{"/count": verified}, judge(refused), OutcomeFail, []string{"/count"}},
	}
	for _, c := range cases {
		result := Evaluate(template, Input{Answers: answers, InspectorID: inspector, Countersigns: c.verdicts, Judge: c.judge})
		if result.Outcome != c.outcome || strings.Join(result.Failed, ",") != strings.Join(c.failed, ",") || len(result.Errors) != 0 {
			t.Errorf("%s: outcome %s failed %v errors %v", c.name, result.Outcome, result.Failed, result.Errors)
		}
		if len(result.Countersigns) != 1 || result.Countersigns[0].AnswerSHA256 != AnswerDigest(Answer{Value: "yes"}) {
			t.Fatalf("%s: countersigns %+v", c.name, result.Countersigns)
		}
		if judged := result.Countersigns[0].Verdict != nil; judged != (c.verdicts != nil || c.judge != nil) {
			t.Errorf("%s: verdict %+v", c.name, result.Countersigns[0].Verdict)
		}
		if len(c.failed) > 0 && len(result.Findings) != 1 {
			t.Errorf("%s: findings %+v, want the item's", c.name, result.Findings)
		}
	}
	// The inspector countersigning: an error on the phone, a verdict on the server.
	self := map[string]Answer{"count": {Value: "yes", Countersign: &Countersignature{UserID: inspector}}}
	if result := Evaluate(template, Input{Answers: self, InspectorID: inspector}); len(result.Errors) != 1 ||
		result.Errors[0].Code != CodeCountersignSelf {
		t.Errorf("phone: errors %v, want countersign_self", result.Errors)
	}
	selfVerdict := CountersignVerdict{Code: CodeCountersignSelf, Reason: "self"}
	for _, in := range []Input{
		{Answers: self, InspectorID: inspector, Countersigns: map[string]CountersignVerdict{"/count": selfVerdict}},
		{Answers: self, InspectorID: inspector, Judge: func(CountersignCheck) CountersignVerdict { return selfVerdict }},
	} {
		if result := Evaluate(template, in); len(result.Errors) != 0 || result.Outcome != OutcomeFail {
			t.Errorf("server: outcome %s errors %v, want fail without errors", result.Outcome, result.Errors)
		}
	}
}

// The signed message is exactly the documented lines.
func TestCountersignMessage(t *testing.T) {
	t.Parallel()
	got := string(CountersignSubject{InspectionID: "0193A1B2-0000-7000-8000-00000000000A", Path: "/boxes/0/sealed",
		AnswerSHA256: strings.Repeat("ab", 32), UserID: "0193a1b2-0000-7000-8000-000000000002",
		KeyID: "0193a1b2-0000-7000-8000-000000000003", SignedAt: "2026-01-05T08:00:00+08:00"}.Message())
	want := "patrolsync-countersign-v1\ninspection_id=0193a1b2-0000-7000-8000-00000000000a\nitem=/boxes/0/sealed\n" +
		"answer_sha256=" + strings.Repeat("ab", 32) + "\nuser_id=0193a1b2-0000-7000-8000-000000000002\n" +
		"key_id=0193a1b2-0000-7000-8000-000000000003\nsigned_at=2026-01-05T08:00:00+08:00"
	if got != want {
		t.Fatalf("message:\n%s\nwant:\n%s", got, want)
	}
	// The digest covers value, note and media, not the countersignature.
	plain := AnswerDigest(Answer{Value: "yes", Note: "ok"})
	if AnswerDigest(Answer{Value: "yes", Note: "ok", Countersign: &Countersignature{UserID: "x"}}) != plain ||
		AnswerDigest(Answer{Value: "yes", Note: "ok "}) == plain || AnswerDigest(Answer{Value: "no", Note: "ok"}) == plain {
		t.Fatal("AnswerDigest covers the wrong parts of the answer")
	}
}
