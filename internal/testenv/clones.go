package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/internal/testenv/pgclones"
)

// clones is the process's pool of fresh databases (Postgres).
var clones clonePool

// clonePool makes the databases of one test process, one ahead of need,
// and drops them in the background. The process holds, for as long as it
// lives, a session advisory lock named by its tag: a database whose tag's
// lock is free belongs to a process that has gone, and pgclones.Reap
// drops it.
type clonePool struct {
	mu       sync.Mutex
	adminURL string
	admin    *sql.DB
	keeper   *sql.Conn // holds the tag's lock until the process exits
	tag      string
	count    int
	next     chan cloneResult // the clone being made ahead, nil before the first take
	started  error            // why the pool could not start
}

type cloneResult struct {
	name string
	err  error
}

// take returns the name of a fresh database cloned from the migrated
// template, and starts making the next one.
func (p *clonePool) take(adminURL string) (string, error) {
	p.mu.Lock()
	if p.admin == nil && p.started == nil {
		p.started = p.start(adminURL)
	}
	if p.started != nil {
		p.mu.Unlock()
		return "", p.started
	}
	if adminURL != p.adminURL {
		p.mu.Unlock()
		return "", fmt.Errorf("TEST_DATABASE_URL changed while the tests ran (%s, then %s)", redact(p.adminURL), redact(adminURL))
	}
	ahead := p.next
	p.next = make(chan cloneResult, 1)
	go func(into chan<- cloneResult, name string) {
		into <- cloneResult{name, p.clone(name)}
	}(p.next, p.nameLocked())
	p.mu.Unlock()
	if ahead == nil { // the first: nothing was made ahead of it
		name := p.name()
		return name, p.clone(name)
	}
	made := <-ahead
	if made.err != nil {
		// Made ahead, before this test began; one more try now says
		// whether the server still fails.
		name := p.name()
		if err := p.clone(name); err != nil {
			return "", fmt.Errorf("%w (and before it: %v)", err, made.err)
		}
		return name, nil
	}
	return made.name, nil
}

// start connects, takes the process's lock and drops what processes
// that have gone left behind.
func (p *clonePool) start(adminURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := sql.Open("pgx", adminURL)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		return fmt.Errorf("no PostgreSQL at %s (%v).\\nRun the tests with `make test`, which finds or starts one, "+
			"or set TEST_DATABASE_URL to a server where you may create databases", redact(adminURL), err)
	}
	keeper, err := admin.Conn(ctx)
	if err != nil {
		admin.Close()
		return err
	}
	tag := randomHex(4)
	if _, err := keeper.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgclones.Lock(tag)); err != nil {
		keeper.Close()
		admin.Close()
		return err
	}
	p.adminURL, p.admin, p.keeper, p.tag = adminURL, admin, keeper, tag
	pgclones.Reap(ctx, keeper, tag)
	return nil
}

func (p *clonePool) name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nameLocked()
}

func (p *clonePool) nameLocked() string {
	p.count++
	return fmt.Sprintf("%s%s_%d", pgclones.Prefix, p.tag, p.count)
}

// clone makes the database name from the migrated template.
func (p *clonePool) clone(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	template, err := migratedTemplate(ctx, p.admin)
	if err != nil {
		return fmt.Errorf("prepare template database: %w", err)
	}
	for attempt := 0; ; attempt++ {
		_, err = p.admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template))
		// Two packages cloning at the same instant can briefly see each
		// other's clone as a user of the template.
		if err == nil || attempt > 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

// drop drops a test's database in the background: the test has ended and
// its connections are closed (FORCE ends any left). One cut short by the
// process's exit is reaped by the next process.
func (p *clonePool) drop(name string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		p.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}()
}
