package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/patrolsync/patrolsync/internal/mutation"
)

// Duties on the device (issue 16 item 4): the guard's shifts, the duty
// log, handovers and training sign-in, all recorded offline and pushed.

// Shift is a roster line as the device holds it (entity_type duty_shift).
type Shift struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Post      string    `json:"post"`
	UserID    string    `json:"user_id"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Cancelled bool      `json:"cancelled"`
}

// Handover is a handover as the device holds it (entity_type handover).
type Handover struct {
	ID             string `json:"id"`
	SiteID         string `json:"site_id"`
	Post           string `json:"post"`
	OutgoingUserID string `json:"outgoing_user_id"`
	IncomingUserID string `json:"incoming_user_id"`
	ContentDigest  string `json:"content_digest"`
	Status         string `json:"status"`
}

// Shifts lists the roster lines the device holds (the user's own), live
// ones only, by start.
func (c *Client) Shifts(ctx context.Context) ([]Shift, error) {
	var out []Shift
	err := c.replicaOf(ctx, "duty_shift", func(data string) error {
		var s Shift
		if err := decodeJSON(data, &s); err != nil {
			return err
		}
		if !s.Cancelled {
			out = append(out, s)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Shift) int { return a.StartsAt.Compare(b.StartsAt) })
	return out, err
}

// Handovers lists the handovers the device holds (its sites').
func (c *Client) Handovers(ctx context.Context) ([]Handover, error) {
	var out []Handover
	err := c.replicaOf(ctx, "handover", func(data string) error {
		var h Handover
		if err := decodeJSON(data, &h); err != nil {
			return err
		}
		out = append(out, h)
		return nil
	})
	return out, err
}

// replicaOf calls each with the data of every held record of a type.
func (c *Client) replicaOf(ctx context.Context, entityType string, each func(string) error) error {
	rows, err := c.db.QueryContext(ctx, `SELECT data FROM replica WHERE entity_type = ? AND data IS NOT NULL ORDER BY entity_id`, entityType)
	if err != nil {
		return fmt.Errorf("client %s: %w", entityType, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if err := each(data); err != nil {
			return fmt.Errorf("client %s: %w", entityType, err)
		}
	}
	return rows.Err()
}

// WriteDutyLog writes a line of the duty log offline (duty_log.write) and
// returns its id.
func (c *Client) WriteDutyLog(ctx context.Context, siteID, kind, text string) (string, error) {
	id := newID()
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.DutyLogWrite, id, nil, mutation.WriteDutyLog{SiteID: siteID, Kind: kind, Text: text,
			OccurredAt: time.Now().UTC().Format(time.RFC3339)})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("client duty_log.write: %w", err)
	}
	return id, nil
}

// StartHandover hands over offline as the outgoing guard, signing with
// the drawn strokes (handover.start), and returns the handover's id.
func (c *Client) StartHandover(ctx context.Context, in mutation.StartHandover) (string, error) {
	id := newID()
	in.ID = ""
	if in.HandedAt == "" {
		in.HandedAt = time.Now().UTC().Format(time.RFC3339)
	}
	if in.Signature.SignedAt == "" {
		in.Signature.SignedAt = time.Now().UTC().Format(time.RFC3339)
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.HandoverStart, id, nil, in)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("client handover.start: %w", err)
	}
	return id, nil
}

// SignHandover signs, as the incoming guard, a handover the device holds
// (pulled from the server), over the content digest it read.
func (c *Client) SignHandover(ctx context.Context, handoverID string, strokes json.RawMessage) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		view, err := viewOf(tx, "handover", handoverID)
		if err != nil {
			return err
		}
		digest, _ := view["content_digest"].(string)
		if view == nil || digest == "" {
			return ErrNotFound // not pulled yet: only a handover read can be signed
		}
		_, err = record(tx, mutation.HandoverSign, handoverID, nil, mutation.SignHandover{ContentDigest: digest,
			Signature: mutation.DrawnSignature{Strokes: strokes, SignedAt: time.Now().UTC().Format(time.RFC3339)}})
		return err
	})
	if err != nil {
		return fmt.Errorf("client handover.sign %s: %w", handoverID, err)
	}
	return nil
}

// AttendTraining signs the attendance sheet of a training session
// (training.attend).
func (c *Client) AttendTraining(ctx context.Context, trainingID string, strokes json.RawMessage) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		_, err := record(tx, mutation.TrainingAttend, trainingID, nil, mutation.AttendTraining{
			Signature: mutation.DrawnSignature{Strokes: strokes, SignedAt: time.Now().UTC().Format(time.RFC3339)}})
		return err
	})
	if err != nil {
		return fmt.Errorf("client training.attend %s: %w", trainingID, err)
	}
	return nil
}
