package apptest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
	"github.com/patrolsync/patrolsync/web/buildinfo"
)

// TestShellUpdateKeepsOutbox: a guard's phone holds a night's work offline
// (three scans and a submitted checklist with two photos and a signature)
// when the branch deploys a new release. The API is down meanwhile (503),
// so nothing leaves the phone. When the network returns the app finds the
// new shell and offers it; the guard taps Reload and the page runs the new
// release, with the outbox and the evidence as they were. When the API is
// back, everything reaches the server exactly once.
func TestShellUpdateKeepsOutbox(t *testing.T) {
	t.Parallel()
	s := setUp(t, testenv.SQLite(t))
	b := newBrowser(t, 390, 844)
	login(t, b, s.srv.URL, s.tenant.Guard.Email)
	b.Offline(true)
	walkRound(t, b, s.roundID)
	fillInspection(t, b, photoFiles(t))
	b.Wait("four records waiting", `document.querySelectorAll('#sync-records [data-state="waiting"]').length === 4`)
	before := queued(b)
	if len(before.Outbox) < 4 || len(before.Media) != 3 {
		t.Fatalf("want the scans' and the checklist's mutations and 3 media queued offline, have %+v", before)
	}

	next, version := nextBuild(t)
	s.srv.serveBuild(next)
	down := make(chan struct{})
	b.Gate("/v1/", func(int) browsertest.Answer {
		select {
		case <-down:
			return browsertest.Answer{}
		default:
			return browsertest.Answer{Status: http.StatusServiceUnavailable}
		}
	})
	b.Offline(false)
	b.Wait("the new version offered", `!!document.querySelector('#update-reload')`)
	b.Eval(`window.scrollTo(0, 0), true`, nil)
	shots(b, "update-ready-en")
	// A real tap, while the sync screen is redrawn on each retry of the
	// failing sync: the redraw waits for the touch (touches.js).
	b.click("#update-reload")
	b.Wait("the page on the new release", `document.querySelector('meta[name="patrolsync-release"]') &&
		navigator.serviceWorker.controller && caches.keys().then((names) => names.join() === `+jsString("patrolsync-shell-"+version)+`)`)
	b.Wait("the sync screen of the new release", `!!document.querySelector('#sync-records')`)
	if after := queued(b); !reflect.DeepEqual(after, before) {
		t.Fatalf("the update changed what the phone holds unsent:\nbefore %+v\nafter  %+v", before, after)
	}

	close(down)
	b.Offline(true)
	b.Offline(false)
	waitSynced(t, b, s)
	checkServer(t, s)
	b.NoErrors(t)
}

// unsent is what a phone holds to send: the outbox's mutation ids and each
// medium's id, hash, size of its bytes and state.
type unsent struct {
	Outbox []string
	Media  []struct {
		ID, SHA256, State string
		Bytes             int
	}
}

func queued(b *browser) unsent {
	b.t.Helper()
	var out unsent
	b.Eval(`new Promise((resolve, reject) => {
		const open = indexedDB.open('patrolsync');
		open.onsuccess = () => {
			const tx = open.result.transaction(['outbox', 'media']);
			const outbox = tx.objectStore('outbox').getAll();
			const media = tx.objectStore('media').getAll();
			tx.oncomplete = () => {
				open.result.close();
				resolve({
					Outbox: outbox.result.map((entry) => entry.mutation_id),
					Media: media.result.map((m) => ({ID: m.id, SHA256: m.sha256, State: m.state, Bytes: m.blob ? m.blob.size : -1})),
				});
			};
			tx.onerror = () => { open.result.close(); reject(tx.error); };
		};
		open.onerror = () => reject(open.error);
	})`, &out)
	return out
}

// nextBuild is this test run's web build as the next release would be: a
// copy whose shell has another version (sw.js, as web/build writes it) and
// whose page says it is the next release. It returns the directory and the
// new version.
func nextBuild(t testing.TB) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(distDir(t))); err != nil {
		t.Fatal(err)
	}
	var manifest buildinfo.Manifest
	raw, err := os.ReadFile(filepath.Join(dir, buildinfo.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	version := manifest.ShellVersion + "n"
	rewrite := func(name, old, new string) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(name))
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(content), old) != 1 {
			t.Fatalf("%s does not hold %q once", name, old)
		}
		content = []byte(strings.Replace(string(content), old, new, 1))
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(path + ".gz")
		sum := sha256.Sum256(content)
		manifest.Files[name] = buildinfo.File{Size: len(content), Gzip: len(content), SHA256: hex.EncodeToString(sum[:])}
	}
	rewrite("app/sw.js", `"`+manifest.ShellVersion+`"`, `"`+version+`"`)
	rewrite("app/index.html", "<head>", `<head>
<meta name="patrolsync-release" content="next">`)
	manifest.ShellVersion = version
	raw, err = json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, buildinfo.FileName), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, version
}
