package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// tableObserver reads PostgreSQL's cumulative statistics of the bench
// database before the load and after the server stopped: transactions,
// time spent in statements and idle inside transactions, and per table the
// rows written and the scans, to show what one push costs the database.
type tableObserver struct {
	url           string
	before, after databaseStats
}

type databaseStats struct {
	commits, rollbacks, deadlocks int64
	activeMS, idleInTxMS          float64
	blocksRead, blocksHit         int64
	tables                        map[string]tableStats
	cluster                       clusterStats
}

// clusterStats are the server's own counters of WAL and buffer writes.
// They cover every database of the server (other work on a shared one
// too), and they are what a checkpoint in the middle of a run shows up as:
// full-page images after it, buffers the backends had to write themselves.
type clusterStats struct {
	walRecords, walFPI, walBytes, walBuffersFull   int64
	checkpoints, buffersCheckpoint, buffersBackend int64
}

type tableStats struct {
	seqScans, indexScans, inserted, updated, deleted int64
}

func (o *tableObserver) snapshot(ctx context.Context, into *databaseStats) error {
	db, err := sql.Open("pgx", o.url)
	if err != nil {
		return err
	}
	defer db.Close()
	s := databaseStats{tables: map[string]tableStats{}}
	err = db.QueryRowContext(ctx, `SELECT xact_commit, xact_rollback, deadlocks, active_time, idle_in_transaction_time,
       blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()`).
		Scan(&s.commits, &s.rollbacks, &s.deadlocks, &s.activeMS, &s.idleInTxMS, &s.blocksRead, &s.blocksHit)
	if err != nil {
		return fmt.Errorf("pg_stat_database: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT w.wal_records, w.wal_fpi, w.wal_bytes::bigint, w.wal_buffers_full,
       b.checkpoints_timed + b.checkpoints_req, b.buffers_checkpoint, b.buffers_backend FROM pg_stat_wal w, pg_stat_bgwriter b`).
		Scan(&s.cluster.walRecords, &s.cluster.walFPI, &s.cluster.walBytes, &s.cluster.walBuffersFull,
			&s.cluster.checkpoints, &s.cluster.buffersCheckpoint, &s.cluster.buffersBackend)
	if err != nil {
		return fmt.Errorf("pg_stat_wal: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT relname, coalesce(seq_scan, 0), coalesce(idx_scan, 0), n_tup_ins, n_tup_upd,
       n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		return fmt.Errorf("pg_stat_user_tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var t tableStats
		if err := rows.Scan(&name, &t.seqScans, &t.indexScans, &t.inserted, &t.updated, &t.deleted); err != nil {
			return err
		}
		s.tables[name] = t
	}
	*into = s
	return rows.Err()
}

// section reports the database's work per unit of work (an applied
// inspection, a day's loop), over the whole load (warm-up included, so
// divided by every unit done).
func (o *tableObserver) section(done int, unit string) section {
	out := section{title: "What the load costs PostgreSQL (whole load, per " + unit + ")"}
	if done == 0 || o.after.tables == nil {
		out.rows = append(out.rows, [2]string{"not measured", "no " + unit + " done"})
		return out
	}
	n := float64(done)
	b, a := o.before, o.after
	per := func(x float64) string { return fmt.Sprintf("%.2f", x/n) }
	out.rows = [][2]string{
		{"transactions committed / rolled back", per(float64(a.commits-b.commits)) + " / " + per(float64(a.rollbacks-b.rollbacks))},
		{"deadlocks in all", fmt.Sprint(a.deadlocks - b.deadlocks)},
		{"time executing statements (all backends)", fmt.Sprintf("%.2f ms", (a.activeMS-b.activeMS)/n)},
		{"time idle inside a transaction, waiting for the server", fmt.Sprintf("%.2f ms", (a.idleInTxMS-b.idleInTxMS)/n)},
		{"buffer hits / reads", per(float64(a.blocksHit-b.blocksHit)) + " / " + per(float64(a.blocksRead-b.blocksRead))},
		{"WAL records / full-page images / kB (whole server)", per(float64(a.cluster.walRecords-b.cluster.walRecords)) + " / " +
			per(float64(a.cluster.walFPI-b.cluster.walFPI)) + " / " + fmt.Sprintf("%.2f", float64(a.cluster.walBytes-b.cluster.walBytes)/1024/n)},
		{"checkpoints in all; buffers written by checkpoints / by backends (whole server)",
			fmt.Sprintf("%d; %s / %s", a.cluster.checkpoints-b.cluster.checkpoints,
				per(float64(a.cluster.buffersCheckpoint-b.cluster.buffersCheckpoint)), per(float64(a.cluster.buffersBackend-b.cluster.buffersBackend)))},
		{"WAL buffers full, in all (whole server)", fmt.Sprint(a.cluster.walBuffersFull - b.cluster.walBuffersFull)},
	}
	names := make([]string, 0, len(a.tables))
	for name := range a.tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t, was := a.tables[name], b.tables[name]
		d := tableStats{t.seqScans - was.seqScans, t.indexScans - was.indexScans, t.inserted - was.inserted,
			t.updated - was.updated, t.deleted - was.deleted}
		if max(d.seqScans, d.indexScans, d.inserted, d.updated, d.deleted) < int64(n)/100 {
			continue // untouched by the load: set-up, the job queue
		}
		var parts []string
		for _, f := range []struct {
			label string
			v     int64
		}{{"index scans", d.indexScans}, {"seq scans", d.seqScans}, {"inserted", d.inserted}, {"updated", d.updated}, {"deleted", d.deleted}} {
			if f.v != 0 {
				parts = append(parts, per(float64(f.v))+" "+f.label)
			}
		}
		out.rows = append(out.rows, [2]string{"table " + name, strings.Join(parts, ", ")})
	}
	return out
}
