package checklists

import (
	"fmt"
	"regexp"
	"slices"
)

var (
	templateKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{2,63}$`)
	itemKeyPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	languagePattern    = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// contextKey is reserved: rules read synced values as "context.<name>".
const contextKey = "context"

// Validate checks everything the JSON Schema cannot: key uniqueness, rule
// references (only earlier items, no cycles), ranges, regular expressions,
// and fields set on the wrong item type. It returns a *ValidationError that
// lists every problem, or nil. Validate does not modify the template, so a
// validated template may be shared between goroutines.
func Validate(template *Template) error {
	if template == nil {
		return &ValidationError{Problems: []Problem{{Path: "", Message: "template is missing"}}}
	}
	checker := newValidator(template)
	checker.template(template)
	if len(checker.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: checker.problems}
}

// validator accumulates problems while walking a template.
type validator struct {
	problems []Problem
	// positions maps every top-level item key to its index in document
	// order; rules use it to tell earlier from later items.
	positions map[string]int
	groups    map[string]*Item
	items     map[string]*Item // top-level items by key
}

func newValidator(template *Template) *validator {
	checker := &validator{positions: map[string]int{}, groups: map[string]*Item{}, items: map[string]*Item{}}
	position := 0
	for _, section := range template.Sections {
		for index := range section.Items {
			item := &section.Items[index]
			if _, seen := checker.positions[item.Key]; !seen {
				checker.positions[item.Key] = position
				checker.items[item.Key] = item
			}
			if item.Type == TypeGroup {
				checker.groups[item.Key] = item
			}
			position++
		}
	}
	return checker
}

func (checker *validator) add(path, format string, arguments ...any) {
	checker.problems = append(checker.problems, Problem{Path: path, Message: fmt.Sprintf(format, arguments...)})
}

func (checker *validator) template(template *Template) {
	if !templateKeyPattern.MatchString(template.Key) {
		checker.add("/key", "must match %s", templateKeyPattern)
	}
	checker.text("/title", template.Title, true)
	checker.text("/description", template.Description, false)
	for index, source := range template.Sources {
		path := fmt.Sprintf("/sources/%d", index)
		if source.File == "" {
			checker.add(path+"/file", "is required")
		}
		if source.Section == "" {
			checker.add(path+"/section", "is required")
		}
	}
	if template.PassThreshold < 0 || template.PassThreshold > 100 {
		checker.add("/pass_threshold", "must be between 0 and 100")
	}
	if template.Scoring != "" && template.Scoring != ScoringItems && template.Scoring != ScoringSections {
		checker.add("/scoring", "must be %q or %q", ScoringItems, ScoringSections)
	}
	checker.sections(template.Sections)
}

func (checker *validator) sections(sections []Section) {
	if len(sections) == 0 {
		checker.add("/sections", "needs at least one section")
	}
	sectionKeys := map[string]bool{}
	seenItems := map[string]bool{}
	position := 0
	for sectionIndex := range sections {
		section := &sections[sectionIndex]
		path := fmt.Sprintf("/sections/%d", sectionIndex)
		if !itemKeyPattern.MatchString(section.Key) {
			checker.add(path+"/key", "must match %s", itemKeyPattern)
		} else if sectionKeys[section.Key] {
			checker.add(path+"/key", "duplicate section key %q", section.Key)
		}
		sectionKeys[section.Key] = true
		checker.text(path+"/title", section.Title, true)
		checker.text(path+"/help", section.Help, false)
		if section.Weight != nil && *section.Weight < 0 {
			checker.add(path+"/weight", "must be at least 0")
		}
		checker.rule(path+"/visible_when", section.VisibleWhen, checker.topLevelScope(position, ""))
		if len(section.Items) == 0 {
			checker.add(path+"/items", "needs at least one item")
		}
		for index := range section.Items {
			item := &section.Items[index]
			itemPath := fmt.Sprintf("%s/items/%d", path, index)
			checker.uniqueKey(itemPath, item.Key, seenItems)
			checker.item(itemPath, item, checker.topLevelScope(position, item.Key))
			position++
		}
	}
}

func (checker *validator) uniqueKey(path, key string, seen map[string]bool) {
	switch {
	case !itemKeyPattern.MatchString(key):
		checker.add(path+"/key", "must match %s", itemKeyPattern)
	case key == contextKey:
		checker.add(path+"/key", "%q is reserved for synced context values", contextKey)
	case seen[key]:
		checker.add(path+"/key", "duplicate item key %q", key)
	}
	seen[key] = true
}

// text checks a localized text: every language tag well-formed, no empty
// strings, and zh-CN and en present when required.
func (checker *validator) text(path string, text Text, required bool) {
	if required {
		for _, language := range RequiredLanguages {
			if text[language] == "" {
				checker.add(path+"/"+language, "is required")
			}
		}
	}
	for _, language := range sortedKeys(text) {
		if !languagePattern.MatchString(language) {
			checker.add(path+"/"+pointerToken(language), "is not a language tag")
		} else if text[language] == "" && (!required || !slices.Contains(RequiredLanguages, language)) {
			checker.add(path+"/"+pointerToken(language), "must not be empty")
		}
	}
}
