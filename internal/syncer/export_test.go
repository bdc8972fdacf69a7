package syncer

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// FailBatchesApplying makes every transaction that applies the mutation
// fail as if it kept racing a concurrent twin batch (a Conflict from the
// store), until the test ends: a group holding it fails, and the push
// holding it, run alone, is answered 503 with Retry-After. Tests only;
// set it before pushing.
func FailBatchesApplying(t testing.TB, s *Service, mutationID string) {
	s.fault = func(m Mutation) error {
		if m.MutationID == mutationID {
			return errs.E("syncer.fault", errs.Conflict, "a clash injected by the test")
		}
		return nil
	}
	t.Cleanup(func() { s.fault = nil })
}

// Hold keeps the pushes of one organisation in its queue, as if all of its
// runners were busy, so that a test decides which pushes form a group and
// in what order: everything queued while held is taken by one runner at
// Release, oldest first. Tests only.
type Hold struct {
	s       *Service
	org     string
	queue   *orgQueue
	release sync.Once
}

// HoldGroups holds the organisation's pushes until Release. It first waits
// for runners still finishing earlier groups: one of them would otherwise
// take the held pushes.
func HoldGroups(s *Service, org string) (*Hold, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.groups.mu.Lock()
		if s.groups.orgs == nil {
			s.groups.orgs = map[string]*orgQueue{}
		}
		queue := s.groups.orgs[org]
		if queue == nil || queue.runners == 0 {
			if queue == nil {
				queue = &orgQueue{}
				s.groups.orgs[org] = queue
			}
			queue.runners = groupRunners // no push starts a runner now
			s.groups.mu.Unlock()
			return &Hold{s: s, org: org, queue: queue}, nil
		}
		s.groups.mu.Unlock()
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("runners of org %s still busy after 30s", org)
		}
		time.Sleep(time.Millisecond)
	}
}

// Queued is how many pushes wait in the held queue.
func (h *Hold) Queued() int {
	h.s.groups.mu.Lock()
	defer h.s.groups.mu.Unlock()
	return len(h.queue.pending)
}

// Release hands the queue to one runner, which takes it as groups (one
// group when it is within the group limits). Later calls do nothing.
func (h *Hold) Release() {
	h.release.Do(func() {
		h.s.groups.mu.Lock()
		defer h.s.groups.mu.Unlock()
		h.queue.runners -= groupRunners
		if len(h.queue.pending) > 0 {
			h.queue.runners++
			go h.s.drain(h.org, h.queue)
		} else if h.queue.runners == 0 {
			delete(h.s.groups.orgs, h.org)
		}
	})
}

// BeforeApplying runs fn once, inside the first transaction that applies
// the mutation, just before it is applied: after the push loaded what it
// reads and before it writes. Tests only; set it before pushing.
func BeforeApplying(t testing.TB, s *Service, mutationID string, fn func()) {
	var once sync.Once
	s.fault = func(m Mutation) error {
		if m.MutationID == mutationID {
			once.Do(fn)
		}
		return nil
	}
	t.Cleanup(func() { s.fault = nil })
}
