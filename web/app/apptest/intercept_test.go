package apptest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

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
