package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A countersign key as a phone holds it.
type phoneKey struct {
	id      string
	userID  string
	private ed25519.PrivateKey
}

// registerKey makes a key pair on the user's phone and registers its
// public half with the user's own token.
func registerKey(t *testing.T, env *apitest.Env, acc apitest.Account) phoneKey {
	t.Helper()
	public, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var key struct {
		ID, UserID, Algorithm, PublicKey string
		DeviceID                         *string
	}
	env.Post("/v1/me/keys", acc.Token, map[string]any{"public_key": base64.StdEncoding.EncodeToString(public), "name": "phone"}).
		Want(t, http.StatusCreated).JSON(t, &key)
	return phoneKey{id: key.ID, userID: acc.User.ID, private: private}
}

// sign is the countersigner's phone agreeing to an answer of an item.
func (k phoneKey) sign(inspectionID, path string, answer checklists.Answer) *checklists.Countersignature {
	proof := &checklists.Countersignature{UserID: k.userID, KeyID: k.id, SignedAt: time.Now().UTC().Format(time.RFC3339)}
	message := checklists.CountersignSubject{InspectionID: inspectionID, Path: path, AnswerSHA256: checklists.AnswerDigest(answer),
		UserID: proof.UserID, KeyID: proof.KeyID, SignedAt: proof.SignedAt}.Message()
	proof.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(k.private, message))
	return proof
}

// twoPersonTemplate publishes a one-item template whose item a supervisor
// must countersign, and returns its id.
func twoPersonTemplate(t *testing.T, env *apitest.Env, admin string) string {
	t.Helper()
	label := map[string]string{"zh-CN": "双人核对金库", "en": "Vault checked by two"}
	document := map[string]any{"key": "two-person-vault", "title": label, "sections": []any{map[string]any{
		"key": "vault", "title": label, "items": []any{map[string]any{"key": "vault_checked", "type": "yes_no", "label": label,
			"required": true, "countersign": map[string]any{"role": "supervisor"}}}}}}
	var created struct{ ID string }
	env.Post("/v1/templates", admin, map[string]any{"document": document}).Want(t, http.StatusCreated).JSON(t, &created)
	env.Post("/v1/templates/"+created.ID+"/publish", admin, nil).Want(t, http.StatusOK)
	return created.ID
}

type countersignedView struct {
	Status, Outcome string
	Evaluation      struct {
		Failed       []string
		Countersigns []struct {
			Path    string
			UserID  string `json:"user_id"`
			Verdict *checklists.CountersignVerdict
		}
	}
}

// A countersignature counts only when the countersigner's own registered
// key signed exactly this answer, and the countersigner is an active user
// of the organisation at the site with the item's role, other than the
// inspector. Anything else fails the item with a reason, never passes.
func TestCountersignVerified(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("twoperson")
		siteA, siteB := tenant.Sites[0].ID, tenant.Sites[1].ID
		templateID := twoPersonTemplate(t, env, tenant.Admin.Token)
		inspector := tenant.Guard

		supervisorKey := registerKey(t, env, tenant.Supervisor)
		spareKey := registerKey(t, env, tenant.Supervisor)
		var revoked struct {
			RevokedAt *string `json:"revoked_at"`
		}
		env.Delete("/v1/me/keys/"+spareKey.id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &revoked)
		if revoked.RevokedAt == nil {
			t.Fatal("a revoked key shows no revoked_at")
		}
		var keys struct{ Items []struct{ ID string } }
		env.Get("/v1/me/keys", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &keys)
		if len(keys.Items) != 2 {
			t.Fatalf("supervisor lists %d keys, want 2", len(keys.Items))
		}
		env.Delete("/v1/me/keys/"+supervisorKey.id, inspector.Token).Want(t, http.StatusNotFound) // nobody revokes another's key

		otherSupervisor := func(name string, sites ...string) apitest.Account {
			acc := env.NewGuard(tenant, name, sites...)
			env.Patch("/v1/users/"+acc.User.ID, tenant.Admin.Token, map[string]any{"role": "supervisor"}).Want(t, http.StatusOK)
			acc.Token = env.Login(acc.Email, apitest.Password, acc.DeviceID+"-2").AccessToken
			return acc
		}
		leaver := otherSupervisor("leaver", siteA)
		leaverKey := registerKey(t, env, leaver)
		env.Delete("/v1/users/"+leaver.User.ID, tenant.Admin.Token).Want(t, http.StatusOK)
		elsewhere := otherSupervisor("elsewhere", siteB)
		elsewhereKey := registerKey(t, env, elsewhere)
		colleague := env.NewGuard(tenant, "colleague", siteA)
		colleagueKey := registerKey(t, env, colleague)
		inspectorKey := registerKey(t, env, inspector)
		stranger := env.NewTenant("stranger")
		strangerKey := registerKey(t, env, stranger.Supervisor)
		_, ghostPrivate, _ := ed25519.GenerateKey(rand.Reader)
		ghostKey := phoneKey{id: newID(), userID: newID(), private: ghostPrivate}

		yes := checklists.Answer{Value: "yes"}
		cases := []struct {
			name  string
			proof func(inspectionID string) *checklists.Countersignature
			code  string // "" for verified
		}{
			{"valid", func(id string) *checklists.Countersignature { return supervisorKey.sign(id, "/vault_checked", yes) }, ""},
			{"no proof", func(string) *checklists.Countersignature {
				return &checklists.Countersignature{UserID: tenant.Supervisor.User.ID}
			}, checklists.CodeCountersignNoProof},
			{"unknown user", func(id string) *checklists.Countersignature { return ghostKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignUnknownUser},
			{"user of another organisation", func(id string) *checklists.Countersignature {
				return strangerKey.sign(id, "/vault_checked", yes)
			}, checklists.CodeCountersignUnknownUser},
			{"inactive", func(id string) *checklists.Countersignature { return leaverKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignInactive},
			{"other site", func(id string) *checklists.Countersignature { return elsewhereKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignSite},
			{"wrong role", func(id string) *checklists.Countersignature { return colleagueKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignRole},
			{"the inspector", func(id string) *checklists.Countersignature { return inspectorKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignSelf},
			{"revoked key", func(id string) *checklists.Countersignature { return spareKey.sign(id, "/vault_checked", yes) },
				checklists.CodeCountersignKeyRevoked},
			{"someone else's key", func(id string) *checklists.Countersignature {
				proof := colleagueKey.sign(id, "/vault_checked", yes)
				proof.UserID = tenant.Supervisor.User.ID
				return proof
			}, checklists.CodeCountersignUnknownKey},
			{"bad signature", func(id string) *checklists.Countersignature {
				proof := supervisorKey.sign(id, "/vault_checked", yes)
				proof.Signature = base64.StdEncoding.EncodeToString(make([]byte, ed25519.SignatureSize))
				return proof
			}, checklists.CodeCountersignSignature},
			{"signed another answer", func(id string) *checklists.Countersignature {
				return supervisorKey.sign(id, "/vault_checked", checklists.Answer{Value: "no"})
			}, checklists.CodeCountersignSignature},
			{"signed another inspection", func(string) *checklists.Countersignature {
				return supervisorKey.sign(newID(), "/vault_checked", yes)
			}, checklists.CodeCountersignSignature},
			{"signed at another time", func(id string) *checklists.Countersignature {
				proof := supervisorKey.sign(id, "/vault_checked", yes)
				proof.SignedAt = "2020-01-01T00:00:00Z"
				return proof
			}, checklists.CodeCountersignSignature},
		}
		// Each case alone in its push, then every case in one push: the
		// server looks up a countersigner and key once per group of
		// pushes (countersignLookups), and one case's lookups must not
		// decide another's verdict.
		ids := make([]string, 2*len(cases))
		var together []mutation
		for i := range ids {
			c, id := cases[i%len(cases)], newID()
			ids[i] = id
			answer := yes
			answer.Countersign = c.proof(id)
			batch := []mutation{
				mut("inspection.start", id, map[string]any{"template_id": templateID, "template_version": 1, "site_id": siteA}),
				mut("answer.set", id, map[string]any{"path": "/vault_checked", "answer": answer}),
				mut("inspection.submit", id, map[string]any{}),
			}
			if i < len(cases) {
				_, results := push(t, env, inspector.Token, batch)
				wantStatus(t, results, "applied")
			} else {
				together = append(together, batch...)
			}
		}
		_, results := push(t, env, inspector.Token, together)
		wantStatus(t, results, "applied")
		for i, id := range ids {
			c := cases[i%len(cases)]
			if i >= len(cases) {
				c.name += ", every case in one push"
			}
			var view countersignedView
			env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &view)
			if len(view.Evaluation.Countersigns) != 1 || view.Evaluation.Countersigns[0].Verdict == nil {
				t.Fatalf("%s: countersigns %+v carry no verdict", c.name, view.Evaluation.Countersigns)
			}
			verdict := view.Evaluation.Countersigns[0].Verdict
			if c.code == "" {
				if view.Outcome != "pass" || !verdict.Verified || verdict.UserName != tenant.Supervisor.User.Name || len(view.Evaluation.Failed) != 0 {
					t.Fatalf("%s: outcome %s, verdict %+v, failed %v", c.name, view.Outcome, verdict, view.Evaluation.Failed)
				}
				continue
			}
			if view.Outcome == "pass" || verdict.Verified || verdict.Code != c.code || verdict.Reason == "" {
				t.Errorf("%s: outcome %s, verdict %+v; want not pass with %s", c.name, view.Outcome, verdict, c.code)
			}
			if len(view.Evaluation.Failed) != 1 || view.Evaluation.Failed[0] != "/vault_checked" {
				t.Errorf("%s: failed items %v, want the countersigned item", c.name, view.Evaluation.Failed)
			}
		}
	})
}

// Keys are registered by their owner only, as 32-byte Ed25519 keys, once.
func TestCountersignKeyRegistration(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("keys")
		fields := env.Post("/v1/me/keys", tenant.Guard.Token, map[string]any{"public_key": "not base64!", "algorithm": "rsa",
			"id": "nope"}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, pointer := range []string{"/public_key", "/algorithm", "/id"} {
			if fields[pointer] == "" {
				t.Errorf("no problem at %s: %v", pointer, fields)
			}
		}
		short := base64.StdEncoding.EncodeToString(make([]byte, 16))
		env.Post("/v1/me/keys", tenant.Guard.Token, map[string]any{"public_key": short}).Want(t, http.StatusUnprocessableEntity)
		public, _, _ := ed25519.GenerateKey(rand.Reader)
		body := map[string]any{"public_key": base64.StdEncoding.EncodeToString(public)}
		var key struct {
			UserID   string  `json:"user_id"`
			DeviceID *string `json:"device_id"`
		}
		env.Post("/v1/me/keys", tenant.Guard.Token, body).Want(t, http.StatusCreated).JSON(t, &key)
		if key.UserID != tenant.Guard.User.ID || key.DeviceID == nil {
			t.Fatalf("key %+v is not bound to the guard and their device", key)
		}
		env.Post("/v1/me/keys", tenant.Supervisor.Token, body).Want(t, http.StatusConflict)
		env.Post("/v1/me/keys", "", body).Want(t, http.StatusUnauthorized)
		env.Delete("/v1/me/keys/"+newID(), tenant.Guard.Token).Want(t, http.StatusNotFound)
	})
}
