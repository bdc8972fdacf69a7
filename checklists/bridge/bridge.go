// Package bridge is the checklist engine as JSON calls: one request document
// in, one response document out. The WebAssembly build of the engine
// (cmd/engine-wasm) hands every call from the browser to Call, so the guard
// app and the console run exactly the functions the server runs (Parse,
// Evaluate, Digest, SampleAnswers) on exactly the same JSON.
//
// It must never hold anything between calls but parsed templates, and never
// import anything outside the standard library and checklists.
package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/patrolsync/patrolsync/checklists"
)

// Engine answers calls. Parsed templates are kept by digest so that a form
// re-evaluated on every keystroke parses its template once.
type Engine struct {
	mu        sync.Mutex
	templates map[string]*checklists.Template
	sessions  map[string]*session
	order     []string // session ids, oldest first
	next      uint64
}

// New returns an engine with no templates loaded.
func New() *Engine {
	return &Engine{templates: map[string]*checklists.Template{}, sessions: map[string]*session{}}
}

// maxLoaded bounds the parsed templates kept; a console previewing many
// drafts starts over rather than growing without end.
const maxLoaded = 64

// Failure is the body of a call that did not succeed.
type Failure struct {
	// Code is invalid_template (Problems says why), unknown_template (load
	// it again), unknown_session (open it again), bad_request or
	// unknown_call.
	Code     string               `json:"code"`
	Message  string               `json:"message"`
	Problems []checklists.Problem `json:"problems,omitempty"`
}

// Error codes of Failure.Code.
const (
	CodeInvalidTemplate = "invalid_template"
	CodeUnknownTemplate = "unknown_template"
	CodeBadRequest      = "bad_request"
	CodeUnknownCall     = "unknown_call"
)

// response is what every call answers: the result or the failure.
type response struct {
	OK     bool     `json:"ok"`
	Result any      `json:"result,omitempty"`
	Error  *Failure `json:"error,omitempty"`
}

// Call runs the named call on a JSON request and returns the JSON response
// {"ok": true, "result": ...} or {"ok": false, "error": {...}}. It never
// panics on bad input.
func (engine *Engine) Call(name string, request []byte) []byte {
	result, failure := engine.dispatch(name, request)
	out, err := json.Marshal(response{OK: failure == nil, Result: result, Error: failure})
	if err != nil {
		out, _ = json.Marshal(response{Error: &Failure{Code: CodeBadRequest, Message: err.Error()}})
	}
	return out
}

func (engine *Engine) dispatch(name string, request []byte) (any, *Failure) {
	switch name {
	case "validate":
		return engine.validate(request)
	case "load":
		return engine.load(request)
	case "evaluate":
		return engine.evaluate(request)
	case "sample":
		return engine.sample(request)
	case "open":
		return engine.open(request)
	case "change":
		return engine.change(request)
	case "close":
		return engine.close(request)
	case "answerDigest":
		return answerDigest(request)
	case "countersignMessage":
		return countersignMessage(request)
	case "contentDigest":
		return contentDigest(request)
	default:
		return nil, &Failure{Code: CodeUnknownCall, Message: fmt.Sprintf("no call named %q", name)}
	}
}

// Loaded names a parsed template.
type Loaded struct {
	// Digest is checklists.Digest of the template: the id to evaluate it by,
	// and the digest the server pins on publish.
	Digest string `json:"digest"`
}

// validate parses a template document as the server does when a draft is
// saved or published: JSON Schema, then every semantic rule.
func (engine *Engine) validate(document []byte) (any, *Failure) {
	template, err := checklists.Parse(document)
	if err != nil {
		return nil, parseFailure(err)
	}
	return Loaded{Digest: checklists.Digest(template)}, nil
}

// load parses a template and keeps it for evaluate.
func (engine *Engine) load(document []byte) (any, *Failure) {
	template, err := checklists.Parse(document)
	if err != nil {
		return nil, parseFailure(err)
	}
	digest := checklists.Digest(template)
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if len(engine.templates) >= maxLoaded {
		clear(engine.templates)
	}
	engine.templates[digest] = template
	return Loaded{Digest: digest}, nil
}

func parseFailure(err error) *Failure {
	var invalid *checklists.ValidationError
	if errors.As(err, &invalid) {
		return &Failure{Code: CodeInvalidTemplate, Message: err.Error(), Problems: invalid.Problems}
	}
	return &Failure{Code: CodeBadRequest, Message: err.Error()}
}

// EvaluateRequest evaluates answers against a template given either whole
// (Template) or by the digest a load returned (Digest).
type EvaluateRequest struct {
	Template json.RawMessage `json:"template,omitempty"`
	Digest   string          `json:"digest,omitempty"`
	checklists.Input
}

func (engine *Engine) evaluate(request []byte) (any, *Failure) {
	var call EvaluateRequest
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "evaluate: " + err.Error()}
	}
	template, failure := engine.template(call.Template, call.Digest)
	if failure != nil {
		return nil, failure
	}
	return checklists.Evaluate(template, call.Input), nil
}

// SampleRequest asks for a diligent inspector's answers.
type SampleRequest struct {
	Template json.RawMessage `json:"template,omitempty"`
	Digest   string          `json:"digest,omitempty"`
	Pass     bool            `json:"pass"`
}

func (engine *Engine) sample(request []byte) (any, *Failure) {
	var call SampleRequest
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "sample: " + err.Error()}
	}
	template, failure := engine.template(call.Template, call.Digest)
	if failure != nil {
		return nil, failure
	}
	return checklists.SampleAnswers(template, call.Pass), nil
}

// template is the parsed template of a call: parsed now when given whole,
// or one loaded earlier.
func (engine *Engine) template(document json.RawMessage, digest string) (*checklists.Template, *Failure) {
	if len(document) > 0 {
		template, err := checklists.Parse(document)
		if err != nil {
			return nil, parseFailure(err)
		}
		return template, nil
	}
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if template, ok := engine.templates[digest]; ok {
		return template, nil
	}
	if digest == "" {
		return nil, &Failure{Code: CodeBadRequest, Message: "give the template or the digest of a loaded one"}
	}
	return nil, &Failure{Code: CodeUnknownTemplate, Message: fmt.Sprintf("no template with digest %s is loaded", digest)}
}

// Digested is the answer digest of an answerDigest call.
type Digested struct {
	Digest string `json:"digest"`
}

// answerDigest is checklists.AnswerDigest of one answer: what a
// countersigner signs and what a drawn signature's content_digest must be.
func answerDigest(request []byte) (any, *Failure) {
	var answer checklists.Answer
	if err := json.Unmarshal(request, &answer); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "answerDigest: " + err.Error()}
	}
	return Digested{Digest: checklists.AnswerDigest(answer)}, nil
}

// contentDigest is checklists.ContentDigest of any JSON value: the
// content_digest of a shift handover, which both guards sign.
func contentDigest(request []byte) (any, *Failure) {
	var value any
	if err := json.Unmarshal(request, &value); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "contentDigest: " + err.Error()}
	}
	digest, err := checklists.ContentDigest(value)
	if err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "contentDigest: " + err.Error()}
	}
	return Digested{Digest: digest}, nil
}

// CountersignMessageRequest names what a countersigner signs; its members
// are those of checklists.CountersignSubject.
type CountersignMessageRequest struct {
	InspectionID string `json:"inspection_id"`
	Path         string `json:"item"`
	AnswerSHA256 string `json:"answer_sha256"`
	UserID       string `json:"user_id"`
	KeyID        string `json:"key_id"`
	SignedAt     string `json:"signed_at"`
}

// Message is the text a countersigner's key signs, as UTF-8 bytes of
// the JSON string.
type Message struct {
	Message string `json:"message"`
}

// countersignMessage is checklists.CountersignSubject.Message: the exact
// bytes the phone signs and the server verifies. Every member is needed.
func countersignMessage(request []byte) (any, *Failure) {
	var call CountersignMessageRequest
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "countersignMessage: " + err.Error()}
	}
	for _, field := range []struct{ name, value string }{
		{"inspection_id", call.InspectionID}, {"item", call.Path}, {"answer_sha256", call.AnswerSHA256},
		{"user_id", call.UserID}, {"key_id", call.KeyID}, {"signed_at", call.SignedAt},
	} {
		if field.value == "" {
			return nil, &Failure{Code: CodeBadRequest, Message: "countersignMessage: " + field.name + " is missing"}
		}
	}
	subject := checklists.CountersignSubject(call)
	return Message{Message: string(subject.Message())}, nil
}
