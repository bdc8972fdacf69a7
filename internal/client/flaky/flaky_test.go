package flaky

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// run sends n requests through a transport with opts and reports, per
// request, whether it failed, plus how many reached the server.
func run(t *testing.T, opts Options, n int) ([]bool, int64, Stats) {
	t.Helper()
	var arrived atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	tr := New(srv.Client().Transport, opts)
	client := &http.Client{Transport: tr}
	failed := make([]bool, n)
	for i := range n {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		res, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		cancel()
		failed[i] = err != nil
	}
	return failed, arrived.Load(), tr.Stats()
}

func TestDeterministicForASeed(t *testing.T) {
	opts := Options{Seed: 42, DropRequest: 0.3, DropResponse: 0.3, Timeout: 0.1, TimeoutAfter: time.Millisecond}
	first, arrivedFirst, statsFirst := run(t, opts, 200)
	second, arrivedSecond, statsSecond := run(t, opts, 200)
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("request %d: failed=%v then %v with the same seed", i, first[i], second[i])
		}
	}
	if arrivedFirst != arrivedSecond || statsFirst != statsSecond {
		t.Fatalf("same seed, different runs: %d/%+v vs %d/%+v", arrivedFirst, statsFirst, arrivedSecond, statsSecond)
	}
	other, _, _ := run(t, Options{Seed: 43, DropRequest: 0.3, DropResponse: 0.3, Timeout: 0.1, TimeoutAfter: time.Millisecond}, 200)
	same := true
	for i := range first {
		same = same && first[i] == other[i]
	}
	if same {
		t.Error("seeds 42 and 43 failed exactly the same requests")
	}
}

func TestShares(t *testing.T) {
	const n = 2000
	failed, arrived, st := run(t, Options{Seed: 7, DropRequest: 0.3, DropResponse: 0.3, Timeout: 0.1, TimeoutAfter: time.Millisecond}, n)
	failures := 0
	for _, f := range failed {
		if f {
			failures++
		}
	}
	if st.Requests != n || int64(failures) != st.DroppedRequests+st.DroppedResponses+st.Timeouts {
		t.Fatalf("stats %+v do not add up to %d failures of %d", st, failures, n)
	}
	near := func(name string, got int64, share float64) {
		if want := share * n; float64(got) < want*0.8 || float64(got) > want*1.2 {
			t.Errorf("%s = %d, want about %.0f", name, got, want)
		}
	}
	near("dropped requests", st.DroppedRequests, 0.3)
	near("dropped responses", st.DroppedResponses, 0.3)
	near("timeouts", st.Timeouts, 0.1)
	// Lost answers and half the timeouts still reached the server.
	wantArrived := st.Passed + st.DroppedResponses
	if arrived < wantArrived || arrived > wantArrived+st.Timeouts {
		t.Errorf("server saw %d requests; want between %d and %d", arrived, wantArrived, wantArrived+st.Timeouts)
	}
}

func TestTimeoutIsANetTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := New(srv.Client().Transport, Options{Timeout: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := (&http.Client{Transport: tr}).Do(req)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a net.Error that is a timeout", err)
	}
}

func TestAppliesSelectsRequests(t *testing.T) {
	failed, _, st := run(t, Options{Seed: 1, DropRequest: 1, Applies: func(r *http.Request) bool { return false }}, 20)
	for i, f := range failed {
		if f {
			t.Fatalf("request %d failed although Applies excludes it", i)
		}
	}
	if st.Requests != 0 || st.Passed != 20 {
		t.Fatalf("stats %+v", st)
	}
}
