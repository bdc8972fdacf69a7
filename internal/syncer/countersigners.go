package syncer

import (
	"slices"
	"strings"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/countersign"
	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/input"
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

func (c *countersigners) ready() {
	if c.users == nil {
		*c = countersigners{users: map[string]lookup[store.User]{}, keys: map[string]lookup[store.UserKey]{}}
	}
}

// unread are the ids of users and keys, as Judge reads them (UUIDs, in
// lower case), not read yet, each once.
func (c *countersigners) unread(userIDs, keyIDs []string) (users, keys []string) {
	pick := func(ids []string, read func(string) bool) []string {
		var out []string
		for _, id := range ids {
			id = strings.ToLower(id)
			if input.IsUUID(id) && !read(id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out
	}
	users = pick(userIDs, func(id string) bool { _, ok := c.users[id]; return ok })
	keys = pick(keyIDs, func(id string) bool { _, ok := c.keys[id]; return ok })
	return users, keys
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
	b.countersigners.ready()
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

// startProof checks ahead the countersignature of an answer just set
// (countersign.Proofs) with the key preload read for it, the row Judge
// will read when the inspection is submitted.
func (b *batch) startProof(st *inspectionState, path string, answer checklists.Answer) {
	if answer.Countersign == nil {
		return
	}
	if key := b.countersigners.keys[strings.ToLower(answer.Countersign.KeyID)]; key.found {
		b.proofs.Start(key.row.PublicKey, countersign.Subject{InspectionID: st.row.ID}, path, answer)
	}
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
