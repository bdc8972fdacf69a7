package store

import (
	"database/sql"
	"strings"
	"time"
)

// Audiences: who may see a record.
const (
	AudienceOrg   = "org"   // everyone in the organisation (published templates)
	AudienceSite  = "site"  // everyone attached to the site (the site itself)
	AudienceOwner = "owner" // the owner, the site's supervisors and admins
)

// Change is one entry of the change log: a record's whole state after a
// write, and where it was visible before and is visible now.
type Change struct {
	OrgID        string
	Seq          int64
	EntityType   string
	EntityID     string
	Op           string // upsert or delete
	Version      int64
	Audience     string
	SiteID       *string
	OwnerID      *string
	PrevAudience *string
	PrevSiteID   *string
	PrevOwnerID  *string
	Data         []byte
	CreatedAt    time.Time
	// Fresh marks the first entry of a record created in this transaction:
	// it has no older entry to compact away. Not stored.
	Fresh bool `gorm:"-"`
}

// RecordChange queues a change for the log; it is written, with its
// position, when the transaction commits.
func (tx *Tx) RecordChange(c Change) {
	if tx.changes == nil {
		panic("store: RecordChange outside InTx")
	}
	c.OrgID, c.CreatedAt = tx.orgOf(), tx.Now
	*tx.changes = append(*tx.changes, c)
}

// writeChanges takes positions from the organisation's counter and writes
// the queued changes. It runs last in the transaction: the counter row
// stays locked until commit, so positions are handed out in commit order.
func (tx *Tx) writeChanges() error {
	const op = "store.writeChanges"
	pending := *tx.changes
	if len(pending) == 0 {
		return nil
	}
	byOrg := map[string][]int{}
	var orgs []string
	for i, c := range pending {
		if _, ok := byOrg[c.OrgID]; !ok {
			orgs = append(orgs, c.OrgID)
		}
		byOrg[c.OrgID] = append(byOrg[c.OrgID], i)
	}
	if err := tx.compact(pending); err != nil {
		return err
	}
	for _, org := range orgs {
		rows := make([]Change, len(byOrg[org]))
		for j, i := range byOrg[org] {
			rows[j] = pending[i]
		}
		var err error
		if tx.db.dialect == Postgres && len(rows) <= 1000 {
			err = tx.insertChangesPositioned(org, rows)
		} else {
			err = tx.insertChangesStepwise(org, rows)
		}
		if err != nil {
			return translate(op, err)
		}
	}
	*tx.changes = nil
	return nil
}

// compact deletes the older entries of records changed here, so that the
// log holds about one entry per record and a full sync stays small. An
// entry that moved a record between scopes is kept: it is the tombstone a
// user who lost sight of the record still has to receive.
func (tx *Tx) compact(pending []Change) error {
	ids := make([]string, 0, len(pending))
	for _, c := range pending {
		if !c.Fresh {
			ids = append(ids, c.EntityID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	err := tx.scoped("changes").Where("entity_id IN ? AND prev_audience IS NULL", ids).Delete(&Change{}).Error
	return translate("store.compact", err)
}

// insertChangesPositioned takes positions and writes the entries in one
// statement, so the counter row lock is held for a single round trip plus
// the commit.
func (tx *Tx) insertChangesPositioned(org string, rows []Change) error {
	sql, args, err := positionedChanges(org, rows, false)
	if err != nil {
		return err
	}
	return tx.execFast("WITH "+sql+" SELECT 1", args...)
}

// positionedChanges is the WITH part that takes positions from the
// organisation's counter and inserts the entries (the "changed" query),
// for a statement of its own or for one with the audit chain.
//
// afterHead makes the counter move only when the audit head ("head") moved
// in the same statement, and only if the counter exists: the counter is
// then always taken after the head, as on the slow path, so two replicas
// cannot deadlock over the pair.
func positionedChanges(org string, rows []Change, afterHead bool) (string, []any, error) {
	var sql strings.Builder
	if afterHead {
		sql.WriteString(`counter AS (UPDATE org_counters SET seq = seq + ?::bigint WHERE org_id = ?::uuid
    AND EXISTS (SELECT 1 FROM head) RETURNING seq),`)
	} else {
		sql.WriteString(`counter AS (INSERT INTO org_counters (org_id, seq) VALUES (?::uuid, ?::bigint)
ON CONFLICT (org_id) DO UPDATE SET seq = org_counters.seq + excluded.seq RETURNING seq),`)
	}
	values, params, err := unnestRows("uuid, int8, text, uuid, text, int8, text, uuid, uuid, text, uuid, uuid, bytea, timestamptz",
		len(rows), func(i int) []any {
			c := rows[i]
			return []any{c.OrgID, i + 1, c.EntityType, c.EntityID, c.Op, c.Version, c.Audience, c.SiteID, c.OwnerID,
				c.PrevAudience, c.PrevSiteID, c.PrevOwnerID, c.Data, c.CreatedAt}
		})
	sql.WriteString(`

changed AS (INSERT INTO changes (org_id, seq, entity_type, entity_id, op, version, audience, site_id, owner_id,
    prev_audience, prev_site_id, prev_owner_id, data, created_at)
SELECT v.org_id, counter.seq - ?::bigint + v.ord, v.entity_type, v.entity_id, v.op, v.version, v.audience, v.site_id,
    v.owner_id, v.prev_audience, v.prev_site_id, v.prev_owner_id, v.data, v.created_at
FROM counter, ` + values + ` AS v(org_id, ord, entity_type, entity_id, op, version, audience, site_id, owner_id,
    prev_audience, prev_site_id, prev_owner_id, data, created_at) RETURNING 1)`)
	args := []any{org, len(rows), len(rows)}
	if afterHead {
		args = []any{len(rows), org, len(rows)}
	}
	return sql.String(), append(args, params...), err
}

// insertChangesStepwise bumps the counter, then writes the entries: SQLite
// has one writer at a time anyway and no data-modifying WITH.
func (tx *Tx) insertChangesStepwise(org string, rows []Change) error {
	var last int64
	err := tx.gorm.Raw(`INSERT INTO org_counters (org_id, seq) VALUES (?, ?)
ON CONFLICT (org_id) DO UPDATE SET seq = org_counters.seq + excluded.seq RETURNING seq`, org, len(rows)).Scan(&last).Error
	if err != nil {
		return err
	}
	for j := range rows {
		rows[j].Seq = last - int64(len(rows)) + int64(j) + 1
	}
	return tx.gorm.Table("changes").CreateInBatches(rows, 200).Error
}

// ChangeScope is what a reader may see: used to filter the change log.
type ChangeScope struct {
	Admin      bool
	Supervisor bool
	UserID     string
	SiteIDs    []string
}

// ChangesAfter looks at up to scan log entries after seq and reads, oldest
// first, up to limit of them that the scope may see now or could see
// before. It returns the entries and the last position it looked at, so
// that a window of invisible entries still moves the cursor on: the end of
// the window, or the last entry read when limit stopped it short of that
// (the entries after it are still to be read).
//
// Only the columns a pull sends are read, and they are scanned by hand:
// gorm's reflection over every column of every row was most of a full
// sync's CPU, and a window of scan entries read whole when a page wanted
// limit of them read each record four times over (issue 17).
func (tx *Tx) ChangesAfter(seq int64, scope ChangeScope, scan, limit int) ([]Change, int64, error) {
	const op = "store.ChangesAfter"
	var windowEnd sql.NullInt64
	window := tx.scoped("changes").Select("seq").Where("seq > ?", seq).Order("seq").Limit(scan)
	if err := tx.gorm.Table("(?) AS positions", window).Select("MAX(seq)").Scan(&windowEnd).Error; err != nil {
		return nil, seq, translate(op, err)
	}
	if !windowEnd.Valid {
		return nil, seq, nil
	}
	q := tx.scoped("changes").Select("seq, entity_type, entity_id, op, version, audience, site_id, owner_id, data").
		Where("seq > ? AND seq <= ?", seq, windowEnd.Int64)
	if !scope.Admin {
		condition, args := scope.visible()
		q = q.Where(condition, args...)
	}
	rows, err := q.Order("seq").Limit(limit).Rows()
	if err != nil {
		return nil, seq, translate(op, err)
	}
	defer rows.Close()
	changes := make([]Change, 0, min(limit, scan))
	for rows.Next() {
		var c Change
		var site, owner sql.NullString
		if err := rows.Scan(&c.Seq, &c.EntityType, &c.EntityID, &c.Op, &c.Version, &c.Audience, &site, &owner,
			&c.Data); err != nil {
			return nil, seq, translate(op, err)
		}
		c.SiteID, c.OwnerID = nullable(site), nullable(owner)
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, seq, translate(op, err)
	}
	if len(changes) == limit {
		return changes, changes[len(changes)-1].Seq, nil
	}
	return changes, windowEnd.Int64, nil
}

// visible is the condition on a change log entry that the scope may see
// it now or could see it before (the entry is then its tombstone).
func (scope ChangeScope) visible() (string, []any) {
	sites := scope.SiteIDs
	audienceOf := func(audience, site, owner string) (string, []any) {
		condition := audience + " = 'org' OR (" + audience + " = 'site' AND " + site + " IN ?) OR (" + audience +
			" = 'owner' AND (" + owner + " = ?"
		args := []any{sites, scope.UserID}
		if scope.Supervisor {
			condition += " OR " + site + " IN ?"
			args = append(args, sites)
		}
		return condition + "))", args
	}
	now, nowArgs := audienceOf("audience", "site_id", "owner_id")
	before, beforeArgs := audienceOf("prev_audience", "prev_site_id", "prev_owner_id")
	return "(" + now + ") OR (" + before + ")", append(nowArgs, beforeArgs...)
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// ChangeLogBounds returns the newest position and how far the log has been
// pruned for the caller's organisation.
func (tx *Tx) ChangeLogBounds() (head, prunedThrough int64, err error) {
	var row struct{ Seq, PrunedThrough int64 }
	err = tx.gorm.Table("org_counters").Where("org_id = ?", tx.orgOf()).Limit(1).Find(&row).Error
	return row.Seq, row.PrunedThrough, translate("store.ChangeLogBounds", err)
}

// PruneChanges deletes entries older than before that no full sync needs:
// deletions, and scope moves superseded by a later entry of the same
// record. Cursors at or before the newest pruned position can no longer be
// served (they might miss a tombstone) and get 410.
func (tx *Tx) PruneChanges(before time.Time) (int64, error) {
	const op = "store.PruneChanges"
	org := tx.orgOf()
	prunable := tx.scoped("changes").Where("created_at < ?", before).Where(
		"op = 'delete' OR (prev_audience IS NOT NULL AND EXISTS (SELECT 1 FROM changes later " +
			"WHERE later.org_id = changes.org_id AND later.entity_id = changes.entity_id AND later.seq > changes.seq))")
	var maxSeq *int64
	if err := prunable.Select("MAX(seq)").Scan(&maxSeq).Error; err != nil {
		return 0, translate(op, err)
	}
	if maxSeq == nil {
		return 0, nil
	}
	res := tx.scoped("changes").Where("seq <= ? AND created_at < ?", *maxSeq, before).Where(
		"op = 'delete' OR (prev_audience IS NOT NULL AND EXISTS (SELECT 1 FROM changes later " +
			"WHERE later.org_id = changes.org_id AND later.entity_id = changes.entity_id AND later.seq > changes.seq))").
		Delete(&Change{})
	if res.Error != nil {
		return 0, translate(op, res.Error)
	}
	err := tx.gorm.Table("org_counters").Where("org_id = ? AND pruned_through < ?", org, *maxSeq).
		Update("pruned_through", *maxSeq).Error
	return res.RowsAffected, translate(op, err)
}
