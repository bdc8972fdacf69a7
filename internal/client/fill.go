package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/patrolsync/patrolsync/checklists"
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
	for _, section := range t.Sections {
		for _, item := range section.Items {
			answer, ok := answers[item.Key]
			if !ok {
				continue
			}
			if item.Type != checklists.TypeGroup {
				out = append(out, PathAnswer{Path: "/" + pointerEscape(item.Key), Answer: answer})
				continue
			}
			for index, repeat := range answer.Repeats {
				for _, child := range item.Items {
					if a, ok := repeat[child.Key]; ok {
						out = append(out, PathAnswer{Path: "/" + pointerEscape(item.Key) + "/" + strconv.Itoa(index) + "/" +
							pointerEscape(child.Key), Answer: a})
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
func (c *Client) Fill(ctx context.Context, inspectionID string, t *checklists.Template, answers map[string]checklists.Answer) error {
	for _, step := range AnswerPaths(t, answers) {
		if err := c.SetAnswer(ctx, inspectionID, step.Path, step.Answer); err != nil {
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
