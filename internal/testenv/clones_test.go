package testenv

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv/pgclones"
)

// Each test gets its own migrated database, made ahead while the one
// before ran; it is gone once the test has ended.
func TestPostgresClonesAreFreshAndDropped(t *testing.T) {
	var names []string
	for i := range 3 {
		t.Run("clone", func(t *testing.T) {
			db, err := sql.Open("pgx", Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var name string
			var versions int
			if err := db.QueryRow(`SELECT current_database(), (SELECT count(*) FROM goose_db_version WHERE version_id > 0)`).Scan(&name, &versions); err != nil {
				t.Fatal(err)
			}
			if versions == 0 {
				t.Fatalf("clone %d (%s) is not migrated", i, name)
			}
			// Written here, absent from the next clone.
			if _, err := db.Exec(`CREATE TABLE testenv_probe (n int)`); err != nil {
				t.Fatalf("clone %d (%s) is not fresh: %v", i, name, err)
			}
			names = append(names, name)
		})
	}
	admin := adminDB(t)
	deadline := time.Now().Add(time.Minute)
	for _, name := range names[:2] { // the last one's drop may still be under way; so may the second's
		for exists(t, admin, name) {
			if time.Now().After(deadline) {
				t.Fatalf("%s was not dropped after its test", name)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// A database left by a process that has gone is dropped; one of a
// process that is alive (it holds its tag's lock) is not.
func TestReapDropsOnlyWhatGoneProcessesLeft(t *testing.T) {
	mine, err := url.Parse(Postgres(t)) // starts the pool
	if err != nil {
		t.Fatal(err)
	}
	admin := adminDB(t)
	gone, alive := pgclones.Prefix+"0badf00d_1", pgclones.Prefix+"0a11fe00_1"
	for _, name := range []string{gone, alive} {
		if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	}
	holder, err := admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(context.Background(), `SELECT pg_advisory_lock($1)`, pgclones.Lock("0a11fe00")); err != nil {
		t.Fatal(err)
	}
	if err := pgclones.DropLeft(context.Background(), AdminURL()); err != nil {
		t.Fatal(err)
	}
	if exists(t, admin, gone) {
		t.Errorf("%s (its process gone) was not reaped", gone)
	}
	if !exists(t, admin, alive) {
		t.Errorf("%s (its process alive) was reaped", alive)
	}
	if name := strings.TrimPrefix(mine.Path, "/"); !exists(t, admin, name) {
		t.Errorf("%s, this process's, was reaped", name)
	}
}

func adminDB(t *testing.T) *sql.DB {
	t.Helper()
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return admin
}

func exists(t *testing.T, admin *sql.DB, name string) bool {
	t.Helper()
	var found bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&found); err != nil {
		t.Fatal(err)
	}
	return found
}
