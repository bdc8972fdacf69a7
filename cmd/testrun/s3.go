package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// versitygwModule is the S3 gateway the tests run against, pinned.
const versitygwModule = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

const s3Region = "us-east-1"

// setupS3 sets TEST_S3_*: the caller's server, or a versitygw started here
// on a temporary directory with generated root credentials.
func setupS3(ctx context.Context, stack *cleanups) error {
	if endpoint := os.Getenv("TEST_S3_ENDPOINT"); endpoint != "" {
		if os.Getenv("TEST_S3_ACCESS_KEY") == "" || os.Getenv("TEST_S3_SECRET_KEY") == "" {
			return fmt.Errorf("TEST_S3_ENDPOINT is set but TEST_S3_ACCESS_KEY or TEST_S3_SECRET_KEY is not")
		}
		if err := dial(ctx, endpoint); err != nil {
			return fmt.Errorf("TEST_S3_ENDPOINT=%s does not answer: %w", endpoint, err)
		}
		if os.Getenv("TEST_S3_REGION") == "" {
			os.Setenv("TEST_S3_REGION", s3Region)
		}
		logf("s3 at %s (from TEST_S3_ENDPOINT)", endpoint)
		return nil
	}
	binary, err := versitygwBinary(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	access, secret := randomToken(10), randomToken(20)
	var endpoint string
	for attempt := 1; ; attempt++ {
		endpoint, err = runVersitygw(ctx, binary, access, secret, stack)
		if err == nil || attempt == 3 || ctx.Err() != nil {
			break
		}
		logf("s3: start failed (%v); retrying on another port", err)
	}
	if err != nil {
		return err
	}
	logf("s3 at %s (versitygw %s, started in %s)", endpoint, binary, since(start))
	for name, value := range map[string]string{
		"TEST_S3_ENDPOINT": endpoint, "TEST_S3_ACCESS_KEY": access,
		"TEST_S3_SECRET_KEY": secret, "TEST_S3_REGION": s3Region,
	} {
		os.Setenv(name, value)
	}
	return nil
}

func dial(ctx context.Context, address string) error {
	dialer := net.Dialer{Timeout: 5 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return err
	}
	return conn.Close()
}

// versitygwBinary finds versitygw in PATH, GOBIN or GOPATH/bin, and
// installs it with go install when it is in none of them.
func versitygwBinary(ctx context.Context) (string, error) {
	if path, err := exec.LookPath("versitygw"); err == nil {
		return path, nil
	}
	installDir, err := goInstallDir(ctx)
	if err != nil {
		return "", err
	}
	path := filepath.Join(installDir, "versitygw")
	if isExecutable(path) {
		return path, nil
	}
	logf("s3: versitygw not found; installing %s into %s (a few minutes on a fresh machine)", versitygwModule, installDir)
	cmd := exec.CommandContext(ctx, goTool(), "install", "-v", versitygwModule)
	cmd.Dir = os.TempDir() // outside this module: its go.mod has no say
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if err := streamCommand(ctx, "go install", cmd); err != nil {
		return "", fmt.Errorf("go install %s: %w (needs the Go module proxy; or install versitygw into PATH yourself, "+
			"or set TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY to another S3 server)", versitygwModule, err)
	}
	if !isExecutable(path) {
		return "", fmt.Errorf("go install reported success but %s is missing", path)
	}
	return path, nil
}

// goInstallDir is where go install puts binaries: GOBIN, else the first
// GOPATH entry's bin.
func goInstallDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goTool(), "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	return installDirFrom(string(out))
}

// installDirFrom reads the output of `go env GOBIN GOPATH`.
func installDirFrom(goEnv string) (string, error) {
	lines := strings.Split(strings.TrimRight(goEnv, "\n"), "\n")
	if len(lines) == 2 && lines[0] != "" {
		return lines[0], nil
	}
	if len(lines) == 2 && lines[1] != "" {
		return filepath.Join(filepath.SplitList(lines[1])[0], "bin"), nil
	}
	return "", fmt.Errorf("cannot tell where go install puts binaries from %q", goEnv)
}

// runVersitygw starts the gateway with its posix backend on a free port.
// Metadata goes to a sidecar directory, so the temporary filesystem needs
// no extended attributes.
func runVersitygw(ctx context.Context, binary, access, secret string, stack *cleanups) (string, error) {
	dir, err := os.MkdirTemp("", "patrolsync-s3-")
	if err != nil {
		return "", err
	}
	stack.add(func() { os.RemoveAll(dir) })
	root, sidecar := filepath.Join(dir, "root"), filepath.Join(dir, "sidecar")
	for _, d := range []string{root, sidecar} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", err
		}
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	endpoint := hostPort(port)
	cmd := exec.Command(binary, "--port", endpoint, "--region", s3Region, "--quiet",
		"posix", "--sidecar", sidecar, root)
	// Credentials through the environment keep them out of ps.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+access, "ROOT_SECRET_KEY="+secret)
	logPath := filepath.Join(dir, "versitygw.log")
	srv, err := startServer("versitygw", cmd, logPath, syscall.SIGKILL)
	if err != nil {
		return "", err
	}
	stack.add(func() { srv.stop(syscall.SIGTERM, 5*time.Second) })
	if err := srv.waitReady(ctx, 30*time.Second, answersHTTP("http://"+endpoint+"/")); err != nil {
		srv.stop(syscall.SIGTERM, 5*time.Second)
		return "", fmt.Errorf("%w%s", err, tail(logPath, 15))
	}
	return endpoint, nil
}

// answersHTTP is ready once any HTTP answer comes back (versitygw answers
// an unsigned request with 403).
func answersHTTP(address string) func(context.Context) error {
	return func(ctx context.Context) error {
		request, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
		if err != nil {
			return err
		}
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			return err
		}
		return response.Body.Close()
	}
}

// randomToken is n random bytes in hex, for throwaway credentials.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
