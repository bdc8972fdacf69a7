package client_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api"
	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/config"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// restartable is the real server that a test can stop in the middle of a
// push and start again on the same address and database, the way an
// operator restarts a deployment under load.
type restartable struct {
	t           *testing.T
	databaseURL string
	addr        string
	dir         string

	mu  sync.Mutex
	ts  *httptest.Server
	app *app.App

	pushes  atomic.Int64
	stopAt  int64         // the push request during which the server stops
	stopped chan struct{} // closed once it has
}

func newRestartable(t *testing.T, databaseURL string, stopAt int64) *restartable {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &restartable{t: t, databaseURL: databaseURL, addr: addr, dir: t.TempDir(), stopAt: stopAt, stopped: make(chan struct{})}
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) url() string { return "http://" + r.addr }

// start runs a fresh app on the address. Each start signs tokens with its
// own key, so the device's access token dies with the old server and only
// its refresh token (kept in the database) carries it over.
func (r *restartable) start(jwtSecret string) {
	r.t.Helper()
	settings := map[string]string{"PATROLSYNC_DATABASE_URL": r.databaseURL, "PATROLSYNC_BLOBS": "file://" + r.dir + "/blobs",
		"PATROLSYNC_VAR_DIR": r.dir, "PATROLSYNC_BASE_URL": r.url(), "PATROLSYNC_ADDR": r.addr,
		"PATROLSYNC_JWT_SECRET": jwtSecret, "PATROLSYNC_BLOB_SECRET": "0123456789abcdef0123456789abcdef",
		"PATROLSYNC_BCRYPT_COST": "4"}
	cfg, err := config.Load(func(name string) string { return settings[name] })
	if err != nil {
		r.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		r.t.Fatal(err)
	}
	server := api.New(api.DepsFrom(a), api.Options{BodyLimit: cfg.BodyLimit, Version: "test"}, log)
	var ln net.Listener
	deadline := time.Now().Add(10 * time.Second)
	for ln == nil {
		if ln, err = net.Listen("tcp", r.addr); err != nil && time.Now().After(deadline) {
			r.t.Fatalf("listen again on %s: %v", r.addr, err)
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/v1/sync/push" && r.pushes.Add(1) == r.stopAt {
			go r.stopNow() // the server goes down while this batch is being applied
		}
		server.ServeHTTP(w, req)
	}))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	r.mu.Lock()
	r.ts, r.app = ts, a
	r.mu.Unlock()
}

func (r *restartable) stopNow() {
	r.stop()
	close(r.stopped)
}

// stop drops every connection at once, waits for handlers to return, and
// closes the database pool.
func (r *restartable) stop() {
	r.mu.Lock()
	ts, a := r.ts, r.app
	r.ts, r.app = nil, nil
	r.mu.Unlock()
	if ts == nil {
		return
	}
	ts.CloseClientConnections()
	ts.Close()
	a.Close()
}

// TestServerRestartMidBatch: the server stops while a device is pushing
// and a new one starts on the same database; the device converges with
// nothing lost or doubled.
func TestServerRestartMidBatch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		env := apitest.New(t, databaseURL)
		tenant := env.NewTenant("restart")
		r := newRestartable(t, databaseURL, 3)
		r.start("first-server-secret-0123456789abcdef")
		c := openDevice(t, r.url(), t.TempDir(), &http.Transport{})
		me, err := c.Login(ctx, tenant.Guard.Email, apitest.Password)
		if err != nil {
			t.Fatal(err)
		}
		syncUntilEmpty(t, ctx, c, time.Minute)
		want := fill(t, ctx, c, me.SiteIDs[0], 5)

		done := make(chan error, 1)
		syncCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		go func() {
			for {
				_, _, err := c.Sync(syncCtx)
				st, statsErr := c.Stats(context.Background())
				if statsErr != nil || (err == nil && st.Outbox == 0) || syncCtx.Err() != nil {
					done <- errors.Join(err, statsErr)
					return
				}
			}
		}()
		select {
		case <-r.stopped:
		case err := <-done:
			t.Fatalf("the device finished (%v) before the server was stopped; %d pushes", err, r.pushes.Load())
		case <-time.After(time.Minute):
			t.Fatal("the server was never stopped mid-push")
		}
		r.start("second-server-secret-0123456789abcdef")
		if err := <-done; err != nil {
			t.Fatalf("device did not converge after the restart: %v", err)
		}
		checkServer(t, env, tenant.Guard.Token, want)
		st := checkClientDone(t, c, want)
		// The bytes live in the restarted server's blob directory.
		checkMedia(t, c, r.url(), loginToken(t, r.url(), tenant.Guard.Email), want, 1)
		if st.Refreshes == 0 {
			t.Errorf("the new server's signing key should have forced a token refresh; stats %+v", st)
		}
		t.Logf("%d mutations over %d push requests; %d retries, %d refreshes", mutationCount(want), r.pushes.Load(),
			st.Retries, st.Refreshes)
	})
}
