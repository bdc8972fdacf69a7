// Package notify tells people about events exactly once: a notification
// record per recipient, delivered to their phones through sync (entity type
// "notification", audience owner), and one signed webhook per event to the
// organisation's URL, posted by a job and retried with backoff. Events are
// keyed, and the keys are unique in the database, so a job that runs twice
// or concurrently never tells anyone twice. It never does network I/O inside
// a transaction.
package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Event is something people must hear about. Key identifies it for good:
// the same key is never notified or posted twice.
type Event struct {
	Key         string   // e.g. "round.missed:<round id>"
	Type        string   // e.g. "round.missed"
	SubjectType string   // "round" or "incident"
	SubjectID   string   // the record's id
	SiteID      string   // the site the record belongs to
	Recipients  []string // user ids
	// Level (of an incident) and Email: when both are set, the addresses
	// configured for the site and level get the email (email.go).
	Level string
	Email *Email
}

// Email is what an email about an event says. Link is a path on the
// server (the console's page of the record), made absolute when sent.
type Email struct {
	Subject string
	Body    string
	Link    string
}

// Notification is what a recipient's phone receives.
type Notification struct {
	ID          string    `json:"id"`
	UserID      string    `json:"user_id"`
	EventType   string    `json:"event_type"`
	SubjectType string    `json:"subject_type"`
	SubjectID   string    `json:"subject_id"`
	SiteID      *string   `json:"site_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// Enqueuer hands a job to the queue after commit.
type Enqueuer func(ctx context.Context, args DeliverArgs) error

// Service records and delivers notifications.
type Service struct {
	db      *store.DB
	client  *http.Client
	log     *slog.Logger
	enqueue Enqueuer
	mail    SMTPConfig
	baseURL string
}

// Mail is how the service sends email: through the SMTP server of SMTP,
// with links to the server at BaseURL. Without an SMTP address emails stay
// queued with the error that no SMTP server is configured.
type Mail struct {
	SMTP    SMTPConfig
	BaseURL string
}

// NewService builds the service. enqueue puts webhook and email
// deliveries on the job queue after their event commits; nil leaves them
// to the sweep.
func NewService(db *store.DB, enqueue Enqueuer, mail Mail, log *slog.Logger) *Service {
	return &Service{db: db, log: log, enqueue: enqueue, mail: mail.SMTP, baseURL: mail.BaseURL,
		client: &http.Client{Timeout: 10 * time.Second}}
}

// namespace derives notification ids from event keys, so that a retry of
// the same event computes the same ids.
var namespace = uuid.MustParse("6f6f0c0e-59b1-4e6a-9d43-6b1a4c7d2e01")

// Record writes the event's notifications and webhook delivery in tx and
// returns the deliveries to post after commit (none when the organisation
// has no webhook, or the event was recorded before).
func Record(tx *store.Tx, e Event) ([]DeliverArgs, error) {
	const op = "notify.Record"
	var site *string
	if e.SiteID != "" {
		site = &e.SiteID
	}
	for _, user := range e.Recipients {
		row := store.Notification{ID: uuid.NewSHA1(namespace, []byte(e.Key+"/"+user)).String(), UserID: user,
			EventKey: e.Key, EventType: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID, SiteID: site}
		inserted, err := tx.InsertNotificationIfAbsent(&row)
		if err != nil {
			return nil, errs.E(op, err)
		}
		if !inserted {
			continue
		}
		data, _ := json.Marshal(Notification{ID: row.ID, UserID: user, EventType: e.Type, SubjectType: e.SubjectType,
			SubjectID: e.SubjectID, SiteID: site, CreatedAt: row.CreatedAt})
		owner := user
		tx.RecordChange(store.Change{EntityType: "notification", EntityID: row.ID, Op: "upsert", Version: 1,
			Audience: store.AudienceOwner, OwnerID: &owner, SiteID: site, Data: data})
	}
	settings, err := tx.AlertSettings()
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	} else if err != nil {
		return nil, errs.E(op, err)
	}
	jobs, err := recordEmails(tx, e, settings)
	if err != nil || settings.WebhookURL == "" {
		return jobs, errs.Wrap(op, err)
	}
	delivery := store.WebhookDelivery{ID: uuid.NewSHA1(namespace, []byte(e.Key)).String(), EventKey: e.Key,
		EventType: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID, Status: "pending"}
	inserted, err := tx.InsertDeliveryIfAbsent(&delivery)
	if err != nil || !inserted {
		return jobs, errs.Wrap(op, err)
	}
	return append(jobs, DeliverArgs{OrgID: delivery.OrgID, DeliveryID: delivery.ID}), nil
}

// Enqueue hands deliveries recorded in a committed transaction to the job
// queue. A failure is logged, not returned: the write is committed, and the
// stranded-delivery sweep posts the webhook later.
func (s *Service) Enqueue(ctx context.Context, deliveries []DeliverArgs) {
	for _, d := range deliveries {
		if s.enqueue == nil {
			return
		}
		if err := s.enqueue(ctx, d); err != nil {
			s.log.Warn("webhook not enqueued; the sweep will post it", "delivery_id", d.DeliveryID, "err", err)
		}
	}
}
