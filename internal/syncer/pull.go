package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
)

// Page bounds: a page stops at whichever limit comes first.
const (
	DefaultPullLimit = 200
	MaxPullLimit     = 1000
	maxPageBytes     = 1 << 20
	maxScanRounds    = 8 // windows of the log looked at per request
)

// Change is one entry of a pull page.
type Change struct {
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Op         string          `json:"op"` // upsert or delete
	Reason     string          `json:"reason,omitempty"`
	Version    int64           `json:"version"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// Page is one pull answer.
type Page struct {
	Changes    []Change `json:"changes"`
	NextCursor string   `json:"next_cursor"`
	HasMore    bool     `json:"has_more"`
}

// cursor is what an opaque cursor carries: a log position, and the scope it
// was minted for, so that a changed scope forces a fresh sync.
type cursor struct {
	V     int    `json:"v"`
	Seq   int64  `json:"s"`
	Scope string `json:"h"`
}

func (c cursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(s string) (cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err != nil || json.Unmarshal(raw, &c) != nil || c.V != 1 || c.Seq < 0 {
		return cursor{}, false
	}
	return c, true
}

// scopeHash names what a user may see: role and sites.
func scopeHash(p principal.Principal) string {
	sites := append([]string{}, p.SiteIDs...)
	sort.Strings(sites)
	sum := sha256.Sum256([]byte(p.Role + "|" + p.UserID + "|" + strings.Join(sites, ",")))
	return hex.EncodeToString(sum[:8])
}

// Pull returns the changes after the cursor that the caller may see, oldest
// first. An empty cursor starts a full sync.
func (s *Service) Pull(ctx context.Context, rawCursor string, limit int) (Page, error) {
	const op = "syncer.Pull"
	p, ok := principal.From(ctx)
	if !ok {
		return Page{}, errs.E(op, errs.Unauthenticated)
	}
	if limit <= 0 {
		limit = DefaultPullLimit
	}
	if limit > MaxPullLimit {
		limit = MaxPullLimit
	}
	scope := scopeHash(p)
	at := cursor{V: 1, Scope: scope}
	tx := s.db.Read(ctx)
	head, pruned, err := tx.ChangeLogBounds()
	if err != nil {
		return Page{}, errs.Wrap(op, err)
	}
	if rawCursor != "" {
		c, ok := decodeCursor(rawCursor)
		if !ok {
			return Page{}, errs.Fields(op, map[string]string{"/cursor": "not a cursor this server issued"})
		}
		if c.Scope != scope {
			return Page{}, errs.E(op, errs.Gone, "what you may see has changed (sites or role): drop the local copy and sync again without a cursor")
		}
		if c.Seq < pruned {
			return Page{}, errs.E(op, errs.Gone, "this cursor is older than the change log keeps: drop the local copy and sync again without a cursor")
		}
		if c.Seq > head {
			return Page{}, errs.Fields(op, map[string]string{"/cursor": "not a cursor this server issued"})
		}
		at = c
	}
	changeScope := store.ChangeScope{Admin: principal.OrgWide(p.Role), Supervisor: p.Role == principal.Supervisor,
		UserID: p.UserID, SiteIDs: p.SiteIDs}
	page := Page{Changes: make([]Change, 0, limit)}
	bytes := 0
	for round := 0; round < maxScanRounds && len(page.Changes) < limit && at.Seq < head; round++ {
		rows, last, err := tx.ChangesAfter(at.Seq, changeScope, 4*limit, limit-len(page.Changes))
		if err != nil {
			return Page{}, errs.Wrap(op, err)
		}
		if last == at.Seq {
			// No entry after the cursor, yet head is further on: the log's
			// end was pruned (a deletion older than the retention was the
			// last write). Every position up to head is committed and
			// gone, so the reader is at head; staying put answered
			// has_more for ever, and the next cursor 410.
			at.Seq = head
			break
		}
		full := false
		for _, row := range rows {
			change := visibleChange(row, changeScope)
			if len(page.Changes) >= limit || (len(page.Changes) > 0 && bytes+len(change.Data) > maxPageBytes) {
				full = true
				break
			}
			page.Changes = append(page.Changes, change)
			bytes += len(change.Data) + 128
			at.Seq = row.Seq
		}
		if full {
			break
		}
		at.Seq = last
	}
	page.NextCursor = at.encode()
	page.HasMore = at.Seq < head
	return page, nil
}

// visibleChange turns a log entry into what this reader gets: the record,
// or a tombstone when it has moved out of their sight.
func visibleChange(row store.Change, scope store.ChangeScope) Change {
	c := Change{EntityType: row.EntityType, EntityID: row.EntityID, Op: row.Op, Version: row.Version}
	switch {
	case row.Op == "delete":
		c.Reason = "deleted"
	case sees(scope, row.Audience, row.SiteID, row.OwnerID):
		c.Data = row.Data
	default:
		c.Op, c.Reason = "delete", "left_scope"
	}
	return c
}

func sees(scope store.ChangeScope, audience string, site, owner *string) bool {
	if scope.Admin || audience == store.AudienceOrg {
		return true
	}
	inSite := site != nil && slices.Contains(scope.SiteIDs, *site)
	switch audience {
	case store.AudienceSite:
		return inSite
	case store.AudienceOwner:
		return (owner != nil && *owner == scope.UserID) || (scope.Supervisor && inSite)
	}
	return false
}
