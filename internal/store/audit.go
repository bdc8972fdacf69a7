package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// AuditEntry is one link of an organisation's audit chain. Hash covers
// every other field (see AuditHash), so no entry can be edited, dropped or
// moved without the chain showing where.
type AuditEntry struct {
	OrgID      string
	Seq        int64
	At         time.Time
	ActorID    *string
	Action     string
	EntityType string
	EntityID   string
	Details    string // canonical JSON object
	PrevHash   string
	Hash       string
}

// Audit queues an entry; it is chained and written when the transaction
// commits, after the change log, so the chain head is locked for the least
// time. OrgID defaults to the caller's; ActorID to the caller.
func (tx *Tx) Audit(e AuditEntry) {
	if tx.audits == nil {
		panic("store: Audit outside InTx")
	}
	if e.OrgID == "" {
		e.OrgID = tx.orgOf()
	}
	if e.Details == "" {
		e.Details = "{}"
	}
	if p, ok := principal.From(tx.gorm.Statement.Context); ok && p.IsSystem() {
		// The server acting by itself: no actor (openapi.yaml's "null for
		// the system"), and the job that acted named in the details.
		e.Details = withJob(e.Details, p.Job)
	} else if ok && e.ActorID == nil && p.UserID != "" {
		actor := p.UserID
		e.ActorID = &actor
	}
	e.At = tx.Now
	*tx.audits = append(*tx.audits, e)
}

// withJob adds {"job": job} to an entry's details, when they are an object
// that does not name a job already.
func withJob(details, job string) string {
	var fields map[string]any
	if json.Unmarshal([]byte(details), &fields) != nil || fields == nil {
		return details
	}
	if _, named := fields["job"]; !named {
		fields["job"] = job
	}
	return CanonicalJSON(fields)
}

// CanonicalJSON re-encodes a JSON value with sorted keys and no spaces, so
// that the same details always hash the same: checklists.CanonicalJSON,
// with "{}" for a value that has no JSON object form or is null.
func CanonicalJSON(v any) string {
	out, err := checklists.CanonicalJSON(v)
	if err != nil || string(out) == "null" {
		return "{}"
	}
	return string(out)
}

// AuditHash is sha256 over the canonical encoding of an entry: a JSON
// array of its fields in a fixed order, with the time in UTC nanoseconds.
func AuditHash(e AuditEntry) string {
	actor := ""
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	fields := []any{e.OrgID, e.Seq, e.At.UTC().Format(time.RFC3339Nano), actor, e.Action, e.EntityType,
		e.EntityID, e.Details, e.PrevHash}
	raw, _ := json.Marshal(fields)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// writeAudit chains the queued entries onto each organisation's head. The
// head row is locked by the upsert until commit, so two transactions never
// chain onto the same predecessor.
func (tx *Tx) writeAudit() error {
	const op = "store.writeAudit"
	pending := *tx.audits
	if len(pending) == 0 {
		return nil
	}
	byOrg := map[string][]AuditEntry{}
	var orgs []string
	for _, e := range pending {
		if _, ok := byOrg[e.OrgID]; !ok {
			orgs = append(orgs, e.OrgID)
		}
		byOrg[e.OrgID] = append(byOrg[e.OrgID], e)
	}
	for _, org := range orgs {
		entries := byOrg[org]
		if head, ok := tx.db.heads.get(org); ok && tx.db.dialect == Postgres {
			next := chain(entries, head)
			appended, err := tx.appendAuditAfter(org, entries, head, next)
			if err != nil {
				return translate(op, err)
			}
			if appended {
				tx.newHeads[org] = next
				continue
			}
			// Another replica moved the head: read it, as without a cache.
		}
		var head auditHead
		err := tx.gorm.Raw(`INSERT INTO audit_heads (org_id, seq, hash) VALUES (?, 0, '')
ON CONFLICT (org_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash`, org).Scan(&head).Error
		if err != nil {
			return translate(op, err)
		}
		next := chain(entries, head)
		if err := tx.appendAudit(org, entries, next.Seq, next.Hash); err != nil {
			return translate(op, err)
		}
		tx.newHeads[org] = next
	}
	*tx.audits = nil
	return nil
}

// auditHead is the last link of an organisation's chain.
type auditHead struct {
	Seq  int64
	Hash string
}

// chain links entries onto head and returns the new head.
func chain(entries []AuditEntry, head auditHead) auditHead {
	for i := range entries {
		head.Seq++
		entries[i].Seq, entries[i].PrevHash = head.Seq, head.Hash
		entries[i].Hash = AuditHash(entries[i])
		head.Hash = entries[i].Hash
	}
	return head
}

// auditHeads remembers, per organisation, the head this process last
// committed, so that the next transaction can chain onto it without first
// reading it: one round trip less while the organisation's tail lock is
// held. The database stays the authority: appendAuditAfter moves the head
// only from the remembered one, and a miss falls back to reading it.
type auditHeads struct {
	mu    sync.Mutex
	heads map[string]auditHead
}

func (h *auditHeads) get(org string) (auditHead, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	head, ok := h.heads[org]
	return head, ok
}

// remember records heads that are now committed.
func (h *auditHeads) remember(committed map[string]auditHead) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.heads == nil {
		h.heads = map[string]auditHead{}
	}
	if len(h.heads) > 10000 {
		clear(h.heads)
	}
	for org, head := range committed {
		h.heads[org] = head
	}
}

// appendAuditAfter writes chained entries and moves the head from was to
// next, in one statement that does nothing (and reports false) when the
// head is no longer was. PostgreSQL only.
func (tx *Tx) appendAuditAfter(org string, entries []AuditEntry, was, next auditHead) (bool, error) {
	sql, args, err := chainedAudit(org, entries, was, next)
	if err != nil {
		return false, err
	}
	var n int64
	err = tx.queryRowFast("WITH "+sql+" SELECT count(*) FROM appended", args, &n)
	return n == int64(len(entries)), err
}

// chainedAudit is the WITH part of appendAuditAfter (the "appended" query),
// for a statement of its own or for one with the change log.
func chainedAudit(org string, entries []AuditEntry, was, next auditHead) (string, []any, error) {
	rows, params, err := unnestRows("uuid, int8, timestamptz, uuid, text, text, text, text, text, text", len(entries),
		func(i int) []any {
			e := entries[i]
			return []any{e.OrgID, e.Seq, e.At, e.ActorID, e.Action, e.EntityType, e.EntityID, e.Details, e.PrevHash, e.Hash}
		})
	sql := `head AS (UPDATE audit_heads SET seq = ?::bigint, hash = ? WHERE org_id = ?::uuid AND seq = ?::bigint
    AND hash = ? RETURNING org_id),
appended AS (INSERT INTO audit_log (org_id, seq, at, actor_id, action, entity_type, entity_id, details, prev_hash, hash)
SELECT v.org_id, v.seq, v.at, v.actor_id, v.action, v.entity_type, v.entity_id, v.details, v.prev_hash, v.hash
FROM head, ` + rows + ` AS v(org_id, seq, at, actor_id, action, entity_type, entity_id, details, prev_hash, hash) RETURNING 1)`
	return sql, append([]any{next.Seq, next.Hash, org, was.Seq, was.Hash}, params...), err
}

// writeTailAtOnce writes the queued audit entries and changes of one
// organisation in one statement when this process knows the audit head:
// with the commit, the organisation's tail is then two round trips. It
// reports whether it wrote them; when the remembered head turns out stale
// it writes nothing, and the caller takes the slow way.
func (tx *Tx) writeTailAtOnce() (bool, error) {
	const op = "store.writeTail"
	audits, changes := *tx.audits, *tx.changes
	if tx.db.dialect != Postgres || len(audits) == 0 || len(changes) == 0 || len(changes) > 1000 {
		return false, nil
	}
	org := audits[0].OrgID
	for _, e := range audits {
		if e.OrgID != org {
			return false, nil
		}
	}
	for _, c := range changes {
		if c.OrgID != org {
			return false, nil
		}
	}
	was, ok := tx.db.heads.get(org)
	if !ok {
		return false, nil
	}
	if err := tx.compact(changes); err != nil {
		return true, err
	}
	entries := append([]AuditEntry(nil), audits...)
	next := chain(entries, was)
	auditSQL, args, err := chainedAudit(org, entries, was, next)
	if err != nil {
		return true, translate(op, err)
	}
	changesSQL, changeArgs, err := positionedChanges(org, changes, true)
	if err != nil {
		return true, translate(op, err)
	}
	var appended, changed int64
	err = tx.queryRowFast("WITH "+auditSQL+",\n"+changesSQL+"\nSELECT (SELECT count(*) FROM appended), (SELECT count(*) FROM changed)",
		append(args, changeArgs...), &appended, &changed)
	if err != nil {
		return true, translate(op, err)
	}
	if appended != int64(len(entries)) {
		// Another replica moved the head, and nothing was written: the
		// counter moves only after the head.
		return false, nil
	}
	tx.newHeads[org] = next
	*tx.audits = nil
	if changed != int64(len(changes)) {
		return true, tx.writeChanges() // the organisation's first changes: the counter row is made there
	}
	*tx.changes = nil
	return true, nil
}

// AuditFilter narrows ListAudit. Empty fields do not filter.
type AuditFilter struct {
	ActorID    string
	Action     string
	EntityType string
	EntityID   string
	From, To   *time.Time
	AfterSeq   int64
	Limit      int
}

// ListAudit lists the caller's organisation's entries in chain order.
func (tx *Tx) ListAudit(f AuditFilter) ([]AuditEntry, error) {
	q := tx.scoped("audit_log").Where("seq > ?", f.AfterSeq)
	for column, value := range map[string]string{"actor_id": f.ActorID, "action": f.Action,
		"entity_type": f.EntityType, "entity_id": f.EntityID} {
		if value != "" {
			q = q.Where(column+" = ?", value)
		}
	}
	if f.From != nil {
		q = q.Where("at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("at < ?", *f.To)
	}
	var rows []AuditEntry
	err := q.Order("seq").Limit(f.Limit).Find(&rows).Error
	return rows, translate("store.ListAudit", err)
}

// AuditProblem is one break in a chain.
type AuditProblem struct {
	Seq     int64  `json:"seq"`
	Problem string `json:"problem"`
}

// VerifyAudit walks an organisation's whole chain in seq order and lists
// every entry that was edited, deleted, inserted or moved.
func (tx *Tx) VerifyAudit(orgID string) (checked int64, problems []AuditProblem, err error) {
	const op = "store.VerifyAudit"
	prevHash, expected := "", int64(1)
	for {
		var rows []AuditEntry
		err := tx.gorm.Table("audit_log").Where("org_id = ? AND seq >= ?", orgID, expected).Order("seq").Limit(1000).Find(&rows).Error
		if err != nil {
			return checked, problems, translate(op, err)
		}
		for _, e := range rows {
			if e.Seq != expected {
				problems = append(problems, AuditProblem{expected, fmt.Sprintf("entries %d to %d are missing", expected, e.Seq-1)})
			}
			if e.PrevHash != prevHash {
				problems = append(problems, AuditProblem{e.Seq, "prev_hash does not match the hash of the entry before it"})
			}
			if AuditHash(e) != e.Hash {
				problems = append(problems, AuditProblem{e.Seq, "hash does not match the entry's content: the entry was altered"})
			}
			prevHash, expected = e.Hash, e.Seq+1
			checked++
		}
		if len(rows) < 1000 {
			break
		}
	}
	var head struct {
		Seq  int64
		Hash string
	}
	if err := tx.gorm.Table("audit_heads").Where("org_id = ?", orgID).Limit(1).Find(&head).Error; err != nil {
		return checked, problems, translate(op, err)
	}
	if head.Seq != expected-1 || head.Hash != prevHash {
		problems = append(problems, AuditProblem{head.Seq, fmt.Sprintf(
			"the chain ends at seq %d but its head says %d: entries at the end were deleted or altered", expected-1, head.Seq)})
	}
	return checked, problems, nil
}

// appendAudit writes chained entries and moves the head to the last one. On
// PostgreSQL that is one statement, so the head's row lock is held for one
// round trip fewer.
func (tx *Tx) appendAudit(org string, entries []AuditEntry, seq int64, hash string) error {
	if tx.db.dialect != Postgres {
		if err := tx.gorm.Table("audit_log").Create(&entries).Error; err != nil {
			return err
		}
		return tx.gorm.Exec("UPDATE audit_heads SET seq = ?, hash = ? WHERE org_id = ?", seq, hash, org).Error
	}
	insert := tx.gorm.Session(&gorm.Session{DryRun: true}).Table("audit_log").Create(&entries).Statement
	n := len(insert.Vars)
	sql := fmt.Sprintf("WITH appended AS (%s) UPDATE audit_heads SET seq = $%d, hash = $%d WHERE org_id = $%d",
		insert.SQL.String(), n+1, n+2, n+3)
	return tx.gorm.Exec(sql, append(insert.Vars, seq, hash, org)...).Error
}
