package store

import (
	"context"
	"fmt"
)

// hotTables are the tables every push or pull reads by key.
var hotTables = []string{"push_results", "inspections", "inspection_events", "changes", "media", "audit_log",
	"sessions", "refresh_tokens", "findings", "scans", "incidents"}

// RefreshStatistics analyzes the hot tables, young ones (under 100 000 rows
// at their last analysis), that have changed by at least as many rows as
// they held then (at least 500), and returns their names.
//
// PostgreSQL caches a generic plan per prepared statement and keeps it
// until the table's statistics change. On a young database the plan of a
// lookup such as "these 32 mutation ids" is made while the table is nearly
// empty (a sequential scan is then the cheapest) and, until autovacuum
// next analyzes the table, stays a sequential scan while the table grows
// by thousands of rows a second: measured, 134 instead of 500 inspections
// a second. Analyzing a young table each time it doubles re-plans such
// statements within one run of this job; once it is big, autovacuum does
// the rest. SQLite plans every statement afresh.
func (db *DB) RefreshStatistics(ctx context.Context) ([]string, error) {
	const op = "store.RefreshStatistics"
	if db.dialect != Postgres {
		return nil, nil
	}
	var stale []string
	// reltuples is the row count at the last analysis (-1: never). Past
	// 100 000 rows a plan made from the statistics stays right as the
	// table grows, and autovacuum keeps them: analyzing big tables here
	// would only re-plan every statement on them for nothing.
	err := db.gorm.WithContext(ctx).Raw(`SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = current_schema() AND s.relname IN ?
    AND GREATEST(c.reltuples, 0) < 100000 AND s.n_mod_since_analyze >= GREATEST(500, c.reltuples)
ORDER BY s.relname`, hotTables).Scan(&stale).Error
	if err != nil {
		return nil, translate(op, err)
	}
	for _, table := range stale {
		// The name comes from the fixed list above, never from input.
		if err := db.gorm.WithContext(ctx).Exec(fmt.Sprintf("ANALYZE %q", table)).Error; err != nil {
			return nil, translate(op, err)
		}
	}
	return stale, nil
}
