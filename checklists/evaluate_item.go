package checklists

import (
	"strconv"
	"strings"
)

// item evaluates one item (or group) at its path in document order and
// records its value in the scope for the rules of later items.
func (evaluation *evaluation) item(item *Item, path string, answer *Answer, current *scope, parentVisible bool, score *tally) {
	visible := parentVisible && evaluation.holds(path, item.VisibleWhen, current.data, true)
	evaluation.result.Visible[path] = visible
	if !visible {
		evaluation.hidden(item, answer, current, path)
		return
	}
	required := item.Required || evaluation.holds(path, item.RequiredWhen, current.data, false)
	blocked := !gatesOpen(item.RequiresPassed, current.open)
	if blocked {
		// A gated item cannot be answered yet, so it cannot be missing.
		evaluation.result.Blocked = append(evaluation.result.Blocked, path)
		required = false
	}
	switch item.Type {
	case TypeGroup:
		evaluation.group(item, answer, current, path, required, blocked, score)
	case TypeInstruction:
		evaluation.result.Required[path] = false
		if !answer.isEmpty() {
			evaluation.addError(path, CodeNotAnswerable, "an instruction takes no answer")
		}
		current.data[item.Key], current.open[item.Key] = nil, true
	default:
		evaluation.result.Required[path] = required
		evaluation.answered(item, answer, current, path, required, blocked, score)
	}
}

// hidden records a hidden item: null to later rules, never blocking a gate
// (a step that does not apply cannot hold anything up), never answered.
func (evaluation *evaluation) hidden(item *Item, answer *Answer, current *scope, path string) {
	evaluation.result.Required[path] = false
	if !answer.isEmpty() {
		evaluation.addError(path, CodeHidden, "the item is hidden by its conditions and must not be answered")
	}
	current.data[item.Key], current.open[item.Key] = nil, true
}

// answered evaluates a visible leaf item.
func (evaluation *evaluation) answered(item *Item, answer *Answer, current *scope, path string, required, blocked bool, score *tally) {
	current.data[item.Key], current.open[item.Key] = nil, false
	if len(answer.Repeats) > 0 {
		evaluation.addError(path, CodeWrongType, "only a group is answered with repeats")
	}
	if !answer.isAnswered() {
		if required {
			evaluation.result.Missing = append(evaluation.result.Missing, path)
		}
		return
	}
	errorsBefore := len(evaluation.result.Errors)
	if blocked {
		evaluation.addError(path, CodeGated, "answered before %v passed", item.RequiresPassed)
	}
	value, valid := evaluation.checkValue(item, normalize(answer.Value), path)
	failed := false
	if valid {
		current.data[item.Key] = value
		failed = evaluation.fails(item, value, path, current.data)
		if date, ok := value.(string); ok && item.Type == TypeDate {
			evaluation.dates[path] = date
		}
	}
	evaluation.checkMedia(answer.Media, path+"/media")
	if failed && item.PhotoWhenFailed != nil && len(answer.Media) < item.PhotoWhenFailed.Min {
		evaluation.addError(path, CodePhotosRequired, "a failed item needs at least %d photo(s) in media", item.PhotoWhenFailed.Min)
	}
	// A countersignature the server refuses fails the item but leaves its
	// gates as the phone saw them: the device could not know, and the
	// supervisor should see the reason, not a refused submission.
	current.open[item.Key] = !failed && len(evaluation.result.Errors) == errorsBefore
	if evaluation.countersign(item, answer, path) {
		failed = true
	}
	if valid {
		score.add(item, value, failed)
	}
	if failed {
		evaluation.fail(item, path)
	}
}

// gatesOpen reports whether every requires_passed item has passed (or is
// hidden, so does not apply).
func gatesOpen(gates []string, open map[string]bool) bool {
	for _, key := range gates {
		if !open[key] {
			return false
		}
	}
	return true
}

// fail records a failed item, its criticality and its finding.
func (evaluation *evaluation) fail(item *Item, path string) {
	result := evaluation.result
	result.Failed = append(result.Failed, path)
	if item.Critical {
		result.CriticalFailed = append(result.CriticalFailed, path)
	}
	if item.Incident != nil {
		title := item.Incident.Title
		if len(title) == 0 {
			title = item.Label
		}
		result.Incidents = append(result.Incidents, RaisedIncident{Path: path, ItemKey: item.Key,
			Category: item.Incident.Category, Level: item.Incident.Level, Title: title})
	}
	if item.Finding == nil {
		return
	}
	if item.Finding.DueFrom != "" {
		evaluation.dueFrom = append(evaluation.dueFrom, len(result.Findings))
	}
	title := item.Finding.Title
	if len(title) == 0 {
		title = item.Label
	}
	result.Findings = append(result.Findings, Finding{
		Path: path, ItemKey: item.Key, Severity: item.Finding.Severity,
		DueHours: item.Finding.DueHours, Title: title,
	})
}

// group evaluates a repeatable group: each repeat is its own scope over the
// outer values, and the group fails when any child fails.
func (evaluation *evaluation) group(group *Item, answer *Answer, current *scope, path string, required, blocked bool, score *tally) {
	minimum, maximum := intOr(group.MinRepeats, 0), intOr(group.MaxRepeats, -1)
	needed := !blocked && (required || minimum > 0)
	evaluation.result.Required[path] = needed
	current.data[group.Key], current.open[group.Key] = nil, false
	if answer.Value != nil {
		evaluation.addError(path, CodeWrongType, "a group is answered with repeats, not a value")
	}
	count := len(answer.Repeats)
	if count == 0 {
		if needed {
			evaluation.result.Missing = append(evaluation.result.Missing, path)
		}
		return
	}
	errorsBefore, failedBefore := len(evaluation.result.Errors), len(evaluation.result.Failed)
	if blocked {
		evaluation.addError(path, CodeGated, "answered before %v passed", group.RequiresPassed)
	}
	if count < minimum || (maximum >= 0 && count > maximum) {
		evaluation.addError(path, CodeRepeatCount, "has %d repeat(s); allowed %s", count, countRange(minimum, maximum))
	}
	values := make([]any, count)
	for index, repeat := range answer.Repeats {
		values[index] = evaluation.repeat(group, repeat, current.repeat(path+"/"+strconv.Itoa(index)), score)
	}
	current.data[group.Key] = values
	failed := len(evaluation.result.Failed) > failedBefore
	current.open[group.Key] = !failed && len(evaluation.result.Errors) == errorsBefore
	if failed {
		evaluation.fail(group, path)
	}
}

// repeat evaluates one repeat of a group and returns its child values, which
// is what rules outside the group see in the group's list.
func (evaluation *evaluation) repeat(group *Item, answers map[string]Answer, inner *scope, score *tally) map[string]any {
	values := make(map[string]any, len(group.Items))
	for index := range group.Items {
		child := &group.Items[index]
		answer := answers[child.Key]
		evaluation.item(child, inner.path+"/"+child.Key, &answer, inner, true, score)
		values[child.Key] = inner.data[child.Key]
	}
	for _, key := range sortedKeys(answers) {
		if group.child(key) == nil {
			evaluation.addError(inner.path+"/"+pointerToken(key), CodeUnknownItem, "the group has no item %q", key)
		}
	}
	return values
}

func (group *Item) child(key string) *Item {
	for index := range group.Items {
		if group.Items[index].Key == key {
			return &group.Items[index]
		}
	}
	return nil
}

func intOr(value *int, fallback int) int {
	if value == nil {
		return fallback
	}
	return *value
}

func countRange(minimum, maximum int) string {
	if maximum < 0 {
		return "at least " + strconv.Itoa(minimum)
	}
	return strconv.Itoa(minimum) + " to " + strconv.Itoa(maximum)
}

// agreedDates gives each finding with due_from the date answered there: the
// sibling in its own group repeat first, else the top-level item.
func (evaluation *evaluation) agreedDates() {
	for _, index := range evaluation.dueFrom {
		finding := &evaluation.result.Findings[index]
		rule := evaluation.findingRule(finding.Path)
		if rule == nil {
			continue
		}
		parent := finding.Path[:strings.LastIndex(finding.Path, "/")]
		if date, ok := evaluation.dates[parent+"/"+rule.DueFrom]; ok {
			finding.DueDate = date
		} else if date, ok := evaluation.dates["/"+rule.DueFrom]; ok {
			finding.DueDate = date
		}
	}
}

// findingRule finds the finding rule of the item at path ("/key" or
// "/group/2/key").
func (evaluation *evaluation) findingRule(path string) *FindingRule {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for sectionIndex := range evaluation.template.Sections {
		for itemIndex := range evaluation.template.Sections[sectionIndex].Items {
			item := &evaluation.template.Sections[sectionIndex].Items[itemIndex]
			if item.Key != parts[0] {
				continue
			}
			if len(parts) == 3 {
				for childIndex := range item.Items {
					if item.Items[childIndex].Key == parts[2] {
						return item.Items[childIndex].Finding
					}
				}
				return nil
			}
			return item.Finding
		}
	}
	return nil
}
