// Package syncer is the offline sync protocol: push applies batches of
// mutations from devices, each idempotent by its id and answered with its
// own result; pull hands out the change log in commit order within the
// caller's scope. It never trusts a device's clock for ordering, never
// applies a mutation twice, and never lets one bad mutation sink a batch.
package syncer

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/media"
	"github.com/patrolsync/patrolsync/internal/mutation"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/rounds"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Limits of one push.
const (
	MaxBatch = 500
)

// Mutation is one change a device made offline, as internal/mutation
// declares it for the server and devices alike.
type Mutation = mutation.Envelope

// Result statuses.
const (
	Applied   = "applied"
	Duplicate = "duplicate"
	Conflict  = "conflict"
	Rejected  = "rejected"
)

// Result is the answer to one mutation. Its JSON is stored and replayed
// byte for byte when the same mutation comes again.
type Result struct {
	MutationID   string          `json:"mutation_id"`
	Status       string          `json:"status"`
	EntityID     string          `json:"entity_id,omitempty"`
	Version      int64           `json:"version,omitempty"`
	ContentHash  string          `json:"content_hash,omitempty"`
	Errors       []FieldError    `json:"errors,omitempty"`
	ServerRecord json.RawMessage `json:"server_record,omitempty"`
	Scan         *ScanOutcome    `json:"scan,omitempty"`  // checkpoint.scan: what the scan was judged to be
	Media        *MediaOutcome   `json:"media,omitempty"` // media.declare: whether the bytes are still to come
}

// FieldError names one bad field of a mutation by JSON pointer.
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// TemplateSource finds a published template version by id and number,
// with its key. Published versions never change, so they are cached.
type TemplateSource func(ctx context.Context, templateID string, number int) (*checklists.Template, string, error)

// Service runs push and pull.
type Service struct {
	db        *store.DB
	templates TemplateSource
	log       *slog.Logger

	cacheMu sync.RWMutex
	cache   map[string]pinned

	rounds   rounds.Config   // flags scans
	notifier *notify.Service // posts webhooks of incidents after commit

	mediaLimits   media.Limits // what media.declare enforces
	groups        groups       // pushes waiting to be committed together (group.go)
	observeGroups GroupObserver

	// fault, when set (tests only, export_test.go), fails the transaction
	// of every batch applying a mutation it returns an error for.
	fault func(Mutation) error
}

type pinned struct {
	template *checklists.Template
	key      string
	// prepared is the template made ready for evaluation once, when it is
	// cached, rather than at every submission (a published version never
	// changes, which checklists.Prepared requires).
	prepared *checklists.Prepared
}

// Options are what push needs besides the database and templates.
type Options struct {
	Rounds      rounds.Config   // the round timing that flags scans
	Notifier    *notify.Service // posts incident webhooks after a push commits (nil: the sweep does)
	MediaLimits media.Limits    // what media.declare enforces: POST /v1/media's limits
}

// NewService builds the sync service.
func NewService(db *store.DB, templates TemplateSource, opts Options, log *slog.Logger) *Service {
	return &Service{db: db, templates: templates, log: log, cache: map[string]pinned{}, rounds: opts.Rounds,
		notifier: opts.Notifier, mediaLimits: opts.MediaLimits}
}

// Push applies a batch and returns one raw JSON result per mutation, in
// order. The batch runs in a group with other pushes of the organisation
// (group.go) and is answered once the group has committed.
func (s *Service) Push(ctx context.Context, mutations []Mutation) ([]json.RawMessage, error) {
	const op = "syncer.Push"
	if len(mutations) > MaxBatch {
		return nil, errs.E(op, errs.TooLarge, "a batch holds at most 500 mutations: split it")
	}
	p, ok := principal.From(ctx)
	if !ok {
		return nil, errs.E(op, errs.Unauthenticated)
	}
	results, deliveries, err := s.pushGrouped(ctx, p, mutations)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	if s.notifier != nil {
		s.notifier.Enqueue(ctx, deliveries)
	}
	return results, nil
}

// pushAlone applies a batch in a transaction of its own. A concurrent twin
// of the batch (a retry sent while the first try was still running) makes
// the transaction fail on a version or key clash; it is then run again,
// and replays what the twin stored. A transaction PostgreSQL rolled back
// to break a deadlock (store.LostLockRace) is run again too.
func (s *Service) pushAlone(ctx context.Context, p principal.Principal, mutations []Mutation) ([]json.RawMessage, []notify.DeliverArgs, error) {
	const op = "syncer.Push"
	var results []json.RawMessage
	var deliveries []notify.DeliverArgs
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			confirmed, refused, err := confirmCallers(tx, []principal.Principal{p})
			if err != nil {
				return err
			}
			if refused[0] != nil {
				return refused[0]
			}
			p := confirmed[0]
			ctx := actingAs(ctx, p)
			tx = tx.As(ctx)
			ws := newWorkingSet()
			if err := ws.load(tx, nil, []store.MutationScope{{DeviceID: p.DeviceID, UserID: p.UserID}}, mutations); err != nil {
				return err
			}
			b := newBatch(ctx, s, tx, p, ws)
			if results, err = b.run(mutations); err != nil {
				return err
			}
			err = ws.flush(tx)
			deliveries = b.deliveries // flushing incidents names their webhooks
			return err
		})
		if !raced(err) {
			break
		}
		s.log.Debug("push raced a twin batch or lost a lock race; retrying", "attempt", attempt+1, "err", err)
	}
	if raced(err) {
		return nil, nil, errs.E(op, errs.Unavailable, "the batch kept racing another; retry it", 2*time.Second, err)
	}
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	return results, deliveries, nil
}

// raced reports whether a push's transaction failed only for running
// beside another, and would go through run again.
func raced(err error) bool {
	return errs.Is(err, errs.Conflict) || errs.Is(err, errs.Stale) || store.LostLockRace(err)
}

// template returns a pinned version, parsed once per process.
func (s *Service) template(ctx context.Context, orgID, templateID string, number int) (pinned, error) {
	key := orgID + "/" + templateID + "/" + itoa(number)
	s.cacheMu.RLock()
	t, ok := s.cache[key]
	s.cacheMu.RUnlock()
	if ok {
		return t, nil
	}
	doc, templateKey, err := s.templates(ctx, templateID, number)
	if err != nil {
		return pinned{}, err
	}
	t = pinned{template: doc, key: templateKey, prepared: checklists.Prepare(doc)}
	s.cacheMu.Lock()
	if len(s.cache) > 2000 {
		s.cache = map[string]pinned{}
	}
	s.cache[key] = t
	s.cacheMu.Unlock()
	return t, nil
}
