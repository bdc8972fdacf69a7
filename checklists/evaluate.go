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
	return Prepare(template).Evaluate(input)
}

// Prepared is a template made ready for many evaluations of the same form
// (a form being filled in evaluates after every answer): what Evaluate
// would work out from the template alone each time is worked out once.
// The template must not change while a Prepared of it is in use. A
// Prepared is safe for concurrent use.
type Prepared struct {
	template *Template
	// size is the number of items, groups' children counted once: what
	// the maps of paths are made for, so that they never grow item by item.
	size int
	// paths are the top-level items' paths, by section and item index.
	paths [][]string
}

// Prepare makes a validated template ready for Prepared.Evaluate.
func Prepare(template *Template) *Prepared {
	prepared := &Prepared{template: template, paths: make([][]string, len(template.Sections))}
	for index := range template.Sections {
		items := template.Sections[index].Items
		prepared.size += countItems(items)
		prepared.paths[index] = make([]string, len(items))
		for itemIndex := range items {
			prepared.paths[index][itemIndex] = "/" + items[itemIndex].Key
		}
	}
	return prepared
}

// Evaluate is Evaluate of the prepared template.
func (prepared *Prepared) Evaluate(input Input) Result {
	template := prepared.template
	evaluation := newEvaluation(prepared, input)
	top := &scope{data: make(map[string]any, prepared.size+1), open: make(map[string]bool, prepared.size)}
	top.data[contextKey] = evaluation.context
	for index := range template.Sections {
		evaluation.section(index, top)
	}
	if evaluation.matched < len(input.Answers) {
		evaluation.unknownAnswers(input.Answers, template)
	}
	evaluation.agreedDates()
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
	paths    [][]string
	// dates are the valid date answers by path, and dueFrom the findings
	// (by index) whose due date one of them may give.
	dates   map[string]string
	dueFrom []int
	// matched counts the answers whose key is a top-level item: when it
	// is all of them, no answer needs the unknown-key check.
	matched int
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

func newEvaluation(prepared *Prepared, input Input) *evaluation {
	context := normalizeMap(input.Context)
	template, size := prepared.template, prepared.size
	return &evaluation{
		template: template,
		input:    input,
		context:  context,
		tallies:  make([]tally, len(template.Sections)),
		dates:    map[string]string{},
		paths:    prepared.paths,
		result: &Result{
			Visible: make(map[string]bool, size), Required: make(map[string]bool, size),
			Blocked: []string{}, Missing: []string{}, Errors: []FieldError{},
			Failed: []string{}, CriticalFailed: []string{}, Findings: []Finding{}, Incidents: []RaisedIncident{},
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
		answer, ok := evaluation.input.Answers[item.Key]
		if ok {
			evaluation.matched++
		}
		evaluation.item(item, evaluation.paths[index][itemIndex], &answer, top, visible, &evaluation.tallies[index])
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

// countItems counts items and the children of groups.
func countItems(items []Item) int {
	count := len(items)
	for index := range items {
		count += countItems(items[index].Items)
	}
	return count
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
