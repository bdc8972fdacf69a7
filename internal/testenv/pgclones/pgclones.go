// Package pgclones names the test databases that testenv clones for each
// test and drops what ended test processes left of them. It is apart
// from testenv so that make test (cmd/testrun) can drop them too without
// building the store.
package pgclones

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver
)

// Prefix names the databases testenv clones; the part after it is the
// owning process's tag (8 hex digits), then a counter. The process holds
// the tag's session advisory lock (Lock) for as long as it lives.
const Prefix = "patrolsync_c_"

// DropLeft drops the test databases (Postgres) left on the server at
// adminURL by test processes that have ended; make test calls it after
// go test. Those of processes still running are left alone.
func DropLeft(ctx context.Context, adminURL string) error {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return Reap(ctx, conn, "")
}

// Reap drops, through conn, the databases of processes that have gone,
// except own's. A failed drop is left for the next reap: a database in
// use by a live process is never touched.
func Reap(ctx context.Context, conn *sql.Conn, own string) error {
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, Prefix)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil {
			names = append(names, name)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, name := range names {
		tag, _, ok := strings.Cut(strings.TrimPrefix(name, Prefix), "_")
		if _, err := hex.DecodeString(tag); !ok || err != nil || tag == own || len(tag) != 8 {
			continue
		}
		var free bool
		if conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, Lock(tag)).Scan(&free) != nil || !free {
			continue // its process is alive
		}
		conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, Lock(tag))
	}
	return nil
}

// Lock is the advisory lock key of a process tag (8 hex digits).
func Lock(tag string) int64 {
	var key [8]byte
	copy(key[:4], "pscl")
	tagBytes, _ := hex.DecodeString(tag)
	copy(key[4:], tagBytes)
	return int64(binary.BigEndian.Uint64(key[:]))
}
