// Package apptest drives the guard's app in real Chromium (chromedp) against
// a real server: what a guard does on a phone, offline and online.
package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/web"
)

// server is the API (apitest, the same assembly as serve) with the built
// guard app at /app/ on the same origin, as serve mounts it, behind a front
// that can lose API requests like a bad mobile network.
type server struct {
	*apitest.Env
	URL   string
	flaky *flakyFront
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
	flaky := &flakyFront{next: httputil.NewSingleHostReverseProxy(target), rng: rand.New(rand.NewPCG(7, 12))}
	mux := http.NewServeMux()
	mux.Handle("/app/", web.Load(os.DirFS(distDir(t))).Handler("app", web.Options{}))
	mux.Handle("/", flaky)
	httpServer := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go httpServer.Serve(listener)
	t.Cleanup(func() { httpServer.Close() })
	return &server{Env: env, URL: front, flaky: flaky}
}

// flakyFront loses a fraction of the API requests: half of them before
// the server sees them, half after it acted (the connection drops before
// the answer), as a phone's network does. (DevTools' Fetch domain,
// browsertest.FailRequests, would do it inside Chromium; with it the
// pushes of this app failed every time, see the shift test.)
type flakyFront struct {
	next     http.Handler
	mu       sync.Mutex
	rng      *rand.Rand
	fraction float64
	before   int
	after    int
}

func (f *flakyFront) fail(fraction float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fraction = fraction
}

// lost says how many requests were lost before and after the server acted.
func (f *flakyFront) lost() (before, after int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.before, f.after
}

func (f *flakyFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	roll := f.rng.Float64()
	fraction := f.fraction
	if roll < fraction/2 {
		f.before++
	} else if roll < fraction {
		f.after++
	}
	f.mu.Unlock()
	switch {
	case roll < fraction/2:
		drop(w)
	case roll < fraction:
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		drop(w)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
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
func newBrowser(t testing.TB, width, height int64) *browser {
	t.Helper()
	viewport := browsertest.Viewport{Name: fmt.Sprintf("%dx%d", width, height), Width: width, Height: height, Scale: 2}
	return &browser{Browser: browsertest.New(t, viewport, browsertest.Timeout(time.Minute)), t: t}
}

// click taps an element after bringing it to the middle of the screen,
// clear of the tab bar, as a thumb would.
// A screen that follows the store may be redrawn between finding the
// element and tapping it; the tap is then tried again on the new one.
func (b *browser) click(selector string) {
	b.t.Helper()
	var err error
	for range 5 {
		b.waitVisible(selector)
		ctx, cancel := context.WithTimeout(b.Context(), time.Minute)
		err = chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(`+jsString(selector)+`); if (e) e.scrollIntoView({block: 'center'}); })()`),
			chromedp.Click(chromedp.CSS(selector)))
		cancel()
		if err == nil {
			return
		}
	}
	b.t.Fatalf("click %s: %v", selector, err)
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
