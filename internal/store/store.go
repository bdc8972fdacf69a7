// Package store is the only package that talks to the database (through
// gorm). It translates driver errors into errs kinds, scopes every tenant
// query by the principal's organisation, and never decides a transaction's
// scope: the use-case packages do, through InTx.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
)

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// DB is an open database of either dialect.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	tails   orgLocks
	heads   auditHeads
}

// parallelWorkersParam is the PostgreSQL setting that lets one statement
// use parallel workers. The server's connections set it to 0 unless the
// database URL names it (…?max_parallel_workers_per_gather=2). Every
// statement the server sends is a lookup by key or a page of an index,
// answered in milliseconds; a parallel plan only ever comes from a
// misestimate, and then costs worker processes on cores the pushes need.
// Measured: at a paced 500 inspections a second the group's media lookup
// sometimes planned a parallel scan of media, and push p99 was 708-759 ms
// at 437-464/s achieved; with no parallel workers 219 and 282 ms at 500/s
// (docs/benchmarks.md, issue 17, 2026-12-06).
const parallelWorkersParam = "max_parallel_workers_per_gather"

// Open connects to url: postgres://... or sqlite:///path/file.db (the
// directory of a SQLite file is created when missing).
func Open(ctx context.Context, url string) (*DB, error) {
	const op = "store.Open"
	cfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var dialector gorm.Dialector
	dialect := Postgres
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialector = postgres.New(postgres.Config{DSN: url, OptionOpenDB: []stdlib.OptionOpenDB{
			stdlib.OptionBeforeConnect(func(_ context.Context, config *pgx.ConnConfig) error {
				config.Tracer = statementTracer{} // CountStatements
				if _, set := config.RuntimeParams[parallelWorkersParam]; !set {
					config.RuntimeParams[parallelWorkersParam] = "0"
				}
				return nil
			}),
			stdlib.OptionAfterConnect(func(_ context.Context, conn *pgx.Conn) error {
				reserveArrays(conn.TypeMap())
				return nil
			})}})
	case strings.HasPrefix(url, "sqlite://"):
		dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite://")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, errs.E(op, errs.Unavailable, err)
		}
		// WAL lets readers run beside the writer; IMMEDIATE transactions take
		// the write lock up front so that two writers queue (busy_timeout)
		// instead of failing on a lock upgrade. No _time_format: the driver
		// stops reading parameters after it, ignoring _txlock, and its
		// default is the same format anyway.
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
			"&_pragma=busy_timeout(15000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		sqlDB, err := sql.Open(sqlite.DriverName, dsn)
		if err != nil {
			return nil, errs.E(op, errs.Unavailable, err)
		}
		dialector = sqlite.Dialector{Conn: utcPool{sqlDB}}
	default:
		return nil, errs.E(op, errs.Invalid, "database url must start with postgres:// or sqlite://")
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if dialect == SQLite {
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(40)
		sqlDB.SetMaxIdleConns(40)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	sqlDB.SetConnMaxLifetime(time.Hour)
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// Dialect is "postgres" or "sqlite".
func (db *DB) Dialect() string { return db.dialect }

// SQL exposes the pool for the migration runner and the job queue.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.sql.PingContext(ctx); err != nil {
		return errs.E("store.Ping", errs.Unavailable, "database unavailable", err)
	}
	return nil
}

// Tx is one transaction with one clock reading: every row it writes carries
// the same now.
type Tx struct {
	gorm *gorm.DB
	db   *DB
	Now  time.Time
	// changes are written to the change log when the transaction commits,
	// after everything else, so the counter lock is held for the least time.
	changes *[]Change
	// audits are chained onto the organisation's audit log at commit, after
	// the changes.
	audits *[]AuditEntry
	// newHeads are the audit heads this transaction moved to, remembered
	// once it commits.
	newHeads map[string]auditHead
}

// InTx runs fn in a transaction, committed when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	g, err := db.begin(ctx)
	if err != nil {
		return translate("store.InTx", err)
	}
	committed := false
	defer func() {
		if !committed {
			g.Rollback()
		}
		if p, ok := g.Statement.ConnPool.(*pipelinedTx); ok {
			p.close()
		}
	}()
	tx := &Tx{gorm: g, db: db, Now: time.Now().UTC().Truncate(time.Microsecond), changes: &[]Change{},
		audits: &[]AuditEntry{}, newHeads: map[string]auditHead{}}
	if err := fn(tx); err != nil {
		return translate("store.InTx", tx.pipelineError(err))
	}
	// The audit head and the change counter are per-organisation rows held
	// from their statement to the commit. Transactions of this process
	// queue for them here, in Go, rather than as a crowd of PostgreSQL
	// backends that all wake, retry and sleep again at every commit.
	unlock := db.tails.lock(tx.tailOrgs())
	defer unlock()
	// The change counter goes last: pulls wait on it, so it is held for
	// the least time (one statement and the commit).
	if done, err := tx.writeTailAtOnce(); err != nil {
		return translate("store.InTx", tx.pipelineError(err))
	} else if !done {
		if err := tx.writeAudit(); err != nil {
			return translate("store.InTx", tx.pipelineError(err))
		}
		if err := tx.writeChanges(); err != nil {
			return translate("store.InTx", tx.pipelineError(err))
		}
	}
	if err := g.Commit().Error; err != nil {
		return translate("store.InTx", tx.pipelineError(err))
	}
	committed = true
	db.heads.remember(tx.newHeads)
	return nil
}

// begin starts the transaction: on PostgreSQL on a connection of its own
// (pipelinedTx), so that it can send deferred writes in one pipeline.
func (db *DB) begin(ctx context.Context) (*gorm.DB, error) {
	if db.dialect != Postgres {
		g := db.gorm.WithContext(ctx).Begin()
		return g, g.Error
	}
	p, err := beginPipelined(ctx, db.sql)
	if err != nil {
		return nil, err
	}
	g := db.gorm.Session(&gorm.Session{Context: ctx, NewDB: true})
	g.Statement.ConnPool = p
	return g, nil
}

// pipelineError is the error a deferred write met, when there was one:
// err is then only its consequence (a statement refused in the aborted
// transaction).
func (tx *Tx) pipelineError(err error) error {
	if p := tx.pipelined(); p != nil && p.failed != nil {
		return tx.driverError(p.failed)
	}
	return err
}

// Read runs fn outside a transaction for plain reads.
func (db *DB) Read(ctx context.Context) *Tx {
	return &Tx{gorm: db.gorm.WithContext(ctx), db: db, Now: time.Now().UTC().Truncate(time.Microsecond)}
}

// Dialect of the transaction's database.
func (tx *Tx) Dialect() string { return tx.db.dialect }

// scoped starts a query on table limited to the caller's organisation. A
// missing principal is a programming error and yields no rows.
func (tx *Tx) scoped(table string) *gorm.DB {
	p, ok := principal.From(tx.gorm.Statement.Context)
	org := p.OrgID
	if !ok {
		org = "00000000-0000-0000-0000-000000000000"
	}
	return tx.gorm.Table(table).Where(table+".org_id = ?", org)
}

// ofOrg splits rows read by id across organisations: those of the
// caller's, by id, and the ids another organisation holds. Client ids are
// global keys, so an id taken elsewhere cannot be created here; the caller
// learns only that it is taken, never what holds it. Reading them in the
// same query as the caller's own rows costs no round trip.
func ofOrg[T any](tx *Tx, found []T, key func(T) (id, org string)) (map[string]T, []string) {
	mine, rows := tx.orgOf(), make(map[string]T, len(found))
	var taken []string
	for _, r := range found {
		if id, org := key(r); org == mine {
			rows[id] = r
		} else {
			taken = append(taken, id)
		}
	}
	return rows, taken
}

// orgOf is the caller's organisation id.
func (tx *Tx) orgOf() string {
	p, _ := principal.From(tx.gorm.Statement.Context)
	return p.OrgID
}

// translate maps driver and gorm errors to errs kinds.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errs.KindOf(err) != errs.Internal:
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return errs.E(op, errs.NotFound, "not found", err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return errs.E(op, errs.Conflict, "already exists", err)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return errs.E(op, errs.Invalid, "refers to a record that does not exist", err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.E(op, errs.Unavailable, err)
	case isConnectionError(err):
		return errs.E(op, errs.Unavailable, "database unavailable", err)
	case LostLockRace(err):
		return errs.E(op, errs.Unavailable, "the transaction lost a lock race; retry", err)
	}
	return errs.E(op, errs.Internal, err)
}

// LostLockRace reports whether PostgreSQL rolled the transaction back to
// break a deadlock (40P01) or a serialization failure (40001): nothing of
// it was written, and run again it goes through. It is Unavailable, a 503
// the client retries, not a 500: a 5xx only ever means "retry and it will
// work". A use case that can run its transaction again itself (a push
// alone) does so.
func LostLockRace(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

func isConnectionError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"connection refused", "broken pipe", "connection reset", "failed to connect",
		"database is locked", "server closed", "conn closed", "the database system is"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// As returns the same transaction acting for the principal in ctx: for use
// cases that learn who the caller is only inside the transaction (a refresh
// token names its own user).
func (tx *Tx) As(ctx context.Context) *Tx {
	return &Tx{gorm: tx.gorm.WithContext(ctx), db: tx.db, Now: tx.Now, changes: tx.changes, audits: tx.audits,
		newHeads: tx.newHeads}
}

// execFast runs a hand-written statement straight on the connection behind
// tx, skipping gorm's statement building: for the few statements on every
// push whose reflection over hundreds of arguments cost more than running
// them. sql uses ? placeholders; PostgreSQL gets $n.
func (tx *Tx) execFast(sql string, args ...any) error {
	_, err := tx.execFastCount(sql, args...)
	return err
}

// execFastCount is execFast reporting the rows the statement changed.
func (tx *Tx) execFastCount(sql string, args ...any) (int64, error) {
	res, err := tx.gorm.Statement.ConnPool.ExecContext(tx.gorm.Statement.Context, tx.placeholders(sql), args...)
	if err != nil {
		return 0, tx.driverError(err)
	}
	n, err := res.RowsAffected()
	return n, tx.driverError(err)
}

// queryRowFast is execFast for a statement that answers one row, scanned
// into dest.
func (tx *Tx) queryRowFast(query string, args []any, dest ...any) error {
	var err error
	if p := tx.pipelined(); p != nil && len(p.queued) > 0 {
		// Sent with the deferred writes: one round trip for all.
		err = p.queryRow(tx.gorm.Statement.Context, tx.placeholders(query), args, dest...)
	} else {
		err = tx.gorm.Statement.ConnPool.QueryRowContext(tx.gorm.Statement.Context, tx.placeholders(query), args...).Scan(dest...)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return gorm.ErrRecordNotFound
	}
	return tx.driverError(err)
}

// driverError gives a driver's error the meaning gorm gives it
// (TranslateError), so that translate sees a unique violation as
// gorm.ErrDuplicatedKey whichever way the statement ran.
func (tx *Tx) driverError(err error) error {
	if translator, ok := tx.gorm.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return translator.Translate(err)
	}
	return err
}

// placeholders numbers the ? of sql for PostgreSQL. The statements are
// written here, so a ? never appears inside a string literal.
func (tx *Tx) placeholders(sql string) string {
	if tx.db.dialect != Postgres {
		return sql
	}
	var out strings.Builder
	out.Grow(len(sql) + len(sql)/4)
	n := 0
	for i := 0; i < len(sql); i++ {
		if sql[i] == '?' {
			n++
			out.WriteByte('$')
			out.WriteString(strconv.Itoa(n))
			continue
		}
		out.WriteByte(sql[i])
	}
	return out.String()
}

// insertMany inserts n rows by hand, chunk rows per statement: head is the
// statement up to VALUES, and args gives row i's values, columns of them.
func (tx *Tx) insertMany(head string, columns, chunk, n int, args func(i int) []any) error {
	return tx.insertManyTail(head, "", columns, chunk, n, args)
}

// insertManyTail is insertMany with tail (an ON CONFLICT clause) after
// each statement's rows.
func (tx *Tx) insertManyTail(head, tail string, columns, chunk, n int, args func(i int) []any) error {
	return tx.insertManyRowTail(head, "(?"+strings.Repeat(", ?", columns-1)+")", tail, chunk, n, args)
}

// insertManyRow is insertMany with row as each row's values (casts
// around the placeholders, say).
func (tx *Tx) insertManyRow(head, row string, chunk, n int, args func(i int) []any) error {
	return tx.insertManyRowTail(head, row, "", chunk, n, args)
}

func (tx *Tx) insertManyRowTail(head, row, tail string, chunk, n int, args func(i int) []any) error {
	columns := strings.Count(row, "?")
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		var sql strings.Builder
		sql.WriteString(head)
		values := make([]any, 0, columns*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				sql.WriteString(", ")
			}
			sql.WriteString(row)
			values = append(values, args(i)...)
		}
		sql.WriteString(tail)
		if err := tx.execFast(sql.String(), values...); err != nil {
			return err
		}
	}
	return nil
}

// anyOf is the condition that column holds one of values. On PostgreSQL the
// values go as one array parameter, so that the statement has one text
// (prepared once per connection, planned generically after five runs)
// whatever their number: with `IN ?` every length was a statement of its
// own, prepared and custom-planned again on every connection (planning
// was 9 % of PostgreSQL's CPU under push load, issue 17). Only for
// lookups whose generic plan cannot go wrong: a generic plan does not know
// how many values come, and on a young table it may pick a scan of a whole
// organisation (docs/benchmarks.md, finding 2), or, for a primary key, a
// scan of the table (see byIDs, which probes it). cast is the column's
// array type, such as "uuid[]".
func (tx *Tx) anyOf(column, cast string, values []string) (string, any) {
	if tx.db.dialect != Postgres {
		return column + " IN ?", values
	}
	return column + " = ANY(?::text::" + cast + ")", arrayLiteral(values)
}

// byIDs finds the rows of table (inspections, findings, incidents: a
// table whose primary key is a uuid id) with one of ids, whatever their
// organisation (see ofOrg), into found. On PostgreSQL each id is a probe
// of the primary key (byIDsQuery), not id = ANY(array): PostgreSQL caches
// that lookup's generic plan after five runs, and made on a young table,
// before anything analyzed it, the plan is a sequential scan (its
// estimate of ten ids costs more in index probes than a scan of the ten
// pages PostgreSQL assumes), kept until the next ANALYZE while the table
// grows by thousands of rows. Seen on the load tool's fresh database: the
// inspections lookup of a group took 2-4 ms for seconds, 123 sequential
// scans reading 115 000 rows, until the statistics job analyzed the table
// (docs/benchmarks.md, issue 17, branch pg17d).
func (tx *Tx) byIDs(table string, ids []string, found any) error {
	if tx.db.dialect != Postgres {
		return tx.gorm.Table(table).Where("id IN ?", ids).Find(found).Error
	}
	return tx.gorm.Raw(byIDsQuery(table), byIDsArg(ids)).Scan(found).Error
}

// byIDsArg is byIDsQuery's parameter: ids, each once, so that a row comes
// back once however often its id is asked (as with = ANY).
func byIDsArg(ids []string) arrayLiteral {
	unique := make(arrayLiteral, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	return unique
}

// byIDsQuery is byIDs' statement on PostgreSQL: one text whatever the
// number of ids (with IN, every length was a statement of its own,
// prepared and custom-planned again on every connection: planning was 9 %
// of PostgreSQL's CPU under push load, issue 17), each id a LATERAL subquery kept apart with OFFSET 0, so
// that every plan of it, custom or generic, at any size of the table, is a
// nested loop of primary-key probes (an index probe costs less than the
// ten pages a never-analyzed table is assumed to hold; flattened, a small
// table would be hash-joined with a scan).
func byIDsQuery(table string) string {
	return `SELECT t.* FROM unnest(?::text::uuid[]) AS k(id) CROSS JOIN LATERAL (SELECT * FROM ` + table +
		` WHERE id = k.id OFFSET 0) AS t`
}

// arrayLiteral is a PostgreSQL array literal of strings, passed as one
// text parameter (gorm would spread a slice into a list).
type arrayLiteral []string

// Value is the literal, every element quoted, '\\' and '"' escaped with a
// backslash. The literal's length is known before it is written, and an
// element with nothing to escape (every id) is copied as it is: a
// strings.Replacer per element, and the builder's growth, were two
// thirds of a push's column encoding (issue 17; BenchmarkArrayLiteral).
func (a arrayLiteral) Value() (driver.Value, error) {
	size := 2 + len(a)*3
	for _, v := range a {
		size += len(v)
	}
	var out strings.Builder
	out.Grow(size)
	out.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteByte('"')
		if strings.IndexByte(v, '\\') < 0 && strings.IndexByte(v, '"') < 0 {
			out.WriteString(v)
		} else {
			for j := 0; j < len(v); j++ {
				if v[j] == '\\' || v[j] == '"' {
					out.WriteByte('\\')
				}
				out.WriteByte(v[j])
			}
		}
		out.WriteByte('"')
	}
	out.WriteByte('}')
	return out.String(), nil
}
