package api_test

import (
	"maps"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// An inspection started on a round takes its expected tag from the
// route's checkpoints, not from the phone: the route's tag, however the
// phone spelled it, is kept; a tag of no checkpoint of the round is
// dropped, so the scan item is an error, never a pass.
func TestRoundInspectionTakesTheRoutesTag(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := roundsEnv(t, db)
		tenant := env.NewTenant("roundtags")
		route := newRoute(t, env, tenant, tenant.Sites[0].ID)
		round := pastRound(t, env, tenant, route, time.Now().UTC().Add(-2*time.Hour).Truncate(time.Minute), nil)
		phone := newReplica()
		phone.pullAll(t, env, tenant.Guard.Token, 500)
		templateID, number, doc := phone.template(t, patrolTemplate)

		submitWith := func(claimed, scanned string) result {
			t.Helper()
			input := checklists.SampleAnswers(doc, true)
			input.Context = maps.Clone(input.Context)
			input.Context["checkpoint_tag"] = claimed
			input.Answers["checkpoint_scan"] = checklists.Answer{Value: map[string]any{"tag": scanned, "method": "qr"}}
			_, batch := inspectionBatch(templateID, number, tenant.Sites[0].ID, doc, input, true)
			start := batch[0].Payload.(map[string]any)
			start["round_id"] = round.ID
			batch = declareMedia(t, env, tenant.Guard.Token, doc, batch)
			_, results := push(t, env, tenant.Guard.Token, batch)
			return results[len(results)-1]
		}
		if got := submitWith("qr-lobby ", "QR-LOBBY"); got.Status != "applied" {
			t.Fatalf("the lobby scanned on the lobby's tag = %+v, want applied", got)
		}
		got := submitWith("QR-FAKE", "QR-FAKE")
		if got.Status != "rejected" || len(got.Errors) == 0 || got.Errors[0].Pointer != "/answers/checkpoint_scan" {
			t.Fatalf("a tag of no checkpoint of the round = %+v, want rejected at /answers/checkpoint_scan", got)
		}
	})
}
