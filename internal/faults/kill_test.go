// Package faults proves the server's promises under crashes: the server is
// killed with SIGKILL at random moments while reference clients push, and
// PostgreSQL is restarted mid-run. Every mutation a client saw acknowledged
// must be stored exactly once, and every client must converge.
package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/client"
	"github.com/patrolsync/patrolsync/internal/seed"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// server runs the real binary as a separate process that can be killed.
type server struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
}

func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Env = s.env
	logPath := filepath.Join(filepath.Dir(s.bin), "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logFile.Close()
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, logFile
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			logged, _ := os.ReadFile(logPath)
			if len(logged) > 4000 {
				logged = logged[len(logged)-4000:]
			}
			s.t.Fatalf("server did not become ready: %v\nits log ends:\n%s", err, logged)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (s *server) run(args ...string) {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("patrolsync %v: %v\n%s", args, err, out)
	}
}

func kills() int {
	if n, err := strconv.Atoi(os.Getenv("PATROLSYNC_FAULT_KILLS")); err == nil && n > 0 {
		return n
	}
	return 200
}

func TestKillNineDuringPushes(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "patrolsync")
	build := exec.Command("go", "build", "-o", bin, "github.com/patrolsync/patrolsync/cmd/patrolsync")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cluster := testenv.PrivatePostgres(t)
	databaseURL := cluster.CreateDatabase("faults")
	srv := &server{t: t, bin: bin, addr: fmt.Sprintf("127.0.0.1:%d", testenv.StablePort(t))}
	srv.env = append(os.Environ(),
		"PATROLSYNC_DATABASE_URL="+databaseURL, "PATROLSYNC_BLOBS=file://"+dir+"/blobs", "PATROLSYNC_VAR_DIR="+dir,
		"PATROLSYNC_ADDR="+srv.addr, "PATROLSYNC_JWT_SECRET=fault-test-secret-fault-test-secret-0123",
		"PATROLSYNC_BLOB_SECRET=fault-test-blob-secret-fault-test-0123", "PATROLSYNC_BCRYPT_COST=4",
		"PATROLSYNC_LOG_LEVEL=error", "PATROLSYNC_JOB_POLL=1s")
	srv.run("seed", "--demo")
	srv.start()
	t.Cleanup(srv.kill) // the last server started, before its database goes

	// Four phones: two guards, two phones each.
	ctx := context.Background()
	type device struct {
		c    *client.Client
		made []string
		site string
		tmpl *checklists.Template
	}
	var devices []*device
	for i, email := range []string{"guard1", "guard1", "guard2", "guard2"} {
		c, err := client.Open(ctx, client.Options{Server: "http://" + srv.addr, StateDir: filepath.Join(dir, fmt.Sprint("phone", i)),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Relogin: true, RequestTimeout: 3 * time.Second,
			Backoff: client.Backoff{Base: 10 * time.Millisecond, Cap: 200 * time.Millisecond, MaxRetryAfter: 200 * time.Millisecond},
			Seed:    uint64(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Login(ctx, email+"@demo.patrolsync.test", seed.DemoPassword); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		sites, _ := c.SiteIDs(ctx)
		version, err := c.Template(ctx, "security-equipment-daily")
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := version.Parse()
		if err != nil {
			t.Fatal(err)
		}
		devices = append(devices, &device{c: c, site: sites[0], tmpl: tmpl})
	}

	var stop atomic.Bool
	var work sync.WaitGroup
	for _, d := range devices {
		work.Add(1)
		go func(d *device) {
			defer work.Done()
			for !stop.Load() {
				// Fresh answers each time: their photo ids are this
				// inspection's own (the server refuses a submit naming
				// media declared for another one).
				sample := checklists.SampleAnswers(d.tmpl, true)
				id, err := d.c.StartInspection(ctx, "security-equipment-daily", d.site, sample.Context)
				if err != nil {
					t.Errorf("start: %v", err)
					return
				}
				if err := d.c.Fill(ctx, id, d.tmpl, sample.Answers); err != nil {
					t.Errorf("fill: %v", err)
					return
				}
				if err := d.c.Submit(ctx, id); err != nil {
					t.Errorf("submit: %v", err)
					return
				}
				d.made = append(d.made, id)
				syncCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
				d.c.Sync(syncCtx) // errors expected: the server is being killed
				cancel()
			}
		}(d)
	}

	rng := rand.New(rand.NewPCG(42, 7))
	started := time.Now()
	target := kills()
	for n := 1; n <= target; n++ {
		time.Sleep(time.Duration(20+rng.IntN(150)) * time.Millisecond) // pushes are in flight
		srv.kill()
		srv.start()
		if n == target/2 {
			cluster.Restart() // the database goes away under a running server
		}
		if time.Since(started) > 8*time.Minute {
			t.Fatalf("only %d kills in 8 minutes", n)
		}
	}
	// The object store goes away under a running server while phones keep
	// working: media calls answer 503 and are retried, and nothing may be
	// marked stored without its bytes.
	blobs := filepath.Join(dir, "blobs")
	if err := os.Rename(blobs, blobs+".away"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // the outage itself: phones keep pushing through it
	if err := os.Rename(blobs+".away", blobs); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	work.Wait()
	t.Logf("%d kills and a PostgreSQL restart in %s", target, time.Since(started).Round(time.Second))

	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := 0
	for i, d := range devices {
		settle, cancel := context.WithTimeout(ctx, 2*time.Minute)
		for {
			if _, _, err := d.c.Sync(settle); err != nil {
				t.Fatalf("phone %d: final sync: %v", i, err)
			}
			stats, _ := d.c.Stats(settle)
			if stats.Outbox == 0 {
				break
			}
		}
		cancel()
		stats, _ := d.c.Stats(ctx)
		for status, n := range stats.Results {
			if status != "applied" && n > 0 {
				t.Errorf("phone %d: %d mutations answered %s", i, n, status)
			}
		}
		deviceID, _ := d.c.DeviceID(ctx)
		var stored int
		db.QueryRow(`SELECT count(*) FROM push_result_ids r JOIN devices dv ON dv.id = r.device_id WHERE dv.device_key = $1`, deviceID).Scan(&stored)
		if stored != stats.Results["applied"] {
			t.Errorf("phone %d: the server stored %d mutations, the phone saw %d acknowledged", i, stored, stats.Results["applied"])
		}
		local, _ := d.c.Inspections(ctx)
		mine := map[string]client.Inspection{}
		for _, in := range local {
			mine[in.ID] = in
		}
		for _, id := range d.made {
			var status string
			var version int64
			if err := db.QueryRow(`SELECT status, version FROM inspections WHERE id = $1`, id).Scan(&status, &version); err != nil {
				t.Errorf("phone %d: inspection %s lost: %v", i, id, err)
				continue
			}
			if status != "submitted" || mine[id].Version != version || mine[id].Status != status {
				t.Errorf("phone %d: inspection %s is %s v%d on the server, %s v%d on the phone", i, id, status, version,
					mine[id].Status, mine[id].Version)
			}
		}
		total += len(d.made)
	}
	var onServer int
	db.QueryRow(`SELECT count(*) FROM inspections`).Scan(&onServer)
	if onServer != total {
		t.Errorf("the server holds %d inspections, the phones made %d", onServer, total)
	}
	media := checkStoredMedia(t, db, "http://"+srv.addr)
	t.Logf("%d inspections from 4 phones, each stored exactly once; %d media stored, each with its bytes", total, media)
}

// checkStoredMedia proves that the server never marks media stored without
// its object: every stored row's bytes come back through the API with the
// recorded size and digest, and no submitted inspection waits for media
// (every phone finished its uploads). It returns how many it checked.
func checkStoredMedia(t *testing.T, db *sql.DB, base string) int {
	t.Helper()
	var pending int
	db.QueryRow(`SELECT count(*) FROM inspections WHERE media_pending`).Scan(&pending)
	if pending != 0 {
		t.Errorf("%d inspections are still media_pending after every phone synced", pending)
	}
	rows, err := db.Query(`SELECT id, size, sha256 FROM media WHERE status = 'stored' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	token := adminToken(t, base)
	checked := 0
	for rows.Next() {
		var id, sum string
		var size int64
		if err := rows.Scan(&id, &size, &sum); err != nil {
			t.Fatal(err)
		}
		body, err := mediaBytes(base, token, id)
		if err != nil {
			t.Errorf("media %s is stored but its bytes are not: %v", id, err)
			continue
		}
		got := sha256.Sum256(body)
		if int64(len(body)) != size || hex.EncodeToString(got[:]) != sum {
			t.Errorf("media %s is stored as %d bytes, its object has %d with another digest", id, size, len(body))
		}
		checked++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return checked
}

// adminToken signs the demo admin in, who may read every media.
func adminToken(t *testing.T, base string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": "admin@demo.patrolsync.test", "password": seed.DemoPassword,
		"device_id": "8f1c8a52-4d0e-4b8e-9b57-3f3f9e4c0a01"})
	res, err := http.Post(base+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tokens); err != nil || tokens.AccessToken == "" {
		t.Fatalf("admin login: status %d, %v", res.StatusCode, err)
	}
	return tokens.AccessToken
}

// mediaBytes follows GET /v1/media/{id}'s redirect to the object.
func mediaBytes(base, token, id string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/v1/media/"+id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req) // follows the redirect, without the token
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/media/%s (and its redirect): status %d", id, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}
