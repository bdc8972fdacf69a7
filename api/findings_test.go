package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/finding"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

type findingDetail struct {
	ID                   string  `json:"id"`
	Status               string  `json:"status"`
	Version              int64   `json:"version"`
	InspectionID         *string `json:"inspection_id"`
	AssigneeID           *string `json:"assignee_id"`
	AssignedBy           *string `json:"assigned_by"`
	RectifierID          *string `json:"rectifier_id"`
	VerifierID           *string `json:"verifier_id"`
	ClosedBy             *string `json:"closed_by"`
	FollowUpInspectionID *string `json:"follow_up_inspection_id"`
	Evidence             []string
	EscalationLevel      int `json:"escalation_level"`
	History              []struct {
		Kind       string  `json:"kind"`
		ActorID    *string `json:"actor_id"`
		FromStatus string  `json:"from_status"`
		ToStatus   string  `json:"to_status"`
	}
	Escalations []struct {
		Level       int    `json:"level"`
		EscalatedTo string `json:"escalated_to"`
	}
}

// From a failed item to a closed finding, with a rejected verification on
// the way, a named person at every step, and the phones kept in step.
func TestFindingRectificationLoop(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("loop")
		inspectionID, _ := submitted(t, env, tenant, patrolTemplate, false)
		var open struct{ Items []findingDetail }
		env.Get("/v1/findings?status=open&site_id="+tenant.Sites[0].ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &open)
		if len(open.Items) == 0 || open.Items[0].InspectionID == nil || *open.Items[0].InspectionID != inspectionID {
			t.Fatalf("open findings = %+v", open.Items)
		}
		id := open.Items[0].ID
		act := func(token, action string, body map[string]any, status int) findingDetail {
			t.Helper()
			var f findingDetail
			res := env.Post("/v1/findings/"+id+"/"+action, token, body).Want(t, status)
			if status == http.StatusOK {
				res.JSON(t, &f)
			}
			return f
		}
		evidence := declaredMedia(t, env, tenant, tenant.Guard.Token, inspectionID, 1)
		guard, supervisor := tenant.Guard, tenant.Supervisor
		// Out-of-order steps and bad input are refused, naming the problem.
		act(supervisor.Token, "verify", map[string]any{}, http.StatusConflict)
		act(guard.Token, "rectify", map[string]any{"note": "fixed", "evidence": evidence}, http.StatusConflict)
		act(supervisor.Token, "assign", map[string]any{"assignee_id": newID()}, http.StatusUnprocessableEntity)
		other := env.NewGuard(tenant, "elsewhere", tenant.Sites[1].ID)
		act(supervisor.Token, "assign", map[string]any{"assignee_id": other.User.ID}, http.StatusUnprocessableEntity)
		act(supervisor.Token, "assign", map[string]any{"assignee_id": guard.User.ID, "version": 99}, http.StatusPreconditionFailed)

		f := act(supervisor.Token, "assign", map[string]any{"assignee_id": guard.User.ID, "note": "fix by Friday"}, http.StatusOK)
		if f.Status != "assigned" || *f.AssigneeID != guard.User.ID || *f.AssignedBy != supervisor.User.ID {
			t.Fatalf("assigned = %+v", f)
		}
		bad := env.Post("/v1/findings/"+id+"/rectify", guard.Token, map[string]any{}).Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		if bad["/note"] == "" || bad["/evidence"] == "" {
			t.Fatalf("rectify without note and evidence names %v", bad)
		}
		f = act(guard.Token, "rectify", map[string]any{"note": "door rehung", "evidence": evidence}, http.StatusOK)
		if f.Status != "rectified" || *f.RectifierID != guard.User.ID || len(f.Evidence) != 1 {
			t.Fatalf("rectified = %+v", f)
		}
		act(supervisor.Token, "reject", map[string]any{}, http.StatusUnprocessableEntity)
		f = act(supervisor.Token, "reject", map[string]any{"note": "still sticks"}, http.StatusOK)
		if f.Status != "rejected" || *f.VerifierID != supervisor.User.ID {
			t.Fatalf("rejected = %+v", f)
		}
		// Re-checked by a follow-up inspection at the same site.
		followUp, _ := submitted(t, env, tenant, patrolTemplate, true)
		f = act(guard.Token, "rectify", map[string]any{"note": "hinge replaced", "evidence": declaredMedia(t, env, tenant, tenant.Guard.Token, inspectionID, 2),
			"follow_up_inspection_id": followUp}, http.StatusOK)
		if f.FollowUpInspectionID == nil || *f.FollowUpInspectionID != followUp {
			t.Fatalf("follow-up not linked: %+v", f)
		}
		act(guard.Token, "verify", map[string]any{}, http.StatusForbidden)
		f = act(supervisor.Token, "verify", map[string]any{"note": "works"}, http.StatusOK)
		act(supervisor.Token, "verify", map[string]any{}, http.StatusConflict)
		f = act(supervisor.Token, "close", map[string]any{}, http.StatusOK)
		if f.Status != "closed" || *f.ClosedBy != supervisor.User.ID {
			t.Fatalf("closed = %+v", f)
		}
		var steps []string
		for _, h := range f.History {
			steps = append(steps, h.Kind+":"+h.FromStatus+">"+h.ToStatus)
		}
		want := "created:>open assigned:open>assigned rectified:assigned>rectified rejected:rectified>rejected " +
			"rectified:rejected>rectified verified:rectified>verified closed:verified>closed"
		if strings.Join(steps, " ") != want {
			t.Fatalf("history %v\nwant %s", steps, want)
		}
		// The assignee's phone holds the closed finding.
		r := newReplica()
		r.pullAll(t, env, guard.Token, 500)
		if got := r.ofType("finding")[id]; got.Version != f.Version {
			t.Fatalf("guard holds version %d, want %d", got.Version, f.Version)
		}
		// The hazard register shows it closed, as JSON and CSV.
		var register struct {
			Items []struct{ ID, Status string }
		}
		env.Get("/v1/registers/hazards?site_id="+tenant.Sites[0].ID, supervisor.Token).Want(t, http.StatusOK).JSON(t, &register)
		found := false
		for _, row := range register.Items {
			found = found || (row.ID == id && row.Status == "closed")
		}
		if !found {
			t.Fatalf("hazard register misses the closed finding: %+v", register.Items)
		}
		// The CSV is for Excel: a byte-order mark, names instead of ids,
		// times in the site's zone.
		hazards := registerCSV(t, env, "hazards", supervisor.Token)
		row := hazards[id]
		if row == nil || row["状态 Status"] != "closed" || row["地点 Site"] != tenant.Sites[0].Name+" (A)" ||
			row["时区 Time zone"] != "Asia/Shanghai" || row["责任人 Assignee"] != guard.User.Name ||
			row["复查人 Verified by"] != supervisor.User.Name || !strings.HasSuffix(row["关闭时间 Closed at"], " +08:00") ||
			strings.HasPrefix(row["检查项 Item"], "/") || !strings.Contains(row["检查项 Item"], " / ") {
			t.Fatalf("hazard CSV row %v", row)
		}
		var inspections struct{ Items []struct{ ID string } }
		env.Get("/v1/registers/inspections?from=2000-01-01T00:00:00Z", supervisor.Token).Want(t, http.StatusOK).JSON(t, &inspections)
		if len(inspections.Items) != 2 {
			t.Fatalf("inspection register holds %d rows, want 2", len(inspections.Items))
		}
		lines := registerCSV(t, env, "inspections", supervisor.Token)
		for _, item := range inspections.Items {
			row := lines[item.ID]
			if row == nil || row["检查人 Inspector"] != guard.User.Name || row["地点 Site"] != tenant.Sites[0].Name+" (A)" ||
				!strings.HasSuffix(row["提交时间 Submitted"], " +08:00") {
				t.Fatalf("inspection CSV row %v", row)
			}
		}
		env.Get("/v1/registers/handovers?format=xml", supervisor.Token).Want(t, http.StatusUnprocessableEntity)
		// The printed registers: names, the site's zone, the status by
		// its name, in one language or both.
		text := registerPDF(t, env, "hazards?site_id="+tenant.Sites[0].ID+"&lang=en", supervisor.Token)
		for _, want := range []string{"Hazard rectification register", tenant.Sites[0].Name + " (A)", "Asia/Shanghai",
			guard.User.Name, "closed", fmt.Sprintf("%d records.", len(register.Items))} {
			if !strings.Contains(text, want) {
				t.Errorf("hazard register PDF misses %q:\n%s", want, text)
			}
		}
		text = registerPDF(t, env, "inspections?from=2000-01-01T00:00:00Z", supervisor.Token)
		for _, want := range []string{"检查记录登记簿 Inspection register", guard.User.Name, "共 2 条。 2 records."} {
			if !strings.Contains(text, want) {
				t.Errorf("inspection register PDF misses %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, guard.User.ID) {
			t.Errorf("inspection register PDF prints the guard's id")
		}
		env.Get("/v1/registers/outsiders?format=pdf&lang=fr", supervisor.Token).Want(t, http.StatusUnprocessableEntity)
		// Every transition is in the audit log.
		var entries struct{ Items []struct{ Action string } }
		env.Get("/v1/audit?entity_id="+id+"&limit=100", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &entries)
		var actions []string
		for _, e := range entries.Items {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); got != "finding.raised finding.assigned finding.rectified finding.rejected "+
			"finding.rectified finding.verified finding.closed" {
			t.Fatalf("audit of the finding: %s", got)
		}
	})
}

// Hand-made findings, visibility, and escalation once per level.
func TestFindingsByHandAndEscalation(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("escalate")
		past := time.Now().Add(-50 * time.Hour).UTC().Format(time.RFC3339)
		bad := env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": tenant.Sites[1].ID, "title": "",
			"severity": "huge", "media": []string{"x"}, "assignee_id": tenant.Supervisor.User.ID}).
			Want(t, http.StatusUnprocessableEntity).FieldErrors(t)
		for _, pointer := range []string{"/site_id", "/title", "/severity", "/media", "/assignee_id"} {
			if bad[pointer] == "" {
				t.Errorf("bad finding does not name %s: %v", pointer, bad)
			}
		}
		var f findingDetail
		env.Post("/v1/findings", tenant.Guard.Token, map[string]any{"site_id": tenant.Sites[0].ID, "title": "灭火器过期 extinguisher expired",
			"severity": "high", "media": declaredMedia(t, env, tenant, tenant.Guard.Token, "", 1), "due_at": past, "assignee_id": tenant.Guard.User.ID}).
			Want(t, http.StatusCreated).JSON(t, &f)
		if f.Status != "assigned" {
			t.Fatalf("created = %+v", f)
		}
		other := env.NewGuard(tenant, "nosy", tenant.Sites[0].ID)
		env.Get("/v1/findings/"+f.ID, other.Token).Want(t, http.StatusNotFound)
		var overdue struct{ Items []findingDetail }
		env.Get("/v1/findings?overdue=true", tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &overdue)
		if len(overdue.Items) != 1 {
			t.Fatalf("overdue = %+v", overdue.Items)
		}
		for i := 0; i < 3; i++ { // idempotent: levels are recorded once however often it runs
			if err := env.App.Findings.Escalate(context.Background(), finding.EscalateArgs{StepHours: 24}); err != nil {
				t.Fatal(err)
			}
		}
		env.Get("/v1/findings/"+f.ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &f)
		if f.EscalationLevel != 2 || len(f.Escalations) != 2 || f.Escalations[0].EscalatedTo != "supervisor" ||
			f.Escalations[1].EscalatedTo != "admin" {
			t.Fatalf("escalated = %+v", f)
		}
		escalated := 0
		for _, h := range f.History {
			if h.Kind == "escalated" {
				escalated++
			}
		}
		if escalated != 2 {
			t.Fatalf("%d escalation events, want 2", escalated)
		}
		// The job acts through principal.System: its audit entries have
		// no actor and name the job, as every job's do.
		var trail struct {
			Items []struct {
				ActorID *string `json:"actor_id"`
				Details struct {
					Job string `json:"job"`
				} `json:"details"`
			}
		}
		env.Get("/v1/audit?action=finding.escalated", tenant.Admin.Token).Want(t, http.StatusOK).JSON(t, &trail)
		if len(trail.Items) != 2 {
			t.Fatalf("%d finding.escalated audit entries, want 2", len(trail.Items))
		}
		for _, e := range trail.Items {
			if e.ActorID != nil || e.Details.Job != "finding.escalate" {
				t.Errorf("escalation audited with actor %v and job %q, want no actor and finding.escalate", e.ActorID, e.Details.Job)
			}
		}
	})
}

// registerCSV fetches a register as CSV and returns its rows by id, each as
// header → cell. It fails unless the file starts with a UTF-8 byte-order
// mark and no cell holds a user or site id.
func registerCSV(t *testing.T, env *apitest.Env, register, token string) map[string]map[string]string {
	t.Helper()
	res := env.Get("/v1/registers/"+register+"?format=csv", token).Want(t, http.StatusOK)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(res.Body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("%s CSV: %s %.40q", register, res.Header.Get("Content-Type"), res.Body)
	}
	records, err := csv.NewReader(bytes.NewReader(res.Body[3:])).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("%s CSV: %v\n%s", register, err, res.Body)
	}
	out := map[string]map[string]string{}
	for _, record := range records[1:] {
		row := map[string]string{}
		for i, cell := range record {
			row[records[0][i]] = cell
			if i > 0 && len(cell) == 36 && strings.Count(cell, "-") == 4 && !strings.Contains(records[0][i], "ID") {
				t.Errorf("%s CSV prints the id %s in %q", register, cell, records[0][i])
			}
		}
		out[record[0]] = row
	}
	return out
}

// registerPDF fetches a printed register (path holds the register and its
// query) and returns the text it shows.
func registerPDF(t *testing.T, env *apitest.Env, path, token string) string {
	t.Helper()
	separator := "?"
	if strings.Contains(path, "?") {
		separator = "&"
	}
	res := env.Get("/v1/registers/"+path+separator+"format=pdf", token).Want(t, http.StatusOK)
	if res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
		t.Fatalf("register %s: %s %.20q", path, res.Header.Get("Content-Type"), res.Body)
	}
	return pdfUnicodeText(res.Body)
}
