package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/patrolsync/patrolsync/internal/errs"
	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The sync.backfill job's LockAll("users") and a push that names two users
// in the order that deadlocked them, interleaved by hand: the push names
// the user with the higher id (as an inspection names its owner), the
// backfill locks every user in id order, then the push names the user with
// the lower id (as a notification names its recipient). With FOR UPDATE
// the backfill waited for the higher id holding the lower one, the push
// waited for the lower one, and PostgreSQL failed one of them with
// "deadlock detected" (40P01). Both must commit, and the lock must still
// hold off a write of a user until the backfill commits. PostgreSQL only:
// on SQLite LockAll does nothing, the transaction's write lock serializes.
func TestLockAllLeavesReferencesFree(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "backfill-locks")
	low, high := lockTestUser(), lockTestUser() // UUIDv7: low sorts first
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(&low); err != nil {
			return err
		}
		return tx.CreateUser(&high)
	}); err != nil {
		t.Fatal(err)
	}
	notify := func(tx *store.Tx, userID string) error {
		_, err := tx.InsertNotificationIfAbsent(&store.Notification{ID: newID(), UserID: userID, EventKey: "test:" + userID,
			EventType: "test", SubjectType: "round", SubjectID: newID()})
		return err
	}

	namedHigh, goOn, pushDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		pushDone <- db.InTx(ctx, func(tx *store.Tx) error {
			if err := notify(tx, high.ID); err != nil {
				return err
			}
			close(namedHigh)
			<-goOn
			return notify(tx, low.ID)
		})
	}()
	select {
	case <-namedHigh:
	case err := <-pushDone:
		t.Fatalf("the push ended before naming the second user: %v", err)
	}

	locked, commit, backfillDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		backfillDone <- db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.LockAll("users"); err != nil {
				return err
			}
			close(locked)
			<-commit
			return nil
		})
	}()
	// The backfill either holds every user now, or waits for one.
	eventually(t, "the backfill to lock the users or wait for one", func() bool {
		select {
		case <-locked:
			return true
		case err := <-backfillDone:
			t.Fatalf("backfill: %v", err)
		default:
		}
		return lockWaiters(t, db.SQL()) > 0
	})
	close(goOn)
	if err := <-pushDone; err != nil {
		close(commit)
		t.Fatalf("the push naming users beside the backfill: %v (backfill: %v)", err, <-backfillDone)
	}
	select {
	case <-locked:
	case err := <-backfillDone:
		t.Fatalf("the backfill beside the push: %v", err)
	}

	// The backfill still holds off a write of a user until it commits.
	current, err := db.Read(ctx).User(low.ID)
	if err != nil {
		t.Fatal(err)
	}
	renamed := make(chan error, 1)
	go func() {
		current.Name = "renamed"
		renamed <- db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUser(&current, current.Version) })
	}()
	eventually(t, "the user's update to wait for the backfill", func() bool {
		select {
		case err := <-renamed:
			t.Fatalf("a user was updated while the backfill held the users: %v", err)
		default:
		}
		return lockWaiters(t, db.SQL()) > 0
	})
	close(commit)
	if err := <-backfillDone; err != nil {
		t.Fatalf("backfill: %v", err)
	}
	if err := <-renamed; err != nil {
		t.Fatalf("the update after the backfill committed: %v", err)
	}
}

// Two transactions that update two sites in opposite orders, interleaved
// by hand into a deadlock: PostgreSQL rolls one back, and that one is
// Unavailable (a 503 with Retry-After: run again, it goes through), never
// Internal (a 500). The other commits.
func TestDeadlockVictimIsRetryable(t *testing.T) {
	db := open(t, testenv.Postgres(t))
	ctx := mustOrg(t, db, "deadlock")
	sites := []store.Site{{ID: newID(), Code: "A", Name: "A", Timezone: "UTC", Active: true},
		{ID: newID(), Code: "B", Name: "B", Timezone: "UTC", Active: true}}
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		for i := range sites {
			if err := tx.CreateSite(&sites[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rename := func(tx *store.Tx, i int) error {
		site := sites[i]
		site.Name += " renamed"
		return tx.UpdateSite(&site, site.Version)
	}
	var first [2]chan struct{}
	goOn := make(chan struct{})
	done := make(chan error, 2)
	for i := range 2 {
		first[i] = make(chan struct{})
		go func() {
			done <- db.InTx(ctx, func(tx *store.Tx) error {
				if err := rename(tx, i); err != nil {
					return err
				}
				close(first[i])
				<-goOn
				return rename(tx, 1-i)
			})
		}()
	}
	for i := range 2 {
		select {
		case <-first[i]:
		case err := <-done:
			t.Fatalf("a transaction ended before its second update: %v", err)
		}
	}
	close(goOn)
	var failed []error
	for range 2 {
		if err := <-done; err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("two transactions in a deadlock: %d failed (%v), want PostgreSQL to roll back one", len(failed), failed)
	}
	if err := failed[0]; !store.LostLockRace(err) || !errs.Is(err, errs.Unavailable) {
		t.Fatalf("the deadlock's victim: %v (kind %v), want a lost lock race, Unavailable", err, errs.KindOf(err))
	}
}

func lockTestUser() store.User {
	return store.User{ID: newID(), Email: newID() + "@example.com", Name: "u", Role: principal.Supervisor,
		PasswordHash: "x", Active: true}
}

// lockWaiters counts the backends of the test's database waiting for a
// lock.
func lockWaiters(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
