package syncer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// groupStatements is what one group of pushes of whole inspections (start,
// answers, submit, at one site) sends PostgreSQL, whatever the number of
// pushes in it: BEGIN, its callers' standing (confirmCallers), the claim
// of its devices, the stored-results lookup, the inspections and media
// lookups, the site, the site's reference data, the inserts of the
// inspections, their events and the push results, the media links, the
// audit and change-log tail (COMMIT is sent without the caller's context,
// so not counted). PostgreSQL's CPU per inspection is
// mostly per statement (issue 17, docs/benchmarks.md): a statement that
// comes back once per push or per mutation fails this.
const groupStatements = 13

// groupStatementsDeclaring is the same group when each push declares its
// media itself (media.declare, as the load tool and the guard app do):
// besides, the media insert (the lookup of stored twins of the declared
// bytes rides in the media lookup); not the media links' UPDATE, since media declared in the group
// for an inspection created in the group are linked as they are inserted
// (workingSet.linkAtInsert).
const groupStatementsDeclaring = 13

// groupRoundTrips is how many times a group sends. Its reads go together
// (store.Prefetch), after BEGIN and the claim's locks: the callers'
// standing, the stored results, the inspections, their media, the sites
// started at and those sites' reference data for the days around now (one
// of which is the site's day, whatever its time zone). Its inserts go with
// the audit and change-log tail (store.DeferWrites). COMMIT, sent on its
// own after the tail's answer is read, is not counted.
const groupRoundTrips = 2

// One push and eight pushes of whole inspections, each held into one
// group, send PostgreSQL the same statements. The first group is not
// counted: it also reads the template version, which the server keeps.
func TestGroupStatementsDoNotGrowWithItsPushes(t *testing.T) {
	env := apitest.New(t, testenv.Postgres(t))
	tenant := env.NewTenant("counted")
	tmpl := templateOf(t, env, tenant.Guard.Token)
	site := tenant.Sites[0].ID
	for _, tc := range []struct {
		name   string
		inPush bool
		want   int
	}{
		{"media declared before", false, groupStatements},
		{"media declared in the push", true, groupStatementsDeclaring},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groupStatementsOf(t, env, tenant, tmpl, site, tc.inPush, tc.want)
		})
	}
}

func groupStatementsOf(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, tmpl published, site string, inPush bool, want int) {
	t.Helper()
	var texts [2][]string // of a group of 1 push, of 8
	for round, n := range []int{1, 1, 8} {
		ctx, count := store.CountStatements(context.Background())
		h := hold(t, env, tenant.Org.ID)
		results, errors := pushTogether(t, env, ctx, h, tenant.Guard.Email, fmt.Sprintf("counted-%t-%d", inPush, round), n,
			func(_ int, token string) []syncer.Mutation {
				_, batch := inspectionBatchDeclaring(t, env, token, tmpl, site, true, inPush)
				return batch
			})
		for i := range n {
			if errors[i] != nil {
				t.Fatalf("push %d of %d: %v", i, n, errors[i])
			}
			for _, raw := range results[i] {
				var r result
				if err := json.Unmarshal(raw, &r); err != nil || r.Status != syncer.Applied {
					t.Fatalf("push %d of %d: result %s, want applied", i, n, raw)
				}
			}
		}
		if got := count.Len(); round > 0 && got != want {
			for i, text := range count.Texts() {
				t.Logf("statement %d: %.200s", i+1, text)
			}
			t.Errorf("a group of %d pushes sent %d statements, want %d", n, got, want)
		}
		if got := count.RoundTrips(); round > 0 && got != groupRoundTrips {
			t.Errorf("a group of %d pushes sent its statements in %d round trips, want %d", n, got, groupRoundTrips)
		}
		if round == 0 {
			continue
		}
		if texts[0] == nil {
			texts[0] = count.Texts()
		} else {
			texts[1] = count.Texts()
		}
	}
	// A push declaring its media names its inspection in each declaration
	// and in its submit; the media lookup lists it once.
	for _, text := range texts[0] {
		if inPush && strings.HasPrefix(text, "SELECT *, 0 AS twin FROM media") && !strings.Contains(text, "inspection_id IN ($2)") {
			t.Errorf("the media lookup of one push lists its inspection more than once:\n%s", text)
		}
	}
	// The same texts, so that PostgreSQL prepares and plans each once per
	// connection whatever the size of the group. The media lookups, the
	// media insert and the media links' update still list their ids or
	// rows: a generic plan for the lookups can scan an organisation's
	// media on a young table (store.byIDs).
	if !slices.Equal(texts[0], texts[1]) {
		for i := range max(len(texts[0]), len(texts[1])) {
			var one, eight string
			if i < len(texts[0]) {
				one = texts[0][i]
			}
			if i < len(texts[1]) {
				eight = texts[1][i]
			}
			if one != eight && !listsMedia(one) {
				t.Errorf("statement %d: a group of 1 push sent\n%s\na group of 8\n%s", i+1, one, eight)
			}
		}
	}
}

// listsMedia reports whether statement is one of the media statements
// that still have one text per number of ids.
func listsMedia(statement string) bool {
	return strings.HasPrefix(statement, `SELECT * FROM "media"`) || strings.HasPrefix(statement, "SELECT *, 0 AS twin FROM media") ||
		strings.HasPrefix(statement, "SELECT *, 1 AS twin FROM media") || strings.HasPrefix(statement, "UPDATE media SET linked_at")
}

// A push is authenticated once per group, in its transaction: a guard
// whose standing the API remembers from the push before is still refused
// at once when deactivated, or when only the device is, and nothing of the
// refused push is stored; another guard's push in the same group goes in.
func TestPushesOfARevokedSessionAreRefusedInTheGroup(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("revoked")
		tmpl := templateOf(t, env, tenant.Guard.Token)
		site := tenant.Sites[0].ID
		for _, revoke := range []string{"user", "device"} {
			t.Run(revoke, func(t *testing.T) {
				gone := env.NewGuard(tenant, "gone-"+revoke, site)
				stays := env.NewGuard(tenant, "stays-"+revoke, site)
				_, first := inspectionBatch(t, env, gone.Token, tmpl, site, true)
				wantApplied(t, "the push before", first, push(t, env, gone.Token, first), nil)
				// Its media are declared while the guard still may.
				refusedID, refused := inspectionBatch(t, env, gone.Token, tmpl, site, true)
				if revoke == "user" {
					env.Delete("/v1/users/"+gone.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)
				} else {
					var devices struct {
						Items []struct {
							ID        string `json:"id"`
							DeviceKey string `json:"device_id"`
						} `json:"items"`
					}
					env.Get("/v1/devices?limit=200", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &devices)
					for _, d := range devices.Items {
						if d.DeviceKey == gone.DeviceID {
							env.Delete("/v1/devices/"+d.ID, tenant.Admin.Token).Want(t, http.StatusOK)
						}
					}
				}
				_, other := inspectionBatch(t, env, stays.Token, tmpl, site, true)
				answers := pushGroup(t, env, hold(t, env, tenant.Org.ID), []outgoing{{gone.Token, refused}, {stays.Token, other}})
				if answers[0].status != http.StatusUnauthorized || answers[0].header.Get("WWW-Authenticate") == "" {
					t.Fatalf("push after the %s was deactivated: status %d, WWW-Authenticate %q, want 401 with it: %s",
						revoke, answers[0].status, answers[0].header.Get("WWW-Authenticate"), answers[0].body)
				}
				wantApplied(t, "the other guard's push", other, answers[1], nil)
				if n := changeCount(t, env, tenant.Org.ID, refusedID); n != 0 {
					t.Fatalf("the refused inspection has %d change-log entries, want none", n)
				}
				if stored := storedResults(t, env, tenant, refused); len(stored) != 0 {
					t.Fatalf("the refused push stored %d results, want none", len(stored))
				}
			})
		}
	})
}

// A push retried with its Idempotency-Key is answered from the stored
// answer without reaching the group, where a remembered standing is
// checked: the replay must read the standing itself, so that a session
// revoked (or a guard deactivated) within the minute auth remembers a
// standing for gets 401, not the stored answer.
func TestAReplayedPushOfARevokedSessionIsRefused(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("replayed")
		tmpl := templateOf(t, env, tenant.Guard.Token)
		site := tenant.Sites[0].ID
		for _, revoke := range []string{"session", "user"} {
			t.Run(revoke, func(t *testing.T) {
				guard := env.NewGuard(tenant, "replayed-"+revoke, site)
				_, batch := inspectionBatch(t, env, guard.Token, tmpl, site, true)
				key := "push-" + newID()
				first := pushKeyed(t, env, guard.Token, key, batch)
				wantApplied(t, "the first push", batch, first, nil)
				if again := pushKeyed(t, env, guard.Token, key, batch); again.status != http.StatusOK ||
					again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
					t.Fatalf("retry before the %s was revoked: %d (replayed %q) %s, want the first answer replayed",
						revoke, again.status, again.header.Get("Idempotent-Replayed"), again.body)
				}
				if revoke == "session" {
					env.Post("/v1/auth/logout", "", map[string]any{"refresh_token": guard.Refresh}).Want(t, http.StatusNoContent)
				} else {
					env.Delete("/v1/users/"+guard.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)
				}
				got := pushKeyed(t, env, guard.Token, key, batch)
				if got.status != http.StatusUnauthorized || got.header.Get("WWW-Authenticate") == "" ||
					got.header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("retry after the %s was revoked: status %d, WWW-Authenticate %q, replayed %q, want 401: %s",
						revoke, got.status, got.header.Get("WWW-Authenticate"), got.header.Get("Idempotent-Replayed"), got.body)
				}
			})
		}
	})
}

// pushKeyed is push with an Idempotency-Key.
func pushKeyed(t *testing.T, env *apitest.Env, token, key string, batch []syncer.Mutation) pushed {
	t.Helper()
	req, err := pushRequest(context.Background(), env, token, batch)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Idempotency-Key", key)
	return send(t, req)
}

// Media declared in the push that submits their inspection are linked as
// they are inserted, without the links' UPDATE: with the same time the
// UPDATE writes for media declared before (the inspection's receive time),
// on both dialects, so that the orphan sweep keeps them either way.
func TestMediaDeclaredWithTheirInspectionAreLinked(t *testing.T) {
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("linked")
		tmpl := templateOf(t, env, tenant.Guard.Token)
		site := tenant.Sites[0].ID
		for _, inPush := range []bool{false, true} {
			id, batch := inspectionBatchDeclaring(t, env, tenant.Guard.Token, tmpl, site, true, inPush)
			wantApplied(t, "the push", batch, push(t, env, tenant.Guard.Token, batch), nil)
			query := `SELECT count(*), count(m.linked_at), count(CASE WHEN m.linked_at = i.received_at THEN 1 END)
FROM media m JOIN inspections i ON i.id = m.inspection_id WHERE m.inspection_id = ?`
			if env.App.DB.Dialect() == store.Postgres {
				query = strings.Replace(query, "?", "$1", 1)
			}
			var rows, linked, atReceipt int
			if err := env.App.DB.SQL().QueryRow(query, id).Scan(&rows, &linked, &atReceipt); err != nil {
				t.Fatal(err)
			}
			if rows == 0 || linked != rows || atReceipt != rows {
				t.Fatalf("declared in the push %t: %d media, %d linked, %d at the inspection's receipt; want all linked at it",
					inPush, rows, linked, atReceipt)
			}
		}
	})
}
