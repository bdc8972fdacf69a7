package api_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/duties"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// sitePeople is the site_person records a replica holds, by user id:
// "name/role@site".
func sitePeople(t *testing.T, r *replica) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range r.ofType("site_person") {
		var person map[string]any
		if err := json.Unmarshal(c.Data, &person); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(person))
		for key := range person {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"id", "name", "role", "site_id", "user_id"}) {
			t.Fatalf("a site_person carries %v: only id, site_id, user_id, name and role may leave the server", keys)
		}
		out[person["user_id"].(string)] = person["name"].(string) + "/" + person["role"].(string) + "@" + person["site_id"].(string)
	}
	return out
}

// TestSitePeopleInPull: a guard's phone pulls the names and roles of the
// people of the guard's own sites, to pick the incoming guard of a shift
// handover offline; never the people of the organisation's other sites,
// nor anyone of another organisation. A person who leaves the site, or is
// deactivated, is deleted from the list; a new name comes as an upsert.
func TestSitePeopleInPull(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("people")
		other := env.NewTenant("strangers")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		day := env.NewGuard(tenant, "day-guard", siteA)
		far := env.NewGuard(tenant, "far-guard", siteB)
		env.NewGuard(other, "stranger", other.Sites[0].ID)

		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		admin := tenant.Admin.User.Name + "/admin@"
		want := map[string]string{
			tenant.Guard.User.ID:      tenant.Guard.User.Name + "/guard@" + siteA,
			tenant.Supervisor.User.ID: tenant.Supervisor.User.Name + "/supervisor@" + siteA,
			day.User.ID:               "day-guard/guard@" + siteA,
			tenant.Admin.User.ID:      admin + siteA, // holds no site, works at every one
		}
		if got := sitePeople(t, phone); !maps.Equal(got, want) {
			t.Fatalf("the guard's phone lists %v, want %v (no one of site B, no other organisation)", got, want)
		}
		// The other site's guard sees their own site only.
		farPhone := newReplica()
		farPhone.pullAll(t, env, far.Token, 500)
		if got := sitePeople(t, farPhone); !maps.Equal(got, map[string]string{far.User.ID: "far-guard/guard@" + siteB,
			tenant.Admin.User.ID: admin + siteB}) {
			t.Fatalf("site B's guard lists %v", got)
		}

		// The day guard moves to site B, the supervisor is renamed, the
		// far guard joins site A and is then deactivated.
		env.Patch("/v1/users/"+day.User.ID, tenant.Admin.Token, map[string]any{"site_ids": []string{siteB}}).Want(t, http.StatusOK)
		env.Patch("/v1/users/"+tenant.Supervisor.User.ID, tenant.Admin.Token, map[string]any{"name": "王主管"}).Want(t, http.StatusOK)
		env.Patch("/v1/users/"+far.User.ID, tenant.Admin.Token, map[string]any{"site_ids": []string{siteA, siteB}}).Want(t, http.StatusOK)
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		want = map[string]string{
			tenant.Guard.User.ID:      tenant.Guard.User.Name + "/guard@" + siteA,
			tenant.Supervisor.User.ID: "王主管/supervisor@" + siteA,
			far.User.ID:               "far-guard/guard@" + siteA,
			tenant.Admin.User.ID:      admin + siteA,
		}
		if got := sitePeople(t, phone); !maps.Equal(got, want) {
			t.Fatalf("after the moves the guard's phone lists %v, want %v", got, want)
		}
		env.Patch("/v1/users/"+far.User.ID, tenant.Admin.Token, map[string]any{"active": false}).Want(t, http.StatusOK)
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		delete(want, far.User.ID)
		if got := sitePeople(t, phone); !maps.Equal(got, want) {
			t.Fatalf("after deactivation the guard's phone lists %v, want %v", got, want)
		}
		// A fresh phone (full sync) agrees with the one that followed along.
		fresh := newReplica()
		fresh.pullAll(t, env, tenant.Guard.Token, 7)
		if got := sitePeople(t, fresh); !maps.Equal(got, want) {
			t.Fatalf("a full sync lists %v, want %v", got, want)
		}
	})
}

// TestHandoverOnOnePhone: the outgoing guard starts a shift handover on
// their phone, offline, picking the incoming guard from the site's people;
// the incoming guard draws their signature on the same phone and proves it
// theirs with their own key (their phone signs the handover's id and
// content digest, as for a countersign). One handover.start carries both:
// the handover is completed once, a replay is a duplicate, and a proof by
// the wrong key, or over other content, rejects it naming the field.
func TestHandoverOnOnePhone(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("onephone")
		site := tenant.Sites[0].ID
		incoming := env.NewGuard(tenant, "night-guard", site)
		theirKey := registerKey(t, env, incoming)
		outgoingKey := registerKey(t, env, tenant.Guard)

		handedAt := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
		items := map[string]any{"open_matters": "后门闭门器损坏 <已报修>", "equipment": "监控、报警正常", "keys_and_items": "对讲机两台"}
		start := func(id string, key phoneKey, equipment string) map[string]any {
			signed := map[string]any{"site_id": site, "post": "大堂岗", "shift_id": nil, "outgoing_user_id": tenant.Guard.User.ID,
				"incoming_user_id": incoming.User.ID, "handed_at": handedAt,
				"items": map[string]any{"open_matters": items["open_matters"], "equipment": equipment, "keys_and_items": items["keys_and_items"]}}
			digest, err := checklists.ContentDigest(signed)
			if err != nil {
				t.Fatal(err)
			}
			signedAt := time.Now().UTC().Format(time.RFC3339)
			message := duties.HandoverMessage(id, digest, incoming.User.ID, key.id, signedAt)
			return map[string]any{"site_id": site, "post": "大堂岗", "incoming_user_id": incoming.User.ID, "handed_at": handedAt,
				"items": items, "signature": map[string]any{"strokes": [][][2]float64{{{10, 40}, {30, 10}, {50, 40}}}},
				"incoming": map[string]any{"strokes": [][][2]float64{{{5, 5}, {40, 30}}}, "key_id": key.id, "signed_at": signedAt,
					"signature": base64.StdEncoding.EncodeToString(ed25519.Sign(key.private, message))}}
		}

		for _, tc := range []struct {
			name    string
			key     phoneKey
			content string
			detail  string
		}{
			{"the outgoing guard's own key", outgoingKey, "监控、报警正常", "key_id is not a key the incoming guard registered"},
			{"a proof over other content", theirKey, "监控故障", "the signature does not verify over this handover: its content changed after the incoming guard signed"},
		} {
			id := newID()
			_, results := push(t, env, tenant.Guard.Token, []mutation{mut("handover.start", id, start(id, tc.key, tc.content))})
			if r := results[0]; r.Status != "rejected" || len(r.Errors) != 1 || r.Errors[0].Pointer != "/payload/incoming/signature" ||
				r.Errors[0].Detail != tc.detail {
				t.Fatalf("%s: %+v", tc.name, r)
			}
			env.Get("/v1/handovers/"+id, tenant.Supervisor.Token).Want(t, http.StatusNotFound)
		}

		id := newID()
		payload := start(id, theirKey, "监控、报警正常")
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("handover.start", id, payload)})
		wantStatus(t, results, "applied")
		_, results = push(t, env, tenant.Guard.Token, []mutation{mut("handover.start", id, payload)})
		wantStatus(t, results, "duplicate")
		var handover struct {
			Status          string
			IncomingName    string         `json:"incoming_name"`
			IncomingStrokes [][][2]float64 `json:"incoming_strokes"`
			Version         int64
		}
		env.Get("/v1/handovers/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &handover)
		if handover.Status != "completed" || handover.IncomingName != "night-guard" || len(handover.IncomingStrokes) != 1 || handover.Version != 1 {
			t.Fatalf("the handover signed on one phone = %+v", handover)
		}
		// The incoming guard's phone has nothing left to sign: signing
		// again is a duplicate, not a second signature.
		var full struct {
			ContentDigest string `json:"content_digest"`
		}
		env.Get("/v1/handovers/"+id, incoming.Token).Want(t, http.StatusOK).JSON(t, &full)
		_, results = push(t, env, incoming.Token, []mutation{mut("handover.sign", id, map[string]any{"content_digest": full.ContentDigest,
			"signature": map[string]any{"strokes": [][][2]float64{{{1, 1}, {9, 9}}}}})})
		wantStatus(t, results, "duplicate")
	})
}

// TestAdminsInEverySitesPeople: an administrator works at every site (the
// rule of GET /v1/sites/{id}/people, and of the handover, roster and
// assignment checks), so every site's people list on the phones names the
// organisation's active administrators, whether or not they hold the
// site: from a new site's first day, until they are demoted (then only
// their own sites) or deactivated (then none). A guard can hand a shift over to one,
// offline, from that list.
func TestAdminsInEverySitesPeople(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("admins")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		var second struct{ ID string }
		env.Post("/v1/users", tenant.Admin.Token, map[string]any{"email": "director@admins.test", "name": "保卫处长",
			"password": apitest.Password, "role": "admin"}).Want(t, http.StatusCreated).JSON(t, &second)
		var siteC struct{ ID string }
		env.Post("/v1/sites", tenant.Admin.Token, map[string]any{"code": "C", "name": "Branch C", "timezone": "Asia/Shanghai"}).
			Want(t, http.StatusCreated).JSON(t, &siteC)
		newcomer := env.NewGuard(tenant, "c-guard", siteC.ID)

		admins := func(site string) map[string]string {
			return map[string]string{tenant.Admin.User.ID: tenant.Admin.User.Name + "/admin@" + site, second.ID: "保卫处长/admin@" + site}
		}
		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		want := admins(siteA)
		want[tenant.Guard.User.ID] = tenant.Guard.User.Name + "/guard@" + siteA
		want[tenant.Supervisor.User.ID] = tenant.Supervisor.User.Name + "/supervisor@" + siteA
		if got := sitePeople(t, phone); !maps.Equal(got, want) {
			t.Fatalf("site A's guard lists %v, want %v", got, want)
		}
		// The site made after both administrators lists them too.
		cPhone := newReplica()
		cPhone.pullAll(t, env, newcomer.Token, 500)
		wantC := admins(siteC.ID)
		wantC[newcomer.User.ID] = "c-guard/guard@" + siteC.ID
		if got := sitePeople(t, cPhone); !maps.Equal(got, wantC) {
			t.Fatalf("the new site's guard lists %v, want %v", got, wantC)
		}
		// The list matches the REST list of the site's people.
		var rest struct{ Items []struct{ ID string } }
		env.Get("/v1/sites/"+siteA+"/people", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &rest)
		if len(rest.Items) != len(want) {
			t.Fatalf("GET /v1/sites/{id}/people lists %+v, the phone %v", rest.Items, want)
		}
		for _, item := range rest.Items {
			if want[item.ID] == "" {
				t.Fatalf("GET /v1/sites/{id}/people lists %s, the phone does not", item.ID)
			}
		}

		// A handover to the director, picked from that list, is accepted.
		id := newID()
		_, results := push(t, env, tenant.Guard.Token, []mutation{mut("handover.start", id, map[string]any{"site_id": siteA,
			"post": "大堂岗", "incoming_user_id": second.ID, "handed_at": time.Now().UTC().Format(time.RFC3339),
			"items":     map[string]any{"equipment": "监控、报警正常"},
			"signature": map[string]any{"strokes": [][][2]float64{{{10, 40}, {30, 10}}}, "signed_at": time.Now().UTC().Format(time.RFC3339)}})})
		wantStatus(t, results, "applied")

		// Demoted to a supervisor of site B, the director leaves A and C.
		env.Patch("/v1/users/"+second.ID, tenant.Admin.Token, map[string]any{"role": "supervisor", "site_ids": []string{siteB}}).
			Want(t, http.StatusOK)
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		cPhone.pullAll(t, env, newcomer.Token, 500)
		delete(want, second.ID)
		delete(wantC, second.ID)
		if got := sitePeople(t, phone); !maps.Equal(got, want) {
			t.Fatalf("after the demotion site A's guard lists %v, want %v", got, want)
		}
		if got := sitePeople(t, cPhone); !maps.Equal(got, wantC) {
			t.Fatalf("after the demotion site C's guard lists %v, want %v", got, wantC)
		}
	})
}
