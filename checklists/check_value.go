package checklists

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// checkValue checks an answer value against its item type and reports every
// problem as a field error. It returns the value rules should see and
// whether it is usable at all; an unusable value counts as null.
func (evaluation *evaluation) checkValue(item *Item, value any, path string) (any, bool) {
	before := len(evaluation.result.Errors)
	switch item.Type {
	case TypeYesNo:
		evaluation.checkYesNo(item, value, path)
	case TypeSingleChoice:
		evaluation.checkChoice(item, value, path)
	case TypeMultiChoice:
		evaluation.checkChoices(item, value, path)
	case TypeNumber:
		evaluation.checkNumber(item, value, path)
	case TypeText:
		evaluation.checkText(item, value, path)
	case TypeDate, TypeTime, TypeDateTime:
		evaluation.checkTime(item, value, path)
	case TypePhoto:
		evaluation.checkPhotos(item, value, path)
	case TypeSignature:
		evaluation.checkSignature(value, path)
	case TypeLocation:
		evaluation.checkLocation(item, value, path)
	case TypeCheckpointScan:
		evaluation.checkScan(value, path)
	}
	return value, len(evaluation.result.Errors) == before
}

func (evaluation *evaluation) checkYesNo(item *Item, value any, path string) {
	text, _ := value.(string)
	if text == "yes" || text == "no" || (text == "na" && item.AllowNA) {
		return
	}
	if item.AllowNA {
		evaluation.addError(path, CodeWrongType, `must be "yes", "no" or "na"`)
	} else {
		evaluation.addError(path, CodeWrongType, `must be "yes" or "no"`)
	}
}

func (evaluation *evaluation) checkChoice(item *Item, value any, path string) {
	text, ok := value.(string)
	if !ok {
		evaluation.addError(path, CodeWrongType, "must be an option value (a string)")
	} else if item.option(text) == nil {
		evaluation.addError(path, CodeUnknownOption, "%q is not one of the options", text)
	}
}

func (evaluation *evaluation) checkChoices(item *Item, value any, path string) {
	list, ok := value.([]any)
	if !ok {
		evaluation.addError(path, CodeWrongType, "must be an array of option values")
		return
	}
	seen := map[string]bool{}
	for index, element := range list {
		text, isString := element.(string)
		elementPath := path + "/" + strconv.Itoa(index)
		switch {
		case !isString:
			evaluation.addError(elementPath, CodeWrongType, "must be an option value (a string)")
		case item.option(text) == nil:
			evaluation.addError(elementPath, CodeUnknownOption, "%q is not one of the options", text)
		case seen[text]:
			evaluation.addError(elementPath, CodeUnknownOption, "%q is chosen twice", text)
		}
		seen[text] = true
	}
	minimum, maximum := intOr(item.MinSelected, 0), intOr(item.MaxSelected, -1)
	if len(list) < minimum || (maximum >= 0 && len(list) > maximum) {
		evaluation.addError(path, CodeSelectionCount, "%d chosen; allowed %s", len(list), countRange(minimum, maximum))
	}
}

func (evaluation *evaluation) checkNumber(item *Item, value any, path string) {
	number, ok := value.(float64)
	if !ok || math.IsNaN(number) || math.IsInf(number, 0) {
		evaluation.addError(path, CodeWrongType, "must be a number")
		return
	}
	if item.Decimals != nil && decimalPlaces(number) > *item.Decimals {
		evaluation.addError(path, CodeDecimals, "has more than %d decimal place(s)", *item.Decimals)
	}
}

// decimalPlaces counts the digits after the point in the shortest decimal
// form of number, which is the form the phone sent.
func decimalPlaces(number float64) int {
	formatted := strconv.FormatFloat(number, 'f', -1, 64)
	if _, fraction, found := strings.Cut(formatted, "."); found {
		return len(fraction)
	}
	return 0
}

func (evaluation *evaluation) checkText(item *Item, value any, path string) {
	text, ok := value.(string)
	if !ok {
		evaluation.addError(path, CodeWrongType, "must be a string")
		return
	}
	if length := utf8.RuneCountInString(text); length > item.textLimit() {
		evaluation.addError(path, CodeTooLong, "has %d characters; at most %d allowed", length, item.textLimit())
	}
	if item.Pattern != "" {
		if pattern := compiledPattern(item.Pattern); pattern != nil && !pattern.MatchString(text) {
			evaluation.addError(path, CodePattern, "does not match the pattern %s", item.Pattern)
		}
	}
}

// patterns caches compiled text patterns: templates are shared between
// goroutines and are never modified, so the cache lives here.
var patterns sync.Map

func compiledPattern(source string) *regexp.Regexp {
	if cached, ok := patterns.Load(source); ok {
		return cached.(*regexp.Regexp)
	}
	pattern, err := regexp.Compile(source)
	if err != nil {
		return nil
	}
	patterns.Store(source, pattern)
	return pattern
}

// timeLayouts are the accepted layouts per type; a time of day may carry
// seconds.
var timeLayouts = map[ItemType][]string{
	TypeDate:     {"2006-01-02"},
	TypeTime:     {"15:04", "15:04:05"},
	TypeDateTime: {time.RFC3339},
}

var timeCodes = map[ItemType]string{TypeDate: CodeDate, TypeTime: CodeTime, TypeDateTime: CodeDateTime}

func (evaluation *evaluation) checkTime(item *Item, value any, path string) {
	text, ok := value.(string)
	if ok {
		for _, layout := range timeLayouts[item.Type] {
			if _, err := time.Parse(layout, text); err == nil {
				return
			}
		}
	}
	evaluation.addError(path, timeCodes[item.Type], "must be a %s like %s", item.Type, timeLayouts[item.Type][0])
}
