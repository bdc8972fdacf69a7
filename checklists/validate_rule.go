package checklists

import (
	"fmt"
	"strings"
)

// portableOperators are the JSON Logic operations every mainstream
// implementation (JavaScript, Kotlin, Swift, Go) agrees on. Library-specific
// extras such as "set" or "in_sorted" are refused so that a rule gives the
// same answer on the phone as on the server.
var portableOperators = map[string]bool{
	"var": true, "missing": true, "missing_some": true,
	"if": true, "?:": true, "==": true, "===": true, "!=": true, "!==": true,
	"!": true, "!!": true, "or": true, "and": true,
	">": true, ">=": true, "<": true, "<=": true,
	"max": true, "min": true, "+": true, "-": true, "*": true, "/": true, "%": true,
	"map": true, "filter": true, "reduce": true, "all": true, "none": true, "some": true,
	"merge": true, "in": true, "cat": true, "substr": true,
}

// iterating operators evaluate their later arguments against each element,
// where "var" names the element's fields rather than items.
var iterating = map[string]bool{"map": true, "filter": true, "reduce": true, "all": true, "none": true, "some": true}

// maxRuleDepth bounds rule nesting; real rules are a few levels deep and a
// bound keeps evaluation cost predictable.
const maxRuleDepth = 32

// rule checks one JSON Logic rule: known operators, literal variable names,
// and references that the scope allows.
func (checker *validator) rule(path string, rule Rule, scope ruleScope) {
	checker.ruleWithSelf(path, rule, scope, false)
}

func (checker *validator) ruleWithSelf(path string, rule Rule, scope ruleScope, allowSelf bool) {
	if rule == nil {
		return
	}
	walker := ruleWalker{checker: checker, scope: scope, allowSelf: allowSelf}
	walker.walk(path, rule, 0, false)
}

type ruleWalker struct {
	checker   *validator
	scope     ruleScope
	allowSelf bool
}

func (walker *ruleWalker) walk(path string, node any, depth int, inElement bool) {
	if depth > maxRuleDepth {
		walker.checker.add(path, "rule nests deeper than %d levels", maxRuleDepth)
		return
	}
	switch typed := node.(type) {
	case []any:
		for index, element := range typed {
			walker.walk(fmt.Sprintf("%s/%d", path, index), element, depth+1, inElement)
		}
	case map[string]any:
		walker.operation(path, typed, depth, inElement)
	}
}

func (walker *ruleWalker) operation(path string, node map[string]any, depth int, inElement bool) {
	if len(node) != 1 {
		walker.checker.add(path, "a rule object must have exactly one operator, found %d", len(node))
		return
	}
	for operator, arguments := range node {
		operatorPath := path + "/" + pointerToken(operator)
		if !portableOperators[operator] {
			walker.checker.add(operatorPath, "unknown or non-portable operator %q", operator)
			return
		}
		switch {
		case operator == "var":
			walker.variable(operatorPath, arguments, inElement)
		case operator == "missing" || operator == "missing_some":
			walker.missing(operatorPath, operator, arguments, inElement)
		case iterating[operator]:
			walker.iteration(operatorPath, arguments, depth, inElement)
		default:
			walker.walk(operatorPath, arguments, depth+1, inElement)
		}
	}
}

// iteration walks the collection argument in the current scope and the
// per-element rules with variable checks off.
func (walker *ruleWalker) iteration(path string, arguments any, depth int, inElement bool) {
	list, ok := arguments.([]any)
	if !ok || len(list) < 2 {
		walker.checker.add(path, "needs a collection and a rule")
		return
	}
	walker.walk(path+"/0", list[0], depth+1, inElement)
	for index := 1; index < len(list); index++ {
		walker.walk(fmt.Sprintf("%s/%d", path, index), list[index], depth+1, true)
	}
}

// variable checks {"var": "name"} or {"var": ["name", default]}. Names are
// literal so that references can be checked before a template is published.
func (walker *ruleWalker) variable(path string, arguments any, inElement bool) {
	name, ok := arguments.(string)
	if list, isList := arguments.([]any); isList && len(list) >= 1 && len(list) <= 2 {
		name, ok = list[0].(string)
	}
	if !ok {
		walker.checker.add(path, "variable name must be a literal string")
		return
	}
	if inElement {
		return
	}
	walker.reference(path, name)
}

func (walker *ruleWalker) missing(path, operator string, arguments any, inElement bool) {
	list, ok := arguments.([]any)
	if operator == "missing_some" {
		if !ok || len(list) != 2 {
			walker.checker.add(path, "needs [minimum, [names]]")
			return
		}
		path += "/1"
		list, ok = list[1].([]any)
	}
	if !ok {
		walker.checker.add(path, "needs a list of names")
		return
	}
	for index, element := range list {
		name, isString := element.(string)
		if !isString {
			walker.checker.add(fmt.Sprintf("%s/%d", path, index), "name must be a literal string")
		} else if !inElement {
			walker.reference(fmt.Sprintf("%s/%d", path, index), name)
		}
	}
}

// reference checks the item part of a dotted variable name;
// "context.<name>" reads synced values and is always allowed.
func (walker *ruleWalker) reference(path, name string) {
	if name == "" {
		walker.checker.add(path, "the whole data object may only be used inside map/filter/reduce/all/none/some")
		return
	}
	key, _, _ := strings.Cut(name, ".")
	if key == contextKey {
		return
	}
	if why := walker.scope.reference(key, walker.allowSelf); why != "" {
		walker.checker.add(path, "%s", why)
	}
}
