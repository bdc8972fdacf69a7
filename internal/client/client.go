// Package client is the reference device side of the sync protocol
// (docs/sync-protocol.md): what a phone embeds to work offline. It keeps a
// local SQLite database with the replica of what the user may see, the
// outbox of what the user did, the pull cursor and the session, and talks to
// the server with push and pull.
//
// It must never lose a user's action and never make the server apply one
// twice: every action is written to the replica and the outbox in one local
// transaction, a mutation leaves the outbox only in the transaction that
// records the server's answer to it, and a re-sent mutation keeps its
// mutation_id, so the server replays its first result. A process killed at
// any point resumes from the state directory without duplicating anything.
//
// Photos and signatures wait in a media queue next to the outbox: their
// bytes in synced files under the state directory, their upload state in
// the database. Push declares, uploads and completes them before each batch
// of mutations, so that no submit reaches the server ahead of the media it
// names, and resumes an interrupted upload from the recorded state (a large
// one from the parts the server already has).
//
// It never imports the server's packages: a device has only the wire
// protocol and the checklist engine.
package client

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/glebarez/go-sqlite" // pure-Go SQLite driver, registered as "sqlite"
	"github.com/google/uuid"
)

// Options configure a Client. Server and StateDir are required.
type Options struct {
	Server     string       // base URL of the API, e.g. https://patrol.example.com
	StateDir   string       // where the local database lives; one device per directory
	HTTPClient *http.Client // nil: a client with no overall timeout (RequestTimeout bounds each attempt)
	Log        *slog.Logger // nil: discard

	// DeviceID names this device to the server on first open; later opens
	// keep the stored one. Empty: a fresh UUID.
	DeviceID string
	// Relogin allows signing in again with the credentials given to Login
	// when the refresh token no longer works. They are then kept in the
	// local database, so only set it where that database is protected.
	Relogin bool

	BatchSize      int           // mutations per push, at most 500; default 100
	PullLimit      int           // changes per pull page; default 500
	RequestTimeout time.Duration // per attempt; default 30s
	Backoff        Backoff       // retry delays; zero fields take defaults
	// MaxAttempts bounds the attempts of one request (0: retry until the
	// context ends, which is what a device on a bad network wants).
	MaxAttempts int
	// Seed seeds the jitter (0: random). Tests set it for repeatable runs.
	Seed uint64
}

// Client is one device. Its methods are safe for concurrent use; push and
// pull are serialised so that one network exchange runs at a time.
type Client struct {
	opts   Options
	db     *sql.DB
	http   *http.Client
	log    *slog.Logger
	server string

	syncMu   sync.Mutex // one push or pull at a time
	authMu   sync.Mutex // one refresh at a time
	jitterMu sync.Mutex
	jitter   *rand.Rand

	counters counters
}

// counters are what this process did on the network.
type counters struct {
	requests, retries, refreshes, logins, pushes, pulls, mutationSends, gone, mediaPuts atomic.Int64
}

// Open opens (or creates) the device state in opts.StateDir.
func Open(ctx context.Context, opts Options) (*Client, error) {
	if opts.Server == "" || opts.StateDir == "" {
		return nil, errors.New("client.Open: Server and StateDir are required")
	}
	opts = withDefaults(opts)
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("client.Open: %w", err)
	}
	db, err := openLocal(ctx, filepath.Join(opts.StateDir, "device.db"))
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, db: db, http: opts.HTTPClient, log: opts.Log,
		server: strings.TrimRight(opts.Server, "/")}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	c.jitter = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if err := c.initSession(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return c, nil
}

func withDefaults(opts Options) Options {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.BatchSize <= 0 || opts.BatchSize > maxBatch {
		opts.BatchSize = 100
	}
	if opts.PullLimit <= 0 || opts.PullLimit > 1000 {
		opts.PullLimit = 500
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	opts.Backoff = opts.Backoff.withDefaults()
	return opts
}

// maxBatch is the protocol's limit of mutations in one push.
const maxBatch = 500

// Close closes the local database. Pending mutations stay in the outbox.
func (c *Client) Close() error { return c.db.Close() }

// DeviceID is the id this device gives the server when signing in.
func (c *Client) DeviceID(ctx context.Context) (string, error) {
	s, err := c.session(ctx)
	return s.DeviceID, err
}

// initSession makes the session row on first open.
func (c *Client) initSession(ctx context.Context) error {
	device := c.opts.DeviceID
	if device == "" {
		device = newID()
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO session (id, device_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, device)
	if err != nil {
		return fmt.Errorf("client.Open: session: %w", err)
	}
	return nil
}

// newID makes a UUID v7: time-ordered, so ids sort roughly by creation.
func newID() string { return uuid.Must(uuid.NewV7()).String() }
