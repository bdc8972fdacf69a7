package checklists

import (
	"fmt"
	"maps"
)

// Evaluate runs a template over an inspection's answers and reports
// everything at once: visibility, requiredness, missing answers, errors,
// failures, scores, outcome and findings. Items are evaluated in document
// order, each rule seeing the values of the items before it (hidden items
// are null). The template must have passed Validate (Parse does that);
// Evaluate never panics and never modifies its arguments.
func Evaluate(template *Template, input Input) Result {
	evaluation := newEvaluation(template, input)
	top := &scope{data: map[string]any{contextKey: evaluation.context}, open: map[string]bool{}}
	for index := range template.Sections {
		evaluation.section(index, top)
	}
	evaluation.unknownAnswers(input.Answers, template)
	evaluation.finish()
	return *evaluation.result
}

// evaluation is the state of one Evaluate call.
type evaluation struct {
	template *Template
	input    Input
	context  map[string]any
	result   *Result
	tallies  []tally
}

// scope is what rules and gates see at one level: the top level, or one
// group repeat laid over the top level.
type scope struct {
	data map[string]any  // item key -> value (nil when hidden or unanswered)
	open map[string]bool // item key -> a gate on it would let items through
	path string          // JSON pointer prefix of item paths in this scope
}

// repeat makes the scope of one group repeat: the outer values with the
// repeat's own values laid over them as they are evaluated.
func (outer *scope) repeat(path string) *scope {
	return &scope{data: maps.Clone(outer.data), open: maps.Clone(outer.open), path: path}
}

func newEvaluation(template *Template, input Input) *evaluation {
	context := normalizeMap(input.Context)
	return &evaluation{
		template: template,
		input:    input,
		context:  context,
		tallies:  make([]tally, len(template.Sections)),
		result: &Result{
			Visible: map[string]bool{}, Required: map[string]bool{},
			Blocked: []string{}, Missing: []string{}, Errors: []FieldError{},
			Failed: []string{}, CriticalFailed: []string{}, Findings: []Finding{},
			Countersigns: []CountersignCheck{}, Sections: []SectionResult{},
		},
	}
}

func (evaluation *evaluation) section(index int, top *scope) {
	section := &evaluation.template.Sections[index]
	visible := evaluation.holds("", section.VisibleWhen, top.data, true)
	evaluation.tallies[index].visible = visible
	for itemIndex := range section.Items {
		item := &section.Items[itemIndex]
		answer := evaluation.input.Answers[item.Key]
		evaluation.item(item, &answer, top, visible, &evaluation.tallies[index])
	}
}

// holds evaluates a condition; a rule that cannot be evaluated is an error
// at the item (it cannot happen with a validated template).
func (evaluation *evaluation) holds(path string, rule Rule, data map[string]any, absent bool) bool {
	holds, err := ruleHolds(rule, data, absent)
	if err != nil {
		evaluation.addError(path, CodeRule, "%s", err.Error())
	}
	return holds
}

func (evaluation *evaluation) addError(path, code, format string, arguments ...any) {
	evaluation.result.Errors = append(evaluation.result.Errors, FieldError{
		Path: path, Code: code, Message: fmt.Sprintf(format, arguments...),
	})
}

// unknownAnswers reports answers to keys the template does not have.
func (evaluation *evaluation) unknownAnswers(answers map[string]Answer, template *Template) {
	known := map[string]bool{}
	for _, section := range template.Sections {
		for _, item := range section.Items {
			known[item.Key] = true
		}
	}
	for _, key := range sortedKeys(answers) {
		if !known[key] {
			evaluation.addError("/"+pointerToken(key), CodeUnknownItem, "the template has no item %q", key)
		}
	}
}
