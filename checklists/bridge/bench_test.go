package bridge

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

// benchTemplate is 200 items in 10 sections (yes/no, numbers, choices,
// text) with 20 visible_when rules, as checklists' BenchmarkEvaluate200.
func benchTemplate() []byte {
	var items []map[string]any
	var sections []map[string]any
	for position := range 200 {
		item := map[string]any{"key": fmt.Sprintf("item_%d", position), "label": map[string]string{"zh-CN": "项", "en": "Item"}, "required": true}
		switch position % 4 {
		case 0:
			item["type"] = "yes_no"
		case 1:
			item["type"], item["min"], item["max"], item["decimals"] = "number", 0, 100, 1
		case 2:
			item["type"] = "single_choice"
			item["options"] = []map[string]any{{"value": "good", "label": map[string]string{"zh-CN": "好", "en": "Good"}},
				{"value": "bad", "label": map[string]string{"zh-CN": "差", "en": "Bad"}, "fails": true}}
		case 3:
			item["type"], item["max_length"] = "text", 200
		}
		if position%10 == 9 {
			item["visible_when"] = map[string]any{"!=": []any{map[string]any{"var": fmt.Sprintf("item_%d", position-1)}, nil}}
		}
		items = append(items, item)
		if len(items) == 20 {
			sections = append(sections, map[string]any{"key": fmt.Sprintf("s%d", len(sections)), "title": map[string]string{"zh-CN": "段", "en": "Section"}, "items": items})
			items = nil
		}
	}
	document, _ := json.Marshal(map[string]any{"key": "generated", "title": map[string]string{"zh-CN": "生成", "en": "Generated"}, "pass_threshold": 80, "sections": sections})
	return document
}

// BenchmarkCall200 compares what the form sends after an answer: the whole
// answer set and result (evaluate) against one answer in and its changes
// out (change on an open session).
func BenchmarkCall200(b *testing.B) {
	engine := New()
	document := benchTemplate()
	template, err := checklists.Parse(document)
	if err != nil {
		b.Fatal(err)
	}
	input := checklists.SampleAnswers(template, true)
	loaded := engine.Call("load", document)
	var load struct{ Result Loaded }
	json.Unmarshal(loaded, &load)
	b.Run("evaluate", func(b *testing.B) {
		request, _ := json.Marshal(EvaluateRequest{Digest: load.Result.Digest, Input: input})
		for b.Loop() {
			engine.Call("evaluate", request)
		}
	})
	b.Run("change", func(b *testing.B) {
		request, _ := json.Marshal(OpenRequest{Digest: load.Result.Digest, Input: input})
		var opened struct{ Result Opened }
		json.Unmarshal(engine.Call("open", request), &opened)
		flip := []string{`{"value": "no"}`, `{"value": "yes"}`}
		index := 0
		for b.Loop() {
			index++
			engine.Call("change", []byte(`{"session": "`+opened.Result.Session+`", "answers": {"item_100": `+flip[index%2]+`}}`))
		}
	})
}
