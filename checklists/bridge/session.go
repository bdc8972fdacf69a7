package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/checklists"
)

// A session is one form being filled in: its parsed template, its answers
// and its last result live inside the engine, so that after an answer only
// that answer crosses into the engine and only what it changed crosses
// back. Encoding the whole answer set and the whole result (a map entry per
// item) on every answer cost more than evaluating a 200-item template.
type session struct {
	template *checklists.Prepared
	input    checklists.Input
	last     checklists.Result
	// lastFindings, lastCountersigns and lastIncidents are the last
	// result's lists as JSON: their members hold maps, so they are
	// compared encoded.
	lastFindings, lastCountersigns, lastIncidents []byte
}

// maxSessions bounds the open forms; the oldest is dropped (its caller
// gets unknown_session and opens it again).
const maxSessions = 16

// CodeUnknownSession is the Failure.Code of a change to a session the
// engine no longer holds: open it again with the answers.
const CodeUnknownSession = "unknown_session"

// OpenRequest starts a session: the template whole or by a load's digest,
// and the answers so far.
type OpenRequest struct {
	Template json.RawMessage `json:"template,omitempty"`
	Digest   string          `json:"digest,omitempty"`
	checklists.Input
}

// Opened names the session and gives the whole first result.
type Opened struct {
	Session string            `json:"session"`
	Result  checklists.Result `json:"result"`
}

// ChangeRequest applies answers to a session: each key's new answer, or
// null to remove it. Context and InspectorID replace the session's when
// given.
type ChangeRequest struct {
	Session     string                     `json:"session"`
	Answers     map[string]json.RawMessage `json:"answers"`
	Context     map[string]any             `json:"context,omitempty"`
	InspectorID *string                    `json:"inspector_id,omitempty"`
}

// Changes is what an answer changed in the result. Outcome and score are
// always there; Visible and Required name only the paths whose flag
// changed (null: the path is gone, as a removed repeat's); a list is there
// only when it changed, then whole. Paths are the item paths whose state
// changed in any of them: what a form has to draw again.
type Changes struct {
	Outcome        string                         `json:"outcome"`
	Score          float64                        `json:"score"`
	Sections       []checklists.SectionResult     `json:"sections,omitempty"`
	Visible        map[string]*bool               `json:"visible,omitempty"`
	Required       map[string]*bool               `json:"required,omitempty"`
	Blocked        *[]string                      `json:"blocked,omitempty"`
	Missing        *[]string                      `json:"missing,omitempty"`
	Errors         *[]checklists.FieldError       `json:"errors,omitempty"`
	Failed         *[]string                      `json:"failed,omitempty"`
	CriticalFailed *[]string                      `json:"critical_failed,omitempty"`
	Findings       *[]checklists.Finding          `json:"findings,omitempty"`
	Countersigns   *[]checklists.CountersignCheck `json:"countersigns,omitempty"`
	Incidents      *[]checklists.RaisedIncident   `json:"incidents,omitempty"`
	Paths          []string                       `json:"paths"`
}

// SessionRef names a session to close.
type SessionRef struct {
	Session string `json:"session"`
}

func (engine *Engine) open(request []byte) (any, *Failure) {
	var call OpenRequest
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "open: " + err.Error()}
	}
	template, failure := engine.template(call.Template, call.Digest)
	if failure != nil {
		return nil, failure
	}
	if call.Answers == nil {
		call.Answers = map[string]checklists.Answer{}
	}
	one := &session{template: checklists.Prepare(template), input: call.Input}
	one.remember(one.template.Evaluate(one.input))
	engine.mu.Lock()
	defer engine.mu.Unlock()
	engine.next++
	id := strconv.FormatUint(engine.next, 10)
	if len(engine.sessions) >= maxSessions {
		delete(engine.sessions, engine.order[0])
		engine.order = engine.order[1:]
	}
	engine.sessions[id] = one
	engine.order = append(engine.order, id)
	return Opened{Session: id, Result: one.last}, nil
}

func (engine *Engine) change(request []byte) (any, *Failure) {
	var call ChangeRequest
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "change: " + err.Error()}
	}
	engine.mu.Lock()
	one, ok := engine.sessions[call.Session]
	engine.mu.Unlock()
	if !ok {
		return nil, &Failure{Code: CodeUnknownSession, Message: fmt.Sprintf("no session %q is open", call.Session)}
	}
	// Decode every answer before applying any: a bad one changes nothing.
	answers := make(map[string]*checklists.Answer, len(call.Answers))
	for key, raw := range call.Answers {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			answers[key] = nil
			continue
		}
		var answer checklists.Answer
		if err := json.Unmarshal(raw, &answer); err != nil {
			return nil, &Failure{Code: CodeBadRequest, Message: "change: answers/" + key + ": " + err.Error()}
		}
		answers[key] = &answer
	}
	for key, answer := range answers {
		if answer == nil {
			delete(one.input.Answers, key)
		} else {
			one.input.Answers[key] = *answer
		}
	}
	if call.Context != nil {
		one.input.Context = call.Context
	}
	if call.InspectorID != nil {
		one.input.InspectorID = *call.InspectorID
	}
	before, beforeFindings, beforeCountersigns, beforeIncidents := one.last, one.lastFindings, one.lastCountersigns, one.lastIncidents
	one.remember(one.template.Evaluate(one.input))
	changes := diff(before, one.last, beforeFindings, one.lastFindings, beforeCountersigns, one.lastCountersigns)
	if !bytes.Equal(beforeIncidents, one.lastIncidents) {
		changes.Incidents = &one.last.Incidents
	}
	return changes, nil
}

func (engine *Engine) close(request []byte) (any, *Failure) {
	var call SessionRef
	if err := json.Unmarshal(request, &call); err != nil {
		return nil, &Failure{Code: CodeBadRequest, Message: "close: " + err.Error()}
	}
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if _, ok := engine.sessions[call.Session]; ok {
		delete(engine.sessions, call.Session)
		engine.order = slices.DeleteFunc(engine.order, func(id string) bool { return id == call.Session })
	}
	return SessionRef{Session: call.Session}, nil
}

func (one *session) remember(result checklists.Result) {
	one.last = result
	one.lastFindings, _ = json.Marshal(result.Findings)
	one.lastCountersigns, _ = json.Marshal(result.Countersigns)
	one.lastIncidents, _ = json.Marshal(result.Incidents)
}

// diff is what changed from before to after, and the paths it touches.
func diff(before, after checklists.Result, beforeFindings, afterFindings, beforeCountersigns, afterCountersigns []byte) Changes {
	changes := Changes{Outcome: after.Outcome, Score: after.Score, Paths: []string{}}
	touched := map[string]bool{}
	touch := func(path string) {
		if !touched[path] {
			touched[path] = true
			changes.Paths = append(changes.Paths, path)
		}
	}
	if !slices.Equal(before.Sections, after.Sections) {
		changes.Sections = after.Sections
	}
	changes.Visible = flagChanges(before.Visible, after.Visible, touch)
	changes.Required = flagChanges(before.Required, after.Required, touch)
	changes.Blocked = listChange(before.Blocked, after.Blocked, touch)
	changes.Missing = listChange(before.Missing, after.Missing, touch)
	changes.Failed = listChange(before.Failed, after.Failed, touch)
	changes.CriticalFailed = listChange(before.CriticalFailed, after.CriticalFailed, touch)
	if !slices.Equal(before.Errors, after.Errors) {
		changes.Errors = &after.Errors
		pathsOf(before.Errors, after.Errors, func(e checklists.FieldError) string { return e.Path }, touch)
	}
	if !bytes.Equal(beforeFindings, afterFindings) {
		changes.Findings = &after.Findings
		pathsOf(before.Findings, after.Findings, func(f checklists.Finding) string { return f.Path }, touch)
	}
	if !bytes.Equal(beforeCountersigns, afterCountersigns) {
		changes.Countersigns = &after.Countersigns
		pathsOf(before.Countersigns, after.Countersigns, func(c checklists.CountersignCheck) string { return c.Path }, touch)
	}
	slices.Sort(changes.Paths)
	return changes
}

// flagChanges lists the paths whose flag differs (nil: the path is gone).
func flagChanges(before, after map[string]bool, touch func(string)) map[string]*bool {
	var out map[string]*bool
	set := func(path string, value *bool) {
		if out == nil {
			out = map[string]*bool{}
		}
		out[path] = value
		touch(path)
	}
	kept := 0
	for path, flag := range after {
		old, ok := before[path]
		if ok {
			kept++
		}
		if !ok || old != flag {
			set(path, &flag)
		}
	}
	// Every path of before is in after when as many were found as before
	// has: only otherwise is before walked for the paths that went.
	if kept == len(before) {
		return out
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			set(path, nil)
		}
	}
	return out
}

// listChange gives the new list when it differs, touching the paths that
// came or went.
func listChange(before, after []string, touch func(string)) *[]string {
	if slices.Equal(before, after) {
		return nil
	}
	pathsOf(before, after, func(path string) string { return path }, touch)
	return &after
}

// pathsOf touches the paths of the entries of before and after that are
// not in both: an entry that changed in place touches its path too.
func pathsOf[T any](before, after []T, path func(T) string, touch func(string)) {
	count := map[string]int{}
	for _, entry := range before {
		count[entryKey(entry, path)]++
	}
	for _, entry := range after {
		count[entryKey(entry, path)]--
	}
	for key, n := range count {
		if n != 0 {
			touch(pathOfKey(key))
		}
	}
}

// entryKey identifies an entry by its path and its whole value.
func entryKey[T any](entry T, path func(T) string) string {
	encoded, _ := json.Marshal(entry)
	return path(entry) + "\x00" + string(encoded)
}

func pathOfKey(key string) string {
	if at := strings.IndexByte(key, 0); at >= 0 {
		return key[:at]
	}
	return key
}
