package checklists

import (
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// maxSampleRounds bounds the search for a consistent answer set; real
// templates settle in two or three rounds.
const maxSampleRounds = 32

// SampleAnswers fills in a template the way a diligent inspector would:
// every visible, unblocked item answered with a valid value, passing when
// pass is true and failing where it can when pass is false. It also returns
// the context values the answers need (expected values, the checkpoint tag)
// and an inspector id; countersigners are other, fresh ids. Photo and
// signature media ids are fresh random UUIDs. The sync simulator and the
// tests use it to produce realistic inspections.
//
// Visibility and gates depend on the answers themselves, so the answers are
// refined against Evaluate until they stop changing: hidden and blocked items
// are left out, and an item that fails when it should pass (say through a
// fail_when) gets its next candidate value.
func SampleAnswers(template *Template, pass bool) Input {
	sampler := &sampler{template: template, pass: pass, choices: map[string]int{}, context: map[string]any{},
		references: map[string]any{}}
	var previous *Result
	input := Input{InspectorID: newUUID()}
	for range maxSampleRounds {
		input.Answers, input.Context = sampler.answers(previous), maps.Clone(sampler.context)
		if len(sampler.references) > 0 {
			input.References = maps.Clone(sampler.references)
		}
		result := Evaluate(template, input)
		if !sampler.refine(previous, &result) {
			break
		}
		previous = &result
	}
	return input
}

// sampler chooses answers; choices[path] indexes the candidate values of the
// item at path.
type sampler struct {
	template *Template
	pass     bool
	choices  map[string]int
	context  map[string]any
	// references are the reference values the answers need.
	references map[string]any
	previous   *Result
}

// refine reports whether another round is needed: visibility or gates
// changed, or a should-pass item failed and has another candidate.
func (sampler *sampler) refine(previous, result *Result) bool {
	changed := previous == nil || !maps.Equal(previous.Visible, result.Visible) || !slices.Equal(previous.Blocked, result.Blocked)
	if sampler.pass {
		for _, path := range result.Failed {
			sampler.choices[path]++
			changed = true
		}
	}
	return changed
}

// answers builds one answer set, skipping what the previous round found
// hidden or blocked.
func (sampler *sampler) answers(previous *Result) map[string]Answer {
	sampler.previous = previous
	answers := map[string]Answer{}
	for _, section := range sampler.template.Sections {
		for index := range section.Items {
			item := &section.Items[index]
			if answer, ok := sampler.answer(item, "/"+item.Key); ok {
				answers[item.Key] = answer
			}
		}
	}
	return answers
}

func (sampler *sampler) skip(path string) bool {
	if sampler.previous == nil {
		return false
	}
	visible, known := sampler.previous.Visible[path]
	return (known && !visible) || slices.Contains(sampler.previous.Blocked, path)
}

func (sampler *sampler) answer(item *Item, path string) (Answer, bool) {
	if item.Type == TypeInstruction || sampler.skip(path) {
		return Answer{}, false
	}
	if item.Type == TypeGroup {
		return sampler.group(item, path), true
	}
	candidates := sampler.candidates(item)
	answer := Answer{Value: candidates[sampler.choices[path]%len(candidates)]}
	if item.Countersign != nil {
		answer.Countersign = &Countersignature{UserID: newUUID(), SignatureMediaID: newUUID()}
	}
	if item.PhotoWhenFailed != nil && !sampler.pass {
		answer.Media = make([]string, item.PhotoWhenFailed.Min)
		for index := range answer.Media {
			answer.Media[index] = newUUID()
		}
	}
	return answer, true
}

func (sampler *sampler) group(group *Item, path string) Answer {
	count := max(intOr(group.MinRepeats, 0), 1)
	if maximum := intOr(group.MaxRepeats, -1); maximum >= 0 {
		count = min(count, maximum)
	}
	repeats := make([]map[string]Answer, count)
	for index := range repeats {
		repeats[index] = map[string]Answer{}
		for childIndex := range group.Items {
			child := &group.Items[childIndex]
			childPath := path + "/" + strconv.Itoa(index) + "/" + child.Key
			if answer, ok := sampler.answer(child, childPath); ok {
				repeats[index][child.Key] = answer
			}
		}
	}
	return Answer{Repeats: repeats}
}

// newUUID returns a random (version 4) UUID. The engine may not read the
// clock, so it does not make version 7 ids.
func newUUID() string {
	var bytes [16]byte
	if _, err := rand.Read(bytes[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // crypto/rand never fails on supported platforms
	}
	bytes[6] = bytes[6]&0x0f | 0x40
	bytes[8] = bytes[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", bytes[0:4], bytes[4:6], bytes[6:8], bytes[8:10], bytes[10:16])
}

func newUUIDs(count int) []any {
	ids := make([]any, count)
	for index := range ids {
		ids[index] = newUUID()
	}
	return ids
}
