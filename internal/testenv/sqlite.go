package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// sqliteTemplate is the migrated SQLite file the tests' databases are
// copied from: one per set of migration files, kept in the temporary
// directory and shared by the test processes of this and later runs
// (like PostgreSQL's template database), so that it is built once.
var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

func migratedSQLite() (string, error) {
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.path, sqliteTemplate.err = buildSQLiteTemplate()
	})
	return sqliteTemplate.path, sqliteTemplate.err
}

// buildSQLiteTemplate migrates a file of its own and renames it into
// place, so that a process never copies a half-built template: processes
// racing to build it each build one and the last rename wins, with the
// same content.
func buildSQLiteTemplate() (string, error) {
	digest, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	path := filepath.Join(os.TempDir(), "patrolsync-sqlite-template-"+digest[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	dir, err := os.MkdirTemp("", "patrolsync-sqlite-template-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	building := filepath.Join(dir, "template.db")
	// Closing the last connection (migrateAll does) checkpoints the
	// write-ahead log into the file, so the file alone is the whole database.
	if err := migrateAll(context.Background(), "sqlite://"+building); err != nil {
		return "", fmt.Errorf("SQLite template: %w", err)
	}
	for _, leftover := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(building + leftover); err == nil {
			return "", fmt.Errorf("SQLite template: %s%s is still there after closing", building, leftover)
		}
	}
	if err := os.Rename(building, path); err != nil {
		return "", fmt.Errorf("SQLite template: %w", err)
	}
	return path, nil
}

// copyFile copies the template to a test's database file.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
