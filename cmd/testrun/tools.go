package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// tools are the programs tests run besides Go, and the Debian package of
// each: the report tests render PDFs to pixels and list their fonts with
// poppler.
var tools = map[string]string{"pdftoppm": "poppler-utils", "pdffonts": "poppler-utils"}

// setupTools installs the missing tools with apt-get where that is
// possible, and otherwise says what to install.
func setupTools(ctx context.Context) error {
	var missing []string
	for name, pkg := range tools {
		if _, err := exec.LookPath(name); err != nil && !slices.Contains(missing, pkg) {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 || !fileExists("/etc/debian_version") {
		return fmt.Errorf("the tests need %s (Debian/Ubuntu: sudo apt-get install %[1]s; Fedora: sudo dnf install poppler-utils; "+
			"macOS: brew install poppler)", strings.Join(missing, " "))
	}
	logf("tools: installing %s", strings.Join(missing, " "))
	return aptInstall(ctx, missing...)
}
