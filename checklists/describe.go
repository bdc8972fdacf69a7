package checklists

import (
	"fmt"
	"strconv"
	"strings"
)

// DescribeIncident composes the description of an incident a failed item
// raised, in language (falling back as Text.In does): one "label: answer"
// line per answered item its rule's describe names (who, where, what the
// template asks), then the raising item's own note. 001 第10篇 asks for a
// report of checked facts, so the lines are the answers as given, with
// choices shown by their labels. Empty when nothing was answered.
func DescribeIncident(t *Template, answers map[string]Answer, raised RaisedIncident, language string) string {
	item, answer, group, repeat := locate(t, answers, raised.Path)
	if item == nil || item.Incident == nil {
		return ""
	}
	var lines []string
	for _, key := range item.Incident.Describe {
		described, value := sibling(t, answers, group, repeat, key)
		if described == nil || !value.isAnswered() {
			continue
		}
		if text := answerText(described, value.Value, language); text != "" {
			lines = append(lines, described.Label.In(language)+": "+text)
		}
	}
	if note := strings.TrimSpace(answer.Note); note != "" {
		lines = append(lines, note)
	}
	return strings.Join(lines, "\n")
}

// locate finds the item and answer at a path ("/key" or
// "/group/index/key"), with its group and the answers of its repeat (nil
// at the top level).
func locate(t *Template, answers map[string]Answer, path string) (*Item, Answer, *Item, map[string]Answer) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	top := t.topItem(parts[0])
	switch {
	case top == nil:
		return nil, Answer{}, nil, nil
	case len(parts) == 1:
		return top, answers[parts[0]], nil, nil
	case len(parts) != 3 || top.Type != TypeGroup:
		return nil, Answer{}, nil, nil
	}
	index, err := strconv.Atoi(parts[1])
	repeats := answers[parts[0]].Repeats
	if err != nil || index < 0 || index >= len(repeats) {
		return nil, Answer{}, nil, nil
	}
	for i := range top.Items {
		if top.Items[i].Key == parts[2] {
			return &top.Items[i], repeats[index][parts[2]], top, repeats[index]
		}
	}
	return nil, Answer{}, nil, nil
}

// sibling resolves a describe key as Validate does: a child of the same
// group repeat, else a top-level item.
func sibling(t *Template, answers map[string]Answer, group *Item, repeat map[string]Answer, key string) (*Item, Answer) {
	if group != nil {
		for i := range group.Items {
			if child := &group.Items[i]; child.Key == key {
				return child, repeat[key]
			}
		}
	}
	return t.topItem(key), answers[key]
}

func (t *Template) topItem(key string) *Item {
	for s := range t.Sections {
		for i := range t.Sections[s].Items {
			if item := &t.Sections[s].Items[i]; item.Key == key {
				return item
			}
		}
	}
	return nil
}

// yesNoWords are yes_no answers in words.
var yesNoWords = map[string]Text{
	"yes": {"zh-CN": "是", "en": "yes"},
	"no":  {"zh-CN": "否", "en": "no"},
	"na":  {"zh-CN": "不适用", "en": "not applicable"},
}

// answerText shows an answer in words; media, signatures, places and scans
// are evidence attached elsewhere and are left out.
func answerText(item *Item, value any, language string) string {
	switch item.Type {
	case TypeYesNo:
		word, _ := value.(string)
		return yesNoWords[word].In(language)
	case TypeSingleChoice:
		return optionLabel(item, value, language)
	case TypeMultiChoice:
		chosen, _ := value.([]any)
		labels := make([]string, 0, len(chosen))
		for _, one := range chosen {
			labels = append(labels, optionLabel(item, one, language))
		}
		separator := ", "
		if language == "zh-CN" {
			separator = "、"
		}
		return strings.Join(labels, separator)
	case TypeNumber:
		return strings.TrimSpace(fmt.Sprint(value) + " " + item.Unit)
	case TypeText, TypeDate, TypeTime, TypeDateTime:
		text, _ := value.(string)
		return strings.TrimSpace(text)
	}
	return ""
}

func optionLabel(item *Item, value any, language string) string {
	chosen, _ := value.(string)
	if option := item.option(chosen); option != nil {
		return option.Label.In(language)
	}
	return chosen
}
