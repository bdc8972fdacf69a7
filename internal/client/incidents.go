package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// IncidentReport is the incident.report payload (docs/sync-protocol.md,
// openapi.yaml IncidentReportPayload).
type IncidentReport struct {
	SiteID      string                       `json:"site_id"`
	Type        string                       `json:"type"`
	Category    string                       `json:"category"`
	Level       string                       `json:"level"`
	Place       string                       `json:"place,omitempty"`
	OccurredAt  string                       `json:"occurred_at"`
	Description string                       `json:"description,omitempty"`
	Media       []string                     `json:"media,omitempty"`
	Answers     map[string]checklists.Answer `json:"answers,omitempty"`
	Witnesses   []mutation.IncidentWitness   `json:"witnesses,omitempty"`
	CCTV        []mutation.IncidentCCTV      `json:"cctv,omitempty"`
}

// wire is the report as the mutation table declares incident.report: the
// answers encoded as answer.set carries them.
func (r IncidentReport) wire() (mutation.ReportIncident, error) {
	out := mutation.ReportIncident{SiteID: r.SiteID, Type: r.Type, Category: r.Category, Level: r.Level, Place: r.Place,
		OccurredAt: r.OccurredAt, Description: r.Description, Media: r.Media, Witnesses: r.Witnesses, CCTV: r.CCTV}
	for key, answer := range r.Answers {
		raw, err := json.Marshal(answer)
		if err != nil {
			return out, err
		}
		if out.Answers == nil {
			out.Answers = map[string]json.RawMessage{}
		}
		out.Answers[key] = raw
	}
	return out, nil
}

// ReportIncident records an incident report (incident.report) in the
// outbox, offline like every other action, and returns the new incident's
// id; Sync delivers it. The report carries its category and the answers to
// that category's questions (GET /v1/incident-categories); the server checks them.
func (c *Client) ReportIncident(ctx context.Context, report IncidentReport) (string, error) {
	id := newID()
	payload, err := report.wire()
	if err != nil {
		return "", fmt.Errorf("client incident.report: %w", err)
	}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.IncidentReport, id, nil, payload)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("client incident.report: %w", err)
	}
	return id, nil
}

// FollowUpIncident records a progress report (incident.follow_up) on an
// incident.
func (c *Client) FollowUpIncident(ctx context.Context, id, note string) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.IncidentFollowUp, id, nil, mutation.FollowUpIncident{Note: note})
		return err
	})
	if err != nil {
		return fmt.Errorf("client incident.follow_up %s: %w", id, err)
	}
	return nil
}

// IncidentQuestions reads the template of the categories' questions: a
// section per category, shown when context.incident_category names it.
func (c *Client) IncidentQuestions(ctx context.Context) (*checklists.Template, error) {
	var out struct {
		Questions *checklists.Template `json:"questions"`
	}
	if err := c.callJSON(ctx, "GET", "/v1/incident-categories", nil, nil, &out, true); err != nil {
		return nil, fmt.Errorf("client incident categories: %w", err)
	}
	if out.Questions == nil {
		return nil, fmt.Errorf("client incident categories: no questions in the answer")
	}
	return out.Questions, nil
}
