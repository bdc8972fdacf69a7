package apptest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	_ "image/jpeg" // the stored photo is decoded as a JPEG
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// TestPhotoDownscaled: the checklist's photo input opens the rear camera
// (capture, accept="image/*"). A 4000×3000 PNG, larger than any phone
// photo the server should get, goes through it; the server then stores a
// JPEG whose long edge is 2048 px, and the sha256 the app declared is the
// hash of the bytes stored.
func TestPhotoDownscaled(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Eval(`location.hash = '#/templates', true`, nil)
	b.click(`[data-key="shift-check"]`)
	b.click("#next-section")
	input := `[data-path="/scene_photos"] input[type=file]`
	var attributes struct{ Capture, Accept string }
	b.Wait("the photo input", `!!document.querySelector(`+jsString(input)+`)`)
	b.Eval(`(() => { const e = document.querySelector(`+jsString(input)+`);
		return {Capture: e.getAttribute('capture') || '', Accept: e.getAttribute('accept') || ''}; })()`, &attributes)
	if attributes.Capture != "environment" || attributes.Accept != "image/*" {
		t.Fatalf("the photo input has capture=%q accept=%q, want the rear camera and image/*", attributes.Capture, attributes.Accept)
	}

	b.upload(input, []string{largePNG(t, 4000, 3000)})
	b.Wait("the photo", `document.querySelectorAll('[data-path="/scene_photos"] .photo img').length === 1`)
	b.Eval(`location.hash = '#/sync', true`, nil)
	b.click("#sync-now")
	var medium struct {
		ID, SHA256, ContentType, State string
	}
	b.Wait("the photo stored on the server", `new Promise((resolve) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const all = open.result.transaction('media').objectStore('media').getAll();
			all.onsuccess = () => { open.result.close(); resolve(all.result.length === 1 && all.result[0].state === 'stored'); };
			all.onerror = () => { open.result.close(); resolve(false); };
		};
		open.onerror = () => resolve(false);
	})`)
	b.Eval(`new Promise((resolve, reject) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const all = open.result.transaction('media').objectStore('media').getAll();
			all.onsuccess = () => { open.result.close(); const m = all.result[0];
				resolve({ID: m.id, SHA256: m.sha256, ContentType: m.content_type, State: m.state}); };
			all.onerror = () => { open.result.close(); reject(all.error); };
		};
		open.onerror = () => reject(open.error);
	})`, &medium)

	response := s.srv.Get("/v1/media/"+medium.ID, s.tenant.Admin.Token).Want(t, http.StatusFound)
	download, err := http.Get(response.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	defer download.Body.Close()
	stored, err := io.ReadAll(download.Body)
	if err != nil || download.StatusCode != http.StatusOK {
		t.Fatalf("download of the stored photo: status %d, %v", download.StatusCode, err)
	}
	sum := sha256.Sum256(stored)
	if got := hex.EncodeToString(sum[:]); got != medium.SHA256 {
		t.Fatalf("the app declared sha256 %s, the stored bytes hash to %s", medium.SHA256, got)
	}
	config, format, err := image.DecodeConfig(bytes.NewReader(stored))
	if err != nil || format != "jpeg" || medium.ContentType != "image/jpeg" {
		t.Fatalf("the stored photo is %q declared %q (%v), want a JPEG", format, medium.ContentType, err)
	}
	if config.Width != 2048 || config.Height != 1536 {
		t.Fatalf("the stored photo is %d×%d, want the 4000×3000 picture at a long edge of 2048 (2048×1536)", config.Width, config.Height)
	}
}

// largePNG writes a width × height PNG larger than any photo the server
// should be sent.
func largePNG(t testing.TB, width, height int) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x / 16), uint8(y / 12), 120, 255})
		}
	}
	path := filepath.Join(t.TempDir(), "large.png")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	encoder := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := encoder.Encode(file, img); err != nil {
		t.Fatal(err)
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
