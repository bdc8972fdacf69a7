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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
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
	proxy := httputil.NewSingleHostReverseProxy(target)
	app := web.Load(os.DirFS(distDir(t))).Handler("app", web.Options{})
	flaky := &flakyFront{next: proxy, rng: rand.New(rand.NewPCG(7, 12))}
	mux := http.NewServeMux()
	mux.Handle("/app/", app)
	mux.Handle("/", flaky)
	httpServer := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go httpServer.Serve(listener)
	t.Cleanup(func() { httpServer.Close() })
	return &server{Env: env, URL: front, flaky: flaky}
}

// flakyFront loses a fraction of the API requests: half of them before
// the server sees them, half after it acted (the connection drops before
// the answer), as a phone's network does.
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

// browser is one headless Chromium on a profile directory that outlives
// restarts, at phone size.
type browser struct {
	t           testing.TB
	profile     string
	width       int64
	height      int64
	ctx         context.Context
	cancel      func()
	mu          sync.Mutex
	console     []string
	offlineMode bool
}

func chromiumPath() string {
	if path := os.Getenv("TEST_CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

func newBrowser(t testing.TB, profile string, width, height int64) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatal("no Chromium: install Debian's chromium (make test installs it) or set TEST_CHROMIUM")
	}
	b := &browser{t: t, profile: profile, width: width, height: height}
	b.start(path)
	t.Cleanup(b.close)
	return b
}

func (b *browser) start(path string) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.UserDataDir(b.profile),
		chromedp.Flag("no-sandbox", true), chromedp.WindowSize(int(b.width), int(b.height)))
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b.ctx = ctx
	b.cancel = func() { cancel(); allocCancel() }
	consoleEvents := chromedp.Events(ctx, cdpruntime.ConsoleAPICalled)
	exceptions := chromedp.Events(ctx, cdpruntime.ExceptionThrown)
	go func() {
		for ev, err := range consoleEvents {
			if err != nil {
				return
			}
			var parts []string
			for _, arg := range ev.Args {
				value, _ := json.Marshal(arg.Value)
				parts = append(parts, strings.Trim(string(value), `"`)+arg.Description)
			}
			b.note(string(ev.Type) + ": " + strings.Join(parts, " "))
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			text := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				text += " " + ev.ExceptionDetails.Exception.Description
			}
			if stack := ev.ExceptionDetails.StackTrace; stack != nil {
				for _, frame := range stack.CallFrames {
					text += fmt.Sprintf(" at %s (%s:%d:%d)", frame.FunctionName, frame.URL, frame.LineNumber, frame.ColumnNumber)
				}
			}
			b.note("exception: " + text)
		}
	}()
	b.do(chromedp.EmulateViewport(b.width, b.height, chromedp.EmulateScale(2)))
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) note(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, line)
}

func (b *browser) close() {
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.t.Failed() {
		for _, line := range b.console {
			b.t.Log("browser", line)
		}
	}
}

// restart closes Chromium and starts it again on the same profile, as a
// phone does after its browser was killed; offline stays as it was.
func (b *browser) restart() {
	b.t.Helper()
	offline := b.offlineMode
	b.cancel()
	b.start(chromiumPath())
	if offline {
		b.offline(true)
	}
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// eval runs JavaScript (awaiting a promise) and decodes its JSON value.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("eval %s: %s: %v", js, raw, err)
		}
	}
}

// waitFor polls a JavaScript condition until it is true.
func (b *browser) waitFor(what, js string, deadline time.Duration) {
	b.t.Helper()
	end := time.Now().Add(deadline)
	for {
		var ok bool
		b.eval(`(async () => !!(`+js+`))()`, &ok)
		if ok {
			return
		}
		if time.Now().After(end) {
			b.screenshot(os.TempDir(), "timeout")
			b.t.Fatalf("waited %s for %s", deadline, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click taps an element after bringing it to the middle of the screen,
// clear of the tab bar, as a thumb would.
// A screen that follows the store may be redrawn between finding the
// element and tapping it; the tap is then tried again on the new one.
func (b *browser) click(selector string) {
	b.t.Helper()
	var err error
	for range 5 {
		b.do(chromedp.WaitVisible(chromedp.CSS(selector)))
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		err = chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(`+jsString(selector)+`); if (e) e.scrollIntoView({block: 'center'}); })()`),
			chromedp.Click(chromedp.CSS(selector)))
		cancel()
		if err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("click %s: %v", selector, err)
}

func (b *browser) typeInto(selector, text string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(selector)), chromedp.SendKeys(chromedp.CSS(selector), text))
}

func (b *browser) upload(selector string, files []string) {
	b.t.Helper()
	b.do(chromedp.SetUploadFiles(chromedp.CSS(selector), files))
}

// offline switches the network off or on through DevTools emulation, for
// the page and its service worker, and tells navigator.onLine.
func (b *browser) offline(on bool) {
	b.t.Helper()
	b.offlineMode = on
	conditions := []*network.Conditions{{Offline: on, DownloadThroughput: -1, UploadThroughput: -1}}
	if !on {
		conditions = []*network.Conditions{}
	}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &on, MatchedNetworkConditions: conditions,
	}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: on, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		b.t.Fatal(err)
	}
	b.eval(`window.dispatchEvent(new Event(navigator.onLine ? 'online' : 'offline')), true`, nil)
}

// draw drags the mouse along points inside the element (its own CSS
// pixels), which the page sees as pointer events.
func (b *browser) draw(selector string, strokes [][][2]float64) {
	b.t.Helper()
	var box struct{ X, Y float64 }
	b.eval(`(() => { const e = document.querySelector(`+jsString(selector)+`); e.scrollIntoView({block: 'center'});
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
		b.do(actions...)
	}
}

// screenshot writes the viewport as name.png into dir and returns the path.
func (b *browser) screenshot(dir, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

func jsString(text string) string {
	encoded, _ := json.Marshal(text)
	return string(encoded)
}
