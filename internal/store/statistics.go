package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"gorm.io/gorm"
)

// hotTables are the tables every push or pull reads by key.
var hotTables = []string{"push_results", "inspections", "inspection_events", "changes", "media", "audit_log",
	"sessions", "refresh_tokens", "findings", "scans", "incidents"}

// statisticsCeiling is the row count past which a table is left to
// autovacuum. A key lookup's generic plan is an index scan once a table
// holds a few hundred pages, and the planner scales the analyzed row count
// by the table's current size at every plan, so analyzing a bigger table
// changes no plan the pushes use; it only costs a sample of up to 30 000
// rows (0.3-0.7 s of a core per table at 20 000 inspections, measured in
// docs/benchmarks.md, branch round17) and, in the middle of a load, the
// slowest second of the run.
const statisticsCeiling = 10000

// statisticsLockKey is the transaction-level advisory lock a run holds, so
// that one replica at a time analyzes: two would each sample the same
// table, the second after waiting for the first's lock.
var statisticsLockKey = advisoryLockKey("store.RefreshStatistics")

// advisoryLockKey is the PostgreSQL advisory lock (a 64-bit key) named by
// name: the first 8 bytes of its SHA-256, so that locks named apart do not
// meet by chance.
func advisoryLockKey(name string) int64 {
	sum := sha256.Sum256([]byte(name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// RefreshStatistics analyzes the hot tables, young ones (under
// statisticsCeiling rows at their last analysis), that have grown by at
// least as many rows as they held then (at least 500), and returns their
// names. While another run, in this process or another replica, holds the
// lock it returns at once with none: what is still stale is analyzed by
// the next run.
//
// PostgreSQL caches a generic plan per prepared statement and keeps it
// until the table's statistics change. On a young database the plan of a
// lookup such as "these 32 mutation ids" is made while the table is nearly
// empty (a sequential scan is then the cheapest) and, until autovacuum
// next analyzes the table, stays a sequential scan while the table grows
// by thousands of rows a second: measured, 134 instead of 500 inspections
// a second. Analyzing a young table each time it doubles re-plans such
// statements within one run of this job; once it is past the ceiling,
// autovacuum does the rest. SQLite plans every statement afresh.
//
// Only the indexed columns are analyzed. The plans this job is for need
// the table's size, which any ANALYZE sets, and the statistics of the
// columns their lookups filter on, which are indexed; the wide columns
// (answers, details, hashes, signatures, object keys) cost most of a
// full ANALYZE's sample and no lookup reads their statistics. A full
// ANALYZE of media at 18 000 rows took 190 ms of a core, its indexed
// columns 100 ms (docs/benchmarks.md, issue 17, 2026-12-06); in paced
// load these runs were the slowest seconds. An ANALYZE of some columns
// does not reset the table's count of rows changed since its analysis,
// so autovacuum still analyzes every column on its own schedule, and
// growth is told from the live rows against the size last analyzed.
func (db *DB) RefreshStatistics(ctx context.Context) ([]string, error) {
	const op = "store.RefreshStatistics"
	if db.dialect != Postgres {
		return nil, nil
	}
	var analyzed []string
	// ANALYZE may run inside a transaction; the advisory lock is released
	// with it, whatever happens to the connection.
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var locked bool
		if err := tx.Raw("SELECT pg_try_advisory_xact_lock(?)", statisticsLockKey).Scan(&locked).Error; err != nil || !locked {
			return err
		}
		var stale []staleTable
		// reltuples is the row count at the last analysis (-1: never);
		// n_live_tup counts the rows since, as backends publish them.
		err := tx.Raw(`SELECT s.relname AS name,
    (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attname) FROM pg_attribute a
        WHERE a.attrelid = s.relid AND a.attnum > 0 AND NOT a.attisdropped
            AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = s.relid AND a.attnum = ANY (i.indkey))) AS columns
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = current_schema() AND s.relname IN ?
    AND GREATEST(c.reltuples, 0) < ? AND s.n_live_tup - GREATEST(c.reltuples, 0) >= GREATEST(500, c.reltuples)
ORDER BY s.relname`, hotTables, statisticsCeiling).Scan(&stale).Error
		if err != nil {
			return err
		}
		for _, table := range stale {
			// The name comes from the fixed list above and the columns,
			// quoted, from the catalogue: never from input.
			if err := tx.Exec(table.analyze()).Error; err != nil {
				return err
			}
			analyzed = append(analyzed, table.Name)
		}
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return analyzed, nil
}

// staleTable is a hot table due for analysis and its indexed columns,
// each quoted, joined by commas (empty for a table without an index).
type staleTable struct {
	Name    string
	Columns string
}

// analyze is the statement that analyzes the table's indexed columns, or
// the whole table when it has no index.
func (t staleTable) analyze() string {
	if t.Columns == "" {
		return fmt.Sprintf("ANALYZE %q", t.Name)
	}
	return fmt.Sprintf("ANALYZE %q (%s)", t.Name, t.Columns)
}
