package store

import (
	"context"
	"slices"

	"gorm.io/gorm/clause"
)

// Backfills are the change-log entries a server release owes records made
// before it put their kind in the log (drills and site people once reached
// phones only with their next change). A migration names each pending
// backfill in sync_backfills; the server writes the missing entries
// through the ordinary change log (so their positions follow commit order)
// and then drops the name.

// PendingBackfills lists the backfills still to run, in name order.
func (db *DB) PendingBackfills(ctx context.Context) ([]string, error) {
	var names []string
	err := db.gorm.WithContext(ctx).Table("sync_backfills").Order("name").Pluck("name", &names).Error
	return names, translate("store.PendingBackfills", err)
}

// FinishBackfill drops a backfill that ran to the end in every organisation.
func (db *DB) FinishBackfill(ctx context.Context, name string) error {
	err := db.gorm.WithContext(ctx).Exec("DELETE FROM sync_backfills WHERE name = ?", name).Error
	return translate("store.FinishBackfill", err)
}

// LockAll locks every row of the caller's organisation in table until the
// transaction ends (PostgreSQL; SQLite transactions hold the one write lock
// from their start). A backfill takes it before it looks for records the
// log lacks: a write of one of them either committed before (and logged
// itself) or waits until the backfill's entry is in, so its own entry
// comes after and wins. Only "drills" and "users" are backfilled.
//
// The lock is FOR NO KEY UPDATE, the lock an UPDATE of the row takes:
// it waits for every write of the rows, and for none of the rows that
// merely name them. FOR UPDATE would also wait for the FOR KEY SHARE
// lock that PostgreSQL's foreign-key check takes on a user for every row
// that names one (an inspection's owner, a notification's recipient), and
// a push names several users one after another in an order of its own:
// the backfill, holding the lower ids and waiting for a higher one the
// push named first, met the push naming a lower one next, and PostgreSQL
// broke the deadlock by failing one of them (seen on every loaded test
// run; TestLockAllLeavesReferencesFree).
func (tx *Tx) LockAll(table string) error {
	if !slices.Contains([]string{"drills", "users"}, table) || tx.db.dialect != Postgres {
		return nil
	}
	var ids []string
	err := tx.scoped(table).Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Order("id").Pluck("id", &ids).Error
	return translate("store.LockAll", err)
}

// LoggedEntities reports which of ids have an entry in the caller's
// organisation's change log. The newest upsert of a record is never pruned
// (PruneChanges), so a record without one never reached the log.
func (tx *Tx) LoggedEntities(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for chunk := range slices.Chunk(ids, 500) {
		var found []string
		err := tx.scoped("changes").Where("entity_id IN ?", chunk).Distinct("entity_id").Pluck("entity_id", &found).Error
		if err != nil {
			return nil, translate("store.LoggedEntities", err)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// AllDrills lists every drill of the caller's organisation, oldest first.
func (tx *Tx) AllDrills() ([]Drill, error) {
	var rows []Drill
	err := tx.scoped("drills").Order("created_at, id").Find(&rows).Error
	return rows, translate("store.AllDrills", err)
}

// AllSiteIDs lists the ids of every site of the caller's organisation,
// active or not, in id order: the sites an administrator works at.
func (tx *Tx) AllSiteIDs() ([]string, error) {
	var ids []string
	err := tx.scoped("sites").Order("id").Pluck("id", &ids).Error
	return ids, translate("store.AllSiteIDs", err)
}

// ActiveUsers lists every active user of the caller's organisation with
// their sites, in id order; role "" is any role.
func (tx *Tx) ActiveUsers(role string) ([]User, error) {
	q := tx.scoped("users").Where("active = ?", true)
	if role != "" {
		q = q.Where("role = ?", role)
	}
	var users []User
	if err := q.Order("id").Find(&users).Error; err != nil {
		return nil, translate("store.ActiveUsers", err)
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	sites, err := tx.sitesOfUsers(ids)
	for i := range users {
		users[i].SiteIDs = sites[users[i].ID]
	}
	return users, err
}
