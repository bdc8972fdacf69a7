package client

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
)

// schema is the device database. The replica keeps, per entity, the last
// record the server sent (server_data) and what the user sees (data): the
// server record with the pending outbox mutations laid over it. The media
// queue keeps, per photo or signature, where its bytes lie under the state
// directory (file) and how far their upload got (state, see media.go).
const schema = `
CREATE TABLE IF NOT EXISTS session (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    device_id     TEXT NOT NULL,
    user_id       TEXT,
    site_ids      TEXT,
    email         TEXT,
    password      TEXT,
    access_token  TEXT,
    refresh_token TEXT,
    cursor        TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id  TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    base_version INTEGER,
    payload      TEXT NOT NULL,
    client_time  TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX IF NOT EXISTS outbox_entity ON outbox (entity_type, entity_id, seq);
CREATE TABLE IF NOT EXISTS replica (
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    server_data TEXT,
    data        TEXT,
    PRIMARY KEY (entity_type, entity_id)
);
CREATE TABLE IF NOT EXISTS results (
    mutation_id TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    type        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER,
    body        TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    inspection_id TEXT NOT NULL,
    path          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    file          TEXT NOT NULL,
    signature     TEXT,
    captured_at   TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'queued',
    part_size     INTEGER NOT NULL DEFAULT 0,
    parts_done    INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
);
CREATE TABLE IF NOT EXISTS countersign_key (
    user_id     TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL,
    private_key TEXT NOT NULL
);
`

// openLocal opens the SQLite file with full fsync, so that a committed
// local transaction survives the process being killed, and one connection,
// so that local transactions never wait on each other's locks.
func openLocal(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("client: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("client: create schema in %s: %w", path, err)
	}
	return db, nil
}

// inTx runs fn in one local transaction.
func (c *Client) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// sessionRow is the stored sign-in state.
type sessionRow struct {
	DeviceID, UserID, SiteIDs, Email, Password, Access, Refresh, Cursor string
}

func (c *Client) session(ctx context.Context) (sessionRow, error) {
	var s sessionRow
	var user, sites, email, password, access, refresh, cursor sql.NullString
	err := c.db.QueryRowContext(ctx, `SELECT device_id, user_id, site_ids, email, password, access_token, refresh_token, cursor
FROM session WHERE id = 1`).Scan(&s.DeviceID, &user, &sites, &email, &password, &access, &refresh, &cursor)
	if err != nil {
		return s, fmt.Errorf("client: read session: %w", err)
	}
	s.UserID, s.SiteIDs, s.Email, s.Password = user.String, sites.String, email.String, password.String
	s.Access, s.Refresh, s.Cursor = access.String, refresh.String, cursor.String
	return s, nil
}

// saveTokens stores a new token pair at once: the server has already spent
// the old refresh token.
func (c *Client) saveTokens(ctx context.Context, t tokens) error {
	_, err := c.db.ExecContext(ctx, `UPDATE session SET access_token = ?, refresh_token = ? WHERE id = 1`,
		t.AccessToken, t.RefreshToken)
	if err != nil {
		return fmt.Errorf("client: save tokens: %w", err)
	}
	return nil
}

// nullable maps "" to NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
