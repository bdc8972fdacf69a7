package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// under the organisation's webhook secret.
const SignatureHeader = "X-Patrolsync-Signature"

// DeliverArgs is the job that delivers one notification: a webhook, or
// with Channel "email" one email (DeliveryID then names the email).
type DeliverArgs struct {
	OrgID      string `json:"org_id"`
	DeliveryID string `json:"delivery_id"`
	Channel    string `json:"channel,omitempty"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "notify.deliver_webhook" }

// Payload is the thin body of a webhook: ids and the event type only, so
// that nothing sensitive leaves without the receiver fetching it with
// credentials.
type Payload struct {
	DeliveryID  string    `json:"delivery_id"`
	EventType   string    `json:"event_type"`
	OrgID       string    `json:"org_id"`
	SubjectType string    `json:"subject_type"`
	SubjectID   string    `json:"subject_id"`
	OccurredAt  time.Time `json:"occurred_at"`
}

// Sign is the signature header value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// lease is how long a worker holds a delivery while posting it.
const lease = time.Minute

// Deliver posts one webhook. It is idempotent: a delivered or leased
// delivery is left alone. A failed post returns an error, so the job queue
// retries it with backoff.
func (s *Service) Deliver(ctx context.Context, args DeliverArgs) error {
	const op = "notify.Deliver"
	if args.Channel == ChannelEmail {
		return s.deliverEmail(ctx, args)
	}
	ctx = principal.AsSystem(ctx, args.OrgID, args.Kind())
	var delivery store.WebhookDelivery
	var settings store.AlertSettings
	claimed := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if claimed, err = tx.ClaimDelivery(args.DeliveryID, tx.Now.Add(lease)); err != nil || !claimed {
			return err
		}
		if delivery, err = tx.WebhookDelivery(args.DeliveryID); err != nil {
			return err
		}
		settings, err = tx.AlertSettings()
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil // no settings (never configured): nothing to post to
	}
	if err != nil || !claimed {
		return errs.Wrap(op, err)
	}
	postErr := s.post(ctx, settings, delivery)
	message := ""
	if postErr != nil {
		message = postErr.Error()
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return tx.FinishDelivery(delivery.ID, postErr == nil, message) })
	if err != nil {
		return errs.E(op, err)
	}
	if postErr != nil {
		return errs.E(op, errs.Unavailable, postErr)
	}
	return nil
}

func (s *Service) post(ctx context.Context, settings store.AlertSettings, d store.WebhookDelivery) error {
	if settings.WebhookURL == "" {
		return fmt.Errorf("no webhook URL configured")
	}
	body, _ := json.Marshal(Payload{DeliveryID: d.ID, EventType: d.EventType, OrgID: d.OrgID,
		SubjectType: d.SubjectType, SubjectID: d.SubjectID, OccurredAt: d.CreatedAt})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, settings.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "patrolsync-webhook/1")
	req.Header.Set("X-Patrolsync-Event", d.EventType)
	req.Header.Set("X-Patrolsync-Delivery", d.ID)
	req.Header.Set(SignatureHeader, Sign([]byte(settings.WebhookSecret), body))
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook answered %d", res.StatusCode)
	}
	return nil
}

// SweepArgs is the periodic job that re-enqueues deliveries whose job was
// lost between commit and enqueue (a crash in between).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "notify.sweep" }

// Sweep enqueues stranded deliveries of every organisation.
func (s *Service) Sweep(ctx context.Context, _ SweepArgs) error {
	orgs, err := s.db.Read(ctx).OrgIDs()
	if err != nil {
		return errs.E("notify.Sweep", err)
	}
	for _, org := range orgs {
		rows, err := s.db.Read(principal.AsSystem(ctx, org, SweepArgs{}.Kind())).StrandedDeliveries(time.Now().UTC().Add(-5*time.Minute), 500)
		if err != nil {
			return errs.E("notify.Sweep", err)
		}
		for _, row := range rows {
			s.Enqueue(ctx, []DeliverArgs{{OrgID: org, DeliveryID: row.ID}})
		}
		emails, err := s.db.Read(principal.AsSystem(ctx, org, SweepArgs{}.Kind())).StrandedEmails(time.Now().UTC().Add(-5*time.Minute), 500)
		if err != nil {
			return errs.E("notify.Sweep", err)
		}
		for _, row := range emails {
			s.Enqueue(ctx, []DeliverArgs{{OrgID: org, DeliveryID: row.ID, Channel: ChannelEmail}})
		}
	}
	return nil
}
