package api_test

import (
	"net/http"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
)

// auditEntry is one entry of GET /v1/audit, as the tests read it.
type auditEntry struct {
	Seq      int64
	Action   string
	EntityID string  `json:"entity_id"`
	ActorID  *string `json:"actor_id"`
	PrevHash string  `json:"prev_hash"`
	Hash     string
}

// auditEntries pages through an organisation's whole audit log, oldest
// first, with the given token.
func auditEntries(t *testing.T, env *apitest.Env, token string) []auditEntry {
	t.Helper()
	var entries []auditEntry
	for cursor := ""; ; {
		var page struct {
			Items      []auditEntry
			NextCursor string `json:"next_cursor"`
		}
		env.Get("/v1/audit?limit=50&cursor="+cursor, token).Want(t, http.StatusOK).JSON(t, &page)
		entries = append(entries, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return entries
		}
	}
}
