package syncer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/store"
	"github.com/patrolsync/patrolsync/internal/syncer"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// The countersigners and keys a group's submissions judge are read with
// the group's other reads, in its first round trip, not one by one as
// the evaluation meets them (three round trips a group: the user, their
// sites, the key). A group of pushes countersigned by a supervisor, by an
// unknown user with an unknown key, by a colleague signing with the
// supervisor's key and by the supervisor with an unknown key still takes
// groupRoundTrips, and each verdict is the one the rules give.
func TestCountersignersAreReadWithTheGroupsReads(t *testing.T) {
	env := apitest.New(t, testenv.Postgres(t))
	tenant := env.NewTenant("countersigned")
	site := tenant.Sites[0].ID
	label := map[string]string{"zh-CN": "双人核对金库", "en": "Vault checked by two"}
	document := map[string]any{"key": "two-person-vault", "title": label, "sections": []any{map[string]any{
		"key": "vault", "title": label, "items": []any{map[string]any{"key": "vault_checked", "type": "yes_no", "label": label,
			"required": true, "countersign": map[string]any{"role": "supervisor"}}}}}}
	var created struct{ ID string }
	env.Post("/v1/templates", tenant.Admin.Token, map[string]any{"document": document}).Want(t, http.StatusCreated).JSON(t, &created)
	env.Post("/v1/templates/"+created.ID+"/publish", tenant.Admin.Token, nil).Want(t, http.StatusOK)

	public, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var key struct{ ID string }
	env.Post("/v1/me/keys", tenant.Supervisor.Token, map[string]any{"public_key": base64.StdEncoding.EncodeToString(public), "name": "phone"}).
		Want(t, http.StatusCreated).JSON(t, &key)
	yes := checklists.Answer{Value: "yes"}
	sign := func(inspectionID, userID, keyID string) *checklists.Countersignature {
		proof := &checklists.Countersignature{UserID: userID, KeyID: keyID, SignedAt: time.Now().UTC().Format(time.RFC3339)}
		message := checklists.CountersignSubject{InspectionID: inspectionID, Path: "/vault_checked", AnswerSHA256: checklists.AnswerDigest(yes),
			UserID: proof.UserID, KeyID: proof.KeyID, SignedAt: proof.SignedAt}.Message()
		proof.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(private, message))
		return proof
	}
	colleague := env.NewGuard(tenant, "colleague", site)
	signers := []struct {
		name, user, key, code string // code "": verified
	}{
		{"the supervisor", tenant.Supervisor.User.ID, key.ID, ""},
		{"nobody known", newID(), newID(), checklists.CodeCountersignUnknownUser},
		{"a guard with the supervisor's key", colleague.User.ID, strings.ToUpper(key.ID), checklists.CodeCountersignRole},
		{"the supervisor with a key of nobody's", tenant.Supervisor.User.ID, newID(), checklists.CodeCountersignUnknownKey},
	}
	for round, n := range []int{1, 1, 8} { // the first group also reads the template version
		ctx, count := store.CountStatements(context.Background())
		h := hold(t, env, tenant.Org.ID)
		ids := make([]string, n)
		_, errors := pushTogether(t, env, ctx, h, tenant.Guard.Email, fmt.Sprintf("countersigned-%d", round), n,
			func(i int, _ string) []syncer.Mutation {
				signer := signers[i%len(signers)]
				ids[i] = newID()
				answer := yes
				answer.Countersign = sign(ids[i], signer.user, signer.key)
				return []syncer.Mutation{
					mut("inspection.start", ids[i], map[string]any{"template_id": created.ID, "template_version": 1, "site_id": site}),
					mut("answer.set", ids[i], map[string]any{"path": "/vault_checked", "answer": answer}),
					mut("inspection.submit", ids[i], map[string]any{}),
				}
			})
		for i, err := range errors {
			if err != nil {
				t.Fatalf("push %d of %d: %v", i, n, err)
			}
		}
		if got := count.RoundTrips(); round > 0 && got != groupRoundTrips {
			for i, text := range count.Texts() {
				t.Logf("statement %d: %.200s", i+1, text)
			}
			t.Errorf("a group of %d countersigned pushes sent its statements in %d round trips, want %d", n, got, groupRoundTrips)
		}
		for i, id := range ids {
			signer := signers[i%len(signers)]
			var view struct {
				Evaluation struct {
					Countersigns []struct {
						Verdict *checklists.CountersignVerdict
					}
				}
			}
			env.Get("/v1/inspections/"+id, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &view)
			if len(view.Evaluation.Countersigns) != 1 || view.Evaluation.Countersigns[0].Verdict == nil {
				t.Fatalf("%s: countersigns %+v", signer.name, view.Evaluation.Countersigns)
			}
			verdict := view.Evaluation.Countersigns[0].Verdict
			if verdict.Verified != (signer.code == "") || verdict.Code != signer.code {
				t.Errorf("group of %d, %s: verdict %+v, want code %q", n, signer.name, verdict, signer.code)
			}
		}
	}
}
