package store

import (
	"context"
	"strings"
)

// MigrateTo applies the migrations up to version and no further: tests
// fill the old layout and then check what a later migration carried over.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// StatisticsLockKey is the advisory lock a run of RefreshStatistics holds.
var StatisticsLockKey = statisticsLockKey

// PushResultsByIDs is MutationsByID's statement on PostgreSQL.
const PushResultsByIDs = pushResultsByIDs

// ByIDsQuery is byIDs' statement on PostgreSQL, with $1 for the ids.
func ByIDsQuery(table string) string { return strings.Replace(byIDsQuery(table), "?", "$1", 1) }
