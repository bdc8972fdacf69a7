package notify

import (
	"context"
	"encoding/json"
	"maps"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/incident/policy"
	"github.com/patrolsync/patrolsync/internal/input"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Incident levels (突发事件分级), weakest first, with the labels of the
// regulations: general 一般 (四级), serious 较大 (三级), major 重大 (二级),
// critical 特别重大 (一级).
const (
	LevelGeneral  = "general"
	LevelSerious  = "serious"
	LevelMajor    = "major"
	LevelCritical = "critical"
)

// Levels lists the incident levels in order.
var Levels = []string{LevelGeneral, LevelSerious, LevelMajor, LevelCritical}

// Settings is an organisation's alerting, as admins see it. The secret is
// write-only.
type Settings struct {
	WebhookURL       string `json:"webhook_url"`
	WebhookSecretSet bool   `json:"webhook_secret_set"`
	// IncidentDeadlineMinutes is each level's report deadline, as the first
	// release had it; IncidentDeadlines has all four.
	IncidentDeadlineMinutes map[string]int   `json:"incident_deadline_minutes"`
	IncidentDeadlines       policy.Policy    `json:"incident_deadlines"`
	EmailRecipients         []EmailRecipient `json:"email_recipients"`
	Version                 int64            `json:"version"`
	UpdatedAt               *time.Time       `json:"updated_at"`
}

// EmailRecipient is an address told by email about the incidents of a
// site (all sites when SiteID is nil) at the given levels.
type EmailRecipient struct {
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	SiteID *string  `json:"site_id"`
	Levels []string `json:"levels"`
}

// SettingsInput changes the fields that are set.
type SettingsInput struct {
	WebhookURL              *string                   `json:"webhook_url"`
	WebhookSecret           *string                   `json:"webhook_secret"`
	IncidentDeadlineMinutes map[string]int            `json:"incident_deadline_minutes"`
	IncidentDeadlines       map[string]map[string]int `json:"incident_deadlines"`
	EmailRecipients         *[]EmailRecipient         `json:"email_recipients"`
	Version                 *int64                    `json:"version"`
}

// IncidentPolicy reads the organisation's incident deadlines, with the
// regulations' defaults for what it never set.
func IncidentPolicy(tx *store.Tx) (policy.Policy, error) {
	row, err := tx.AlertSettings()
	if errs.Is(err, errs.NotFound) {
		return policy.Parse(nil), nil
	}
	if err != nil {
		return nil, err
	}
	return policy.Parse(row.IncidentPolicy), nil
}

func recipientsOf(row store.AlertSettings) []EmailRecipient {
	out := []EmailRecipient{}
	json.Unmarshal(row.EmailRecipients, &out)
	return out
}

func settingsView(row store.AlertSettings) Settings {
	p := policy.Parse(row.IncidentPolicy)
	minutes := map[string]int{}
	for level, d := range p {
		minutes[level] = d.ReportMinutes
	}
	s := Settings{WebhookURL: row.WebhookURL, WebhookSecretSet: row.WebhookSecret != "",
		IncidentDeadlineMinutes: minutes, IncidentDeadlines: p, EmailRecipients: recipientsOf(row), Version: row.Version}
	if row.Version > 0 {
		s.UpdatedAt = &row.UpdatedAt
	}
	return s
}

// Settings reads the caller's organisation's alerting.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	row, err := s.db.Read(ctx).AlertSettings()
	if errs.Is(err, errs.NotFound) {
		return settingsView(store.AlertSettings{}), nil
	}
	return settingsView(row), errs.Wrap("notify.Settings", err)
}

// UpdateSettings changes the caller's organisation's alerting.
func (s *Service) UpdateSettings(ctx context.Context, in SettingsInput) (Settings, error) {
	const op = "notify.UpdateSettings"
	var row store.AlertSettings
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		row, err = tx.AlertSettings()
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		expected := row.Version
		if in.Version != nil {
			expected = *in.Version
		}
		fields := map[string]string{}
		if in.WebhookURL != nil {
			row.WebhookURL = *in.WebhookURL
			if u, err := url.Parse(row.WebhookURL); row.WebhookURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
				fields["/webhook_url"] = "must be an http or https URL, or empty to stop webhooks"
			}
		}
		if in.WebhookSecret != nil {
			row.WebhookSecret = *in.WebhookSecret
			if n := len(row.WebhookSecret); n > 0 && (n < 16 || n > 256) {
				fields["/webhook_secret"] = "must be 16 to 256 characters"
			}
		}
		if row.WebhookURL != "" && row.WebhookSecret == "" {
			fields["/webhook_secret"] = "required with a webhook URL: every delivery is signed"
		}
		deadlines := policy.Parse(row.IncidentPolicy)
		for level, minutes := range in.IncidentDeadlineMinutes {
			maps.Copy(fields, deadlines.Edit(map[string]map[string]int{level: {"report_minutes": minutes}}, "/incident_deadline_minutes"))
		}
		maps.Copy(fields, deadlines.Edit(in.IncidentDeadlines, "/incident_deadlines"))
		if in.EmailRecipients != nil {
			checked, problems := checkRecipients(tx, *in.EmailRecipients)
			maps.Copy(fields, problems)
			row.EmailRecipients, _ = json.Marshal(checked)
		}
		if row.EmailRecipients == nil {
			row.EmailRecipients = []byte("[]")
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		row.IncidentPolicy, _ = json.Marshal(deadlines)
		return tx.SaveAlertSettings(&row, expected)
	})
	if errs.Is(err, errs.Conflict) {
		err = errs.E(op, errs.Stale, "the settings changed since they were read", err)
	}
	return settingsView(row), errs.Wrap(op, err)
}

// checkRecipients checks the email recipients: a name, an address, a site
// of the organisation or none (every site), and known levels (none: all).
func checkRecipients(tx *store.Tx, list []EmailRecipient) ([]EmailRecipient, map[string]string) {
	fields := map[string]string{}
	if len(list) > 200 {
		fields["/email_recipients"] = "at most 200 recipients"
		return nil, fields
	}
	out := make([]EmailRecipient, len(list))
	for i, r := range list {
		at := "/email_recipients/" + strconv.Itoa(i)
		if r.Name == "" || len([]rune(r.Name)) > 100 {
			fields[at+"/name"] = "required, at most 100 characters"
		}
		if address, err := mail.ParseAddress(r.Email); err != nil || address.Address != r.Email || len(r.Email) > 254 {
			fields[at+"/email"] = "must be an email address such as duty@example.com"
		}
		if r.SiteID != nil {
			if !input.IsUUID(*r.SiteID) {
				fields[at+"/site_id"] = "must be a site id (null: every site)"
			} else if _, err := tx.Site(*r.SiteID); err != nil {
				fields[at+"/site_id"] = "no such site (null: every site)"
			}
		}
		if len(r.Levels) == 0 {
			r.Levels = slices.Clone(policy.Levels)
		}
		for j, level := range r.Levels {
			if policy.Rank(level) < 0 {
				fields[at+"/levels/"+strconv.Itoa(j)] = "not a level: general, serious, major or critical"
			}
		}
		out[i] = r
	}
	return out, fields
}
