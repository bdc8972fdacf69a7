package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// PathAnswer is one answer.set: the item's JSON pointer and its answer.
type PathAnswer struct {
	Path   string
	Answer checklists.Answer
}

// AnswerPaths flattens a full answer set into answer.set steps, in the
// template's order: "/key" for an item, "/group/index/child" for each item
// of a group repeat (the server takes group answers item by item).
func AnswerPaths(t *checklists.Template, answers map[string]checklists.Answer) []PathAnswer {
	var out []PathAnswer
	for _, step := range answerSteps(t, answers) {
		out = append(out, PathAnswer{Path: step.Path, Answer: step.Answer})
	}
	return out
}

// answerStep is one answer.set with the item it answers.
type answerStep struct {
	PathAnswer
	Item checklists.Item
}

func answerSteps(t *checklists.Template, answers map[string]checklists.Answer) []answerStep {
	var out []answerStep
	for _, section := range t.Sections {
		for _, item := range section.Items {
			answer, ok := answers[item.Key]
			if !ok {
				continue
			}
			if item.Type != checklists.TypeGroup {
				out = append(out, answerStep{PathAnswer{"/" + pointerEscape(item.Key), answer}, item})
				continue
			}
			for index, repeat := range answer.Repeats {
				for _, child := range item.Items {
					if a, ok := repeat[child.Key]; ok {
						path := "/" + pointerEscape(item.Key) + "/" + strconv.Itoa(index) + "/" + pointerEscape(child.Key)
						out = append(out, answerStep{PathAnswer{path, a}, child})
					}
				}
			}
		}
	}
	return out
}

func pointerEscape(token string) string {
	out := make([]byte, 0, len(token))
	for i := 0; i < len(token); i++ {
		switch token[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, token[i])
		}
	}
	return string(out)
}

// Fill answers every item of a full answer set, one local action each.
// Every media id the answers name must be queued for this inspection
// (AttachMedia); an id that is not gets a small generated image, so that
// simulated devices upload real bytes. An id queued for another inspection
// is an error: the server would refuse the answer.
func (c *Client) Fill(ctx context.Context, inspectionID string, t *checklists.Template, answers map[string]checklists.Answer) error {
	for _, step := range answerSteps(t, answers) {
		missing, err := c.unqueuedMedia(ctx, inspectionID, step)
		if err != nil {
			return fmt.Errorf("client.Fill %s: %w", step.Path, err)
		}
		answer, err := json.Marshal(step.Answer)
		if err != nil {
			return fmt.Errorf("client.Fill %s: %w", step.Path, err)
		}
		payload := mutation.Answer{Path: step.Path, Answer: answer}
		err = c.actWith(ctx, mutation.AnswerSet, inspectionID, payload, func(tx *sql.Tx) error {
			for _, q := range missing {
				if err := queueMedia(tx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ServerInspections reads the user's inspections straight from the server
// (GET /v1/inspections), every page; status may be empty.
func (c *Client) ServerInspections(ctx context.Context, status string) ([]Inspection, error) {
	var all []Inspection
	cursor := ""
	for {
		q := url.Values{"limit": {"100"}}
		if status != "" {
			q.Set("status", status)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []Inspection `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}
		if err := c.callJSON(ctx, http.MethodGet, "/v1/inspections", q, nil, &page, true); err != nil {
			return nil, fmt.Errorf("client.ServerInspections: %w", err)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.NextCursor
	}
}
