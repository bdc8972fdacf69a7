package checklists

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestEvaluateAnswerErrors(t *testing.T) {
	t.Parallel()
	template := mustParse(t, templateWith(strings.Join([]string{
		item("note", "instruction"),
		item("colours", "multi_choice", `"min_selected":1,"max_selected":1,"options":[{"value":"red","label":{"zh-CN":"红","en":"Red"}},{"value":"blue","label":{"zh-CN":"蓝","en":"Blue"}}]`),
		item("place", "location"),
		item("scan", "checkpoint_scan", `"expected_tag":"T1"`),
		item("count", "number"),
		yesNo("plain"),
		item("boxes", "group", `"items":[`+yesNo("sealed")+`]`),
	}, ",")))
	tests := []struct {
		name    string
		answers map[string]Answer
		want    []string // "path code"
	}{
		{"instruction answered", map[string]Answer{"note": {Value: "yes"}}, []string{"/note not_answerable"}},
		{"too many choices and repeated", map[string]Answer{"colours": {Value: []string{"red", "red"}}}, []string{"/colours/1 unknown_option", "/colours selection_count"}},
		{"location out of range", map[string]Answer{"place": {Value: map[string]any{"lat": 91, "lng": 0, "height": 3}}}, []string{"/place/height wrong_type", "/place/lat location"}},
		{"scan method", map[string]Answer{"scan": {Value: map[string]any{"tag": "T1", "method": "telepathy"}}}, []string{"/scan/method scan_method"}},
		{"number as string", map[string]Answer{"count": {Value: "12"}}, []string{"/count wrong_type"}},
		{"countersign on a one-person item", map[string]Answer{"plain": {Value: "yes", Countersign: &Countersignature{UserID: "u2"}}}, []string{"/plain/countersign not_answerable"}},
		{"media not a uuid", map[string]Answer{"plain": {Value: "yes", Media: []string{"photo.jpg"}}}, []string{"/plain/media/0 media_id"}},
		{"group answered with a value", map[string]Answer{"boxes": {Value: "yes"}}, []string{"/boxes wrong_type"}},
		{"unknown child", map[string]Answer{"boxes": {Repeats: []map[string]Answer{{"sealed": {Value: "yes"}, "colour": {Value: "red"}}}}}, []string{"/boxes/0/colour unknown_item"}},
		{"repeats on a leaf", map[string]Answer{"plain": {Value: "yes", Repeats: []map[string]Answer{{}}}}, []string{"/plain wrong_type"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			result := Evaluate(template, Input{Answers: test.answers})
			var got []string
			for _, fieldError := range result.Errors {
				got = append(got, fieldError.Path+" "+fieldError.Code)
			}
			for _, want := range test.want {
				if !slices.Contains(got, want) {
					t.Errorf("want error %q, got %q", want, got)
				}
			}
			if result.Outcome != OutcomeIncomplete {
				t.Errorf("outcome = %s, want incomplete", result.Outcome)
			}
		})
	}
}

func TestEvaluateGoValues(t *testing.T) {
	t.Parallel()
	template := mustParse(t, templateWith(item("count", "number", `"min":1,"max":5,"decimals":0`)+","+
		item("photos", "photo", `"max_count":2`)))
	result := Evaluate(template, Input{Answers: map[string]Answer{
		"count":  {Value: 3},
		"photos": {Value: []string{"0193a1b2-0000-7000-8000-000000000001"}},
	}})
	if result.Outcome != OutcomePass || len(result.Errors) > 0 {
		t.Errorf("Go ints and string slices must be accepted: %s %v", result.Outcome, result.Errors)
	}
}

func TestResultJSONShape(t *testing.T) {
	t.Parallel()
	template := mustParse(t, templateWith(yesNo("a")))
	encoded, err := json.Marshal(Evaluate(template, Input{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"outcome":"pass"`, `"missing":[]`, `"errors":[]`, `"critical_failed":[]`, `"findings":[]`, `"countersigns":[]`, `"blocked":[]`} {
		if !strings.Contains(string(encoded), want) {
			t.Errorf("result JSON lacks %s: %s", want, encoded)
		}
	}
}

func TestEvaluateDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	template := mustParse(t, templateWith(item("count", "number", `"expected":{"context":"system_cash"}`)))
	context := map[string]any{"system_cash": 7}
	answers := map[string]Answer{"count": {Value: 7}}
	Evaluate(template, Input{Answers: answers, Context: context})
	if context["system_cash"] != 7 || answers["count"].Value != 7 {
		t.Errorf("input modified: %v %v", context, answers)
	}
}

// TestEvaluateConcurrently shares one template between goroutines, as the
// server does; run with -race to prove Evaluate only reads it.
func TestEvaluateConcurrently(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/evaluate_fuzz_template.json")
	if err != nil {
		t.Fatal(err)
	}
	template := mustParse(t, string(data))
	digest := Digest(template)
	var group sync.WaitGroup
	for index := range 8 {
		group.Go(func() {
			Evaluate(template, SampleAnswers(template, index%2 == 0))
		})
	}
	group.Wait()
	if Digest(template) != digest {
		t.Error("evaluating changed the template")
	}
}
