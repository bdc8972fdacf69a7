package client

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/patrolsync/patrolsync/checklists"
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
	Witnesses   []map[string]string          `json:"witnesses,omitempty"`
	CCTV        []map[string]string          `json:"cctv,omitempty"`
}

// ReportIncident records an incident report (incident.report) in the
// outbox, offline like every other action, and returns the new incident's
// id; Sync delivers it. The report carries its category and the answers to
// that category's questions (GET /v1/incident-categories); the server checks them.
func (c *Client) ReportIncident(ctx context.Context, report IncidentReport) (string, error) {
	id := newID()
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, "incident.report", id, nil, report)
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
		_, err := record(tx, "incident.follow_up", id, nil, map[string]any{"note": note})
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
