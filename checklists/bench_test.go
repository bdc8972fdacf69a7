package checklists

import (
	"fmt"
	"testing"
)

// BenchmarkEvaluate200 evaluates a 200-item template with 20 rules against a
// complete passing answer set: a large real inspection. Target < 1 ms/op.
func BenchmarkEvaluate200(b *testing.B) {
	template := generatedTemplate(10, 20, 20)
	if err := Validate(template); err != nil {
		b.Fatal(err)
	}
	input := SampleAnswers(template, true)
	if result := Evaluate(template, input); result.Outcome != OutcomePass {
		b.Fatalf("outcome %s: %v %v", result.Outcome, result.Missing, result.Errors)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(template, input)
	}
}

// generatedTemplate builds sections × perSection items cycling through the
// common item types, with rules spread evenly over the items.
func generatedTemplate(sections, perSection, rules int) *Template {
	template := &Template{Key: "generated", Title: Text{"zh-CN": "生成", "en": "Generated"}, PassThreshold: 80}
	every := sections * perSection / rules
	for sectionIndex := range sections {
		section := Section{Key: fmt.Sprintf("s%d", sectionIndex), Title: Text{"zh-CN": "段", "en": "Section"}}
		for itemIndex := range perSection {
			position := sectionIndex*perSection + itemIndex
			section.Items = append(section.Items, generatedItem(position, position%every == every-1))
		}
		template.Sections = append(template.Sections, section)
	}
	return template
}

func generatedItem(position int, withRule bool) Item {
	item := Item{Key: fmt.Sprintf("item_%d", position), Label: Text{"zh-CN": "项", "en": "Item"}, Required: true}
	switch position % 4 {
	case 0:
		item.Type = TypeYesNo
	case 1:
		item.Type, item.Min, item.Max, item.Decimals = TypeNumber, ptr(0.0), ptr(100.0), ptr(1)
	case 2:
		item.Type = TypeSingleChoice
		item.Options = []Option{{Value: "good", Label: Text{"zh-CN": "好", "en": "Good"}}, {Value: "bad", Label: Text{"zh-CN": "差", "en": "Bad"}, Fails: true}}
	case 3:
		item.Type, item.MaxLength = TypeText, ptr(200)
	}
	if withRule && position > 0 {
		previous := fmt.Sprintf("item_%d", position-1)
		item.VisibleWhen = map[string]any{"!=": []any{map[string]any{"var": previous}, nil}}
	}
	return item
}
