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
	users map[string]userLookup
	keys  map[string]keyLookup
}

type userLookup struct {
	row   store.User
	found bool
}

type keyLookup struct {
	row   store.UserKey
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
		b.countersigners = countersigners{users: map[string]userLookup{}, keys: map[string]keyLookup{}}
	}
	return countersignReader{tx: b.tx, cache: &b.countersigners}
}

// User is store.Tx.User, once per id.
func (r countersignReader) User(id string) (store.User, error) {
	if seen, ok := r.cache.users[id]; ok {
		return seen.row, notFoundUnless(seen.found, "syncer.countersigner")
	}
	row, err := r.tx.User(id)
	if err == nil || errs.Is(err, errs.NotFound) {
		r.cache.users[id] = userLookup{row: row, found: err == nil}
	}
	return row, err
}

// UserKey is store.Tx.UserKey, once per id.
func (r countersignReader) UserKey(id string) (store.UserKey, error) {
	if seen, ok := r.cache.keys[id]; ok {
		return seen.row, notFoundUnless(seen.found, "syncer.countersignKey")
	}
	row, err := r.tx.UserKey(id)
	if err == nil || errs.Is(err, errs.NotFound) {
		r.cache.keys[id] = keyLookup{row: row, found: err == nil}
	}
	return row, err
}

func notFoundUnless(found bool, op string) error {
	if found {
		return nil
	}
	return errs.E(op, errs.NotFound, "not found")
}
