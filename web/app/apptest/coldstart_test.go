package apptest

import (
	"sort"
	"testing"

	"github.com/patrolsync/patrolsync/internal/testenv"
)

// BenchmarkOfflineColdStart restarts Chromium with the network off and the
// CPU throttled 4× (the budget: usable within 1.5 s), opens the app and
// measures from navigation to today's rounds on screen (the app's
// patrolsync-usable mark), and to the app's code starting (patrolsync-main:
// the page and scripts from the service worker's cache). It fails when the
// app does not start offline. Each op is one cold start:
//
//	go test -run NONE -bench OfflineColdStart -benchtime 5x ./web/app/apptest/
func BenchmarkOfflineColdStart(b *testing.B) {
	s := setUp(b, testenv.SQLite(b))
	br := newBrowser(b, 390, 844)
	login(b, br, s.srv.URL, s.tenant.Guard.Email)
	br.Offline(true)
	var usable, main []float64
	for range b.N {
		br.Restart()
		br.ThrottleCPU(4)
		br.Open(s.srv.URL + "/app/#/today")
		br.Wait("today's rounds", `document.querySelector('[data-round]')`)
		var marks struct{ Usable, Main float64 }
		br.Eval(`({Usable: performance.getEntriesByName('patrolsync-usable')[0].startTime,
			Main: performance.getEntriesByName('patrolsync-main')[0].startTime})`, &marks)
		usable = append(usable, marks.Usable)
		main = append(main, marks.Main)
		b.Logf("offline cold start with 4× CPU throttling: code running at %.0f ms, today's rounds at %.0f ms", marks.Main, marks.Usable)
	}
	b.ReportMetric(median(usable), "ms-usable")
	b.ReportMetric(percentile(usable, 0.95), "p95-ms-usable")
	b.ReportMetric(median(main), "ms-code-running")
	b.ReportMetric(0, "ns/op") // the wall clock of an op is a browser restart
}

func median(values []float64) float64 { return percentile(values, 0.5) }

func percentile(values []float64, p float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[int(float64(len(sorted)-1)*p+0.5)]
}
