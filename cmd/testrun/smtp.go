package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// mailpitModule is the SMTP server the email tests send to, pinned: a real
// SMTP server with an HTTP API to read what arrived, built from the Go
// module proxy like versitygw (no Docker, no npm).
const mailpitModule = "github.com/axllent/mailpit@v1.27.11"

// mailpitAllowed is the recipients mailpit accepts: addresses at .test.
// Any other is refused at RCPT, so the tests can watch a delivery fail and
// be retried against a real server.
const mailpitAllowed = `\.test$`

// setupSMTP sets TEST_SMTP_ADDR (host:port, SMTP) and TEST_SMTP_API (the
// base URL of mailpit's HTTP API): the caller's mailpit, or one started
// here on a temporary database.
func setupSMTP(ctx context.Context, stack *cleanups) error {
	if addr := os.Getenv("TEST_SMTP_ADDR"); addr != "" {
		if os.Getenv("TEST_SMTP_API") == "" {
			return fmt.Errorf("TEST_SMTP_ADDR is set but TEST_SMTP_API (mailpit's HTTP API, http://host:port) is not")
		}
		if err := dial(ctx, addr); err != nil {
			return fmt.Errorf("TEST_SMTP_ADDR=%s does not answer: %w", addr, err)
		}
		logf("smtp at %s (from TEST_SMTP_ADDR)", addr)
		return nil
	}
	binary, err := installedTool(ctx, "mailpit", mailpitModule)
	if err != nil {
		return err
	}
	start := time.Now()
	var smtpAddr, api string
	for attempt := 1; ; attempt++ {
		smtpAddr, api, err = runMailpit(ctx, binary, stack)
		if err == nil || attempt == 3 || ctx.Err() != nil {
			break
		}
		logf("smtp: start failed (%v); retrying on other ports", err)
	}
	if err != nil {
		return err
	}
	logf("smtp at %s, API %s (mailpit %s, started in %s)", smtpAddr, api, binary, since(start))
	os.Setenv("TEST_SMTP_ADDR", smtpAddr)
	os.Setenv("TEST_SMTP_API", api)
	return nil
}

// installedTool finds name in PATH, GOBIN or GOPATH/bin, and installs
// module with go install when it is in none of them.
func installedTool(ctx context.Context, name, module string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	installDir, err := goInstallDir(ctx)
	if err != nil {
		return "", err
	}
	path := filepath.Join(installDir, name)
	if isExecutable(path) {
		return path, nil
	}
	logf("%s not found; installing %s into %s (a few minutes on a fresh machine)", name, module, installDir)
	cmd := exec.CommandContext(ctx, goTool(), "install", "-v", module)
	cmd.Dir = os.TempDir() // outside this module: its go.mod has no say
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if err := streamCommand(ctx, "go install", cmd); err != nil {
		return "", fmt.Errorf("go install %s: %w (needs the Go module proxy; or install %s into PATH yourself)", module, err, name)
	}
	if !isExecutable(path) {
		return "", fmt.Errorf("go install reported success but %s is missing", path)
	}
	return path, nil
}

// runMailpit starts mailpit with its SMTP and HTTP listeners on free
// loopback ports and a database in a temporary directory.
func runMailpit(ctx context.Context, binary string, stack *cleanups) (string, string, error) {
	dir, err := os.MkdirTemp("", "patrolsync-smtp-")
	if err != nil {
		return "", "", err
	}
	stack.add(func() { os.RemoveAll(dir) })
	smtpPort, err := freePort()
	if err != nil {
		return "", "", err
	}
	httpPort, err := freePort()
	if err != nil {
		return "", "", err
	}
	smtpAddr, httpAddr := hostPort(smtpPort), hostPort(httpPort)
	cmd := exec.Command(binary, "--smtp", smtpAddr, "--listen", httpAddr, "--database", filepath.Join(dir, "mailpit.db"),
		"--disable-version-check", "--quiet", "--smtp-allowed-recipients", mailpitAllowed)
	logPath := filepath.Join(dir, "mailpit.log")
	srv, err := startServer("mailpit", cmd, logPath, syscall.SIGKILL)
	if err != nil {
		return "", "", err
	}
	stack.add(func() { srv.stop(syscall.SIGTERM, 5*time.Second) })
	api := "http://" + httpAddr
	if err := srv.waitReady(ctx, 30*time.Second, answersHTTP(api+"/api/v1/info")); err != nil {
		srv.stop(syscall.SIGTERM, 5*time.Second)
		return "", "", fmt.Errorf("%w%s", err, tail(logPath, 15))
	}
	if err := dial(ctx, smtpAddr); err != nil {
		srv.stop(syscall.SIGTERM, 5*time.Second)
		return "", "", fmt.Errorf("mailpit SMTP %s: %w%s", smtpAddr, err, tail(logPath, 15))
	}
	return smtpAddr, api, nil
}
