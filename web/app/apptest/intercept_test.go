package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// answer is what a gate does with one request: answer it itself with
// Status (the server never sees it), or pass it on to the server, at once
// or once After is closed.
type answer struct {
	Status  int
	Headers map[string]string
	After   <-chan struct{}
}

// gate intercepts the page's requests whose URL holds substring through
// DevTools' Fetch domain (as browsertest.FailRequests does) and lets decide
// say, for the nth of them (from 0, in the order the page sent them), what
// happens to it: a server that is down, or slow to answer one request.
// It returns how many requests were passed on to the server so far.
func gate(b *browser, substring string, decide func(n int) answer) (passed func() int) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(b.Context())
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*" + substring + "*"}}}); err != nil {
		cancel()
		b.t.Fatalf("browser: intercept requests: %v", err)
	}
	b.t.Cleanup(func() {
		chromedp.Call(b.Context(), fetch.Disable, struct{}{})
		cancel()
	})
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
					headers := []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/problem+json"}}
					for name, value := range decision.Headers {
						headers = append(headers, &fetch.HeaderEntry{Name: name, Value: value})
					}
					body, _ := json.Marshal(map[string]any{"type": "about:blank", "title": http.StatusText(decision.Status), "status": decision.Status})
					chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(decision.Status), ResponseHeaders: headers, Body: body})
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

// exchangeLog is the sync calls the page got answers to, in order, as
// "push 200" or "pull 410" (DevTools' network events).
type exchangeLog struct {
	mu    sync.Mutex
	lines []string
}

func watchSync(b *browser) *exchangeLog {
	log := &exchangeLog{}
	received := chromedp.Events(b.Context(), network.ResponseReceived)
	go func() {
		for event, err := range received {
			if err != nil {
				return
			}
			for _, call := range []string{"push", "pull"} {
				if strings.Contains(event.Response.URL, "/v1/sync/"+call) {
					log.mu.Lock()
					log.lines = append(log.lines, fmt.Sprintf("%s %d", call, event.Response.Status))
					log.mu.Unlock()
				}
			}
		}
	}()
	return log
}

func (log *exchangeLog) all() []string {
	log.mu.Lock()
	defer log.mu.Unlock()
	return append([]string(nil), log.lines...)
}

// outboxCount is the page's expression for the number of entries in the
// outbox (IndexedDB), unsent by definition.
const outboxCount = `new Promise((resolve, reject) => {
	const open = indexedDB.open('patrolsync');
	open.onsuccess = () => {
		const count = open.result.transaction('outbox').objectStore('outbox').count();
		count.onsuccess = () => { open.result.close(); resolve(count.result); };
		count.onerror = () => { open.result.close(); reject(count.error); };
	};
	open.onerror = () => reject(open.error);
})`
