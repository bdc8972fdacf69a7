package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// gateway is a versitygw S3 server started for one spawned run, on a
// loopback port, storing objects under the run's temporary directory.
type gateway struct {
	endpoint, access, secret string
	cmd                      *exec.Cmd
	exited                   chan struct{}
}

// startVersitygw starts the gateway cmd/testrun uses (posix backend,
// metadata in a sidecar directory, root credentials through the
// environment so that they stay out of ps). It does not install it: run
// `make test` once, or go install github.com/versity/versitygw/cmd/versitygw@v1.8.0.
func startVersitygw(ctx context.Context, dir string, progress io.Writer) (*gateway, error) {
	binary, err := versitygwBinary(ctx)
	if err != nil {
		return nil, err
	}
	root, sidecar := filepath.Join(dir, "s3-root"), filepath.Join(dir, "s3-sidecar")
	for _, d := range []string{root, sidecar} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	g := &gateway{endpoint: addr, access: randomHex(10), secret: randomHex(20), exited: make(chan struct{})}
	g.cmd = exec.Command(binary, "--port", addr, "--region", "us-east-1", "--quiet", "posix", "--sidecar", sidecar, root)
	g.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+g.access, "ROOT_SECRET_KEY="+g.secret)
	g.cmd.Stdout, g.cmd.Stderr = progress, progress
	// Killed by the kernel if the bench dies without stopping it.
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() { g.cmd.Wait(); close(g.exited) }()
	if err := g.waitReady(ctx, 30*time.Second); err != nil {
		g.stop()
		return nil, err
	}
	fmt.Fprintf(progress, "s3 (versitygw %s) at %s\n", binary, addr)
	return g, nil
}

// versitygwBinary looks in PATH, then in go install's directory.
func versitygwBinary(ctx context.Context) (string, error) {
	if path, err := exec.LookPath("versitygw"); err == nil {
		return path, nil
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		var candidates []string
		if len(lines) == 2 && lines[0] != "" {
			candidates = append(candidates, filepath.Join(lines[0], "versitygw"))
		}
		if len(lines) == 2 && lines[1] != "" {
			candidates = append(candidates, filepath.Join(filepath.SplitList(lines[1])[0], "bin", "versitygw"))
		}
		for _, c := range candidates {
			if info, err := os.Stat(c); err == nil && info.Mode()&0o111 != 0 {
				return c, nil
			}
		}
	}
	return "", errors.New("--blobs s3: versitygw is neither in PATH nor in $(go env GOPATH)/bin; " +
		"go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 (make test does it)")
}

// waitReady polls until the gateway answers HTTP at all (an unsigned
// request gets 403).
func (g *gateway) waitReady(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.endpoint+"/", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			return nil
		}
		select {
		case <-g.exited:
			return errors.New("versitygw exited during start-up")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw did not answer within %s: %w", within, err)
		}
	}
}

// blobURL is the server's PATROLSYNC_BLOBS for a bucket on this gateway
// (the server creates the bucket at start).
func (g *gateway) blobURL(bucket string) string {
	return (&url.URL{Scheme: "s3", Host: bucket, RawQuery: url.Values{"endpoint": {g.endpoint}, "region": {"us-east-1"},
		"secure": {"false"}, "access_key": {g.access}, "secret_key": {g.secret}}.Encode()}).String()
}

// stop ends the gateway: SIGTERM, then SIGKILL after five seconds.
func (g *gateway) stop() {
	select {
	case <-g.exited:
		return
	default:
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
	case <-time.After(5 * time.Second):
		g.cmd.Process.Kill()
		<-g.exited
	}
}
