// Package pgbin finds a PostgreSQL server's binaries (initdb and postgres)
// for tests: the test runner (cmd/testrun) and the test environment
// (internal/testenv) both start throwaway clusters and must agree on which
// server they start. Standard library only.
package pgbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DebianGlob is where Debian and Ubuntu install each major version.
const DebianGlob = "/usr/lib/postgresql/*/bin"

// Find returns the directory holding initdb and postgres: the newest
// version under DebianGlob, else the directory of initdb on PATH; "" when
// there is none.
func Find() string {
	dirs, _ := filepath.Glob(DebianGlob)
	return find(dirs, exec.LookPath)
}

func find(dirs []string, lookPath func(string) (string, error)) string {
	SortNewestFirst(dirs)
	for _, dir := range dirs {
		if hasServer(dir) {
			return dir
		}
	}
	if initdb, err := lookPath("initdb"); err == nil && hasServer(filepath.Dir(initdb)) {
		return filepath.Dir(initdb)
	}
	return ""
}

func hasServer(dir string) bool {
	return Executable(filepath.Join(dir, "initdb")) && Executable(filepath.Join(dir, "postgres"))
}

// SortNewestFirst orders .../<version>/bin directories by version, newest
// first, comparing dotted versions number by number (16 > 10 > 9.6 > 9.5);
// a directory whose version does not parse goes last.
func SortNewestFirst(dirs []string) {
	slices.SortStableFunc(dirs, func(a, b string) int { return compareVersions(Version(b), Version(a)) })
}

// Version reads the version numbers of a .../<version>/bin directory:
// [16] for /usr/lib/postgresql/16/bin, [9 6] for 9.6; nil when it is not
// a version.
func Version(binDir string) []int {
	parts := strings.Split(filepath.Base(filepath.Dir(binDir)), ".")
	out := make([]int, len(parts))
	for i, part := range parts {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil
		}
		out[i] = n
	}
	return out
}

// compareVersions compares number by number; a missing number counts as
// less, and nil (no version) is the least of all.
func compareVersions(a, b []int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return slices.Compare(a, b)
}

// Executable reports whether path is a file someone may execute.
func Executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}
