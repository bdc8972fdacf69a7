package api_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A stored result replays only to the device and user that pushed the
// mutation: another guard, or the same guard on another phone, reusing a
// mutation_id has its own mutation applied and never sees the first
// result. The first device's retry replays byte for byte; the same id
// with a different body is rejected and leaves the stored result as it was.
func TestMutationIDReplaysOnlyToItsDevice(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("replay")
		site := tenant.Sites[0].ID
		r := newReplica()
		r.pullAll(t, env, tenant.Guard.Token, 200)
		templateID, number, _ := r.template(t, patrolTemplate)
		start := func(id string) mutation {
			return mut("inspection.start", id, map[string]any{"template_id": templateID, "template_version": number, "site_id": site})
		}

		first := start(newID())
		raw, results := push(t, env, tenant.Guard.Token, []mutation{first})
		wantStatus(t, results, "applied")

		other := env.NewGuard(tenant, "second", site)
		secondPhone := env.Login(tenant.Guard.Email, apitest.Password, "device-second-phone").AccessToken
		for name, token := range map[string]string{"another guard": other.Token, "the same guard's other phone": secondPhone} {
			theirs := start(newID())
			theirs.MutationID = first.MutationID
			theirRaw, got := push(t, env, token, []mutation{theirs})
			if got[0].Status != "applied" || got[0].EntityID != theirs.EntityID {
				t.Fatalf("%s reusing a mutation id = %+v, want its own inspection %s applied", name, got[0], theirs.EntityID)
			}
			if bytes.Contains(theirRaw[0], []byte(first.EntityID)) {
				t.Fatalf("%s was answered with the first inspection: %s", name, theirRaw[0])
			}
			env.Get("/v1/inspections/"+theirs.EntityID, tenant.Admin.Token).Want(t, http.StatusOK)
		}

		// The first phone's retry, even with another client_time, replays.
		retry := first
		retry.ClientTime = time.Now().UTC().Format(time.RFC3339)
		again, _ := push(t, env, tenant.Guard.Token, []mutation{retry})
		if !bytes.Equal(again[0], raw[0]) {
			t.Fatalf("retry answered %s, first %s", again[0], raw[0])
		}
		// The same id for a different mutation is rejected, every time.
		reused := start(newID())
		reused.MutationID = first.MutationID
		for range 2 {
			_, got := push(t, env, tenant.Guard.Token, []mutation{reused})
			if got[0].Status != "rejected" || !hasPointer(got[0], "/mutation_id") {
				t.Fatalf("the same id with another body = %+v, want rejected on /mutation_id", got[0])
			}
		}
		env.Get("/v1/inspections/"+reused.EntityID, tenant.Admin.Token).Want(t, http.StatusNotFound)
		again, _ = push(t, env, tenant.Guard.Token, []mutation{first})
		if !bytes.Equal(again[0], raw[0]) {
			t.Fatalf("after the refused reuse the retry answered %s, first %s", again[0], raw[0])
		}
	})
}
