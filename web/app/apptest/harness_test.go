// Package apptest drives the guard's app in real Chromium (chromedp) against
// a real server: what a guard does on a phone, offline and online.
//
// Each test runs on one database dialect, half of them on PostgreSQL and
// half on SQLite: what these tests prove is the app's behaviour, and the
// store's differences between the dialects are proven by the api tests,
// which run every behaviour on both (testenv.Each). Running both dialects
// here doubled the package's time for nothing these tests assert.
//
// The tests run in parallel (go test -parallel, the number of CPUs by
// default): each has its own database, server, Chromium and profile, and
// much of a test's time is the app waiting (a sync backing off, a service
// worker installing, a redraw held for a touch), which another test's
// browser fills.
package apptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/web"
)

// server is the API (apitest, the same assembly as serve) with the built
// guard app at /app/ on the same origin, as serve mounts it. A bad mobile
// network is made inside Chromium (browsertest.FailRequests).
type server struct {
	*apitest.Env
	URL string
	app atomic.Pointer[http.Handler] // the guard app's build (serveBuild)
}

// serveBuild serves the guard app from the web build in dir from now on:
// a test of an update serves the next release.
func (s *server) serveBuild(dir string) {
	handler := web.Load(os.DirFS(dir)).Handler("app", web.Options{})
	s.app.Store(&handler)
}

// dist is a build of the browser apps made for this test run from the
// current sources (go run ./web/build -out), so that the tests never run
// stale assets nor race another build cleaning web/dist.
var dist struct {
	once sync.Once
	dir  string
	err  error
}

func distDir(t testing.TB) string {
	t.Helper()
	dist.once.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..", "..")
		dist.dir, dist.err = os.MkdirTemp("", "patrolsync-apptest-dist-")
		if dist.err != nil {
			return
		}
		cmd := exec.Command("go", "run", "./web/build", "-quiet", "-out", dist.dir)
		cmd.Dir = root
		if output, err := cmd.CombinedOutput(); err != nil {
			dist.err = fmt.Errorf("go run ./web/build: %w\n%s", err, output)
		}
	})
	if dist.err != nil {
		t.Fatal(dist.err)
	}
	return dist.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dist.dir != "" {
		os.RemoveAll(dist.dir)
	}
	os.Exit(code)
}

func startServer(t testing.TB, databaseURL string, opts ...apitest.Option) *server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	front := "http://" + listener.Addr().String()
	// Upload URLs of the file blob store name the base URL: the page's origin.
	env := apitest.New(t, databaseURL, append([]apitest.Option{apitest.WithSetting("PATROLSYNC_BASE_URL", front)}, opts...)...)
	target, _ := url.Parse(env.URL)
	s := &server{Env: env, URL: front}
	s.serveBuild(distDir(t))
	mux := http.NewServeMux()
	mux.Handle("/app/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*s.app.Load()).ServeHTTP(w, r) }))
	mux.Handle("/", httputil.NewSingleHostReverseProxy(target))
	httpServer := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go httpServer.Serve(listener)
	t.Cleanup(func() { httpServer.Close() })
	return s
}

// browser is the browser tests' one harness (internal/browsertest: headless
// Chromium on a profile that outlives restarts, DevTools network emulation,
// failing requests, waits until the test's deadline) with what a guard's
// fingers do on top: tap, type, pick files, draw.
type browser struct {
	*browsertest.Browser
	t testing.TB
}

// newBrowser starts Chromium with a window of width × height CSS pixels.
func newBrowser(t testing.TB, width, height int64, options ...browsertest.Option) *browser {
	t.Helper()
	viewport := browsertest.Viewport{Name: fmt.Sprintf("%dx%d", width, height), Width: width, Height: height, Scale: 2}
	return &browser{Browser: browsertest.New(t, viewport, append([]browsertest.Option{browsertest.Timeout(time.Minute)}, options...)...), t: t}
}

// click taps an element after bringing it to the middle of the screen,
// clear of the tab bar, as a thumb would: a touch at the middle of the
// element once the event-driven wait sees it on screen (no query that
// polls the page against a fixed bound). The element must be where it was
// a frame earlier and be what a touch there hits: a dialog still settling
// (its camera failing, its status line appearing) moves its buttons, and a
// tap computed before the move would hit Cancel. Otherwise it tries again.
func (b *browser) click(selector string) {
	b.t.Helper()
	for range 20 {
		x, y := b.aim(selector)
		if b.Press(selector, chromedp.MouseClickXY(x, y)) {
			return
		}
	}
	b.t.Fatalf("tap %s: each press landed on something else (the screen moved after the aim)", selector)
}

// aim is where a tap on selector lands (browsertest.Aim: on screen, where
// it was a frame earlier, not covered), trying again while the screen
// settles.
func (b *browser) aim(selector string) (x, y float64) {
	b.t.Helper()
	for range 20 {
		b.waitVisible(selector)
		if x, y, ok := b.Aim(selector); ok {
			return x, y
		}
	}
	b.t.Fatalf("tap %s: the element moved or was covered each time it was about to be tapped", selector)
	return 0, 0
}

// typeInto types into a field once it is on screen. The wait is the
// harness's event-driven one (to the test's deadline): a loaded machine may
// take longer than any fixed bound to draw the screen that holds the field.
func (b *browser) typeInto(selector, text string) {
	b.t.Helper()
	b.waitVisible(selector)
	b.Run(chromedp.SendKeys(chromedp.CSS(selector), text))
}

// upload picks files for a file input once the input is in the document
// (file inputs are often hidden behind a styled button).
func (b *browser) upload(selector string, files []string) {
	b.t.Helper()
	b.Wait("a "+selector+" in the page", `!!document.querySelector(`+jsString(selector)+`)`)
	b.Run(chromedp.SetUploadFiles(chromedp.CSS(selector), files))
}

func (b *browser) waitVisible(selector string) {
	b.t.Helper()
	b.Wait("a visible "+selector, `(() => { const e = document.querySelector(`+jsString(selector)+`);
		return e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; })()`)
}

// draw drags the mouse along points inside the element (its own CSS
// pixels), which the page sees as pointer events.
func (b *browser) draw(selector string, strokes [][][2]float64) {
	b.t.Helper()
	var box struct{ X, Y float64 }
	b.Eval(`(() => { const e = document.querySelector(`+jsString(selector)+`); e.scrollIntoView({block: 'center'});
		const r = e.getBoundingClientRect(); return {X: r.left, Y: r.top}; })()`, &box)
	for _, stroke := range strokes {
		first := stroke[0]
		actions := []chromedp.Action[chromedp.Void]{
			chromedp.MouseEvent(chromedp.MousePressed, box.X+first[0], box.Y+first[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		}
		for _, point := range stroke[1:] {
			actions = append(actions, chromedp.MouseEvent(chromedp.MouseMoved, box.X+point[0], box.Y+point[1], chromedp.ButtonLeft,
				func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
		}
		last := stroke[len(stroke)-1]
		actions = append(actions, chromedp.MouseEvent(chromedp.MouseReleased, box.X+last[0], box.Y+last[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
		b.Run(actions...)
	}
}

func jsString(text string) string {
	encoded, _ := json.Marshal(text)
	return string(encoded)
}
