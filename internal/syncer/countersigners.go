package syncer

import (
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/store"
)

// countersigners is what verifying countersignatures reads (the
// countersigner with their sites, and their key), read once per working
// set. Every two-person item of every inspection submitted read them
// afresh: three statements per countersignature, each a round trip inside
// the group's transaction, where a site's few countersigners sign item
// after item (issue 17: 6 of a 30-answer cu-opening-check's statements).
// A group is one organisation, and no mutation of a push changes a user,
// their sites or their keys, so one reading serves the whole group, as the
// callers' standing does (confirm.go). Only rows and "not found" are kept:
// any other error aborts the transaction anyway.
type countersigners struct {
	users map[string]lookup[store.User]
	keys  map[string]lookup[store.UserKey]
}

// lookup is one reading of a row by id: the row, or that there is none.
type lookup[T any] struct {
	row   T
	found bool
}

// countersignReader reads through the working set's cache with b's
// transaction.
type countersignReader struct {
	tx    *store.Tx
	cache *countersigners
}

func (b *batch) countersignReader() countersignReader {
	if b.countersigners.users == nil {
		b.countersigners = countersigners{users: map[string]lookup[store.User]{}, keys: map[string]lookup[store.UserKey]{}}
	}
	return countersignReader{tx: b.tx, cache: &b.countersigners}
}

// User is store.Tx.User, once per id.
func (r countersignReader) User(id string) (store.User, error) {
	return readOnce(r.cache.users, id, r.tx.User)
}

// UserKey is store.Tx.UserKey, once per id.
func (r countersignReader) UserKey(id string) (store.UserKey, error) {
	return readOnce(r.cache.keys, id, r.tx.UserKey)
}

// readOnce answers from seen, or reads and remembers the row or its
// absence.
func readOnce[T any](seen map[string]lookup[T], id string, read func(string) (T, error)) (T, error) {
	if known, ok := seen[id]; ok {
		if !known.found {
			return known.row, errs.E("syncer.countersigners", errs.NotFound, "not found")
		}
		return known.row, nil
	}
	row, err := read(id)
	if err == nil || errs.Is(err, errs.NotFound) {
		seen[id] = lookup[T]{row: row, found: err == nil}
	}
	return row, err
}
