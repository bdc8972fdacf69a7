package checklists

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// item checks one item; scope says which keys its rules may reference.
func (checker *validator) item(path string, item *Item, scope ruleScope) {
	if !slices.Contains(ItemTypes, item.Type) {
		checker.add(path+"/type", "unknown item type %q", item.Type)
		return
	}
	checker.text(path+"/label", item.Label, true)
	checker.text(path+"/help", item.Help, false)
	checker.typeFields(path, item)
	checker.rule(path+"/visible_when", item.VisibleWhen, scope)
	checker.rule(path+"/required_when", item.RequiredWhen, scope)
	checker.ruleWithSelf(path+"/fail_when", item.FailWhen, scope, true)
	checker.gates(path+"/requires_passed", item.RequiresPassed, scope)
	checker.outcomeFields(path, item)
	checker.raised(path, item, scope)
	checker.typeSpecific(path, item, scope)
}

// raised checks what a failure raises beyond a finding: the finding's
// agreed-date item and the incident.
func (checker *validator) raised(path string, item *Item, scope ruleScope) {
	if item.Finding != nil && item.Finding.DueFrom != "" && !checker.isDateItem(item.Finding.DueFrom, scope) {
		checker.add(path+"/finding/due_from", "must name a date item of the same group repeat or of the top level")
	}
	if item.Incident == nil {
		return
	}
	incidentPath := path + "/incident"
	if !item.canFail() && item.Type != TypeGroup {
		checker.add(incidentPath, "item type %s can never fail, so it cannot raise an incident", item.Type)
	}
	if !slices.Contains(IncidentCategories, item.Incident.Category) {
		checker.add(incidentPath+"/category", "must be one of %v", IncidentCategories)
	}
	if !slices.Contains(IncidentLevels, item.Incident.Level) {
		checker.add(incidentPath+"/level", "must be one of %v", IncidentLevels)
	}
	checker.text(incidentPath+"/title", item.Incident.Title, len(item.Incident.Title) > 0)
	// A report is not the reporter's fault (003 保卫工作 发现可疑人员立即上报).
	if item.Finding != nil {
		checker.add(path+"/finding", "an item that raises an incident reports an event: it cannot also raise a finding")
	}
	if item.Critical {
		checker.add(path+"/critical", "an item that raises an incident reports an event: it cannot fail the inspection")
	}
	for index, key := range item.Incident.Describe {
		if !checker.isDescribable(key, scope) {
			checker.add(incidentPath+"/describe/"+strconv.Itoa(index),
				"must name an answerable item of the same group repeat or of the top level")
		}
	}
}

// isDescribable reports whether key names an item with an answer (not a
// group or an instruction) among scope's group's children or at the top
// level.
func (checker *validator) isDescribable(key string, scope ruleScope) bool {
	answerable := func(item *Item) bool { return item.Type != TypeGroup && item.Type != TypeInstruction }
	if scope.group != nil {
		for index := range scope.group.Items {
			if child := &scope.group.Items[index]; child.Key == key {
				return answerable(child)
			}
		}
	}
	top, ok := checker.items[key]
	return ok && answerable(top)
}

// isDateItem reports whether key names a date item among the children of
// scope's group or at the top level.
func (checker *validator) isDateItem(key string, scope ruleScope) bool {
	if scope.group != nil {
		for index := range scope.group.Items {
			if child := &scope.group.Items[index]; child.Key == key {
				return child.Type == TypeDate
			}
		}
	}
	top, ok := checker.items[key]
	return ok && top.Type == TypeDate
}

// outcomeFields checks what happens when the item fails.
func (checker *validator) outcomeFields(path string, item *Item) {
	if item.Weight != nil && *item.Weight < 0 {
		checker.add(path+"/weight", "must be at least 0")
	}
	failing := item.canFail() || item.Type == TypeGroup
	if item.Weight != nil && *item.Weight > 0 && !item.canFail() {
		checker.add(path+"/weight", "item type %s can never fail, so it cannot be scored; add fail_when or remove weight", item.Type)
	}
	if item.Critical && !failing {
		checker.add(path+"/critical", "item type %s can never fail; add fail_when or remove critical", item.Type)
	}
	if item.Finding != nil {
		checker.finding(path+"/finding", item, failing)
	}
	if item.PhotoWhenFailed != nil {
		if !item.canFail() {
			checker.add(path+"/photo_when_failed", "item type %s can never fail", item.Type)
		}
		if item.PhotoWhenFailed.Min < 1 {
			checker.add(path+"/photo_when_failed/min", "must be at least 1")
		}
	}
	if item.Countersign != nil {
		checker.countersign(path+"/countersign", item)
	}
	if item.Type == TypeInstruction && (item.Required || item.RequiredWhen != nil || item.Countersign != nil || len(item.RequiresPassed) > 0) {
		checker.add(path, "an instruction takes no answer: required, required_when, countersign and requires_passed are not allowed")
	}
}

func (checker *validator) finding(path string, item *Item, failing bool) {
	if !failing {
		checker.add(path, "item type %s can never fail, so it cannot raise a finding", item.Type)
	}
	if !slices.Contains(Severities, item.Finding.Severity) {
		checker.add(path+"/severity", "must be one of %v", Severities)
	}
	if item.Finding.DueHours < 1 {
		checker.add(path+"/due_hours", "must be at least 1")
	}
	checker.text(path+"/title", item.Finding.Title, len(item.Finding.Title) > 0)
}

func (checker *validator) countersign(path string, item *Item) {
	if item.Type == TypeGroup {
		checker.add(path, "a group cannot be countersigned; countersign its items")
	}
	if !slices.Contains(CountersignRoles, item.Countersign.Role) {
		checker.add(path+"/role", "unknown countersign role %q; one of %v", item.Countersign.Role, CountersignRoles)
	}
	checker.text(path+"/label", item.Countersign.Label, len(item.Countersign.Label) > 0)
}

// gates checks requires_passed: earlier items only, no repeats.
func (checker *validator) gates(path string, gates []string, scope ruleScope) {
	seen := map[string]bool{}
	for index, key := range gates {
		gatePath := fmt.Sprintf("%s/%d", path, index)
		if seen[key] {
			checker.add(gatePath, "duplicate gate %q", key)
		}
		seen[key] = true
		if why := scope.reference(key, false); why != "" {
			checker.add(gatePath, "%s", why)
		}
	}
}

// typeSpecific runs the checks of the item's own type.
func (checker *validator) typeSpecific(path string, item *Item, scope ruleScope) {
	switch item.Type {
	case TypeYesNo:
		if item.Pass != "" && item.Pass != "yes" && item.Pass != "no" {
			checker.add(path+"/pass", `must be "yes" or "no"`)
		}
	case TypeSingleChoice, TypeMultiChoice:
		checker.options(path, item)
	case TypeNumber:
		checker.number(path, item)
	case TypeText:
		checker.textItem(path, item)
	case TypePhoto:
		checker.countRange(path, "min_count", "max_count", item.MinCount, item.MaxCount, 0)
	case TypeSignature:
		if !slices.Contains(SignerRoles, item.SignerRole) {
			checker.add(path+"/signer_role", "unknown signer role %q; one of %v", item.SignerRole, SignerRoles)
		}
	case TypeLocation:
		if item.AccuracyM != nil && *item.AccuracyM <= 0 {
			checker.add(path+"/accuracy_m", "must be greater than 0")
		}
	case TypeGroup:
		checker.group(path, item, scope)
	}
}

func (checker *validator) options(path string, item *Item) {
	if len(item.Options) == 0 {
		checker.add(path+"/options", "needs at least one option")
	}
	values := map[string]bool{}
	for index, option := range item.Options {
		optionPath := fmt.Sprintf("%s/options/%d", path, index)
		if option.Value == "" {
			checker.add(optionPath+"/value", "must not be empty")
		} else if values[option.Value] {
			checker.add(optionPath+"/value", "duplicate option value %q", option.Value)
		}
		values[option.Value] = true
		checker.text(optionPath+"/label", option.Label, true)
		if option.Score != nil && (*option.Score < 0 || *option.Score > 1) {
			checker.add(optionPath+"/score", "must be between 0 and 1")
		}
	}
	checker.countRange(path, "min_selected", "max_selected", item.MinSelected, item.MaxSelected, 0)
	if item.MaxSelected != nil && *item.MaxSelected > len(item.Options) {
		checker.add(path+"/max_selected", "is more than the %d options", len(item.Options))
	}
}

func (checker *validator) number(path string, item *Item) {
	if item.Min != nil && item.Max != nil && *item.Min > *item.Max {
		checker.add(path+"/min", "min %v is greater than max %v", *item.Min, *item.Max)
	}
	if item.Decimals != nil && (*item.Decimals < 0 || *item.Decimals > 10) {
		checker.add(path+"/decimals", "must be between 0 and 10")
	}
	if item.Expected != nil {
		checker.expected(path, item.Expected)
		if item.Expected.Tolerance < 0 {
			checker.add(path+"/expected/tolerance", "must be at least 0")
		}
	}
}

// expected checks that an expected value names exactly one source: a
// context value or a reference value.
func (checker *validator) expected(path string, expected *Expected) {
	switch {
	case expected.Context != "" && expected.Reference != "":
		checker.add(path+"/expected", "names both a context and a reference value: choose one")
	case expected.Reference != "":
		if !itemKeyPattern.MatchString(expected.Reference) {
			checker.add(path+"/expected/reference", "must name a reference value (%s)", itemKeyPattern)
		}
	case !itemKeyPattern.MatchString(expected.Context):
		checker.add(path+"/expected/context", "must name a context value (%s)", itemKeyPattern)
	}
}

func (checker *validator) textItem(path string, item *Item) {
	if item.Expected != nil {
		// A text compares only with a reference list, exactly.
		if item.Expected.Reference == "" || item.Expected.Context != "" {
			checker.add(path+"/expected/reference", "a text item compares only with a reference list: set reference")
		} else {
			checker.expected(path, item.Expected)
		}
		if item.Expected.Tolerance != 0 {
			checker.add(path+"/expected/tolerance", "is not allowed on a text item")
		}
	}
	if item.MaxLength != nil && *item.MaxLength < 1 {
		checker.add(path+"/max_length", "must be at least 1")
	}
	if item.Pattern != "" {
		if _, err := regexp.Compile(item.Pattern); err != nil {
			checker.add(path+"/pattern", "is not a valid RE2 regular expression: %v", err)
		}
	}
}

// countRange checks a min/max pair of counts.
func (checker *validator) countRange(path, minimumName, maximumName string, minimum, maximum *int, floor int) {
	if minimum != nil && *minimum < floor {
		checker.add(path+"/"+minimumName, "must be at least %d", floor)
	}
	if maximum != nil && *maximum < 1 {
		checker.add(path+"/"+maximumName, "must be at least 1")
	}
	if minimum != nil && maximum != nil && *minimum > *maximum {
		checker.add(path+"/"+minimumName, "%s %d is greater than %s %d", minimumName, *minimum, maximumName, *maximum)
	}
}

// group checks a repeatable group and its children.
func (checker *validator) group(path string, group *Item, scope ruleScope) {
	checker.countRange(path, "min_repeats", "max_repeats", group.MinRepeats, group.MaxRepeats, 0)
	checker.text(path+"/repeat_label", group.RepeatLabel, len(group.RepeatLabel) > 0)
	if len(group.Items) == 0 {
		checker.add(path+"/items", "a group needs at least one item")
	}
	seen := map[string]bool{}
	for index := range group.Items {
		child := &group.Items[index]
		childPath := fmt.Sprintf("%s/items/%d", path, index)
		checker.uniqueKey(childPath, child.Key, seen)
		if _, clash := checker.positions[child.Key]; clash {
			checker.add(childPath+"/key", "%q is also a top-level item key", child.Key)
		}
		if child.Type == TypeGroup {
			checker.add(childPath+"/type", "groups cannot be nested")
			continue
		}
		checker.item(childPath, child, scope.childScope(group, index))
	}
}
