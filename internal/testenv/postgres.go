// Package testenv gives tests real services: a fresh PostgreSQL database
// cloned from a migrated template, a SQLite file, and an S3 bucket. It never
// skips: a missing service fails the test with how to get one.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for admin statements

	"github.com/patrolsync/patrolsync/internal/jobs"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/migrations"
)

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL is the server the tests use: TEST_DATABASE_URL, else the local default.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultAdminURL
}

// Postgres returns the URL of a fresh, migrated database that is dropped
// when the test ends.
//
// Cloning and dropping a database each take PostgreSQL most of a second
// (it writes the template's ten megabytes through its log), time in which
// the test waited and did nothing. So the next clone is made while the
// test runs (clones.take), and the drop runs after the test has ended,
// beside the next test. What a process leaves at its exit (the clone made
// for a test that never came, a drop cut short) is dropped by the next
// process that clones (clones.reap).
func Postgres(t testing.TB) string {
	t.Helper()
	name, err := clones.take(AdminURL())
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { clones.drop(name) })
	return withDatabase(AdminURL(), name)
}

// SQLite returns the URL of a fresh SQLite file in a directory of its own,
// removed when the test ends. Like Postgres, the file starts with every
// migration applied: it is a copy of a migrated template, made once per set
// of migration files (migratedSQLite), because applying the migrations
// took each test a quarter of a second of CPU, parsing SQL it had parsed
// before. EmptySQLite gives a file with none.
func SQLite(t testing.TB) string {
	t.Helper()
	template, err := migratedSQLite()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	url := EmptySQLite(t)
	if err := copyFile(template, strings.TrimPrefix(url, "sqlite://")); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return url
}

// EmptySQLite returns the URL of a SQLite file that does not exist yet, in
// a directory of its own removed when the test ends: a database with no
// migration applied, for the tests of migrations themselves.
func EmptySQLite(t testing.TB) string {
	t.Helper()
	// Not t.TempDir: its name comes from the test's, and a repeated
	// subtest's name ends in "#01", which would end the database URL's
	// path and start a fragment, so that two subtests shared a file.
	dir, err := os.MkdirTemp("", "patrolsync-sqlite-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return "sqlite://" + filepath.Join(dir, "patrolsync.db")
}

// Each runs fn once per dialect, as subtests named "postgres" and "sqlite".
func Each(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
}

// migratedTemplate makes, once per set of migration files, a database with
// every migration applied, and returns its name. An advisory lock keeps
// test packages running in parallel from building it twice.
func migratedTemplate(ctx context.Context, admin *sql.DB) (string, error) {
	digest, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	name := "patrolsync_tmpl_" + digest[:16]
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lockID := int64(binary.BigEndian.Uint64(mustDecodeHex(digest[:16])))
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockID)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_wip"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	if err := migrateAll(ctx, withDatabase(AdminURL(), building)); err != nil {
		return "", err
	}
	// Renamed only when complete, so a crash leaves no half-built template.
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsDigest names the templates: the migration files and the River
// release, whose own migrations the templates carry too.
func migrationsDigest() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "river %s\n", riverVersion())
	for _, dialect := range []string{"postgres", "sqlite"} {
		files, err := migrations.Dialect(dialect)
		if err != nil {
			return "", err
		}
		var names []string
		err = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, path)
			}
			return err
		})
		if err != nil {
			return "", err
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := fs.ReadFile(files, n)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s/%s\n%s\n", dialect, n, b)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func withDatabase(adminURL, name string) string {
	u, err := url.Parse(adminURL)
	if err != nil {
		return adminURL
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func mustDecodeHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// migrateAll applies the app's migrations and River's to the database at
// url, as `patrolsync migrate` does: a template with both spares every
// test server River's migrations (7 of the api test binary's 78 sampled
// CPU-seconds went to them, most of it SQLite parsing their SQL).
func migrateAll(ctx context.Context, url string) (err error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := db.Close(); err == nil {
			err = closeErr
		}
	}()
	if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	q, err := jobs.Open(ctx, db, url, jobs.Options{Migrate: true}, log)
	if err != nil {
		return err
	}
	q.Close()
	return nil
}

// riverVersion is the River release this binary was built with.
func riverVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/riverqueue/river" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

// EmptyPostgres returns the URL of a database with no migration applied
// (neither the app's nor River's), dropped when the test ends: for the
// tests of migrations themselves.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "patrolsync_t_empty_" + randomHex(6)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", AdminURL())
		if err == nil {
			_, err = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}
		if err != nil {
			t.Errorf("testenv: drop %s: %v", name, err)
		}
	})
	return withDatabase(AdminURL(), name)
}

// EachEmpty is Each with databases that have no migration applied.
func EachEmpty(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, EmptyPostgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, EmptySQLite(t)) })
}
