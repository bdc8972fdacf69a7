package apptest

import (
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/qrscan"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// twoPerson is a counter checklist with two two-person items (双人临柜).
const twoPerson = `{
  "key": "two-person",
  "title": {"zh-CN": "临柜双人检查", "en": "Counter two-person check"},
  "sections": [
    {"key": "counter", "title": {"zh-CN": "临柜", "en": "Counter"}, "items": [
      {"key": "handover", "type": "yes_no", "label": {"zh-CN": "钥匙已交接？", "en": "Keys handed over?"}, "required": true,
       "countersign": {"role": "supervisor", "label": {"zh-CN": "主管复核", "en": "Supervisor"}}},
      {"key": "cash_sealed", "type": "yes_no", "label": {"zh-CN": "款箱已加封？", "en": "Cash box sealed?"}, "required": true,
       "countersign": {"role": "supervisor", "label": {"zh-CN": "主管复核", "en": "Supervisor"}}}
    ]}
  ]
}`

// TestCountersignByQROffline: a guard and a supervisor stand at a counter
// with two phones and no network. For the first item the guard's phone
// shows the request as a QR code, the supervisor's phone photographs it
// (decoded by the WebAssembly engine), signs with the supervisor's own key
// (made at their sign-in) and shows its proof as a QR code, which the
// guard's phone photographs back. The second item's proof is altered to
// claim the admin countersigned. After sync the server verifies the
// first (the item passes) and refuses the second with its reason.
func TestCountersignByQROffline(t *testing.T) {
	t.Parallel()
	databaseURL := testenv.Postgres(t) // one dialect per browser test (harness_test.go)
	s := setUp(t, databaseURL)
	admin := s.tenant.Admin.Token
	var created struct{ ID string }
	s.srv.Post("/v1/templates", admin, map[string]any{"document": json.RawMessage(twoPerson)}).Want(t, http.StatusCreated).JSON(t, &created)
	s.srv.Post("/v1/templates/"+created.ID+"/publish", admin, nil).Want(t, http.StatusOK)
	files := t.TempDir()

	guard := newBrowser(t, 360, 640)
	supervisor := newBrowser(t, 360, 640)
	login(t, guard, s.srv.URL, s.tenant.Guard.Email)
	login(t, supervisor, s.srv.URL, s.tenant.Supervisor.Email)
	language(guard, "en", `document.querySelector('#tab-sync')`)
	language(supervisor, "en", `document.querySelector('#countersign-colleague')`)
	// The supervisor's key is made and registered at sign-in, online.
	keyID := waitKey(t, supervisor, s, s.tenant.Supervisor.User.ID, s.tenant.Supervisor.Token)
	guard.Offline(true)
	supervisor.Offline(true)

	guard.Eval(`location.hash = '#/templates', true`, nil)
	guard.click(`[data-key="two-person"]`)
	guard.click(`[data-path="/handover"] [data-value="yes"]`)
	guard.Wait("the answer", `document.querySelector('[data-path="/handover"] [data-value="yes"][aria-pressed="true"]')`)

	// The first item: real QR images both ways.
	guard.click(`[data-path="/handover"] .countersign-open`)
	request := qrPicture(t, guard, "#cs-request-qr", "/handover", files)
	shots(guard, "countersign-request-en")
	supervisor.click("#countersign-colleague")
	supervisor.upload("#qr-picture", []string{request})
	supervisor.Wait("what is signed", `document.querySelector('#cs-subject')`)
	var subject string
	supervisor.Eval(`document.querySelector('#cs-subject').textContent`, &subject)
	for _, want := range []string{"Counter two-person check", "Keys handed over?", "Yes", s.tenant.Sites[0].Name, s.tenant.Guard.User.Name} {
		if !strings.Contains(subject, want) {
			t.Errorf("the supervisor's phone shows %q, without %q", subject, want)
		}
	}
	shots(supervisor, "countersign-review-en")
	supervisor.click("#cs-colleague-sign")
	proof := qrPicture(t, supervisor, "#cs-proof-qr", "/handover-proof", files)
	shots(supervisor, "countersign-proof-en")
	guard.click("#cs-read-proof")
	guard.upload("#qr-picture", []string{proof})
	guard.Wait("the countersign", `!document.querySelector('dialog') && !document.querySelector('[data-path="/handover"] .countersign-open')`)
	shots(guard, "countersign-done-en")
	supervisor.click("#cs-colleague-close")

	// The second item in Chinese; its proof altered to claim the admin
	// countersigned, encoded again as a QR image.
	language(guard, "zh-CN", `document.querySelector('[data-path="/cash_sealed"] [data-value="yes"]')`)
	language(supervisor, "zh-CN", `document.querySelector('#countersign-colleague')`)
	guard.click(`[data-path="/cash_sealed"] [data-value="yes"]`)
	guard.Wait("the answer", `document.querySelector('[data-path="/cash_sealed"] [data-value="yes"][aria-pressed="true"]')`)
	guard.click(`[data-path="/cash_sealed"] .countersign-open`)
	request = qrPicture(t, guard, "#cs-request-qr", "/cash_sealed", files)
	shots(guard, "countersign-request-zh")
	supervisor.click("#countersign-colleague")
	supervisor.upload("#qr-picture", []string{request})
	supervisor.Wait("what is signed", `document.querySelector('#cs-subject')`)
	shots(supervisor, "countersign-review-zh")
	supervisor.click("#cs-colleague-sign")
	signed := readQR(t, qrPicture(t, supervisor, "#cs-proof-qr", "/cash_sealed-proof", files))
	shots(supervisor, "countersign-proof-zh")
	var claim map[string]any
	if err := json.Unmarshal([]byte(signed), &claim); err != nil || claim["user_id"] != s.tenant.Supervisor.User.ID || claim["key_id"] != keyID {
		t.Fatalf("the proof %s (%v) is not the supervisor's with key %s", signed, err, keyID)
	}
	claim["user_id"], claim["name"] = s.tenant.Admin.User.ID, "admin"
	forged, _ := json.Marshal(claim)
	guard.click("#cs-read-proof")
	// A code that is not this item's proof is refused on the phone, and
	// the phone keeps waiting for the right one.
	for _, wrong := range []struct{ picture, says string }{
		{proof, "此码签的是另一次检查或另一检查项"}, // the first item's proof
		{request, "这是请求码"},          // its own request
	} {
		guard.upload("#qr-picture", []string{wrong.picture})
		guard.Wait("refused: "+wrong.says, `document.querySelector('#cs-handover .banner') && document.querySelector('#cs-handover .banner').textContent.includes(`+jsString(wrong.says)+`)`)
	}
	guard.upload("#qr-picture", []string{writeQR(t, string(forged), filepath.Join(files, "forged.png"))})
	guard.Wait("the forged countersign taken", `!document.querySelector('dialog') && !document.querySelector('[data-path="/cash_sealed"] .countersign-open')`)

	guard.click("#submit-inspection")
	guard.click("#confirm-ok")
	guard.Offline(false)
	waitSynced(t, guard, s)

	var list struct{ Items []struct{ ID string } }
	s.srv.Get("/v1/inspections?template_id="+created.ID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("want one inspection, have %d", len(list.Items))
	}
	var detail struct {
		Status     string
		Outcome    string
		Evaluation struct {
			Failed       []string
			Countersigns []struct {
				Path    string
				UserID  string `json:"user_id"`
				Verdict struct {
					Verified bool
					Code     string
					Reason   string
					UserName string `json:"user_name"`
				}
			}
		}
	}
	s.srv.Get("/v1/inspections/"+list.Items[0].ID, s.tenant.Supervisor.Token).Want(t, http.StatusOK).JSON(t, &detail)
	if detail.Status != "submitted" || detail.Outcome != "fail" {
		t.Errorf("status %q, outcome %q; want submitted and fail (the altered proof)", detail.Status, detail.Outcome)
	}
	verdicts := map[string]string{}
	for _, one := range detail.Evaluation.Countersigns {
		verdicts[one.Path] = one.Verdict.Code
		if one.Verdict.Verified {
			verdicts[one.Path] = "verified by " + one.Verdict.UserName
		}
		if !one.Verdict.Verified && one.Verdict.Reason == "" {
			t.Errorf("%s fails without a reason the supervisor can read", one.Path)
		}
	}
	want := map[string]string{"/handover": "verified by " + s.tenant.Supervisor.User.Name, "/cash_sealed": "countersign_unknown_key"}
	for path, verdict := range want {
		if verdicts[path] != verdict {
			t.Errorf("%s: verdict %q, want %q (all: %v)", path, verdicts[path], verdict, verdicts)
		}
	}
	if strings.Join(detail.Evaluation.Failed, ",") != "/cash_sealed" {
		t.Errorf("failed items %v, want only /cash_sealed", detail.Evaluation.Failed)
	}
}

// language switches the app to code with its language button, as a
// guard does, and waits until ready holds.
func language(b *browser, code, ready string) {
	b.t.Helper()
	var current string
	b.Eval(`document.documentElement.lang`, &current)
	if current != code {
		b.click("#lang-toggle")
	}
	b.Wait("the page in "+code, `document.documentElement.lang === `+jsString(code)+` && `+ready)
}

// waitKey waits until the app on b has registered the countersign key of
// the user it is signed in as (it does it at sign-in, and keeps the key's
// id in IndexedDB once the server answered), and checks that the server
// holds that one key for the user behind token.
func waitKey(t testing.TB, b *browser, s *shift, userID, token string) string {
	t.Helper()
	read := `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const get = open.result.transaction('kv').objectStore('kv').get(` + jsString("countersign-key:"+userID) + `);
			get.onsuccess = () => { open.result.close(); resolve(get.result && get.result.id || ''); };
			get.onerror = () => { open.result.close(); resolve(''); };
		};
		open.onerror = () => resolve('');
	})`
	b.Wait("the countersign key registered", read)
	var id string
	b.Eval(read, &id)
	var keys struct{ Items []struct{ ID string } }
	s.srv.Get("/v1/me/keys", token).Want(t, http.StatusOK).JSON(t, &keys)
	if len(keys.Items) != 1 || keys.Items[0].ID != id {
		t.Fatalf("want the one countersign key %s registered at sign-in, have %+v", id, keys.Items)
	}
	return id
}

// qrPicture is the QR code the page draws in the canvas selector, as the
// PNG another phone's camera would take of it.
func qrPicture(t testing.TB, b *browser, selector, name string, dir string) string {
	t.Helper()
	b.Wait("the QR code "+selector, `document.querySelector(`+jsString(selector)+`)`)
	var url string
	b.Eval(`document.querySelector(`+jsString(selector)+`).toDataURL('image/png')`, &url)
	encoded, ok := strings.CutPrefix(url, "data:image/png;base64,")
	bytes, err := base64.StdEncoding.DecodeString(encoded)
	if !ok || err != nil {
		t.Fatalf("the canvas %s gave %.40q: %v", selector, url, err)
	}
	path := filepath.Join(dir, strings.ReplaceAll(strings.Trim(name, "/"), "/", "-")+".png")
	if err := os.WriteFile(path, bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readQR decodes a QR picture as the server-side decoder does.
func readQR(t testing.TB, path string) string {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	picture, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(picture.Bounds())
	draw.Draw(rgba, rgba.Bounds(), picture, picture.Bounds().Min, draw.Src)
	text, err := qrscan.DecodeRGBA(rgba.Bounds().Dx(), rgba.Bounds().Dy(), rgba.Pix)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return text
}

// writeQR draws text as a QR code PNG at path.
func writeQR(t testing.TB, text, path string) string {
	t.Helper()
	code, err := qrscan.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 6
	picture := image.NewGray(image.Rect(0, 0, code.Size*scale, code.Size*scale))
	for y := range code.Size * scale {
		for x := range code.Size * scale {
			shade := uint8(255)
			if code.Modules[(y/scale)*code.Size+x/scale] == '1' {
				shade = 0
			}
			picture.SetGray(x, y, color.Gray{Y: shade})
		}
	}
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := png.Encode(file, picture); err != nil {
		t.Fatal(err)
	}
	return path
}
