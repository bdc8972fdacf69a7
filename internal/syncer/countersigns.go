package syncer

import (
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// countersignLookups answer countersign.Verify's lookups of countersigners
// and their keys from the working set. A branch has a few tellers, who
// countersign every opening check: looked up per item, each countersigned
// item cost three statements (the user, their sites, the key) and a fifth
// of the server's CPU per inspection of cu-opening-check. Now a group
// reads each person and key once. A row read earlier in the group's
// transaction is as good as one read later: the verdicts hold as of a
// moment inside it either way.
type countersignLookups struct{ b *batch }

// lookedUp is a row read for the working set, or that it does not exist.
type lookedUp[T any] struct {
	row      T
	notFound error
}

func (l countersignLookups) User(id string) (store.User, error) {
	return cachedLookup(l.b.countersigners, l.b.p.OrgID+"/"+id, func() (store.User, error) { return l.b.tx.User(id) })
}

func (l countersignLookups) UserKey(id string) (store.UserKey, error) {
	return cachedLookup(l.b.countersignKeys, l.b.p.OrgID+"/"+id, func() (store.UserKey, error) { return l.b.tx.UserKey(id) })
}

// cachedLookup answers from cache, or reads and keeps the row or its
// absence; any other error is the transaction's and is not kept.
func cachedLookup[T any](cache map[string]lookedUp[T], key string, read func() (T, error)) (T, error) {
	if hit, ok := cache[key]; ok {
		return hit.row, hit.notFound
	}
	row, err := read()
	if err == nil || errs.Is(err, errs.NotFound) {
		cache[key] = lookedUp[T]{row: row, notFound: err}
	}
	return row, err
}
