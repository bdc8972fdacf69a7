package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/internal/principal"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Two replicas (two pools on one database) chain audit entries of one
// organisation, in turns and then at once. Each remembers the head it last
// committed; when the other moved it meanwhile, it must notice and chain
// onto the real head: the chain verifies whole, with no gap, fork or
// duplicate.
func TestAuditChainStaysWholeAcrossReplicas(t *testing.T) {
	url := testenv.Postgres(t)
	first, second := open(t, url), open(t, url)
	ctx := mustOrg(t, first, "replicas")
	p, _ := principal.From(ctx)
	// Each write also logs a change, as a push does: audit entries and
	// changes then go in one statement when the head is remembered.
	changes := 0
	var mu sync.Mutex
	write := func(db *store.DB, n int) error {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := 0; i < n; i++ {
				tx.Audit(store.AuditEntry{Action: "test.step", EntityType: "test", EntityID: fmt.Sprint(i)})
			}
			tx.RecordChange(store.Change{EntityType: "test", EntityID: newID(), Op: "upsert", Version: 1,
				Audience: store.AudienceOrg, Data: []byte("{}"), Fresh: true})
			return nil
		})
		if err == nil {
			mu.Lock()
			changes++
			mu.Unlock()
		}
		return err
	}
	want := int64(0)
	// In turns: each write but the first finds the other replica's head.
	for i, db := range []*store.DB{first, first, second, first, second, second, first} {
		if err := write(db, i%3+1); err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
		want += int64(i%3 + 1)
	}
	// At once.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		db := []*store.DB{first, second}[i%2]
		wg.Go(func() { errs <- write(db, 2) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want += 80
	checked, problems, err := first.Read(ctx).VerifyAudit(p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if checked != want || len(problems) != 0 {
		t.Fatalf("chain: %d entries checked (want %d), problems %v", checked, want, problems)
	}
	// Every change got its own position, with none skipped.
	head, _, err := first.Read(ctx).ChangeLogBounds()
	if err != nil {
		t.Fatal(err)
	}
	logged, _, err := first.Read(ctx).ChangesAfter(0, store.ChangeScope{Admin: true}, 1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if head != int64(changes) || len(logged) != changes {
		t.Fatalf("change log: head %d, %d entries, want %d of each", head, len(logged), changes)
	}
}
