package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A supervisor edits a scheduled training's topic, trainer, place, content
// and time against the version read: a stale version is 412, a bad field
// is 422 naming it, a guard may not edit, the edit is audited with what
// changed; once someone signed the sheet the time stays.
func TestEditTraining(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("trainedit")
		sup := tenant.Supervisor.Token
		now := time.Now().UTC().Truncate(time.Second)
		type training struct {
			ID, Topic, Trainer, Place, Content string
			StartsAt                           time.Time `json:"starts_at"`
			Version                            int64
		}
		var session training
		env.Post("/v1/trainings", sup, map[string]any{"site_id": tenant.Sites[0].ID, "topic": "消防培训", "trainer": "消防队",
			"place": "二楼会议室", "starts_at": now.Add(48 * time.Hour).Format(time.RFC3339),
			"ends_at": now.Add(50 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated).JSON(t, &session)
		if session.Place != "二楼会议室" || session.Content != "" {
			t.Fatalf("created: %+v", session)
		}
		path := "/v1/trainings/" + session.ID
		moved := now.Add(72 * time.Hour)
		env.Patch(path, tenant.Guard.Token, map[string]any{"topic": "x", "version": session.Version}).Want(t, http.StatusForbidden)
		problems := env.Patch(path, sup, map[string]any{"topic": " ", "ends_at": "soon"}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/topic"] == "" || problems["/ends_at"] == "" || problems["/version"] == "" {
			t.Fatalf("problems %v, want /topic, /ends_at and /version", problems)
		}
		var edited training
		env.Patch(path, sup, map[string]any{"topic": "灭火器使用培训", "trainer": "区消防大队 李教官", "place": "营业厅后院",
			"content": "灭火器的检查与使用;初起火灾扑救;疏散路线", "starts_at": moved.Format(time.RFC3339),
			"ends_at": moved.Add(2 * time.Hour).Format(time.RFC3339), "version": session.Version}).
			Want(t, http.StatusOK).JSON(t, &edited)
		if edited.Topic != "灭火器使用培训" || edited.Trainer != "区消防大队 李教官" || edited.Place != "营业厅后院" ||
			edited.Content == "" || !edited.StartsAt.Equal(moved) || edited.Version != session.Version+1 {
			t.Fatalf("edited: %+v", edited)
		}
		env.Patch(path, sup, map[string]any{"topic": "旧版本的修改", "version": session.Version}).Want(t, http.StatusPreconditionFailed).Problem(t)

		audited := false
		for _, e := range auditEntries(t, env, tenant.Admin.Token) {
			audited = audited || e.Action == "training.updated" && e.EntityID == session.ID
		}
		if !audited {
			t.Fatal("the edit is not in the audit log")
		}

		// Signed for: the time stays, the rest may still be corrected.
		var running training
		env.Post("/v1/trainings", sup, map[string]any{"site_id": tenant.Sites[0].ID, "topic": "防抢劫培训", "trainer": "保卫部",
			"starts_at": now.Add(-10 * time.Minute).Format(time.RFC3339), "ends_at": now.Add(50 * time.Minute).Format(time.RFC3339)}).
			Want(t, http.StatusCreated).JSON(t, &running)
		env.Post("/v1/trainings/"+running.ID+"/attend", tenant.Guard.Token, map[string]any{"signature": signature()}).Want(t, http.StatusOK)
		problems = env.Patch("/v1/trainings/"+running.ID, sup, map[string]any{"starts_at": now.Add(-20 * time.Minute).Format(time.RFC3339),
			"version": running.Version}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if problems["/starts_at"] == "" {
			t.Fatalf("moving a signed-for training: %v", problems)
		}
		env.Patch("/v1/trainings/"+running.ID, sup, map[string]any{"place": "营业厅", "version": running.Version}).Want(t, http.StatusOK)
	})
}
