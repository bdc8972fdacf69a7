package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv/pgbin"
)

// Cluster is a private PostgreSQL server that a test may stop and start,
// for fault tests that must never touch the shared server.
type Cluster struct {
	t          testing.TB
	bin, dir   string
	port       int
	credential *syscall.Credential
	cmd        *exec.Cmd
}

// PrivatePostgres starts a throwaway cluster from the local PostgreSQL
// binaries (as the postgres user when run as root) and stops it at cleanup.
func PrivatePostgres(t testing.TB) *Cluster {
	t.Helper()
	bin := pgbin.Find()
	if bin == "" {
		t.Fatal("testenv: no PostgreSQL binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH; " +
			"install them: apt-get install postgresql")
	}
	dir, err := os.MkdirTemp("", "patrolsync-private-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := &Cluster{t: t, bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		account, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("testenv: running as root needs a 'postgres' user to run PostgreSQL: %v", err)
		}
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: c.credential}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}
	c.port = StablePort(t) // restarted on the same port: keep it out of the ephemeral range
	c.Start()
	t.Cleanup(func() { c.Stop() })
	return c
}

// URL is the admin URL of database name on the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// CreateDatabase makes an empty database and returns its URL.
func (c *Cluster) CreateDatabase(name string) string {
	c.t.Helper()
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		c.t.Fatal(err)
	}
	return c.URL(name)
}

// Start runs the server and waits until it answers.
func (c *Cluster) Start() {
	c.t.Helper()
	c.cmd = exec.Command(filepath.Join(c.bin, "postgres"), "-D", filepath.Join(c.dir, "data"), "-p", strconv.Itoa(c.port),
		"-k", c.dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200")
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.credential, Setpgid: true}
	logFile, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	if err := c.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		db, _ := sql.Open("pgx", c.URL("postgres"))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		db.Close()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("testenv: private PostgreSQL did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down fast (ending sessions) and waits for it.
func (c *Cluster) Stop() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
	c.cmd = nil
}

// Restart stops and starts the server on the same port and data.
func (c *Cluster) Restart() {
	c.t.Helper()
	c.Stop()
	c.Start()
}
