package syncer

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/notify"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Group commit. Every writing transaction ends by taking its
// organisation's audit head and change counter, which it holds until the
// commit is on disk, so an organisation commits one transaction at a time.
// Pushes of one organisation are therefore run together: up to
// groupMaxPushes of them, one after another in one transaction over one
// working set (batch.go), share one BEGIN, one load per table, one write
// per table, one turn at the two rows and one COMMIT. Each push gets its
// own results and sees what the pushes before it in the group did, so a
// twin batch in the same group replays and a push that answers an
// inspection started earlier in the group finds it. A group that fails
// for any reason is not retried as a group: its pushes run again one by
// one in queue order, each in its own transaction, as they would without
// grouping. Nothing is answered before its transaction has committed.
const (
	groupMaxPushes    = 32
	groupMaxMutations = 4000
	// groupRunners is how many groups of one organisation may be in
	// flight at once: one can run its pushes while another commits. More
	// runners make smaller groups, each paying a group's fixed cost: at
	// 500 pushes/s, 6 runners kept the machine 95 % busy where 2 left a
	// quarter of a core idle (docs/benchmarks.md).
	groupRunners = 2
	// busyQueue is how many pushes mark an organisation as busy: waiting
	// in its queue, or taken by its last group. A second runner starts
	// only for a busy organisation. At a moderate rate a group is done
	// before many pushes come, and a second runner would only split them
	// into more groups, each paying a group's fixed cost: at 500 pushes/s
	// one runner at a time took 5-21 % less CPU per inspection, and a
	// saturated closed loop runs as with two (docs/benchmarks.md, issue
	// 17, 20:49).
	busyQueue = 4
	// groupTimeout bounds a group's transaction; a push whose device gave
	// up still completes, and its retry is answered from the stored results.
	groupTimeout = time.Minute
)

// GroupObserver learns how each group went: how many pushes it held, how
// long each had waited in the queue, how long its transaction took, and
// whether it failed (its pushes then ran alone). The API wires metrics to it.
type GroupObserver func(pushes int, waited []time.Duration, took time.Duration, failed bool)

// ObserveGroups sets the observer; call it before serving.
func (s *Service) ObserveGroups(observe GroupObserver) { s.observeGroups = observe }

// queuedPush is one push waiting for its group.
type queuedPush struct {
	queued    time.Time
	ctx       context.Context // the request's, without its cancellation
	p         principal.Principal
	mutations []Mutation
	answer    chan pushAnswer // buffered: the runner never blocks on it
}

type pushAnswer struct {
	results    []json.RawMessage
	deliveries []notify.DeliverArgs
	err        error
}

// orgQueue is the pushes of one organisation not yet taken by a runner.
type orgQueue struct {
	pending   []*queuedPush
	runners   int
	lastGroup int // how many pushes the last group taken held
}

// startsRunner says whether a push just queued starts a runner: always
// when none runs, and a second one only while the organisation is busy
// (busyQueue).
func (queue *orgQueue) startsRunner() bool {
	if queue.runners == 0 {
		return true
	}
	busy := len(queue.pending) >= busyQueue || queue.lastGroup >= busyQueue
	return queue.runners < groupRunners && busy
}

type groups struct {
	mu   sync.Mutex
	orgs map[string]*orgQueue
}

// pushGrouped queues the push with others of its organisation and waits
// for its answer.
func (s *Service) pushGrouped(ctx context.Context, p principal.Principal, mutations []Mutation) ([]json.RawMessage, []notify.DeliverArgs, error) {
	q := &queuedPush{queued: time.Now(), ctx: context.WithoutCancel(ctx), p: p, mutations: mutations, answer: make(chan pushAnswer, 1)}
	s.groups.mu.Lock()
	if s.groups.orgs == nil {
		s.groups.orgs = map[string]*orgQueue{}
	}
	queue := s.groups.orgs[p.OrgID]
	if queue == nil {
		queue = &orgQueue{}
		s.groups.orgs[p.OrgID] = queue
	}
	queue.pending = append(queue.pending, q)
	if queue.startsRunner() {
		queue.runners++
		go s.drain(p.OrgID, queue)
	}
	s.groups.mu.Unlock()
	select {
	case a := <-q.answer:
		return a.results, a.deliveries, a.err
	case <-ctx.Done():
		// The push may still be applied; the device's retry is answered
		// from the stored results.
		return nil, nil, errs.E("syncer.Push", errs.Unavailable, ctx.Err())
	}
}

// drain runs groups of the organisation's queue until it is empty.
func (s *Service) drain(org string, queue *orgQueue) {
	for {
		s.groups.mu.Lock()
		group := takeGroup(queue)
		if len(group) == 0 {
			queue.runners--
			if queue.runners == 0 && len(queue.pending) == 0 {
				delete(s.groups.orgs, org)
			}
			s.groups.mu.Unlock()
			return
		}
		s.groups.mu.Unlock()
		s.runGroup(group)
	}
}

// takeGroup removes the next group from the queue: the oldest pushes, up
// to the group's limits (always at least one).
func takeGroup(queue *orgQueue) []*queuedPush {
	n, mutations := 0, 0
	for n < len(queue.pending) && n < groupMaxPushes {
		mutations += len(queue.pending[n].mutations)
		if n > 0 && mutations > groupMaxMutations {
			break
		}
		n++
	}
	group := queue.pending[:n:n]
	queue.pending = queue.pending[n:]
	if n > 0 {
		queue.lastGroup = n
	}
	return group
}

// runGroup applies the group's pushes in one transaction and answers each.
// When the group fails, its pushes run again alone.
func (s *Service) runGroup(group []*queuedPush) {
	started := time.Now()
	answers := make([]pushAnswer, len(group))
	ctx, cancel := context.WithTimeout(group[0].ctx, groupTimeout)
	defer cancel()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// The group's inserts go with its tail in one round trip. A group
		// that fails runs its pushes again alone, so no push is answered
		// from which insert failed.
		tx.DeferWrites()
		ps := make([]principal.Principal, len(group))
		for i, q := range group {
			ps[i] = q.p
		}
		// One working set for the group: loaded in one query per kind of
		// record, written in one statement per table where the store can.
		// The callers' standing is read with the rest (one round trip), so
		// the pushes it refuses are loaded too, and then left alone: their
		// claim's locks and reads change nothing.
		reads := tx.Prefetch()
		confirm := confirmCallersWith(reads, ps)
		ws := newWorkingSet()
		pushes := make([][]Mutation, len(group))
		scopes := make([]store.MutationScope, len(group))
		for i, q := range group {
			pushes[i] = q.mutations
			scopes[i] = store.MutationScope{DeviceID: ps[i].DeviceID, UserID: ps[i].UserID}
		}
		if err := ws.load(tx, reads, scopes, pushes...); err != nil {
			return err
		}
		ps, refused := confirm()
		for i := range group {
			answers[i] = pushAnswer{err: refused[i]}
		}
		batches := make([]*batch, len(group))
		for i, q := range group {
			if refused[i] != nil {
				continue
			}
			pctx, cancel := context.WithTimeout(actingAs(q.ctx, ps[i]), groupTimeout)
			defer cancel()
			batches[i] = newBatch(pctx, s, tx.As(pctx), ps[i], ws)
			results, err := batches[i].run(q.mutations)
			if err != nil {
				return err
			}
			answers[i].results = results
		}
		if err := ws.flush(tx); err != nil {
			return err
		}
		for i, b := range batches { // flushing incidents names their webhooks
			if b != nil {
				answers[i].deliveries = b.deliveries
			}
		}
		return nil
	})
	if s.observeGroups != nil {
		waited := make([]time.Duration, len(group))
		for i, q := range group {
			waited[i] = started.Sub(q.queued)
		}
		s.observeGroups(len(group), waited, time.Since(started), err != nil)
	}
	if err == nil {
		for i, q := range group {
			q.answer <- answers[i]
		}
		return
	}
	if len(group) > 1 {
		s.log.Debug("push group failed; running its pushes alone", "pushes", len(group), "err", err)
	}
	// In queue order, so that a push that depends on an earlier one of the
	// same device (the inspection it started) still finds it.
	for _, q := range group {
		ctx, cancel := context.WithTimeout(q.ctx, groupTimeout)
		results, deliveries, err := s.pushAlone(ctx, q.p, q.mutations)
		cancel()
		q.answer <- pushAnswer{results: results, deliveries: deliveries, err: err}
	}
}
