// Package browsertest drives the browser apps in a real headless Chromium
// (chromedp) against the real server: the router of `patrolsync serve` on a
// real database with the web assets embedded in the test binary. It starts
// the browser with a profile directory that survives Restart (a phone whose
// browser was killed), emulates phones and tablets, the network going off,
// failing requests and slow CPUs, and keeps screenshots.
//
// Chromium comes from TEST_CHROMIUM (cmd/testrun installs Debian's chromium
// and sets it) or PATH. A test without Chromium or without the web build
// fails and says how to get them; it never skips.
package browsertest

import (
	"context"
	"encoding/json"
	"iter"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/web"
)

// Server starts the real server (apitest.New: the assembly of serve, every
// answer checked against openapi.yaml) with the embedded web assets, which
// must have been built (`go run ./web/build`; make test does it first).
func Server(t testing.TB, databaseURL string, options ...apitest.Option) *apitest.Env {
	t.Helper()
	RequireAssets(t)
	return apitest.New(t, databaseURL, options...)
}

// RequireAssets fails the test when the binary was built without the web
// assets.
func RequireAssets(t testing.TB) *web.Manifest {
	t.Helper()
	assets := web.Embedded()
	if !assets.Built() {
		t.Fatal("the web assets are not built into this test binary: run `go run ./web/build` " +
			"before go test (make test and make build do)")
	}
	return assets.Manifest()
}

// EngineModule is the URL path of the bundled engine module of an app
// (web/shared/engine.js), for `await import(...)` in a page.
func EngineModule(t testing.TB, app string) string {
	t.Helper()
	module := RequireAssets(t).Engine[app]
	if module == "" {
		t.Fatalf("the web build has no engine module for %s (is web/%s/index.html there?)", app, app)
	}
	return module
}

// Viewport is a device size in CSS pixels.
type Viewport struct {
	Name          string
	Width, Height int64
	Scale         float64
	Mobile        bool // mobile browser: touch, no scrollbars, meta viewport honoured
}

// The viewports the apps are built for.
var (
	Phone           = Viewport{Name: "phone", Width: 390, Height: 844, Scale: 3, Mobile: true}
	SmallPhone      = Viewport{Name: "small-phone", Width: 360, Height: 640, Scale: 2, Mobile: true}
	TabletLandscape = Viewport{Name: "tablet-landscape", Width: 1024, Height: 768, Scale: 2, Mobile: true}
	TabletPortrait  = Viewport{Name: "tablet-portrait", Width: 768, Height: 1024, Scale: 2, Mobile: true}
	Desktop         = Viewport{Name: "desktop", Width: 1440, Height: 900, Scale: 1}
)

// Option changes how New starts the browser.
type Option func(*Browser)

// Profile runs the browser on an existing profile directory (another
// browser's, to share its service worker, caches and IndexedDB).
func Profile(dir string) Option { return func(b *Browser) { b.profile = dir } }

// Timeout bounds each Run and Eval (default 30 s): actions that do not
// wait on the page. Waiting on the page is Wait's.
func Timeout(d time.Duration) Option { return func(b *Browser) { b.timeout = d } }

// Budget is how long the browser's waits may take altogether, counted from
// New (default DefaultBudget): a wait that never holds then fails its own
// test, with its screenshot, instead of waiting to the package's deadline
// and failing every test after it.
func Budget(d time.Duration) Option { return func(b *Browser) { b.budget = d } }

// DefaultBudget is generous: a test of a whole shift on a loaded machine
// takes a minute or two, and a wait on events goes on as soon as they come.
const DefaultBudget = 5 * time.Minute

// Browser is one headless Chromium with one tab.
type Browser struct {
	t        testing.TB
	path     string
	profile  string
	viewport Viewport
	timeout  time.Duration
	budget   time.Duration
	ends     time.Time // the end of the budget

	ctx    context.Context
	cancel func()

	mu         sync.Mutex
	console    []string
	offline    bool
	cpu        float64
	stopFailer func()
}

// New starts Chromium at the viewport's size on a fresh temporary profile
// (or Profile's) and closes it when the test ends.
func New(t testing.TB, viewport Viewport, options ...Option) *Browser {
	t.Helper()
	b := &Browser{t: t, path: chromiumPath(t), viewport: viewport, timeout: 30 * time.Second, budget: DefaultBudget, cpu: 1}
	for _, option := range options {
		option(b)
	}
	b.ends = time.Now().Add(b.budget)
	if b.profile == "" {
		b.profile = t.TempDir()
	}
	b.start()
	t.Cleanup(b.close)
	return b
}

// chromiumPath is TEST_CHROMIUM, or a Chromium on PATH.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if path := os.Getenv("TEST_CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("no Chromium for the browser tests: run them through `make test` (it installs Debian's chromium), " +
		"or install it (apt-get install chromium fonts-noto-cjk) or set TEST_CHROMIUM to a Chromium binary")
	return ""
}

// flags are the switches of a quiet, reproducible headless browser.
func (b *Browser) flags() []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(b.path),
		chromedp.UserDataDir(b.profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(int(b.viewport.Width), int(b.viewport.Height)),
	}
}

func (b *Browser) start() {
	b.t.Helper()
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), b.flags()...)
	ctx, cancel := chromedp.NewContext(allocator)
	b.ctx, b.cancel = ctx, func() {
		chromedp.Cancel(ctx) // closes the browser so the profile is written out
		cancel()
		cancelAllocator()
	}
	b.listen()
	b.SetViewport(b.viewport)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("browser: start Chromium %s: %v", b.path, err)
	}
}

// listen keeps the page's console messages and uncaught exceptions, which
// are logged when the test fails.
func (b *Browser) listen() {
	messages := chromedp.Events(b.ctx, cdpruntime.ConsoleAPICalled)
	exceptions := chromedp.Events(b.ctx, cdpruntime.ExceptionThrown)
	go func() {
		for event, err := range messages {
			if err != nil {
				return
			}
			var parts []string
			for _, argument := range event.Args {
				if argument.Value != nil {
					parts = append(parts, strings.Trim(string(argument.Value), `"`))
				} else {
					parts = append(parts, argument.Description)
				}
			}
			b.note("console." + string(event.Type) + ": " + strings.Join(parts, " "))
		}
	}()
	go func() {
		for event, err := range exceptions {
			if err != nil {
				return
			}
			text := event.ExceptionDetails.Text
			if event.ExceptionDetails.Exception != nil {
				text += " " + event.ExceptionDetails.Exception.Description
			}
			b.note("exception: " + text)
		}
	}()
}

func (b *Browser) note(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, line)
}

// Console returns the page's console messages and uncaught exceptions so far.
func (b *Browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// consoleTail is the page's last console lines, for a failure message: what
// the page said often names why the awaited thing never came.
func (b *Browser) consoleTail(count int) string {
	lines := b.Console()
	if len(lines) > count {
		lines = lines[len(lines)-count:]
	}
	if len(lines) == 0 {
		return "the page's console was empty"
	}
	return "the page's console, last lines:\n\t" + strings.Join(lines, "\n\t")
}

func (b *Browser) close() {
	if b.stopFailer != nil {
		b.stopFailer()
		b.stopFailer = nil
	}
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	if b.t.Failed() {
		for _, line := range b.Console() {
			b.t.Log("browser", line)
		}
	}
}

// Restart closes Chromium and starts it again on the same profile, as
// after a phone killed its browser. Offline emulation and CPU throttling
// carry over; failing requests do not.
func (b *Browser) Restart() *Browser {
	b.t.Helper()
	offline, cpu := b.offline, b.cpu
	b.close()
	b.start()
	if offline {
		b.Offline(true)
	}
	if cpu != 1 {
		b.ThrottleCPU(cpu)
	}
	return b
}

// Context is the chromedp context of the tab, for calls this package does
// not wrap (chromedp.Call, chromedp.Events). Bound long calls yourself.
func (b *Browser) Context() context.Context { return b.ctx }

// Run runs actions in order, failing the test on the first error.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Eval runs a JavaScript expression, awaits it when it is a promise, and
// decodes its JSON value into out (nil: ignore it).
func (b *Browser) Eval(expression string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluate %.200s: %v", expression, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("browser: evaluate %.200s: decode %.200s: %v", expression, raw, err)
		}
	}
}

// Wait waits until a JavaScript condition (an expression, awaited when it
// is a promise) holds, for as long as the test may run: the page checks it
// again on every change of the document (and every quarter second, for
// conditions on storage or time), so a quiet machine goes on at once and a
// loaded one is not failed by a guessed deadline. A navigation or reload
// while waiting is waited through. It fails, with a screenshot, at the end
// of the browser's Budget or shortly before the test's own deadline (go
// test -timeout), whichever comes first, so that the failure names what was
// awaited and the tests after this one still have their time.
func (b *Browser) Wait(what, condition string) {
	b.t.Helper()
	ctx, cancel := b.untilDeadline()
	defer cancel()
	script := `new Promise((resolve) => {
		const check = async () => !!(await (` + condition + `));
		let busy = false, done = false;
		const finish = (value) => { done = true; observer.disconnect(); clearInterval(timer); clearTimeout(round); resolve(value); };
		const tick = async () => {
			if (busy || done) return;
			busy = true;
			try { if (await check()) finish(true); } catch (error) { /* not there yet */ } finally { busy = false; }
		};
		const observer = new MutationObserver(tick);
		observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
		const timer = setInterval(tick, 250);
		const round = setTimeout(() => finish(false), 5000); // hand back now and then: a wait outlives reloads
		tick();
	})`
	var last error
	for {
		holds, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script, chromedp.EvalAwaitPromise))
		if err == nil && holds {
			return
		}
		if err != nil {
			last = err
		}
		if ctx.Err() != nil {
			b.t.Fatalf("browser: waited to the end of the test's budget for %s (last error %v; screenshot %s)\n%s", what, last, b.Screenshot("timeout-"+safeName(what)), b.consoleTail(30))
		}
		if err != nil {
			// The page is between documents (a reload): try again shortly.
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// Open loads url in the tab and waits for the new document with Wait (to
// the budget), not with chromedp.Navigate's wait for the load event, which
// Run bounds with its fixed timeout. A url that differs from the page's
// only in its #fragment is no new document: set location.hash instead.
func (b *Browser) Open(url string) {
	b.t.Helper()
	encoded, _ := json.Marshal(url)
	b.Eval(`window.__browsertestLeaving = true, location.href = `+string(encoded)+`, true`, nil)
	b.Wait("the page at "+url, `!window.__browsertestLeaving && document.readyState === 'complete'`)
}

// Reload reloads the page and waits, as Open does, for the new document,
// then until condition holds on it (never on the one being left; "" for
// the document alone).
func (b *Browser) Reload(what, condition string) {
	b.t.Helper()
	if condition == "" {
		condition = "true"
	}
	b.Eval(`window.__browsertestLeaving = true, location.reload(), true`, nil)
	b.Wait(what, `!window.__browsertestLeaving && document.readyState === 'complete' && (`+condition+`)`)
}

// untilDeadline is the tab's context ending at the end of the browser's
// budget or a little before the test's deadline, whichever is first, so
// that a failure is reported and cleaned up in time.
func (b *Browser) untilDeadline() (context.Context, context.CancelFunc) {
	ends := b.ends
	if test, ok := b.t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := test.Deadline(); ok && deadline.Add(-deadlineReserve).Before(ends) {
			ends = deadline.Add(-deadlineReserve)
		}
	}
	return context.WithDeadline(b.ctx, ends)
}

// deadlineReserve is kept back from the test's deadline for reporting a
// failed wait and closing the browser.
const deadlineReserve = 20 * time.Second

// SetViewport emulates a device size (mobile viewports with touch).
func (b *Browser) SetViewport(viewport Viewport) {
	b.t.Helper()
	b.viewport = viewport
	options := []chromedp.EmulateViewportOption{chromedp.EmulateScale(viewport.Scale)}
	if viewport.Mobile {
		options = append(options, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if viewport.Width > viewport.Height {
		options = append(options, chromedp.EmulateLandscape)
	} else {
		options = append(options, chromedp.EmulatePortrait)
	}
	b.Run(chromedp.EmulateViewport(viewport.Width, viewport.Height, options...))
}

// Offline switches the network off or on through DevTools emulation, for
// the page and its service worker, and fires the online/offline event the
// page listens for.
func (b *Browser) Offline(offline bool) {
	b.t.Helper()
	b.offline = offline
	conditions := []*network.Conditions{}
	if offline {
		conditions = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &offline, MatchedNetworkConditions: conditions,
	}); err != nil {
		b.t.Fatalf("browser: emulate offline=%v: %v", offline, err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		b.t.Fatalf("browser: override network state offline=%v: %v", offline, err)
	}
	b.Eval(`window.dispatchEvent(new Event(navigator.onLine ? 'online' : 'offline')), true`, nil)
}

// ThrottleCPU slows the page's CPU by rate (4: a mid-range phone); 1 ends it.
func (b *Browser) ThrottleCPU(rate float64) {
	b.t.Helper()
	b.cpu = rate
	if _, err := chromedp.Call(b.ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
		b.t.Fatalf("browser: throttle CPU %v: %v", rate, err)
	}
}

// FailRequests makes a fraction of the requests whose URL contains
// substring fail, through DevTools' Fetch domain: alternately before the
// server sees the request and after it answered (the answer is lost on the
// way back), which is what a bad mobile link does. The failures are spread
// evenly (of every ten requests at 30 %, three fail; seed shifts which),
// not drawn at random: a random run of bad luck makes an app back off for
// minutes, which says nothing about exactly-once but fails a test on time.
// It returns stop and the counts of requests failed so far before the
// server saw them and after it answered.
func (b *Browser) FailRequests(fraction float64, substring string, seed uint64) (stop func(), failed func() (before, after int)) {
	b.t.Helper()
	ctx, paused, stop := b.intercept(substring)
	var mu sync.Mutex
	before, after := 0, 0
	fail := func(id fetch.RequestID, reason network.ErrorReason) {
		mu.Lock()
		if reason == network.ErrorReasonConnectionReset {
			after++
		} else {
			before++
		}
		mu.Unlock()
		chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: reason})
	}
	n, failures := float64(seed%10), 0
	go func() {
		for event, err := range paused {
			if err != nil {
				return
			}
			// The decision is taken here, in the order requests came; the
			// answer to DevTools is sent from its own goroutine, since a
			// command awaited inside the event loop would wait behind the
			// events queued after this one.
			id := event.RequestID
			if event.ResponseStatusCode != 0 || event.ResponseErrorReason != "" {
				go fail(id, network.ErrorReasonConnectionReset) // the answer is lost
				continue
			}
			failing := math.Floor((n+1)*fraction) > math.Floor(n*fraction)
			n++
			switch {
			case failing && failures%2 == 0:
				go fail(id, network.ErrorReasonConnectionFailed) // never reaches the server
			case failing:
				atResponse := true
				go chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id, InterceptResponse: &atResponse})
			default:
				go chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
			}
			if failing {
				failures++
			}
		}
	}()
	return stop, func() (int, int) { mu.Lock(); defer mu.Unlock(); return before, after }
}

// intercept pauses the page's requests whose URL contains substring,
// through DevTools' Fetch domain, and yields each: the caller continues,
// fails or answers it on ctx. stop ends the interception; closing the
// browser stops it too.
func (b *Browser) intercept(substring string) (ctx context.Context, paused iter.Seq2[fetch.EventRequestPaused, error], stop func()) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(b.ctx)
	paused = chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*" + substring + "*"}}}); err != nil {
		cancel()
		b.t.Fatalf("browser: intercept requests: %v", err)
	}
	stop = func() {
		chromedp.Call(b.ctx, fetch.Disable, struct{}{})
		cancel()
	}
	b.stopFailer = stop
	return ctx, paused, stop
}

// AnswerRequests answers the page's requests whose URL contains substring
// itself, until stop, with status, header and a problem+json body: the
// server never sees them, as when it is down or too busy to serve (503).
func (b *Browser) AnswerRequests(substring string, status int, header map[string]string) (stop func()) {
	b.t.Helper()
	ctx, paused, stop := b.intercept(substring)
	go func() {
		for event, err := range paused {
			if err != nil {
				return
			}
			// From its own goroutine, as in FailRequests.
			go fulfill(ctx, event.RequestID, status, header)
		}
	}()
	return stop
}

// Answer is what Gate does with one request: answer it itself with Status
// (the server never sees it), or pass it on to the server, at once or once
// After is closed.
type Answer struct {
	Status  int
	Headers map[string]string
	After   <-chan struct{}
}

// Gate intercepts the page's requests whose URL holds substring, for the
// rest of the test, and lets decide say what happens to the nth of them
// (from 0, in the order the page sent them): a server that is down, or
// slow to answer one request. It returns how many requests were passed on
// to the server so far.
func (b *Browser) Gate(substring string, decide func(n int) Answer) (passed func() int) {
	b.t.Helper()
	ctx, paused, stop := b.intercept(substring)
	b.t.Cleanup(stop)
	var mu sync.Mutex
	count := 0
	go func() {
		n := 0
		for event, err := range paused {
			if err != nil {
				return
			}
			decision := decide(n)
			n++
			// Answered from its own goroutine: a command awaited inside the
			// event loop would wait behind the events queued after this one.
			go func(id fetch.RequestID) {
				if decision.Status != 0 {
					fulfill(ctx, id, decision.Status, decision.Headers)
					return
				}
				if decision.After != nil {
					select {
					case <-decision.After:
					case <-ctx.Done():
						return
					}
				}
				mu.Lock()
				count++
				mu.Unlock()
				chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
			}(event.RequestID)
		}
	}()
	return func() int { mu.Lock(); defer mu.Unlock(); return count }
}

// fulfill answers a paused request with status, header and a problem+json
// body.
func fulfill(ctx context.Context, id fetch.RequestID, status int, header map[string]string) {
	headers := []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/problem+json"}}
	for name, value := range header {
		headers = append(headers, &fetch.HeaderEntry{Name: name, Value: value})
	}
	body, _ := json.Marshal(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status})
	chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id,
		ResponseCode: int64(status), ResponseHeaders: headers, Body: body})
}

// Screenshot writes the viewport as <name>.png into TEST_SCREENSHOTS (an
// absolute directory; docs/screenshots to refresh the README's) or a
// temporary directory, and returns the path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	dir := os.Getenv("TEST_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "patrolsync-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(dir, safeName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot %s", path)
	return path
}

func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
}
