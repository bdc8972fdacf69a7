package store_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"reflect"
	"sort"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
	"github.com/patrolsync/patrolsync/migrations"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Both dialects must carry the same migration versions...
func TestMigrationFilesMatchAcrossDialects(t *testing.T) {
	list := func(dialect string) []string {
		files, err := migrations.Dialect(dialect)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(files, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	pg, lite := list("postgres"), list("sqlite")
	if len(pg) == 0 || !reflect.DeepEqual(pg, lite) {
		t.Fatalf("migration files differ:\npostgres: %v\nsqlite:   %v", pg, lite)
	}
}

// ...and end with the same tables and columns.
func TestSchemasMatchAcrossDialects(t *testing.T) {
	ctx := context.Background()
	columns := func(url string) map[string][]string {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx, quiet); err != nil {
			t.Fatal(err)
		}
		var query string
		if db.Dialect() == store.Postgres {
			query = `SELECT table_name, column_name FROM information_schema.columns
			         WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`
		} else {
			query = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
		}
		rows, err := db.SQL().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string][]string{}
		for rows.Next() {
			var table, column string
			if err := rows.Scan(&table, &column); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], column)
		}
		for _, cols := range out {
			sort.Strings(cols)
		}
		return out
	}
	pg := columns(testenv.Postgres(t))
	lite := columns(testenv.SQLite(t))
	if len(pg) == 0 {
		t.Fatal("postgres schema has no tables")
	}
	for table, cols := range pg {
		if !reflect.DeepEqual(cols, lite[table]) {
			t.Errorf("table %s:\npostgres: %v\nsqlite:   %v", table, cols, lite[table])
		}
	}
	for table := range lite {
		if _, ok := pg[table]; !ok {
			t.Errorf("table %s exists only in sqlite", table)
		}
	}
}
