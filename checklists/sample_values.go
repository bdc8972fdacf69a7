package checklists

import (
	"cmp"
	"math"
	"regexp"
	"slices"
)

// sampleNumber is the number every sample starts from, so that two numbers
// a rule compares (headcount present and headcount paired) agree.
const sampleNumber = 10

// candidates lists the values to try for an item, best first: passing
// values when the sampler wants a pass, failing ones first otherwise.
func (sampler *sampler) candidates(item *Item) []any {
	var passing, failing []any
	switch item.Type {
	case TypeYesNo:
		other := "no"
		if item.passValue() == "no" {
			other = "yes"
		}
		passing, failing = []any{item.passValue()}, []any{other}
	case TypeSingleChoice:
		passing, failing = choiceCandidates(item)
	case TypeMultiChoice:
		passing, failing = multiChoiceCandidates(item)
	case TypeNumber:
		passing, failing = sampler.numberCandidates(item)
	case TypeCheckpointScan:
		passing, failing = sampler.scanCandidates(item)
	case TypeText:
		passing, failing = sampler.textCandidates(item)
	default:
		passing = []any{sampleValue(item)}
	}
	if sampler.pass {
		return append(passing, failing...)
	}
	return append(failing, passing...)
}

// choiceCandidates orders options by score: the best passing ones first,
// failing (or lowest scoring) ones for a failing sample.
func choiceCandidates(item *Item) (passing, failing []any) {
	options := slices.Clone(item.Options)
	slices.SortStableFunc(options, func(first, second Option) int { return cmp.Compare(second.score(), first.score()) })
	for _, option := range options {
		if option.Fails {
			failing = append(failing, option.Value)
		} else {
			passing = append(passing, option.Value)
		}
	}
	if len(failing) == 0 && len(passing) > 1 {
		failing = []any{passing[len(passing)-1]}
	}
	return passing, failing
}

func multiChoiceCandidates(item *Item) (passing, failing []any) {
	count := max(intOr(item.MinSelected, 0), 1)
	good, bad := choiceCandidates(item)
	if len(good) >= count {
		passing = []any{slices.Clone(good[:count])}
	}
	if len(bad) > 0 && item.option(bad[0].(string)).Fails {
		chosen := append([]any{bad[0]}, good[:min(count-1, len(good))]...)
		failing = []any{chosen}
	}
	if len(passing) == 0 {
		passing = []any{slices.Clone(append(good, bad...)[:min(count, len(item.Options))])}
	}
	return passing, failing
}

// numberCandidates keeps passing values inside [min, max] and equal to the
// expected context value (which the sampler itself supplies).
func (sampler *sampler) numberCandidates(item *Item) (passing, failing []any) {
	low, high := math.Inf(-1), math.Inf(1)
	if item.Min != nil {
		low = *item.Min
	}
	if item.Max != nil {
		high = *item.Max
	}
	for _, value := range []float64{sampleNumber, low, high, (low + high) / 2, 0, 1} {
		value = round(value, intOr(item.Decimals, 6))
		if value >= low && value <= high && !slices.Contains(passing, any(value)) {
			passing = append(passing, value)
		}
	}
	if len(passing) == 0 {
		passing = []any{low}
	}
	if item.Expected != nil {
		if item.Expected.Reference != "" {
			sampler.references[item.Expected.Reference] = passing[0]
		} else {
			sampler.context[item.Expected.Context] = passing[0]
		}
		failing = append(failing, passing[0].(float64)+item.Expected.Tolerance+1)
	}
	if item.Max != nil {
		failing = append(failing, high+1)
	} else if item.Min != nil {
		failing = append(failing, low-1)
	}
	return passing, failing
}

// textCandidates: a text compared with a reference list passes with the
// list's one entry (which the sampler supplies) and fails with another.
func (sampler *sampler) textCandidates(item *Item) (passing, failing []any) {
	value := sampleValue(item)
	if item.Pattern != "" {
		value = patternSample(item.Pattern, value.(string))
	}
	if item.Expected == nil || item.Expected.Reference == "" {
		return []any{value}, nil
	}
	sampler.references[item.Expected.Reference] = []any{value}
	return []any{value}, []any{"X"}
}

// textShapes are sample texts of the shapes templates ask for with a
// pattern: a resident ID number (18 characters, the last a digit or X),
// a plate, a phone number.
var textShapes = []string{"11010519491231002X", "110105194912310021", "京A12345", "13800000000", "OK"}

// patternSample is the first text shape the pattern accepts, else value.
func patternSample(pattern, value string) string {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return value
	}
	for _, shape := range textShapes {
		if re.MatchString(shape) {
			return shape
		}
	}
	return value
}

func (sampler *sampler) scanCandidates(item *Item) (passing, failing []any) {
	tag := item.ExpectedTag
	if tag == "" {
		tag = "SAMPLE-CHECKPOINT-TAG"
		sampler.context["checkpoint_tag"] = tag
	}
	scan := func(tag string) any { return map[string]any{"tag": tag, "method": "qr"} }
	return []any{scan(tag)}, []any{scan("WRONG-" + tag)}
}

// sampleValue is a valid value for an item type that cannot fail by itself.
func sampleValue(item *Item) any {
	switch item.Type {
	case TypeText:
		return "OK"[:min(item.textLimit(), 2)]
	case TypeDate:
		return "2026-11-26"
	case TypeTime:
		return "22:00"
	case TypeDateTime:
		return "2026-11-26T22:00:00+08:00"
	case TypePhoto:
		return newUUIDs(max(intOr(item.MinCount, 0), 1))
	case TypeSignature:
		return map[string]any{"media_id": newUUID(), "signer_name": "Sample Signer"}
	case TypeLocation:
		accuracy := 5.0
		if item.AccuracyM != nil {
			accuracy = min(accuracy, *item.AccuracyM)
		}
		return map[string]any{"lat": 31.2304, "lng": 121.4737, "accuracy_m": accuracy}
	}
	return nil
}
