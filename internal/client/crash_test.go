package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// killer is a transport that SIGKILLs its own process as soon as the n-th
// answer to a request it matches has arrived: the server has acted, the
// device has not recorded it. Nothing is flushed or closed. With a log it
// first writes down every PUT it forwards (method, path and query).
type killer struct {
	base  http.RoundTripper
	match func(*http.Request) bool
	n     int64
	count atomic.Int64
	log   *os.File
}

func (k *killer) RoundTrip(req *http.Request) (*http.Response, error) {
	if k.log != nil && req.Method == http.MethodPut {
		fmt.Fprintln(k.log, req.URL.Path+"?"+req.URL.RawQuery)
		k.log.Sync()
	}
	res, err := k.base.RoundTrip(req)
	if err == nil && res.StatusCode < 300 && k.match(req) && k.count.Add(1) == k.n {
		io.Copy(io.Discard, res.Body) // the whole answer is here, and the server is done
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never returns
	}
	return res, err
}

// killPoints are where a helper device may be killed: after a push, after
// a whole-blob or part upload, after a complete.
var killPoints = map[string]func(*http.Request) bool{
	"push":     func(r *http.Request) bool { return r.URL.Path == "/v1/sync/push" },
	"put":      func(r *http.Request) bool { return r.Method == http.MethodPut && !r.URL.Query().Has("upload_id") },
	"part":     func(r *http.Request) bool { return r.Method == http.MethodPut && r.URL.Query().Has("upload_id") },
	"complete": func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/complete") },
}

// TestCrashHelper is the device process the crash tests kill; it does
// nothing unless started by one of them.
func TestCrashHelper(t *testing.T) {
	if os.Getenv("CLIENT_CRASH_HELPER") == "" {
		t.Skip("run by TestCrashResume and TestCrashMidUpload")
	}
	ctx := context.Background()
	dir := os.Getenv("CLIENT_CRASH_DIR")
	killAt, _ := strconv.ParseInt(os.Getenv("CLIENT_CRASH_KILL_AT"), 10, 64)
	point := os.Getenv("CLIENT_CRASH_KILL_ON")
	if point == "" {
		point = "push"
	}
	transport := &killer{base: http.DefaultTransport, match: killPoints[point], n: killAt}
	if name := os.Getenv("CLIENT_CRASH_PUT_LOG"); name != "" {
		log, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		transport.log = log
	}
	c := openDevice(t, os.Getenv("CLIENT_CRASH_SERVER"), dir, transport)
	if os.Getenv("CLIENT_CRASH_FILL") != "" {
		me, err := c.Login(ctx, os.Getenv("CLIENT_CRASH_EMAIL"), apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		var want expected
		if size, _ := strconv.Atoi(os.Getenv("CLIENT_CRASH_BIG_PHOTO")); size > 0 {
			want = fillWithPhoto(t, ctx, c, me.SiteIDs[0], bigPNG(size))
		}
		for id, answers := range fill(t, ctx, c, me.SiteIDs[0], 4) {
			if want == nil {
				want = expected{}
			}
			want[id] = answers
		}
		raw, _ := json.Marshal(want)
		if err := os.WriteFile(filepath.Join(dir, "want.json"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Push(ctx); err != nil {
		t.Fatal(err)
	}
	t.Fatal("push finished without being killed")
}

// runKilled runs the helper device and checks that it died by SIGKILL.
func runKilled(t *testing.T, env map[string]string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("helper device was not killed (err %v):\n%s", err, out)
	}
	status, ok := exit.Sys().(syscall.WaitStatus)
	if !ok || !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Fatalf("helper device ended with %v, want SIGKILL:\n%s", err, out)
	}
}

// TestCrashResume: a device process is killed twice right after the server
// committed a push and before the device recorded the answer; reopened from
// the same state directory it converges, and every inspection is on the
// server exactly once with exactly its answers.
func TestCrashResume(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		env := apitest.New(t, databaseURL)
		tenant := env.NewTenant("crash")
		dir := t.TempDir()
		common := map[string]string{"CLIENT_CRASH_HELPER": "1", "CLIENT_CRASH_DIR": dir, "CLIENT_CRASH_SERVER": env.URL,
			"CLIENT_CRASH_EMAIL": tenant.Guard.Email}
		first := map[string]string{"CLIENT_CRASH_FILL": "1", "CLIENT_CRASH_KILL_AT": "2"}
		for k, v := range common {
			first[k] = v
		}
		runKilled(t, first) // fills offline, dies after the 2nd push was committed
		second := map[string]string{"CLIENT_CRASH_KILL_AT": "1"}
		for k, v := range common {
			second[k] = v
		}
		runKilled(t, second) // resumes, dies after the first push of the restart

		raw, err := os.ReadFile(filepath.Join(dir, "want.json"))
		if err != nil {
			t.Fatal(err)
		}
		var want expected
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		c := openDevice(t, env.URL, dir, http.DefaultTransport)
		before, err := c.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if before.Outbox == 0 || before.Attempts < 2 {
			t.Fatalf("after two kills the outbox holds %d mutations, the head tried %d times; want some, tried twice",
				before.Outbox, before.Attempts)
		}
		syncUntilEmpty(t, context.Background(), c, time.Minute)
		checkServer(t, env, tenant.Guard.Token, want)
		st := checkClientDone(t, c, want)
		checkMedia(t, c, env.URL, tenant.Guard.Token, want, 1)
		if got := st.Results["applied"] + st.Results["duplicate"]; got != mutationCount(want) {
			t.Errorf("device recorded %d answered mutations, want %d", got, mutationCount(want))
		}
		t.Logf("%d mutations; %d left after the kills, head tried %d times", mutationCount(want), before.Outbox, before.Attempts)
	})
}
