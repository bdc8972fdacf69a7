package bridge

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
)

// merged is a result as a form keeps it: the whole first result with every
// change laid over it, decoded as the browser decodes it.
type merged map[string]any

func (m merged) apply(t *testing.T, changes map[string]any) {
	t.Helper()
	for key, value := range changes {
		switch key {
		case "paths":
		case "visible", "required":
			flags := m[key].(map[string]any)
			for path, flag := range value.(map[string]any) {
				if flag == nil {
					delete(flags, path)
				} else {
					flags[path] = flag
				}
			}
		default:
			m[key] = value
		}
	}
}

func asMap(t *testing.T, value any) map[string]any {
	t.Helper()
	data, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A session answered one item at a time (and then cleared again) holds,
// after every change, exactly what a whole evaluation of the same answers
// gives; the paths it names cover every item whose state changed.
func TestSessionMatchesEvaluate(t *testing.T) {
	files, err := filepath.Glob("../testdata/logic/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors (%v)", err)
	}
	engine := New()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var vector vectorInput
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &vector); err != nil {
				t.Fatal(err)
			}
			template, err := checklists.Parse(vector.Template)
			if err != nil {
				t.Fatal(err)
			}
			request, _ := json.Marshal(OpenRequest{Template: vector.Template, Input: checklists.Input{Context: vector.Context, InspectorID: vector.InspectorID}})
			opened := decode(t, engine.Call("open", request))
			if !opened.OK {
				t.Fatalf("open: %+v", opened.Error)
			}
			first := opened.Result.(map[string]any)
			id := first["session"].(string)
			state := merged(first["result"].(map[string]any))
			answers := map[string]checklists.Answer{}
			keys := make([]string, 0, len(vector.Answers))
			for key := range vector.Answers {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			step := func(key string, answer *checklists.Answer) {
				t.Helper()
				raw := json.RawMessage("null")
				if answer != nil {
					raw, _ = json.Marshal(answer)
					answers[key] = *answer
				} else {
					delete(answers, key)
				}
				before := asMap(t, state)
				change, _ := json.Marshal(ChangeRequest{Session: id, Answers: map[string]json.RawMessage{key: raw}})
				changed := decode(t, engine.Call("change", change))
				if !changed.OK {
					t.Fatalf("change %s: %+v", key, changed.Error)
				}
				changes := changed.Result.(map[string]any)
				state.apply(t, changes)
				want := asMap(t, checklists.Evaluate(template, checklists.Input{Answers: answers, Context: vector.Context, InspectorID: vector.InspectorID}))
				if got := asMap(t, state); !reflect.DeepEqual(got, want) {
					t.Fatalf("after %s:\n got %v\nwant %v", key, got, want)
				}
				named := []string{}
				for _, path := range changes["paths"].([]any) {
					named = append(named, path.(string))
				}
				for _, path := range changedPaths(before, want) {
					if !slices.Contains(named, path) {
						t.Errorf("after %s: %s changed but is not in paths %v", key, path, named)
					}
				}
			}
			for _, key := range keys {
				answer := vector.Answers[key]
				step(key, &answer)
			}
			for _, key := range keys {
				step(key, nil)
			}
		})
	}
}

// changedPaths are the paths whose flags or list membership differ.
func changedPaths(before, after map[string]any) []string {
	var out []string
	for _, key := range []string{"visible", "required"} {
		b, _ := before[key].(map[string]any)
		a, _ := after[key].(map[string]any)
		for path, flag := range a {
			if b[path] != flag {
				out = append(out, path)
			}
		}
		for path := range b {
			if _, ok := a[path]; !ok {
				out = append(out, path)
			}
		}
	}
	for _, key := range []string{"blocked", "missing", "failed", "critical_failed"} {
		b, _ := before[key].([]any)
		a, _ := after[key].([]any)
		for _, path := range a {
			if !slices.Contains(b, path) {
				out = append(out, path.(string))
			}
		}
		for _, path := range b {
			if !slices.Contains(a, path) {
				out = append(out, path.(string))
			}
		}
	}
	return out
}

func TestSessionFailures(t *testing.T) {
	engine := New()
	for _, tc := range []struct{ call, request, code string }{
		{"change", `{"session": "nope", "answers": {}}`, CodeUnknownSession},
		{"change", `[1]`, CodeBadRequest},
		{"open", `{"digest": "abc"}`, CodeUnknownTemplate},
	} {
		got := decode(t, engine.Call(tc.call, []byte(tc.request)))
		if got.OK || got.Error == nil || got.Error.Code != tc.code {
			t.Errorf("%s %s = %+v, want %s", tc.call, tc.request, got, tc.code)
		}
	}
	// The oldest session gives way to the newest beyond maxSessions.
	template := `{"key":"kkk","title":{"en":"T","zh-CN":"T"},"sections":[{"key":"s","title":{"en":"S","zh-CN":"S"},"items":[{"key":"a","type":"yes_no","label":{"en":"A","zh-CN":"A"}}]}]}`
	var first string
	for index := range maxSessions + 1 {
		opened := decode(t, engine.Call("open", []byte(fmt.Sprintf(`{"template": %s, "answers": {}}`, template))))
		if index == 0 {
			first = opened.Result.(map[string]any)["session"].(string)
		}
	}
	got := decode(t, engine.Call("change", []byte(`{"session": "`+first+`", "answers": {"a": {"value": "yes"}}}`)))
	if got.OK || got.Error.Code != CodeUnknownSession {
		t.Errorf("the oldest session still answers: %+v", got)
	}
}
