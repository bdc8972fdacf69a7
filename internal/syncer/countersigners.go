package syncer

import (
	"slices"
	"strings"
	"sync"

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
// transaction, and remembers the keys it finds for checking ahead.
type countersignReader struct {
	tx    *store.Tx
	cache *countersigners
	known *publicKeys // nil: remembers nothing
	org   string
}

func (b *batch) countersignReader() countersignReader {
	b.countersigners.ready()
	reader := countersignReader{tx: b.tx, cache: &b.countersigners, org: b.p.OrgID}
	if b.s != nil {
		reader.known = &b.s.publicKeys
	}
	return reader
}

// User is store.Tx.User, once per id.
func (r countersignReader) User(id string) (store.User, error) {
	return readOnce(r.cache.users, id, r.tx.User)
}

// UserKey is store.Tx.UserKey, once per id.
func (r countersignReader) UserKey(id string) (store.UserKey, error) {
	key, err := readOnce(r.cache.keys, id, r.tx.UserKey)
	if err == nil && r.known != nil {
		r.known.remember(r.org, key)
	}
	return key, err
}

// startProof checks ahead the countersignature of an answer just set
// (countersign.Proofs), when its key was met before: a key's row is read
// only when the inspection is submitted, inside its transaction, so the
// keys met in earlier submissions stand in for it. Judge takes the verdict
// only when the row it reads has that same key.
func (b *batch) startProof(st *inspectionState, path string, answer checklists.Answer) {
	if answer.Countersign == nil || b.s == nil {
		return
	}
	if public, ok := b.s.publicKeys.of(b.p.OrgID, answer.Countersign.KeyID); ok {
		b.proofs.Start(public, countersign.Subject{InspectionID: st.row.ID}, path, answer)
	}
}

// publicKeys are the countersigners' public keys met so far, by
// organisation and key id. A key's text never changes (revoking a key
// marks its row), so one met in any transaction may stand in for what a
// later one will read; bounded like countersign's cache of expanded keys.
type publicKeys struct {
	mu   sync.RWMutex
	byID map[string]string
}

const publicKeysLimit = 4096

func (k *publicKeys) remember(org string, key store.UserKey) {
	id := org + "/" + strings.ToLower(key.ID)
	k.mu.RLock()
	known := k.byID[id] == key.PublicKey
	k.mu.RUnlock()
	if known {
		return
	}
	k.mu.Lock()
	if k.byID == nil || len(k.byID) >= publicKeysLimit {
		k.byID = map[string]string{}
	}
	k.byID[id] = key.PublicKey
	k.mu.Unlock()
}

func (k *publicKeys) of(org, keyID string) (string, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	public, ok := k.byID[org+"/"+strings.ToLower(keyID)]
	return public, ok
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
