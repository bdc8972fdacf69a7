package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The review queue (issue 15, point 1) is paged by the API's cursor at any
// depth: with twenty thousand submitted inspections at a site, the
// supervisor's queue (status and site, as the console asks) walks page by
// page, each page the next ones in order, none twice and none left out,
// and a page from a cursor deep in the queue holds the 25 that follow it.
//
// It is the api package's longest test, so its two dialects run side by
// side (testenv.Each runs them one after the other): started among the
// last, it would otherwise end the package alone for minutes.
func TestReviewQueueTensOfThousands(t *testing.T) {
	t.Parallel()
	eachInParallel(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("busy")
		first, _ := submitted(t, env, tenant, patrolTemplate, true)
		const total = 20000
		copyInspection(t, env, first, total-1)

		query := url.Values{"status": {"submitted"}, "site_id": {tenant.Sites[0].ID}, "limit": {"500"}}
		var seen []string
		var cursors []string
		// The first page's answer is checked against the contract; the 39
		// after it have the same shape.
		walker := env
		for cursor := ""; ; walker = env.WithoutContractChecks() {
			if cursor != "" {
				query.Set("cursor", cursor)
			}
			var page struct {
				Items      []struct{ ID, Status string }
				NextCursor string `json:"next_cursor"`
			}
			walker.Get("/v1/inspections?"+query.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
			for _, item := range page.Items {
				if len(seen) > 0 && item.ID <= seen[len(seen)-1] {
					t.Fatalf("the queue went back from %s to %s at row %d", seen[len(seen)-1], item.ID, len(seen))
				}
				seen = append(seen, item.ID)
			}
			if page.NextCursor == "" || len(page.Items) == 0 {
				break
			}
			cursors = append(cursors, page.NextCursor)
			cursor = page.NextCursor
		}
		if len(seen) != total || seen[0] != first {
			t.Fatalf("the walk saw %d inspections starting at %s, want %d starting at %s", len(seen), seen[0], total, first)
		}
		// The console's page of 25 from deep in the queue (after 15 000 rows).
		deep := url.Values{"status": {"submitted"}, "site_id": {tenant.Sites[0].ID}, "limit": {"25"}, "cursor": {cursors[29]}}
		var page struct{ Items []struct{ ID string } }
		env.Get("/v1/inspections?"+deep.Encode(), tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
		var got []string
		for _, item := range page.Items {
			got = append(got, item.ID)
		}
		if strings.Join(got, ",") != strings.Join(seen[15000:15025], ",") {
			t.Errorf("the page after row 15 000 holds %v, want %v", got, seen[15000:15025])
		}
	})
}

// eachInParallel is testenv.Each with the dialects' subtests in parallel,
// for a test that asserts nothing after them.
func eachInParallel(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Helper()
	for _, dialect := range []struct {
		name  string
		fresh func(testing.TB) string
	}{{"postgres", testenv.Postgres}, {"sqlite", testenv.SQLite}} {
		t.Run(dialect.name, func(t *testing.T) {
			t.Parallel()
			fn(t, dialect.fresh(t))
		})
	}
}

// copyInspection stores n copies of a submitted inspection under new,
// later ids, in one transaction: a busy organisation's queue without n
// phones.
func copyInspection(t *testing.T, env *apitest.Env, id string, n int) {
	t.Helper()
	db := env.App.DB.SQL()
	mark := func(i int) string {
		if env.App.DB.Dialect() == "postgres" {
			return fmt.Sprintf("$%d", i)
		}
		return "?"
	}
	columns := "org_id, site_id, template_id, template_key, template_version, owner_id, device_id, status, answers, context, " +
		"evaluation, content_hash, score, outcome, media_pending, version, started_at, submitted_at, received_at, created_at, updated_at"
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	insert, err := tx.PrepareContext(ctx, "INSERT INTO inspections (id, "+columns+") SELECT "+mark(1)+", "+columns+
		" FROM inspections WHERE id = "+mark(2))
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, err := insert.ExecContext(ctx, newID(), id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
