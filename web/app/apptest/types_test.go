package apptest

import (
	"encoding/json"
	"net/http"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// everyType has an item of every type the engine has, a gated step, a
// repeat group and a two-person item.
const everyType = `{
  "key": "every-type",
  "title": {"zh-CN": "全部题型", "en": "Every item type"},
  "sections": [
    {"key": "answers", "title": {"zh-CN": "回答", "en": "Answers"}, "items": [
      {"key": "intro", "type": "instruction", "label": {"zh-CN": "说明", "en": "Read this first"}},
      {"key": "shift", "type": "single_choice", "label": {"zh-CN": "班次", "en": "Shift"}, "required": true,
       "options": [{"value": "day", "label": {"zh-CN": "白班", "en": "Day"}}, {"value": "night", "label": {"zh-CN": "夜班", "en": "Night"}}]},
      {"key": "areas", "type": "multi_choice", "label": {"zh-CN": "检查区域", "en": "Areas checked"}, "required": true, "min_selected": 2,
       "options": [{"value": "lobby", "label": {"zh-CN": "大堂", "en": "Lobby"}}, {"value": "vault", "label": {"zh-CN": "金库", "en": "Vault"}},
                   {"value": "park", "label": {"zh-CN": "停车场", "en": "Car park"}}]},
      {"key": "remarks", "type": "text", "multiline": true, "label": {"zh-CN": "备注", "en": "Remarks"}, "required": true},
      {"key": "on_date", "type": "date", "label": {"zh-CN": "日期", "en": "Date"}, "required": true},
      {"key": "at_time", "type": "time", "label": {"zh-CN": "时间", "en": "Time"}, "required": true},
      {"key": "at", "type": "datetime", "label": {"zh-CN": "日期时间", "en": "Date and time"}, "required": true}
    ]},
    {"key": "steps", "title": {"zh-CN": "步骤", "en": "Steps"}, "items": [
      {"key": "alarm_armed", "type": "yes_no", "label": {"zh-CN": "报警已布防？", "en": "Alarm armed?"}, "required": true},
      {"key": "leave", "type": "yes_no", "label": {"zh-CN": "离开大楼？", "en": "Leave the building?"}, "required": true,
       "requires_passed": ["alarm_armed"]},
      {"key": "position", "type": "location", "label": {"zh-CN": "位置", "en": "Position"}, "required": true, "accuracy_m": 50},
      {"key": "gate_tag", "type": "checkpoint_scan", "label": {"zh-CN": "大门标签", "en": "Gate tag"}, "required": true, "expected_tag": "GATE-01"},
      {"key": "extinguishers", "type": "group", "label": {"zh-CN": "灭火器", "en": "Extinguishers"}, "min_repeats": 1,
       "repeat_label": {"zh-CN": "灭火器", "en": "Extinguisher"},
       "items": [
         {"key": "where", "type": "text", "label": {"zh-CN": "位置", "en": "Where"}, "required": true},
         {"key": "pressure_ok", "type": "yes_no", "label": {"zh-CN": "压力正常？", "en": "Pressure OK?"}, "required": true}
       ]},
      {"key": "handover", "type": "yes_no", "label": {"zh-CN": "钥匙已交接？", "en": "Keys handed over?"}, "required": true,
       "countersign": {"role": "supervisor", "label": {"zh-CN": "主管复核", "en": "Supervisor"}}}
    ]}
  ]
}`

// TestEveryItemType answers an item of every type through the screen (a
// gate that opens, a repeat group, location, a tag, a countersignature)
// and checks the server accepts the submitted answers as they are.
func TestEveryItemType(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	admin := s.tenant.Admin.Token
	var created struct{ ID string }
	s.srv.Post("/v1/templates", admin, map[string]any{"document": json.RawMessage(everyType)}).Want(t, http.StatusCreated).JSON(t, &created)
	s.srv.Post("/v1/templates/"+created.ID+"/publish", admin, nil).Want(t, http.StatusOK)

	b := newBrowser(t, 390, 844)
	latitude, longitude, accuracy := 31.2304, 121.4737, 8.0
	if _, err := chromedp.CallBrowser(b.Context(), cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: s.srv.URL,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.Context(), emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: &latitude, Longitude: &longitude, Accuracy: &accuracy,
	}); err != nil {
		t.Fatal(err)
	}
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Eval(`location.hash = '#/templates', true`, nil)
	b.click(`[data-key="every-type"]`)
	answered := func(path string) {
		t.Helper()
		b.Wait(path+" answered", `document.querySelector('[data-path="`+path+`"].is-ok')`)
	}
	b.click(`[data-path="/shift"] [data-value="night"]`)
	answered("/shift")
	b.click(`[data-path="/areas"] [data-value="lobby"]`)
	b.Wait("one area", `document.querySelector('[data-path="/areas"] [data-value="lobby"][aria-pressed="true"]')`)
	b.click(`[data-path="/areas"] [data-value="vault"]`)
	answered("/areas")
	b.typeInto(`[data-path="/remarks"] textarea`, "All quiet\t")
	answered("/remarks")
	for _, path := range []string{"/on_date", "/at_time", "/at"} {
		b.click(`[data-path="` + path + `"] .now-button`)
		answered(path)
	}
	b.click("#next-section")
	b.Wait("the gated step locked", `document.querySelector('[data-path="/leave"].is-blocked [data-value="yes"][disabled]')`)
	b.click(`[data-path="/alarm_armed"] [data-value="yes"]`)
	b.Wait("the gate open", `document.querySelector('[data-path="/leave"]:not(.is-blocked) [data-value="yes"]:not([disabled])')`)
	b.click(`[data-path="/leave"] [data-value="yes"]`)
	answered("/leave")
	b.click(`[data-path="/position"] .locate`)
	answered("/position")
	b.click(`[data-path="/gate_tag"] .scan-item`)
	b.typeInto("#scan-code", "GATE-01")
	b.submitScan()
	answered("/gate_tag")
	b.click(`[data-path="/extinguishers"] .add-repeat`)
	b.typeInto(`[data-path="/extinguishers/0/where"] input`, "Lobby\t")
	answered("/extinguishers/0/where")
	b.click(`[data-path="/extinguishers/0/pressure_ok"] [data-value="yes"]`)
	answered("/extinguishers/0/pressure_ok")
	b.click(`[data-path="/handover"] [data-value="yes"]`)
	b.Wait("the answer", `document.querySelector('[data-path="/handover"] [data-value="yes"][aria-pressed="true"]')`)
	b.click(`[data-path="/handover"] .countersign-open`)
	b.click("#cs-mode-here")
	b.typeInto("#cs-email", s.tenant.Supervisor.Email)
	b.typeInto("#cs-password", apitest.Password)
	b.draw("dialog .pad canvas", [][][2]float64{{{20, 100}, {80, 40}, {140, 110}, {200, 50}}})
	b.click("#cs-sign")
	answered("/handover")
	b.Wait("the countersign", `!document.querySelector('[data-path="/handover"] .countersign-open')`)
	// Changing a countersigned answer drops the proof, which no
	// longer holds: the supervisor signs the new answer again.
	b.click(`[data-path="/handover"] [data-value="no"]`)
	b.Wait("the countersign dropped", `document.querySelector('[data-path="/handover"] .countersign-open')`)
	b.click(`[data-path="/handover"] [data-value="yes"]`)
	b.Wait("the answer again", `document.querySelector('[data-path="/handover"] [data-value="yes"][aria-pressed="true"]')`)
	b.click(`[data-path="/handover"] .countersign-open`)
	b.click("#cs-mode-here")
	b.typeInto("#cs-email", s.tenant.Supervisor.Email)
	b.typeInto("#cs-password", apitest.Password)
	b.draw("dialog .pad canvas", [][][2]float64{{{20, 100}, {80, 40}, {140, 110}, {200, 50}}})
	b.click("#cs-sign")
	b.Wait("the countersign again", `!document.querySelector('[data-path="/handover"] .countersign-open')`)
	shots(b, "every-type")
	b.click("#submit-inspection")
	b.click("#confirm-ok")
	waitSynced(t, b, s)

	var list struct{ Items []struct{ ID string } }
	supervisor := s.tenant.Supervisor.Token
	s.srv.Get("/v1/inspections?template_id="+created.ID, supervisor).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("want one inspection, have %d", len(list.Items))
	}
	var detail struct {
		Status       string
		Outcome      string
		MediaPending bool `json:"media_pending"`
		Answers      map[string]json.RawMessage
	}
	s.srv.Get("/v1/inspections/"+list.Items[0].ID, supervisor).Want(t, http.StatusOK).JSON(t, &detail)
	if detail.Status != "submitted" || detail.Outcome != "pass" || detail.MediaPending {
		t.Fatalf("status %q, outcome %q, media pending %v", detail.Status, detail.Outcome, detail.MediaPending)
	}
	for _, key := range []string{"shift", "areas", "remarks", "on_date", "at_time", "at", "alarm_armed", "leave", "position", "gate_tag", "extinguishers", "handover"} {
		if len(detail.Answers[key]) == 0 {
			t.Errorf("no answer for %s: %v", key, detail.Answers)
		}
	}
	var handover struct {
		Countersign struct {
			UserID    string `json:"user_id"`
			KeyID     string `json:"key_id"`
			Signature string
		}
	}
	json.Unmarshal(detail.Answers["handover"], &handover)
	// The outcome pass above means the server verified the proof.
	if handover.Countersign.UserID != s.tenant.Supervisor.User.ID || handover.Countersign.KeyID == "" || handover.Countersign.Signature == "" {
		t.Errorf("countersign: %s", detail.Answers["handover"])
	}
	// The supervisor countersigned twice on this phone with one key:
	// it is made once per user and device and reused.
	var keys struct {
		Items []struct {
			ID        string
			RevokedAt *string `json:"revoked_at"`
		}
	}
	s.srv.Get("/v1/me/keys", supervisor).Want(t, http.StatusOK).JSON(t, &keys)
	if len(keys.Items) != 1 || keys.Items[0].ID != handover.Countersign.KeyID {
		t.Errorf("the supervisor has %d keys %+v after two countersigns on one phone, want the one that signed (%s)",
			len(keys.Items), keys.Items, handover.Countersign.KeyID)
	}
}
