package syncer

import (
	"reflect"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/strictjson"
)

// twoDecodes is how changeAnswer decoded an answer.set payload before
// decodeAnswer: the payload, then its answer.
func twoDecodes(m Mutation) (mutation.Answer, *checklists.Answer, *FieldError) {
	var in mutation.Answer
	if problem := decodePayload(m, &in); problem != nil {
		return in, nil, problem
	}
	var answer checklists.Answer
	if len(in.Answer) == 0 || strictjson.Decode(in.Answer, &answer, strictjson.Options{}) != nil {
		return in, nil, nil
	}
	return in, &answer, nil
}

func assertDecodeAnswer(t *testing.T, payload []byte) {
	t.Helper()
	m := Mutation{Type: string(mutation.AnswerSet), Payload: payload}
	in, answer, problem := decodeAnswer(m)
	wantIn, wantAnswer, wantProblem := twoDecodes(m)
	if !reflect.DeepEqual(problem, wantProblem) || in.Path != wantIn.Path || !reflect.DeepEqual(answer, wantAnswer) {
		t.Fatalf("decodeAnswer(%q) = %q, %#v, %v\nwant %q, %#v, %v", payload, in.Path, answer, problem,
			wantIn.Path, wantAnswer, wantProblem)
	}
}

func TestDecodeAnswerIsTwoDecodes(t *testing.T) {
	for _, payload := range []string{
		`{"path":"/lock","answer":{"value":true}}`,
		`{"path":"/count","answer":{"value":1.0,"note":"n","media":["a"]}}`,
		`{"path":"/sig","answer":{"value":{"media_id":"m","signer_name":"x"},"countersign":{"user_id":"u","key_id":"k"}}}`,
		`{"path":"/g","answer":{"repeats":[{"a":{"value":1}}]}}`,
		`{"path":"/x","answer":null}`, `{"path":"/x"}`, `{"path":"/x","answer":"yes"}`, `{"path":"/x","answer":{"valu":1}}`,
		`{"path":"/x","answer":{"value":1},"answer":{"note":"n"}}`, `{"PATH":"/x","answer":{"value":1}}`,
		`{"path":"/x","answer":{"Value":1}}`, `{"path":"/x","answer":{"value":1e400}}`, `{"path":"/x","answer":{"value":1}} {}`,
		`{"path":"/x","extra":1,"answer":{"value":1}}`, `{"path":"\xff","answer":{"value":"\u00e9"}}`, `[]`, `null`, ``, `{`,
	} {
		assertDecodeAnswer(t, []byte(payload))
	}
	clear := Mutation{Type: string(mutation.AnswerClear), Payload: []byte(`{"path":"/x"}`)}
	if in, answer, problem := decodeAnswer(clear); in.Path != "/x" || answer != nil || problem != nil {
		t.Fatalf("answer.clear: %q, %v, %v", in.Path, answer, problem)
	}
}

func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"path":"/lock","answer":{"value":true,"note":"<&>","media":["a","b"]}}`))
	f.Add([]byte(`{"path":"/x","answer":{"value":{"a":[1,2.5,null]}},"answer":{"note":"n"}}`))
	f.Add([]byte(`{"Path":"/x","answer":{"countersign":{"user_id":"u"},"repeats":[]}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		assertDecodeAnswer(t, payload)
	})
}
