package checklists

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// templateWith wraps items in a minimal valid template.
func templateWith(items string, extra ...string) string {
	head := `"key":"test-template","title":{"zh-CN":"测试","en":"Test"}`
	for _, field := range extra {
		head += "," + field
	}
	return fmt.Sprintf(`{%s,"sections":[{"key":"main","title":{"zh-CN":"主","en":"Main"},"items":[%s]}]}`, head, items)
}

// yesNo is a minimal valid yes_no item with extra fields.
func yesNo(key string, extra ...string) string {
	return item(key, "yes_no", extra...)
}

func item(key, itemType string, extra ...string) string {
	fields := fmt.Sprintf(`"key":%q,"type":%q,"label":{"zh-CN":"项","en":"Item"}`, key, itemType)
	for _, field := range extra {
		fields += "," + field
	}
	return "{" + fields + "}"
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		source   string
		problems []string // "path: message fragment"
	}{
		{"not JSON", `{"key":`, []string{": not valid JSON"}},
		{"unknown field", templateWith(yesNo("a", `"colour":"red"`)), []string{"/sections/0/items/0: colour"}},
		{"trailing data", templateWith(yesNo("a")) + `{}`, []string{": not valid JSON"}},
		{"missing english title", `{"key":"abc","title":{"zh-CN":"题"},"sections":[{"key":"s","title":{"zh-CN":"段","en":"S"},"items":[` + yesNo("a") + `]}]}`, []string{"/title/en: is required"}},
		{"duplicate keys", templateWith(yesNo("a") + "," + yesNo("a")), []string{"/sections/0/items/1/key: duplicate"}},
		{"reserved key", templateWith(yesNo("context")), []string{"/sections/0/items/0/key: reserved"}},
		{"rule references unknown item", templateWith(yesNo("a", `"visible_when":{"==":[{"var":"ghost"},"yes"]}`)), []string{"/sections/0/items/0/visible_when/==/0/var: unknown item"}},
		{"rule references later item", templateWith(yesNo("a", `"required_when":{"var":"b"}`) + "," + yesNo("b")), []string{"/sections/0/items/0/required_when/var: later"}},
		{"rule references itself", templateWith(yesNo("a", `"visible_when":{"var":"a"}`)), []string{"/sections/0/items/0/visible_when/var: cycle"}},
		{"fail_when may use its own value", templateWith(yesNo("a", `"fail_when":{"==":[{"var":"a"},"no"]}`)), nil},
		{"missing names are references", templateWith(yesNo("a", `"visible_when":{"missing":["b"]}`) + "," + yesNo("b")), []string{"/sections/0/items/0/visible_when/missing/0: later"}},
		{"non-portable operator", templateWith(yesNo("a", `"visible_when":{"in_sorted":["x",["x"]]}`)), []string{"/sections/0/items/0/visible_when/in_sorted: non-portable"}},
		{"computed variable name", templateWith(yesNo("a") + "," + yesNo("b", `"visible_when":{"var":{"cat":["a"]}}`)), []string{"/sections/0/items/1/visible_when/var: literal"}},
		{"range min greater than max", templateWith(item("n", "number", `"min":5,"max":1`)), []string{"/sections/0/items/0/min: greater than max"}},
		{"min_count greater than max_count", templateWith(item("p", "photo", `"min_count":3,"max_count":2`)), []string{"/sections/0/items/0/min_count: greater than"}},
		{"min_repeats greater than max_repeats", templateWith(item("g", "group", `"min_repeats":4,"max_repeats":2,"items":[`+yesNo("c")+`]`)), []string{"/sections/0/items/0/min_repeats: greater than"}},
		{"nested group", templateWith(item("g", "group", `"items":[`+item("h", "group", `"items":[`+yesNo("c")+`]`)+`]`)), []string{"/sections/0/items/0/items/0/type"}},
		{"child key clashes with top level", templateWith(yesNo("a") + "," + item("g", "group", `"items":[`+yesNo("a")+`]`)), []string{"/sections/0/items/1/items/0/key: top-level"}},
		{"gate on unknown item", templateWith(yesNo("a", `"requires_passed":["nope"]`)), []string{"/sections/0/items/0/requires_passed/0: unknown"}},
		{"gate on later item", templateWith(yesNo("a", `"requires_passed":["b"]`) + "," + yesNo("b")), []string{"/sections/0/items/0/requires_passed/0: later"}},
		{"gate on itself", templateWith(yesNo("a", `"requires_passed":["a"]`)), []string{"/sections/0/items/0/requires_passed/0: cycle"}},
		{"bad regex", templateWith(item("t", "text", `"pattern":"(["`)), []string{"/sections/0/items/0/pattern: RE2"}},
		{"expected names context and reference", templateWith(item("n", "number", `"expected":{"context":"a","reference":"b"}`)), []string{"/sections/0/items/0/expected: choose one"}},
		{"expected reference key", templateWith(item("n", "number", `"expected":{"reference":"Cash"}`)), []string{"/sections/0/items/0/expected/reference: reference value"}},
		{"text compares only with a reference", templateWith(item("t", "text", `"expected":{"context":"plates"}`)), []string{"/sections/0/items/0/expected/reference: reference list"}},
		{"text reference has no tolerance", templateWith(item("t", "text", `"expected":{"reference":"plates","tolerance":1}`)), []string{"/sections/0/items/0/expected/tolerance: not allowed"}},
		{"text with a reference list", templateWith(item("t", "text", `"expected":{"reference":"registered_plates"}`)), nil},
		{"duplicate option values", templateWith(item("c", "single_choice", `"options":[{"value":"x","label":{"zh-CN":"甲","en":"X"}},{"value":"x","label":{"zh-CN":"乙","en":"Y"}}]`)), []string{"/sections/0/items/0/options/1/value: duplicate"}},
		{"unknown signer role", templateWith(item("s", "signature", `"signer_role":"mayor"`)), []string{"/sections/0/items/0/signer_role"}},
		{"an escort signs for themselves", templateWith(item("s", "signature", `"signer_role":"escort"`)), nil},
		{"unknown countersign role", templateWith(yesNo("a", `"countersign":{"role":"mayor"}`)), []string{"/sections/0/items/0/countersign/role"}},
		{"field of another type", templateWith(yesNo("a", `"max_length":3`)), []string{"/sections/0/items/0/max_length: not allowed on a yes_no"}},
		{"weight on an item that cannot fail", templateWith(item("t", "text", `"weight":2`)), []string{"/sections/0/items/0/weight: never fail"}},
		{"critical instruction", templateWith(item("i", "instruction", `"critical":true`)), []string{"/sections/0/items/0/critical"}},
		{"threshold above 100", templateWith(yesNo("a"), `"pass_threshold":120`), []string{"/pass_threshold"}},
		{"incident on an item that cannot fail", templateWith(item("t", "text", `"incident":{"category":"robbery","level":"general"}`)), []string{"/sections/0/items/0/incident: never fail"}},
		{"unknown incident category", templateWith(yesNo("a", `"incident":{"category":"theft","level":"general"}`)), []string{"/sections/0/items/0/incident/category"}},
		{"an item raises an incident", templateWith(yesNo("a", `"pass":"no","weight":0,"incident":{"category":"robbery","level":"general"}`)), nil},
		{"an incident item also raises a finding", templateWith(yesNo("a", `"pass":"no","finding":{"severity":"high","due_hours":1},"incident":{"category":"robbery","level":"general"}`)), []string{"/sections/0/items/0/finding: cannot also raise a finding"}},
		{"a critical incident item", templateWith(yesNo("a", `"pass":"no","critical":true,"incident":{"category":"robbery","level":"general"}`)), []string{"/sections/0/items/0/critical: cannot fail the inspection"}},
		{"describe names no answerable item", templateWith(yesNo("a", `"pass":"no","incident":{"category":"robbery","level":"general","describe":["b","nope"]}`) + "," + item("b", "instruction")), []string{"/sections/0/items/0/incident/describe/0: answerable item", "/sections/0/items/0/incident/describe/1: answerable item"}},
		{"describe names later items", templateWith(yesNo("a", `"pass":"no","incident":{"category":"robbery","level":"general","describe":["where"]}`) + "," + item("where", "text")), nil},
		{"due_from names no date item", templateWith(yesNo("a", `"finding":{"severity":"low","due_hours":1,"due_from":"b"}`) + "," + yesNo("b")), []string{"/sections/0/items/0/finding/due_from: date item"}},
		{"due_from a later date item", templateWith(yesNo("a", `"finding":{"severity":"low","due_hours":1,"due_from":"d"}`) + "," + item("d", "date")), nil},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(test.source))
			if test.problems == nil {
				if err != nil {
					t.Fatalf("want no problem, got %v", err)
				}
				return
			}
			var validationError *ValidationError
			if !errors.As(err, &validationError) {
				t.Fatalf("want a *ValidationError, got %v", err)
			}
			for _, want := range test.problems {
				if !hasProblem(validationError, want) {
					t.Errorf("want problem %q, got %v", want, validationError.Problems)
				}
			}
		})
	}
}

// hasProblem matches "path: fragment" against the problems.
func hasProblem(validationError *ValidationError, want string) bool {
	path, fragment, _ := strings.Cut(want, ": ")
	for _, problem := range validationError.Problems {
		if problem.Path == path && strings.Contains(problem.Message, fragment) {
			return true
		}
	}
	return false
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	template := &Template{Key: "X", Sections: []Section{{Key: "s", Title: Text{"en": "S"}, Items: []Item{
		{Key: "a", Type: TypeNumber, Label: Text{"zh-CN": "甲", "en": "A"}, Min: ptr(3.0), Max: ptr(1.0)},
		{Key: "a", Type: "dial", Label: Text{"zh-CN": "乙", "en": "B"}},
	}}}}
	var validationError *ValidationError
	if !errors.As(Validate(template), &validationError) {
		t.Fatal("want a *ValidationError")
	}
	for _, want := range []string{"/key: must match", "/title/zh-CN: is required", "/sections/0/title/zh-CN: is required",
		"/sections/0/items/0/min: greater", "/sections/0/items/1/key: duplicate", "/sections/0/items/1/type: unknown"} {
		if !hasProblem(validationError, want) {
			t.Errorf("want problem %q, got %v", want, validationError.Problems)
		}
	}
	if Validate(nil) == nil {
		t.Error("Validate(nil) must fail")
	}
}

func ptr[Value any](value Value) *Value { return &value }

// Sample answers meet a text item's pattern when one of the known shapes
// does (an ID number, a plate, a phone), so that library templates with
// patterns still get complete samples.
func TestPatternSample(t *testing.T) {
	for _, tc := range []struct{ name, pattern, want string }{
		{"resident ID", `^[0-9]{17}[0-9Xx]$`, "11010519491231002X"},
		{"ID digits only", `^[0-9]{18}$`, "110105194912310021"},
		{"phone", `^1[0-9]{10}$`, "13800000000"},
		{"nothing fits", `^Z+$`, "OK"},
		{"bad pattern", `([`, "OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := patternSample(tc.pattern, "OK"); got != tc.want {
				t.Fatalf("patternSample(%q) = %q, want %q", tc.pattern, got, tc.want)
			}
		})
	}
}
