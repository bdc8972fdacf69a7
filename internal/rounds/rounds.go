// Package rounds is patrol work: routes of checkpoints, recurring schedules
// evaluated in the site's time zone, the rounds they materialise ahead of
// time so phones have them before going offline, the judgement of each
// round by its scan times once the device has had time to sync, and the
// reports of completion. It never rejects or drops a scan (wrong, early,
// late or out-of-order scans are flagged) and never notifies twice.
package rounds

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Round states.
const (
	Scheduled = "scheduled"
	Completed = "completed"
	Partial   = "partial"
	Missed    = "missed"
)

// Kinds of schedules and rounds.
const (
	KindRound      = "round"
	KindInspection = "inspection"
)

// Config is the timing of judgement.
type Config struct {
	Grace     time.Duration // after the window, scans still count as on time
	SyncDelay time.Duration // how long an offline device may take to deliver its scans
	Skew      time.Duration // device and server clocks may disagree by this much before a scan is flagged
	Horizon   time.Duration // how far ahead rounds are materialised
}

// DefaultConfig is used for zero fields.
var DefaultConfig = Config{Grace: 15 * time.Minute, SyncDelay: time.Hour, Skew: 5 * time.Minute, Horizon: 48 * time.Hour}

// Service holds the round use cases.
type Service struct {
	db     *store.DB
	notify *notify.Service
	cfg    Config
	log    *slog.Logger
}

// NewService builds the service.
func NewService(db *store.DB, notifier *notify.Service, cfg Config, log *slog.Logger) *Service {
	if cfg.Grace < 0 {
		cfg.Grace = DefaultConfig.Grace
	}
	if cfg.SyncDelay <= 0 {
		cfg.SyncDelay = DefaultConfig.SyncDelay
	}
	if cfg.Skew <= 0 {
		cfg.Skew = DefaultConfig.Skew
	}
	if cfg.Horizon <= 0 {
		cfg.Horizon = DefaultConfig.Horizon
	}
	return &Service{db: db, notify: notifier, cfg: cfg, log: log}
}

// Config returns the service's timing, for sync to flag scans with.
func (s *Service) Config() Config { return s.cfg }

// canSeeSite reports whether the caller works at site (admins: all).
func canSeeSite(p principal.Principal, siteID string) bool {
	return principal.OrgWide(p.Role) || slices.Contains(p.SiteIDs, siteID)
}

// siteScope is the sites a caller may list: nil for admins (all).
func siteScope(p principal.Principal, siteID string) ([]string, bool) {
	if siteID != "" {
		if !canSeeSite(p, siteID) {
			return nil, false
		}
		return []string{siteID}, true
	}
	if principal.OrgWide(p.Role) {
		return nil, true
	}
	return append([]string{}, p.SiteIDs...), true
}

func marshal(op string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return b, nil
}

// eachOrg runs fn for every organisation as the server itself acting for
// job, so that jobs see every tenant but each query stays scoped to one.
func eachOrg(ctx context.Context, db *store.DB, job string, fn func(ctx context.Context) error) error {
	orgs, err := db.Read(ctx).OrgIDs()
	if err != nil {
		return err
	}
	for _, org := range orgs {
		if err := fn(principal.AsSystem(ctx, org, job)); err != nil {
			return err
		}
	}
	return nil
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
