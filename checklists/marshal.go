package checklists

import (
	"encoding/json"
	"math"
	"strconv"
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

// MarshalResult is json.Marshal(r), byte for byte, written without
// reflection (issue 17: every submitted inspection stores its evaluation,
// a result of some twenty slices, maps and structs). A string
// encoding/json would escape, or a number that is not finite, takes
// json.Marshal's path.
func MarshalResult(r Result) ([]byte, error) {
	w := writer{out: make([]byte, 0, 2048), ok: true}
	w.result(r)
	if w.ok {
		return w.out, nil
	}
	return json.Marshal(r)
}

// writer appends JSON as encoding/json writes it; ok turns false at the
// first value it does not write the same way, and stays false.
type writer struct {
	out []byte
	ok  bool
}

func (w *writer) raw(s string) { w.out = append(w.out, s...) }

func (w *writer) str(s string) {
	if w.ok {
		w.out, w.ok = AppendPlainString(w.out, s)
	}
}

// omittable writes name and s unless s is empty (omitempty).
func (w *writer) omittable(name, s string) {
	if s != "" {
		w.raw(name)
		w.str(s)
	}
}

func (w *writer) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.ok = false
		return
	}
	w.out = AppendFloat(w.out, f)
}

func (w *writer) stringList(list []string) {
	writeList(w, list, (*writer).str)
}

// writeObject writes m as encoding/json writes a map with string keys,
// each value by value (appendObject).
func writeObject[V any](w *writer, m map[string]V, value func([]byte, V) ([]byte, bool)) {
	if !w.ok {
		return
	}
	if m == nil {
		w.raw("null")
		return
	}
	w.out, w.ok = appendObject(w.out, m, 0, func(out []byte, v V, _ int) ([]byte, bool) { return value(out, v) })
}

// writeList writes items as a JSON array, each by item; a nil slice is
// null.
func writeList[T any](w *writer, items []T, item func(*writer, T)) {
	if items == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i, element := range items {
		if i > 0 {
			w.raw(",")
		}
		item(w, element)
	}
	w.raw("]")
}

func (w *writer) text(t Text) { writeObject(w, t, AppendPlainString) }

func (w *writer) bools(m map[string]bool) {
	writeObject(w, m, func(out []byte, b bool) ([]byte, bool) { return strconv.AppendBool(out, b), true })
}

func (w *writer) result(r Result) {
	w.raw(`{"outcome":`)
	w.str(r.Outcome)
	w.raw(`,"score":`)
	w.float(r.Score)
	w.raw(`,"sections":`)
	writeList(w, r.Sections, (*writer).section)
	w.raw(`,"visible":`)
	w.bools(r.Visible)
	w.raw(`,"required":`)
	w.bools(r.Required)
	w.raw(`,"blocked":`)
	w.stringList(r.Blocked)
	w.raw(`,"missing":`)
	w.stringList(r.Missing)
	w.raw(`,"errors":`)
	writeList(w, r.Errors, (*writer).fieldError)
	w.raw(`,"failed":`)
	w.stringList(r.Failed)
	w.raw(`,"critical_failed":`)
	w.stringList(r.CriticalFailed)
	w.raw(`,"findings":`)
	writeList(w, r.Findings, (*writer).finding)
	w.raw(`,"incidents":`)
	writeList(w, r.Incidents, (*writer).incident)
	w.raw(`,"countersigns":`)
	writeList(w, r.Countersigns, (*writer).countersign)
	w.raw("}")
}

func (w *writer) section(s SectionResult) {
	w.raw(`{"key":`)
	w.str(s.Key)
	w.raw(`,"visible":`)
	w.out = strconv.AppendBool(w.out, s.Visible)
	for _, f := range [...]struct {
		name  string
		value float64
	}{{`,"weight":`, s.Weight}, {`,"earned":`, s.Earned}, {`,"possible":`, s.Possible}, {`,"percent":`, s.Percent}} {
		w.raw(f.name)
		w.float(f.value)
	}
	w.raw("}")
}

func (w *writer) fieldError(e FieldError) {
	w.raw(`{"path":`)
	w.str(e.Path)
	w.raw(`,"code":`)
	w.str(e.Code)
	w.raw(`,"message":`)
	w.str(e.Message)
	w.raw("}")
}

func (w *writer) finding(f Finding) {
	w.raw(`{"path":`)
	w.str(f.Path)
	w.raw(`,"item_key":`)
	w.str(f.ItemKey)
	w.raw(`,"severity":`)
	w.str(f.Severity)
	w.raw(`,"due_hours":`)
	w.out = strconv.AppendInt(w.out, int64(f.DueHours), 10)
	w.omittable(`,"due_date":`, f.DueDate)
	w.raw(`,"title":`)
	w.text(f.Title)
	w.raw("}")
}

func (w *writer) incident(i RaisedIncident) {
	w.raw(`{"path":`)
	w.str(i.Path)
	w.raw(`,"item_key":`)
	w.str(i.ItemKey)
	w.raw(`,"category":`)
	w.str(i.Category)
	w.raw(`,"level":`)
	w.str(i.Level)
	w.raw(`,"title":`)
	w.text(i.Title)
	w.raw("}")
}

func (w *writer) countersign(c CountersignCheck) {
	w.raw(`{"path":`)
	w.str(c.Path)
	w.raw(`,"user_id":`)
	w.str(c.UserID)
	w.raw(`,"role":`)
	w.str(c.Role)
	w.omittable(`,"signature_media_id":`, c.SignatureMediaID)
	w.omittable(`,"key_id":`, c.KeyID)
	w.omittable(`,"signed_at":`, c.SignedAt)
	w.omittable(`,"signature":`, c.Signature)
	w.raw(`,"answer_sha256":`)
	w.str(c.AnswerSHA256)
	if v := c.Verdict; v != nil {
		w.raw(`,"verdict":{"verified":`)
		w.out = strconv.AppendBool(w.out, v.Verified)
		w.omittable(`,"code":`, v.Code)
		w.omittable(`,"reason":`, v.Reason)
		w.omittable(`,"user_name":`, v.UserName)
		w.raw("}")
	}
	w.raw("}")
}
