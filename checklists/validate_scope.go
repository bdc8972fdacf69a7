package checklists

import "fmt"

// ruleScope says which item keys a rule at one place in the template may
// reference: only items before it in document order (so a phone evaluates
// top-down in one pass and cycles cannot exist), plus the item itself for
// fail_when, plus earlier siblings inside a group repeat.
type ruleScope struct {
	checker  *validator
	position int    // top-level position of the item, or of a section's first item
	self     string // the item's own key; "" for a section rule
	group    *Item  // the enclosing group, for group children
	child    int    // index of the item among its group's children
}

func (checker *validator) topLevelScope(position int, self string) ruleScope {
	return ruleScope{checker: checker, position: position, self: self}
}

func (scope ruleScope) childScope(group *Item, child int) ruleScope {
	scope.group = group
	scope.child = child
	scope.self = group.Items[child].Key
	return scope
}

// reference returns why key may not be used here, or "" when it may.
func (scope ruleScope) reference(key string, allowSelf bool) string {
	if key == scope.self {
		if allowSelf {
			return ""
		}
		return fmt.Sprintf("refers to itself (%q): a cycle", key)
	}
	if scope.group != nil {
		for index, sibling := range scope.group.Items {
			if sibling.Key != key {
				continue
			}
			if index < scope.child {
				return ""
			}
			return fmt.Sprintf("refers to %q, which comes later in the group", key)
		}
	}
	position, known := scope.checker.positions[key]
	switch {
	case !known:
		return fmt.Sprintf("refers to unknown item %q", key)
	case scope.group != nil && position == scope.position:
		return fmt.Sprintf("refers to its own group %q: a cycle", key)
	case position >= scope.position:
		return fmt.Sprintf("refers to %q, which comes later; rules may only use earlier items", key)
	}
	return ""
}
