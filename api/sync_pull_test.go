package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A guard's pages are cut by the limit inside the windows of the log a
// pull looks at, among entries the guard may not see: each of their
// records arrives once, in log order, none of another guard's, and no page
// is longer than asked. Every page is the JSON encoding/json gives for it,
// byte for byte (the handler writes it by hand), even with characters
// encoding/json escapes in the records.
func TestPullPagesCutByTheLimit(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("pages")
		other := env.NewGuard(tenant, "second", tenant.Sites[0].ID)
		var mine []string
		for i := range 14 {
			id, token := newID(), tenant.Guard.Token
			if i%3 == 2 {
				token = other.Token
			} else {
				mine = append(mine, id)
			}
			_, results := push(t, env, token, []mutation{mut("finding.create", id, map[string]any{
				"site_id": tenant.Sites[0].ID, "title": fmt.Sprintf(`Cable <%d> & "plug" 电缆`, i), "severity": "low"})})
			wantStatus(t, results, "applied")
		}
		for _, limit := range []int{1, 2, 3, 5, 1000} {
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatalf("limit %d: still has_more after %d pages", limit, pages)
				}
				res := env.Get(fmt.Sprintf("/v1/sync/pull?limit=%d&cursor=%s", limit, url.QueryEscape(cursor)),
					tenant.Guard.Token).Want(t, http.StatusOK)
				var page syncer.Page
				res.JSON(t, &page)
				again, err := json.Marshal(page)
				if err != nil {
					t.Fatal(err)
				}
				if again = append(again, '\n'); !bytes.Equal(res.Body, again) {
					t.Fatalf("limit %d: the page is not what encoding/json writes:\n got %s\nwant %s", limit, res.Body, again)
				}
				if len(page.Changes) > limit {
					t.Fatalf("limit %d: a page of %d changes", limit, len(page.Changes))
				}
				for _, c := range page.Changes {
					if c.EntityType == "finding" {
						got = append(got, c.EntityID)
					}
				}
				if !page.HasMore {
					break
				}
				cursor = page.NextCursor
			}
			if !slices.Equal(got, mine) {
				t.Fatalf("limit %d: pulled findings %v, want the guard's own %v in order", limit, got, mine)
			}
		}
	})
}
