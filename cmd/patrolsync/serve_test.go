package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/seed"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serve prints where to go and how to sign in, and on SIGTERM finishes the
// request in flight before it exits.
func TestServeShutsDownGracefully(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		addr := freeAddr(t)
		env := map[string]string{
			"PATROLSYNC_DATABASE_URL": databaseURL,
			"PATROLSYNC_VAR_DIR":      t.TempDir(),
			"PATROLSYNC_BCRYPT_COST":  "4",
			"PATROLSYNC_LOG_LEVEL":    "error",
		}
		env["PATROLSYNC_BLOBS"] = "file://" + env["PATROLSYNC_VAR_DIR"] + "/blobs"
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		var stdout syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--addr", addr}, &stdout, func(k string) string { return env[k] })
		}()
		waitFor(t, "the server to listen", func() bool {
			res, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				res.Body.Close()
			}
			return err == nil && res.StatusCode == http.StatusOK
		})
		var health bytes.Buffer
		if err := run(ctx, []string{"healthcheck", "--url", "http://" + addr + "/healthz"}, &health, nil); err != nil {
			t.Fatalf("healthcheck of a running server: %v", err)
		}
		out := stdout.String()
		for _, want := range []string{"/docs/", "http://" + addr, "guard1@demo.patrolsync.test", seed.DemoPassword} {
			if !strings.Contains(out, want) {
				t.Errorf("start-up output lacks %q:\n%s", want, out)
			}
		}

		// Start a login, send half of its body, then ask the server to stop.
		body := fmt.Sprintf(`{"email":"guard1@demo.patrolsync.test","password":"%s","device_id":"phone-1"}`, seed.DemoPassword)
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			addr, len(body), body[:20])
		time.Sleep(100 * time.Millisecond) // let the server start reading the request: it is now in flight
		stop()
		waitFor(t, "the listener to close", func() bool {
			c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
			}
			return err != nil
		})
		// The request in flight still completes.
		fmt.Fprint(conn, body[20:])
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("in-flight request cut off: %v", err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("in-flight login answered %d", res.StatusCode)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not return after shutdown")
		}
	})
}

func TestOperatorCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PATROLSYNC_DATABASE_URL": "sqlite://" + dir + "/db.sqlite", "PATROLSYNC_VAR_DIR": dir,
		"PATROLSYNC_BLOBS": "file://" + dir + "/blobs", "PATROLSYNC_BCRYPT_COST": "4", "PATROLSYNC_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out bytes.Buffer
	steps := [][]string{
		{"migrate"},
		{"org", "create", "--slug", "acme", "--name", "Acme Security"},
		{"user", "create", "--org", "acme", "--email", "boss@acme.test", "--password", "long-enough-pw", "--role", "admin"},
		{"user", "create", "--org", "acme", "--email", "regulator@acme.test", "--password", "long-enough-pw", "--role", "auditor"},
		{"seed", "--demo"},
		{"seed", "--demo"}, // idempotent
		{"version"},
	}
	for _, args := range steps {
		if err := run(ctx, args, &out, getenv); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	if !strings.Contains(out.String(), `"email":"boss@acme.test"`) || !strings.Contains(out.String(), "patrolsync dev") ||
		!strings.Contains(out.String(), `"role":"auditor"`) || !strings.Contains(out.String(), "auditor@demo.patrolsync.test") {
		t.Fatalf("output:\n%s", out.String())
	}
	// Bad input is refused with a reason, and nothing is created.
	for _, args := range [][]string{
		{"healthcheck", "--url", "http://" + freeAddr(t) + "/healthz"}, // nothing listens there
		{"org", "create", "--slug", "acme", "--name", "Again"},
		{"user", "create", "--org", "acme", "--email", "x@acme.test", "--password", "short", "--role", "admin"},
		{"user", "create", "--org", "nope", "--email", "y@acme.test", "--password", "long-enough-pw", "--role", "guard"},
		{"bogus"},
	} {
		if err := run(ctx, args, &out, getenv); err == nil {
			t.Errorf("%v succeeded, want an error", args)
		}
	}
}

// `audit verify` passes an untouched chain and fails (exit status 1) on an
// edited entry, naming its seq.
func TestAuditVerifyCommand(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"PATROLSYNC_DATABASE_URL": db, "PATROLSYNC_VAR_DIR": dir,
			"PATROLSYNC_BLOBS": "file://" + dir + "/blobs", "PATROLSYNC_BCRYPT_COST": "4", "PATROLSYNC_LOG_LEVEL": "error"}
		getenv := func(k string) string { return env[k] }
		ctx := context.Background()
		var out bytes.Buffer
		for _, args := range [][]string{
			{"migrate"},
			{"org", "create", "--slug", "acme", "--name", "Acme Security"},
			{"user", "create", "--org", "acme", "--email", "boss@acme.test", "--password", "long-enough-pw", "--role", "admin"},
			{"audit", "verify", "--org", "acme"},
			{"audit", "verify"},
		} {
			if err := run(ctx, args, &out, getenv); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out.String())
			}
		}
		if !strings.Contains(out.String(), ": ok,") {
			t.Fatalf("output:\n%s", out.String())
		}
		database, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer database.Close()
		if _, err := database.SQL().ExecContext(ctx, "UPDATE audit_log SET action = 'user.deleted' WHERE seq = 2"); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		err = run(ctx, []string{"audit", "verify", "--org", "acme"}, &out, getenv)
		if exitCode(err) != 1 || !strings.Contains(out.String(), "seq 2: hash does not match") {
			t.Fatalf("tampered chain: exit %d, err %v, output:\n%s", exitCode(err), err, out.String())
		}
		if err := run(ctx, []string{"audit", "check"}, &out, getenv); exitCode(err) != 2 {
			t.Fatalf("bad usage exits %d", exitCode(err))
		}
	})
}
