package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// chromiumNames are the browser commands the tests can drive, Debian's first.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// setupChromium sets TEST_CHROMIUM for the browser tests (chromedp): the
// caller's, one on PATH, or Debian's chromium installed here, with the CJK
// fonts the Chinese screens need.
func setupChromium(ctx context.Context) error {
	if given := os.Getenv("TEST_CHROMIUM"); given != "" {
		if !isExecutable(given) {
			return fmt.Errorf("TEST_CHROMIUM=%s is not an executable file", given)
		}
		logf("chromium at %s (from TEST_CHROMIUM)", given)
		return nil
	}
	path, found := findChromium()
	if !found || !hasCJKFonts() {
		if os.Geteuid() != 0 || !fileExists("/etc/debian_version") {
			return fmt.Errorf("the browser tests need Chromium and CJK fonts: install them " +
				"(Debian/Ubuntu: sudo apt-get install chromium fonts-noto-cjk; Fedora: sudo dnf install chromium " +
				"google-noto-sans-cjk-fonts; macOS: brew install --cask chromium) or set TEST_CHROMIUM to a " +
				"Chromium or Chrome binary")
		}
		logf("chromium: installing Debian's chromium and fonts-noto-cjk")
		if err := aptInstall(ctx, "chromium", "fonts-noto-cjk"); err != nil {
			return err
		}
		if path, found = findChromium(); !found {
			return fmt.Errorf("installed chromium but found none of %s on PATH", strings.Join(chromiumNames, ", "))
		}
	}
	version, _ := exec.CommandContext(ctx, path, "--version").Output()
	logf("chromium at %s (%s)", path, strings.TrimSpace(string(version)))
	return os.Setenv("TEST_CHROMIUM", path)
}

func findChromium() (string, bool) {
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}

// hasCJKFonts asks fontconfig for a font with Chinese glyphs.
func hasCJKFonts() bool {
	out, err := exec.Command("fc-list", ":lang=zh").Output()
	return err == nil && len(strings.TrimSpace(string(out))) > 0
}

// aptMutex serialises apt-get: PostgreSQL and Chromium may install at once
// and dpkg takes one lock.
var aptMutex sync.Mutex

// aptInstall updates the package lists and installs packages, streaming
// apt-get's output.
func aptInstall(ctx context.Context, packages ...string) error {
	aptMutex.Lock()
	defer aptMutex.Unlock()
	install := append([]string{"install", "-y", "--no-install-recommends"}, packages...)
	for _, args := range [][]string{{"update"}, install} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if err := streamCommand(ctx, "apt-get", cmd); err != nil {
			return fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return nil
}
