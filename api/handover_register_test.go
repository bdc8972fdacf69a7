package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// keepDocument writes a document a test made to $PATROLSYNC_KEEP_DOCS (when
// set), for a person to open and look at.
func keepDocument(t *testing.T, name string, doc []byte) {
	t.Helper()
	if dir := os.Getenv("PATROLSYNC_KEEP_DOCS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), doc, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// The handover register lists the guards' shift handovers after the
// handover checklists, with both signers by name, in JSON (page by page),
// CSV and PDF.
func TestHandoverRegisterListsShiftHandovers(t *testing.T) {
	t.Parallel()
	testenv.Each(t, func(t *testing.T, db string) {
		env := apitest.New(t, db)
		tenant := env.NewTenant("handreg")
		siteA := tenant.Sites[0].ID
		outgoing := tenant.Guard
		incoming := env.NewGuard(tenant, "guard-night", siteA)
		start := func(post string) handoverView {
			var h handoverView
			env.Post("/v1/handovers", outgoing.Token, map[string]any{"site_id": siteA, "post": post,
				"incoming_user_id": incoming.User.ID, "handed_at": time.Now().UTC().Format(time.RFC3339),
				"items": map[string]any{"equipment": "监控、报警正常"}, "signature": signature()}).Want(t, http.StatusCreated).JSON(t, &h)
			return h
		}
		signed, waiting := start("大堂岗"), start("后门岗")
		env.Post("/v1/handovers/"+signed.ID+"/sign", incoming.Token, map[string]any{"content_digest": signed.ContentDigest,
			"signature": signature()}).Want(t, http.StatusOK)

		type row struct {
			Kind, ID, Status, Post string
			OutgoingName           string     `json:"outgoing_name"`
			IncomingName           string     `json:"incoming_name"`
			IncomingSignedAt       *time.Time `json:"incoming_signed_at"`
		}
		seen := map[string]row{}
		for cursor, pages := "", 0; ; pages++ {
			var page struct {
				Items      []row
				NextCursor string `json:"next_cursor"`
			}
			env.Get("/v1/registers/handovers?limit=1&cursor="+cursor, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &page)
			for _, r := range page.Items {
				if _, twice := seen[r.ID]; twice {
					t.Fatalf("%s listed twice", r.ID)
				}
				seen[r.ID] = r
			}
			if cursor = page.NextCursor; cursor == "" || pages > 10 {
				break
			}
		}
		if len(seen) != 2 {
			t.Fatalf("the register lists %d records, want the 2 shift handovers: %+v", len(seen), seen)
		}
		for id, wantStatus := range map[string]string{signed.ID: "completed", waiting.ID: "awaiting_incoming"} {
			r := seen[id]
			if r.Kind != "shift_handover" || r.Status != wantStatus || r.OutgoingName != outgoing.User.Name ||
				r.IncomingName != incoming.User.Name || (r.IncomingSignedAt != nil) != (wantStatus == "completed") {
				t.Errorf("register row %+v, want %s between %s and %s", r, wantStatus, outgoing.User.Name, incoming.User.Name)
			}
		}
		// Another site's handovers are not the supervisor of site A's.
		var other struct{ Items []row }
		env.Get("/v1/registers/handovers?site_id="+tenant.Sites[1].ID, tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &other)
		if len(other.Items) != 0 {
			t.Fatalf("site B's register shows %+v", other.Items)
		}
		env.Get("/v1/registers/handovers", outgoing.Token).Want(t, http.StatusForbidden)

		csv := string(env.Get("/v1/registers/handovers?format=csv", tenant.Supervisor.Token).Want(t, http.StatusOK).Body)
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], "接班人 Incoming guard") || !strings.Contains(lines[0], "交班人 Outgoing guard") {
			t.Fatalf("CSV:\n%s", csv)
		}
		for _, line := range lines[1:] {
			if !strings.Contains(line, "shift_handover") || !strings.Contains(line, outgoing.User.Name) ||
				!strings.Contains(line, incoming.User.Name) {
				t.Errorf("CSV line without both guards: %s", line)
			}
		}

		res := env.Get("/v1/registers/handovers?format=pdf", tenant.Supervisor.Token).Want(t, http.StatusOK)
		keepDocument(t, "handover-register-"+filepath.Base(t.Name())+".pdf", res.Body)
		text := pdfUnicodeText(res.Body)
		for _, want := range []string{"值班交接", outgoing.User.Name, incoming.User.Name, "大堂岗", "后门岗", "待接班人签名", "双方已签"} {
			if !strings.Contains(text, want) {
				t.Errorf("the printed register lacks %q", want)
			}
		}
	})
}
