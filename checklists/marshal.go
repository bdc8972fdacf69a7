package checklists

import (
	"encoding/json"
)

// MarshalAnswers is json.Marshal(answers), byte for byte, written without
// reflection when every value is what decoding JSON gives (issue 17: the
// content hash of every submitted inspection encodes its answers). Any
// other value, or a string encoding/json would escape, takes json.Marshal's
// path.
func MarshalAnswers(answers map[string]Answer) ([]byte, error) {
	if out, ok := appendAnswers(make([]byte, 0, 64*len(answers)+2), answers, 0); ok {
		return out, nil
	}
	return json.Marshal(answers)
}

// appendAnswers writes a map of answers as json.Marshal does: keys sorted,
// each answer's fields in Answer's order, empty ones left out.
func appendAnswers(out []byte, answers map[string]Answer, depth int) ([]byte, bool) {
	if answers == nil {
		return append(out, "null"...), true
	}
	if depth > maxCanonicalDepth {
		return nil, false
	}
	return appendObject(out, answers, depth, appendAnswer)
}

func appendAnswer(out []byte, answer Answer, depth int) ([]byte, bool) {
	ok := true
	start := len(out)
	field := func(name string) []byte {
		if len(out) > start+1 {
			out = append(out, ',')
		}
		return append(out, name...)
	}
	str := func(name, s string) {
		if ok && s != "" {
			out, ok = AppendPlainString(field(name), s)
		}
	}
	out = append(out, '{')
	if answer.Value != nil {
		out, ok = appendCanonicalValue(field(`"value":`), answer.Value, depth)
	}
	str(`"note":`, answer.Note)
	if ok && len(answer.Media) > 0 {
		out, ok = appendPlainStrings(field(`"media":`), answer.Media)
	}
	if c := answer.Countersign; ok && c != nil {
		// user_id is always written, so the rest follow it with a comma.
		if out, ok = AppendPlainString(field(`"countersign":{"user_id":`), c.UserID); !ok {
			return nil, false
		}
		for _, f := range [...]struct{ name, value string }{{`,"signature_media_id":`, c.SignatureMediaID},
			{`,"key_id":`, c.KeyID}, {`,"signed_at":`, c.SignedAt}, {`,"signature":`, c.Signature}} {
			if ok && f.value != "" {
				out, ok = AppendPlainString(append(out, f.name...), f.value)
			}
		}
		out = append(out, '}')
	}
	if ok && len(answer.Repeats) > 0 {
		out = append(field(`"repeats":`), '[')
		for i, repeat := range answer.Repeats {
			if i > 0 {
				out = append(out, ',')
			}
			if out, ok = appendAnswers(out, repeat, depth+1); !ok {
				return nil, false
			}
		}
		out = append(out, ']')
	}
	if !ok {
		return nil, false
	}
	return append(out, '}'), true
}
