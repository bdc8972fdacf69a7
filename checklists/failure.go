package checklists

import (
	"math"
	"strings"
)

// fails decides whether a valid answer fails its item: the type's built-in
// failure or a truthy fail_when (evaluated with the item's own value in
// data). It may add errors when the decision needs context that is absent.
func (evaluation *evaluation) fails(item *Item, value any, path string, data map[string]any) bool {
	failed := evaluation.builtInFailure(item, value, path)
	if item.FailWhen != nil && evaluation.holds(path, item.FailWhen, data, false) {
		failed = true
	}
	return failed
}

func (evaluation *evaluation) builtInFailure(item *Item, value any, path string) bool {
	switch item.Type {
	case TypeYesNo:
		return value != "na" && value != item.passValue()
	case TypeSingleChoice:
		return item.option(value.(string)).Fails
	case TypeMultiChoice:
		for _, chosen := range value.([]any) {
			if item.option(chosen.(string)).Fails {
				return true
			}
		}
	case TypeNumber:
		return evaluation.numberFails(item, value.(float64), path)
	case TypeText:
		return evaluation.textFails(item, value.(string), path)
	case TypeCheckpointScan:
		return evaluation.scanFails(item, value.(map[string]any), path)
	}
	return false
}

// numberFails checks the acceptable range and the expected value.
func (evaluation *evaluation) numberFails(item *Item, number float64, path string) bool {
	failed := (item.Min != nil && number < *item.Min) || (item.Max != nil && number > *item.Max)
	if item.Expected == nil {
		return failed
	}
	var expected float64
	var ok bool
	if item.Expected.Reference != "" {
		expected, ok = evaluation.input.References[item.Expected.Reference].(float64)
		if !ok {
			evaluation.addError(path, CodeReferenceMissing, "the site has no reference value %s for the day", item.Expected.Reference)
			return failed
		}
	} else if expected, ok = evaluation.context[item.Expected.Context].(float64); !ok {
		evaluation.addError(path, CodeContextMissing, "the expected value context.%s was not synced with the inspection", item.Expected.Context)
		return failed
	}
	// A small epsilon keeps 0.1+0.2-style representation noise from
	// failing an exact match of amounts with decimals.
	return failed || math.Abs(number-expected) > item.Expected.Tolerance+1e-9
}

// scanFails compares the scanned tag with the item's expected tag or, for a
// route whose checkpoints share one template, the round's checkpoint_tag.
// Tags compare without surrounding spaces and case, because NFC readers
// differ in how they print a UID.
func (evaluation *evaluation) scanFails(item *Item, scan map[string]any, path string) bool {
	expected := item.ExpectedTag
	if expected == "" {
		expected, _ = evaluation.context["checkpoint_tag"].(string)
	}
	if expected == "" {
		evaluation.addError(path, CodeNoExpectedTag, "no expected tag: neither the item nor context.checkpoint_tag gives one")
		return false
	}
	tag, _ := scan["tag"].(string)
	return !strings.EqualFold(strings.TrimSpace(tag), strings.TrimSpace(expected))
}

// textFails checks a text answer against the reference list it must be
// one of (a cash-transport van's plate among the registered plates, 003
// 营业终了 "核实运钞车辆、车牌号码"). Spaces and case do not count: a guard
// types 粤B 12345 for 粤B12345.
func (evaluation *evaluation) textFails(item *Item, text string, path string) bool {
	if item.Expected == nil || item.Expected.Reference == "" {
		return false
	}
	list, ok := evaluation.input.References[item.Expected.Reference].([]any)
	if !ok {
		evaluation.addError(path, CodeReferenceMissing, "the site has no reference list %s", item.Expected.Reference)
		return false
	}
	for _, entry := range list {
		if allowed, isText := entry.(string); isText && comparable(allowed) == comparable(text) {
			return false
		}
	}
	return true
}

// comparable is a text without spaces, in upper case.
func comparable(text string) string {
	return strings.ToUpper(strings.Join(strings.Fields(text), ""))
}
