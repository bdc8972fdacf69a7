package checklists

import (
	"fmt"

	"github.com/diegoholiveira/jsonlogic/v3"
)

// applyRule runs one JSON Logic rule over data. The library reports bad
// rules by panicking; the recover turns any panic into an error so that a
// hostile template can never take the server down.
func applyRule(rule Rule, data map[string]any) (result any, err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			err = fmt.Errorf("rule failed: %v", recovered)
		}
	}()
	//lint:ignore SA1019 ApplyInterface is the only entry point that takes decoded values; the io.Reader API would re-encode every rule on every call.
	return jsonlogic.ApplyInterface(rule, data)
}

// ruleHolds evaluates a condition rule; an absent rule is "no condition".
func ruleHolds(rule Rule, data map[string]any, absent bool) (bool, error) {
	if rule == nil {
		return absent, nil
	}
	result, err := applyRule(rule, data)
	if err != nil {
		return false, err
	}
	return truthy(result), nil
}

// truthy is JSON Logic truthiness as the spec defines it (jsonlogic.com
// "truthy"): false, null, 0, "" and [] are false, everything else true. It
// is spelled out here because the phone implementations must match it.
func truthy(value any) bool {
	switch typed := value.(type) {
	case nil:
		return false
	case bool:
		return typed
	case float64:
		return typed != 0
	case int:
		return typed != 0
	case string:
		return typed != ""
	case []any:
		return len(typed) > 0
	}
	return true
}
