package checklists

import (
	"encoding/json"
	"math"
)

// normalize brings a Go value into the shape encoding/json decodes to
// (float64, string, bool, []any, map[string]any), because both the checks
// and the logic library expect that shape while Go callers may pass ints or
// []string.
func normalize(value any) any {
	switch typed := value.(type) {
	case nil, bool, string, float64:
		return typed
	case int:
		return float64(typed)
	case int64:
		return float64(typed)
	case int32:
		return float64(typed)
	case float32:
		return float64(typed)
	case json.Number:
		number, err := typed.Float64()
		if err != nil {
			return typed.String()
		}
		return number
	case []any:
		return normalizeList(typed)
	case []string:
		list := make([]any, len(typed))
		for index, element := range typed {
			list[index] = element
		}
		return list
	case map[string]any:
		return normalizeMap(typed)
	}
	return roundTrip(value)
}

func normalizeList(list []any) []any {
	copied := make([]any, len(list))
	for index, element := range list {
		copied[index] = normalize(element)
	}
	return copied
}

func normalizeMap(values map[string]any) map[string]any {
	copied := make(map[string]any, len(values))
	for key, element := range values {
		copied[key] = normalize(element)
	}
	return copied
}

// roundTrip converts anything else through JSON, the shape a phone sends.
func roundTrip(value any) any {
	encoded, err := json.Marshal(value)
	if err != nil {
		return nil
	}
	var decoded any
	if err := json.Unmarshal(encoded, &decoded); err != nil {
		return nil
	}
	return decoded
}

// round rounds half away from zero to the given number of decimals, so
// that a phone and the server print the same score.
func round(value float64, decimals int) float64 {
	scale := math.Pow(10, float64(decimals))
	return math.Round(value*scale) / scale
}
