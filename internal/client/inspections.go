package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// ErrNotFound means the local replica has no such template or inspection.
var ErrNotFound = errors.New("client: not found on this device")

// ErrNotEditable means the inspection is submitted or approved: only the
// server's review can change it now.
var ErrNotEditable = errors.New("client: inspection is not editable")

// TemplateVersion is a published template as pulled.
type TemplateVersion struct {
	ID         string          `json:"id"`
	TemplateID string          `json:"template_id"`
	Key        string          `json:"key"`
	Number     int             `json:"number"`
	Document   json.RawMessage `json:"document"`
}

// Parse reads the checklist document.
func (v TemplateVersion) Parse() (*checklists.Template, error) {
	return checklists.Parse(v.Document)
}

// Inspection is the local view of an inspection: the server's record with
// the user's pending changes laid over it.
type Inspection struct {
	ID              string                       `json:"id"`
	TemplateID      string                       `json:"template_id"`
	TemplateVersion int                          `json:"template_version"`
	SiteID          string                       `json:"site_id"`
	Status          string                       `json:"status"`
	Answers         map[string]checklists.Answer `json:"answers"`
	Context         map[string]any               `json:"context,omitempty"`
	MediaPending    bool                         `json:"media_pending"` // as the server last said
	Outcome         string                       `json:"outcome,omitempty"`
	Version         int64                        `json:"-"` // the server's version; 0 until it has one
	Pending         int                          `json:"-"` // mutations still in the outbox
}

// Templates lists the published template versions the device has.
func (c *Client) Templates(ctx context.Context) ([]TemplateVersion, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT entity_id, data FROM replica
WHERE entity_type = 'template_version' AND data IS NOT NULL ORDER BY entity_id`)
	if err != nil {
		return nil, fmt.Errorf("client.Templates: %w", err)
	}
	defer rows.Close()
	var out []TemplateVersion
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		var v TemplateVersion
		if err := decodeJSON(data, &v); err != nil {
			return nil, fmt.Errorf("client.Templates: %s: %w", id, err)
		}
		if v.ID == "" {
			v.ID = id
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Template is the latest published version of the template with key.
func (c *Client) Template(ctx context.Context, key string) (TemplateVersion, error) {
	all, err := c.Templates(ctx)
	if err != nil {
		return TemplateVersion{}, err
	}
	var best TemplateVersion
	for _, v := range all {
		if v.Key == key && v.Number > best.Number {
			best = v
		}
	}
	if best.Number == 0 {
		return best, fmt.Errorf("client.Template %q: %w", key, ErrNotFound)
	}
	return best, nil
}

// StartInspection starts an inspection of the latest published version of
// a template at a site; values are the context the template compares
// answers with (may be nil). It returns the new inspection's id.
func (c *Client) StartInspection(ctx context.Context, templateKey, siteID string, values map[string]any) (string, error) {
	v, err := c.Template(ctx, templateKey)
	if err != nil {
		return "", err
	}
	id := newID()
	payload := mutation.StartInspection{TemplateID: v.TemplateID, TemplateVersion: json.Number(strconv.Itoa(v.Number)),
		SiteID: siteID, StartedAt: time.Now().UTC().Format(time.RFC3339)}
	if len(values) > 0 {
		if payload.Context, err = json.Marshal(values); err != nil {
			return "", fmt.Errorf("client.StartInspection: %w", err)
		}
	}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.InspectionStart, id, nil, payload)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("client.StartInspection: %w", err)
	}
	return id, nil
}

// SetAnswer answers the item at path (a JSON pointer such as "/alarm_on"
// or "/extinguishers/1/pressure_ok").
func (c *Client) SetAnswer(ctx context.Context, inspectionID, path string, answer checklists.Answer) error {
	raw, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("client.SetAnswer: %w", err)
	}
	return c.act(ctx, mutation.AnswerSet, inspectionID, mutation.Answer{Path: path, Answer: raw})
}

// ClearAnswer removes the answer at path.
func (c *Client) ClearAnswer(ctx context.Context, inspectionID, path string) error {
	return c.act(ctx, mutation.AnswerClear, inspectionID, mutation.Answer{Path: path})
}

// Submit hands the inspection in; the server validates it then.
func (c *Client) Submit(ctx context.Context, inspectionID string) error {
	return c.act(ctx, mutation.InspectionSubmit, inspectionID,
		mutation.Submit{SubmittedAt: time.Now().UTC().Format(time.RFC3339)})
}

// SubmitDrill submits an inspection of the drill template as the record
// of scheduled drill drillID (inspection.submit's drill_id): the server
// holds the drill by it, or rejects the submit.
func (c *Client) SubmitDrill(ctx context.Context, inspectionID, drillID string) error {
	return c.act(ctx, mutation.InspectionSubmit, inspectionID,
		mutation.Submit{SubmittedAt: time.Now().UTC().Format(time.RFC3339), DrillID: &drillID})
}

// act records a change to an inspection the user may still edit.
func (c *Client) act(ctx context.Context, mutationType mutation.Type, inspectionID string, payload any) error {
	return c.actWith(ctx, mutationType, inspectionID, payload, nil)
}

// actWith is act with more local writes (before may be nil) committed in
// the same transaction as the mutation, before it.
func (c *Client) actWith(ctx context.Context, mutationType mutation.Type, inspectionID string, payload any,
	before func(tx *sql.Tx) error) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		view, err := viewOf(tx, "inspection", inspectionID)
		if err != nil {
			return err
		}
		if view == nil {
			return ErrNotFound
		}
		if status, _ := view["status"].(string); status != "in_progress" && status != "returned" {
			return fmt.Errorf("%w (%s)", ErrNotEditable, status)
		}
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		_, err = record(tx, mutationType, inspectionID, nil, payload)
		return err
	})
	if err != nil {
		return fmt.Errorf("client %s %s: %w", mutationType, inspectionID, err)
	}
	return nil
}

// Inspections lists the inspections the device knows, its own pending ones
// included.
func (c *Client) Inspections(ctx context.Context) ([]Inspection, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT r.data, r.version,
(SELECT count(*) FROM outbox o WHERE o.entity_type = r.entity_type AND o.entity_id = r.entity_id)
FROM replica r WHERE r.entity_type = 'inspection' AND r.data IS NOT NULL ORDER BY r.entity_id`)
	if err != nil {
		return nil, fmt.Errorf("client.Inspections: %w", err)
	}
	defer rows.Close()
	var out []Inspection
	for rows.Next() {
		var data string
		var in Inspection
		if err := rows.Scan(&data, &in.Version, &in.Pending); err != nil {
			return nil, err
		}
		if err := decodeJSON(data, &in); err != nil {
			return nil, fmt.Errorf("client.Inspections: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Results lists the server's answers to mutations that left the outbox, in
// the order the user acted: what a device shows for conflicts and
// rejections.
func (c *Client) Results(ctx context.Context) ([]Result, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT body FROM results ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("client.Results: %w", err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var body string
		var r Result
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := decodeJSON(body, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
