package client

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// overlay applies a pending mutation to the local view of its entity the
// way the server will, so that the user sees their own changes before the
// server has them. data may be nil (nothing known yet); the result is nil
// when the entity still does not exist. The server's record, when it comes,
// replaces all of this.
func overlay(data map[string]any, m outboxEntry) map[string]any {
	var payload map[string]any
	if err := json.Unmarshal(m.Payload, &payload); err != nil {
		return data
	}
	switch mutation.Type(m.Type) {
	case mutation.IncidentReport:
		if data != nil {
			return data
		}
		data = maps.Clone(payload)
		data["id"], data["status"] = m.EntityID, "reported"
		return data
	case mutation.HandoverStart, mutation.DutyLogWrite:
		if data != nil {
			return data
		}
		data = maps.Clone(payload)
		data["id"] = m.EntityID
		if mutation.Type(m.Type) == mutation.HandoverStart {
			data["status"] = "awaiting_incoming"
		}
		return data
	case mutation.InspectionStart, mutation.FindingCreate:
		if data != nil {
			return data // already known: the start was applied, or came back in a pull
		}
		data = maps.Clone(payload)
		data["id"] = m.EntityID
		if mutation.Type(m.Type) == mutation.InspectionStart {
			data["status"], data["answers"] = "in_progress", map[string]any{}
		} else {
			data["status"] = "open"
		}
		return data
	}
	if data == nil {
		return nil
	}
	data = maps.Clone(data)
	switch mutation.Type(m.Type) {
	case mutation.AnswerSet:
		path, _ := payload["path"].(string)
		setAnswer(data, path, payload["answer"])
	case mutation.AnswerClear:
		path, _ := payload["path"].(string)
		setAnswer(data, path, nil)
	case mutation.InspectionSubmit:
		data["status"] = "submitted"
	case mutation.FindingUpdate:
		maps.Copy(data, payload)
	case mutation.HandoverSign:
		data["status"] = "completed"
	}
	return data
}

// setAnswer sets (or, with a nil answer, clears) the answer at a JSON
// pointer: "/key" for a top-level item, "/group/index/child" for an item of
// a group repeat.
func setAnswer(data map[string]any, path string, answer any) {
	parts := pointerParts(path)
	answers, _ := data["answers"].(map[string]any)
	answers = maps.Clone(answers)
	if answers == nil {
		answers = map[string]any{}
	}
	data["answers"] = answers
	switch len(parts) {
	case 1:
		if answer == nil {
			delete(answers, parts[0])
		} else {
			answers[parts[0]] = answer
		}
	case 3:
		index, err := strconv.Atoi(parts[1])
		if err != nil || index < 0 || index > 1000 {
			return
		}
		group, _ := answers[parts[0]].(map[string]any)
		group = maps.Clone(group)
		if group == nil {
			group = map[string]any{}
		}
		repeats, _ := group["repeats"].([]any)
		repeats = append([]any(nil), repeats...)
		for len(repeats) <= index {
			repeats = append(repeats, map[string]any{})
		}
		repeat, _ := repeats[index].(map[string]any)
		repeat = maps.Clone(repeat)
		if repeat == nil {
			repeat = map[string]any{}
		}
		if answer == nil {
			delete(repeat, parts[2])
		} else {
			repeat[parts[2]] = answer
		}
		repeats[index], group["repeats"] = repeat, repeats
		answers[parts[0]] = group
	}
}

// pointerParts splits a JSON pointer (RFC 6901) into unescaped tokens.
func pointerParts(pointer string) []string {
	if !strings.HasPrefix(pointer, "/") {
		return nil
	}
	parts := strings.Split(pointer[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}
