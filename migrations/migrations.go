// Package migrations embeds the forward-only SQL schema, one folder per
// dialect with the same version numbers in each (a test checks). The files
// are applied by internal/store; nothing here talks to a database.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect returns the migration files of one dialect: "postgres" or "sqlite".
func Dialect(name string) (fs.FS, error) { return fs.Sub(files, name) }
