package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// ChannelEmail is the DeliverArgs channel of an email.
const ChannelEmail = "email"

// MaxEmailAttempts is how often an email is tried before it is failed for
// good (the job queue retries it with backoff in between: ~1 s, 16 s,
// 81 s, … about an hour and a half in all).
const MaxEmailAttempts = 8

// SMTPConfig is the mail server (PATROLSYNC_SMTP_*). An empty Addr sends
// nothing: emails stay queued with that error until a server is set.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // the sender address
	Username string // with Password: AUTH PLAIN (only over TLS, or to localhost)
	Password string
	// TLS is "starttls" (upgrade when the server offers it, the default),
	// "tls" (implicit TLS, port 465) or "none".
	TLS string
}

// recordEmails writes one queued email per address configured for the
// event's site and level, in tx, and returns their jobs.
func recordEmails(tx *store.Tx, e Event, settings store.AlertSettings) ([]DeliverArgs, error) {
	if e.Email == nil || e.Level == "" {
		return nil, nil
	}
	var recipients []EmailRecipient
	if err := json.Unmarshal(settings.EmailRecipients, &recipients); err != nil || len(recipients) == 0 {
		return nil, nil
	}
	var jobs []DeliverArgs
	seen := map[string]bool{}
	for _, r := range recipients {
		if (r.SiteID != nil && *r.SiteID != e.SiteID) || !slices.Contains(r.Levels, e.Level) || seen[r.Email] {
			continue
		}
		seen[r.Email] = true
		row := store.EmailDelivery{ID: uuid.NewSHA1(namespace, []byte(e.Key+"/email/"+r.Email)).String(), EventKey: e.Key,
			EventType: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID, Recipient: r.Email,
			Subject: e.Email.Subject, Body: e.Email.Body + linkLine(e.Email.Link), Status: "queued"}
		inserted, err := tx.InsertEmailIfAbsent(&row)
		if err != nil {
			return nil, err
		}
		if inserted {
			jobs = append(jobs, DeliverArgs{OrgID: row.OrgID, DeliveryID: row.ID, Channel: ChannelEmail})
		}
	}
	return jobs, nil
}

// linkLine is a placeholder the sender replaces with the server's address,
// so that the stored body does not depend on the replica's configuration.
func linkLine(path string) string {
	if path == "" {
		return ""
	}
	return "\n{base_url}" + path + "\n"
}

// EmailView is an email's delivery state as admins see it.
type EmailView struct {
	ID        string     `json:"id"`
	EventType string     `json:"event_type"`
	Recipient string     `json:"recipient"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Emails lists the emails about one record, with their delivery state.
func (s *Service) Emails(ctx context.Context, subjectID string) ([]EmailView, error) {
	rows, err := s.db.Read(ctx).EmailDeliveries(subjectID)
	out := make([]EmailView, len(rows))
	for i, r := range rows {
		out[i] = EmailView{ID: r.ID, EventType: r.EventType, Recipient: r.Recipient, Subject: r.Subject, Status: r.Status,
			Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: r.SentAt}
	}
	return out, errs.Wrap("notify.Emails", err)
}

// deliverEmail sends one email. It is idempotent: a sent, failed or leased
// email is left alone. A failed attempt returns an error, so the queue
// retries it, until the last attempt marks it failed.
func (s *Service) deliverEmail(ctx context.Context, args DeliverArgs) error {
	const op = "notify.deliverEmail"
	// The job is DeliverArgs whatever its channel: audit entries name its kind.
	ctx = principal.AsSystem(ctx, args.OrgID, args.Kind())
	var row store.EmailDelivery
	claimed := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if claimed, err = tx.ClaimEmail(args.DeliveryID, tx.Now.Add(lease)); err != nil || !claimed {
			return err
		}
		row, err = tx.EmailDelivery(args.DeliveryID)
		return err
	})
	if err != nil || !claimed {
		return errs.Wrap(op, err)
	}
	sendErr := s.send(ctx, row)
	message := ""
	if sendErr != nil {
		message = sendErr.Error()
	}
	last := sendErr != nil && row.Attempts+1 >= MaxEmailAttempts
	err = s.db.InTx(ctx, func(tx *store.Tx) error { return tx.FinishEmail(row.ID, sendErr == nil, message, last) })
	if err != nil {
		return errs.E(op, err)
	}
	if sendErr != nil && !last {
		return errs.E(op, errs.Unavailable, sendErr)
	}
	if last {
		s.log.Warn("email failed for good", "email_id", row.ID, "recipient", row.Recipient, "err", sendErr)
	}
	return nil
}

// send talks SMTP to the configured server: one message, one recipient.
func (s *Service) send(ctx context.Context, row store.EmailDelivery) error {
	cfg := s.mail
	if cfg.Addr == "" {
		return fmt.Errorf("no SMTP server configured (PATROLSYNC_SMTP_ADDR)")
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("PATROLSYNC_SMTP_ADDR %q: %w", cfg.Addr, err)
	}
	dialer := &net.Dialer{Timeout: 15 * time.Second}
	var conn net.Conn
	if cfg.TLS == "tls" {
		conn, err = tls.DialWithDialer(dialer, "tcp", cfg.Addr, &tls.Config{ServerName: host})
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", cfg.Addr)
	}
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	client, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer client.Close()
	if cfg.TLS != "tls" && cfg.TLS != "none" {
		if ok, _ := client.Extension("STARTTLS"); ok {
			if err := client.StartTLS(&tls.Config{ServerName: host}); err != nil {
				return err
			}
		}
	}
	if cfg.Username != "" {
		if err := client.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			return err
		}
	}
	if err := client.Mail(cfg.From); err != nil {
		return err
	}
	if err := client.Rcpt(row.Recipient); err != nil {
		return err
	}
	w, err := client.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(message(cfg.From, row, strings.TrimRight(s.baseURL, "/"))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return client.Quit()
}

// message is the RFC 5322 message: UTF-8 text, base64 in the body, the
// subject encoded per RFC 2047, and a Message-ID made from the delivery id
// so that a resend after a lost answer is recognisable.
func message(from string, row store.EmailDelivery, baseURL string) []byte {
	var b bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	header("From", from)
	header("To", row.Recipient)
	header("Subject", mime.BEncoding.Encode("utf-8", row.Subject))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+row.ID+"."+randomHex(4)+"@patrolsync>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "base64")
	header("X-Patrolsync-Event", row.EventType)
	b.WriteString("\r\n")
	body := strings.ReplaceAll(row.Body, "{base_url}", baseURL)
	encoded := base64.StdEncoding.EncodeToString([]byte(body))
	for len(encoded) > 76 {
		b.WriteString(encoded[:76] + "\r\n")
		encoded = encoded[76:]
	}
	b.WriteString(encoded + "\r\n")
	return b.Bytes()
}

func randomHex(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}
