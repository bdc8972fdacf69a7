package store

import (
	"slices"
	"sync"
)

// orgLocks are per-organisation mutexes for the end of a writing
// transaction: the part that holds the organisation's audit head and change
// counter rows until commit.
type orgLocks struct {
	mu    sync.Mutex
	locks map[string]*orgLock
}

type orgLock struct {
	sync.Mutex
	users int // holders and waiters; the entry is dropped at zero
}

// lock takes the locks of orgs in sorted order (so that two transactions
// spanning the same organisations cannot deadlock) and returns the unlock.
func (l *orgLocks) lock(orgs []string) func() {
	if len(orgs) == 0 {
		return func() {}
	}
	orgs = slices.Clone(orgs)
	slices.Sort(orgs)
	orgs = slices.Compact(orgs)
	held := make([]*orgLock, len(orgs))
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*orgLock{}
	}
	for i, org := range orgs {
		lock := l.locks[org]
		if lock == nil {
			lock = &orgLock{}
			l.locks[org] = lock
		}
		lock.users++
		held[i] = lock
	}
	l.mu.Unlock()
	for _, lock := range held {
		lock.Lock()
	}
	return func() {
		for _, lock := range held {
			lock.Unlock()
		}
		l.mu.Lock()
		for i, lock := range held {
			if lock.users--; lock.users == 0 {
				delete(l.locks, orgs[i])
			}
		}
		l.mu.Unlock()
	}
}

// tailOrgs are the organisations whose audit head or change counter this
// transaction will take at commit.
func (tx *Tx) tailOrgs() []string {
	var orgs []string
	for _, c := range *tx.changes {
		orgs = append(orgs, c.OrgID)
	}
	for _, e := range *tx.audits {
		orgs = append(orgs, e.OrgID)
	}
	return orgs
}
