package notify

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
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

// DefaultDeadlines are the reporting deadlines of the regulations the
// templates cite (checklists/library/README.md, 002 and 001): major events
// within 1 hour, the initial report of others within 2.
var DefaultDeadlines = map[string]int{LevelGeneral: 120, LevelSerious: 120, LevelMajor: 60, LevelCritical: 60}

// Settings is an organisation's alerting, as admins see it. The secret is
// write-only.
type Settings struct {
	WebhookURL              string         `json:"webhook_url"`
	WebhookSecretSet        bool           `json:"webhook_secret_set"`
	IncidentDeadlineMinutes map[string]int `json:"incident_deadline_minutes"`
	Version                 int64          `json:"version"`
	UpdatedAt               *time.Time     `json:"updated_at"`
}

// SettingsInput changes the fields that are set.
type SettingsInput struct {
	WebhookURL              *string        `json:"webhook_url"`
	WebhookSecret           *string        `json:"webhook_secret"`
	IncidentDeadlineMinutes map[string]int `json:"incident_deadline_minutes"`
	Version                 *int64         `json:"version"`
}

// Deadlines reads the organisation's incident deadlines in minutes, with
// the defaults for levels it never set.
func Deadlines(tx *store.Tx) (map[string]int, error) {
	row, err := tx.AlertSettings()
	if errs.Is(err, errs.NotFound) {
		return copyDefaults(), nil
	}
	if err != nil {
		return nil, err
	}
	return policyOf(row), nil
}

func copyDefaults() map[string]int {
	out := map[string]int{}
	for k, v := range DefaultDeadlines {
		out[k] = v
	}
	return out
}

func policyOf(row store.AlertSettings) map[string]int {
	out := copyDefaults()
	var stored map[string]int
	json.Unmarshal(row.IncidentPolicy, &stored)
	for k, v := range stored {
		if _, ok := out[k]; ok && v > 0 {
			out[k] = v
		}
	}
	return out
}

func settingsView(row store.AlertSettings) Settings {
	s := Settings{WebhookURL: row.WebhookURL, WebhookSecretSet: row.WebhookSecret != "",
		IncidentDeadlineMinutes: policyOf(row), Version: row.Version}
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
		policy := policyOf(row)
		for level, minutes := range in.IncidentDeadlineMinutes {
			if _, ok := DefaultDeadlines[level]; !ok {
				fields["/incident_deadline_minutes/"+level] = "not a level: general, serious, major or critical"
			} else if minutes < 1 || minutes > 7*24*60 {
				fields["/incident_deadline_minutes/"+level] = "must be 1 to 10080 minutes"
			}
			policy[level] = minutes
		}
		if len(fields) > 0 {
			return errs.Fields(op, fields)
		}
		row.IncidentPolicy, _ = json.Marshal(policy)
		return tx.SaveAlertSettings(&row, expected)
	})
	if errs.Is(err, errs.Conflict) {
		err = errs.E(op, errs.Stale, "the settings changed since they were read", err)
	}
	return settingsView(row), errs.Wrap(op, err)
}
