package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// transportPush is push as it was before pushConn, through net/http's
// Transport: the reference pushConn must behave as.
func transportPush(ctx context.Context, client *api, token string, body []byte, want int, answer *bytes.Buffer) (outcome string, retryAfter time.Duration) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.baseURL+"/v1/sync/push", bytes.NewReader(body))
	if err != nil {
		return "request: " + err.Error(), 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled", 0
		}
		return "transport error", 0
	}
	defer res.Body.Close()
	answer.Reset()
	if _, err := answer.ReadFrom(res.Body); err != nil {
		return "transport error", 0
	}
	raw := answer.Bytes()
	if res.StatusCode != http.StatusOK {
		seconds, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return "HTTP " + strconv.Itoa(res.StatusCode), time.Duration(seconds) * time.Second
	}
	return answerOutcome(raw, want), 0
}

// pushBody is a body of the push scenario's pushes.
func pushBody(tb testing.TB) []byte {
	tb.Helper()
	p := testPlan(tb, defaultPushTemplate, true)
	template, err := p.newBodyTemplate()
	if err != nil {
		tb.Fatal(err)
	}
	return template.appendBody(nil, values{inspection: newID(), media: p.newMedia(0, newID),
		clientTime: time.Now().UTC().Format(time.RFC3339), appendMutationID: appendNewID})
}

// rawServer answers every request on every connection with the next of
// its answers (the last one again when they run out), as bytes, and
// closes the connection after an answer when close says so. It records
// every request's bytes.
type rawServer struct {
	listener net.Listener
	answers  [][]byte
	close    func(i int) bool

	mu       sync.Mutex
	served   int
	requests [][]byte
	conns    int
	wg       sync.WaitGroup
}

func newRawServer(tb testing.TB, close func(i int) bool, answers ...[]byte) *rawServer {
	tb.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &rawServer{listener: listener, answers: answers, close: close}
	s.wg.Go(s.accept)
	tb.Cleanup(func() { listener.Close(); s.wg.Wait() })
	return s
}

func (s *rawServer) url() string { return "http://" + s.listener.Addr().String() }

func (s *rawServer) accept() {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		s.wg.Go(func() { defer conn.Close(); s.serve(conn) })
	}
}

// serve reads requests (a header, then Content-Length bytes) and answers.
func (s *rawServer) serve(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	reader := bufio.NewReader(conn)
	for {
		var request bytes.Buffer
		length := 0
		for {
			line, err := reader.ReadString('\n')
			if err != nil {
				return
			}
			request.WriteString(line)
			if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			}
			if line == "\r\n" {
				break
			}
		}
		if _, err := io.CopyN(&request, reader, int64(length)); err != nil {
			return
		}
		s.mu.Lock()
		i := s.served
		s.served++
		s.requests = append(s.requests, request.Bytes())
		s.mu.Unlock()
		if _, err := conn.Write(s.answers[min(i, len(s.answers)-1)]); err != nil || s.close(i) {
			return
		}
	}
}

func neverClose(int) bool { return false }

// chunked is an answer as the server writes a push's: 200, JSON, chunked.
func chunked(status int, body []byte, headers ...string) []byte {
	out := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n", status, http.StatusText(status))
	for _, h := range headers {
		out += h + "\r\n"
	}
	out += "Date: Sun, 06 Dec 2026 11:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
	if len(body) > 0 {
		out += strconv.FormatInt(int64(len(body)), 16) + "\r\n" + string(body) + "\r\n"
	}
	return []byte(out + "0\r\n\r\n")
}

// sized is an answer with a Content-Length.
func sized(status int, body []byte, headers ...string) []byte {
	out := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Length: %d\r\n", status, http.StatusText(status), len(body))
	for _, h := range headers {
		out += h + "\r\n"
	}
	return append([]byte(out+"\r\n"), body...)
}

func gzipped(tb testing.TB, body []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(body); err != nil || w.Close() != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// TestPushConnSendsWhatTheTransportSends: the server receives, byte for
// byte, the request the Transport sent for the same push.
func TestPushConnSendsWhatTheTransportSends(t *testing.T) {
	body := pushBody(t)
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl"
	answer := chunked(http.StatusOK, serverAnswer(t, 8, 40))
	for _, base := range []string{"", "/prefix"} {
		t.Run("base path "+base, func(t *testing.T) {
			s := newRawServer(t, neverClose, answer)
			var buffer bytes.Buffer
			client := newAPI(s.url()+base, 1)
			if outcome, _ := transportPush(t.Context(), client, token, body, 40, &buffer); outcome != "" {
				t.Fatalf("transport: %s", outcome)
			}
			client.http.CloseIdleConnections()
			conn, err := newPushConn(s.url()+base, token)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.close()
			for range 2 { // a new connection, then the kept one
				if outcome, _ := push(t.Context(), conn, body, 40, &buffer); outcome != "" {
					t.Fatalf("pushConn: %s", outcome)
				}
			}
			if len(s.requests) != 3 {
				t.Fatalf("%d requests, want 3", len(s.requests))
			}
			for i, got := range s.requests[1:] {
				if !bytes.Equal(got, s.requests[0]) {
					t.Errorf("push %d sent\n%.600q\nthe Transport sent\n%.600q", i+1, got, s.requests[0])
				}
			}
			if s.conns != 2 {
				t.Errorf("%d connections, want 2: the Transport's and one kept for both pushes", s.conns)
			}
		})
	}
}

// pushAnswers are answers, as bytes on the wire, that pushConn must take as
// the Transport does.
func pushAnswers(tb testing.TB) map[string][]byte {
	applied := serverAnswer(tb, 8, 40)
	rejected := bytes.Replace(applied, []byte(`"status":"applied"`), []byte(`"status":"rejected","errors":[{"pointer":"/x"}]`), 1)
	return map[string][]byte{
		"applied, chunked":              chunked(http.StatusOK, applied),
		"applied, sized":                sized(http.StatusOK, applied),
		"applied, gzip":                 chunked(http.StatusOK, gzipped(tb, applied), "Content-Encoding: gzip"),
		"applied, GZIP":                 sized(http.StatusOK, gzipped(tb, applied), "Content-Encoding: GZIP"),
		"gzip, empty":                   sized(http.StatusOK, nil, "Content-Encoding: gzip"),
		"gzip, broken":                  sized(http.StatusOK, []byte("not gzip"), "Content-Encoding: gzip"),
		"applied, connection close":     sized(http.StatusOK, applied, "Connection: close"),
		"applied, to the end":           append([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), applied...),
		"applied, after 100 continue":   append([]byte("HTTP/1.1 100 Continue\r\n\r\n"), chunked(http.StatusOK, applied)...),
		"applied, then bytes unasked":   append(sized(http.StatusOK, applied), "HTTP/1.1 200 OK\r\n"...),
		"one rejected":                  chunked(http.StatusOK, rejected),
		"too few results":               chunked(http.StatusOK, serverAnswer(tb, 8, 39)),
		"not JSON":                      sized(http.StatusOK, []byte("<html>")),
		"empty 200":                     sized(http.StatusOK, nil),
		"429 with Retry-After":          sized(http.StatusTooManyRequests, []byte(`{"title":"busy"}`), "Retry-After: 3"),
		"503 with Retry-After, chunked": chunked(http.StatusServiceUnavailable, []byte(`{}`), "Retry-After: 2"),
		"401":                           sized(http.StatusUnauthorized, []byte(`{"title":"no"}`)),
		"101":                           []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"),
		"truncated body":                sized(http.StatusOK, applied)[:200],
		"truncated header":              []byte("HTTP/1.1 200 OK\r\nContent-Le"),
		"garbage":                       []byte("SSH-2.0-OpenSSH\r\n\r\n"),
		"nothing":                       nil,
	}
}

// TestPushConnAnswersAsTheTransport: for every answer, one push on a new
// connection and one on a kept one come out as through the Transport.
func TestPushConnAnswersAsTheTransport(t *testing.T) {
	ok := chunked(http.StatusOK, serverAnswer(t, 8, 40))
	for name, answer := range pushAnswers(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// A push on a new connection, then one on the kept connection
			// after a push that was answered in full.
			for _, answers := range [][][]byte{{answer}, {ok, answer}} {
				want := comparePush(t, answers, true)
				if len(answers) == 2 && want.outcome == "" && want.retry != 0 {
					t.Errorf("want %+v", want)
				}
			}
		})
	}
}

// pushResult is what push says.
type pushResult struct {
	outcome string
	retry   time.Duration
}

// comparePush pushes once per answer, through the Transport and through a
// pushConn, each against a server answering with answers in turn and
// closing the connection after the last, and fails unless every push came
// out the same; it returns the last push's result.
func comparePush(tb testing.TB, answers [][]byte, fail bool) pushResult {
	tb.Helper()
	last := func(i int) bool { return i >= len(answers)-1 }
	body := []byte(`{"mutations":[]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	var viaTransport, viaConn []pushResult
	var buffer bytes.Buffer
	s := newRawServer(tb, last, answers...)
	client := newAPI(s.url(), 1)
	for range answers {
		outcome, retry := transportPush(ctx, client, "t", body, 40, &buffer)
		viaTransport = append(viaTransport, pushResult{outcome, retry})
	}
	client.http.CloseIdleConnections()

	s = newRawServer(tb, last, answers...)
	conn, err := newPushConn(s.url(), "t")
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.close()
	for range answers {
		outcome, retry := push(ctx, conn, body, 40, &buffer)
		viaConn = append(viaConn, pushResult{outcome, retry})
	}
	for i := range answers {
		if viaConn[i] != viaTransport[i] && fail {
			tb.Errorf("answers %q: push %d: pushConn %+v, the Transport %+v", answers, i, viaConn[i], viaTransport[i])
		}
	}
	return viaConn[len(viaConn)-1]
}

// TestPushConnDialsAnewAfterTheServerClosed: a push whose kept connection
// the server closed while it was idle goes on a new connection, as with
// the Transport, which notices the close and dials anew; right after an
// answer, it is not sent again, as the Transport does not resend a POST.
func TestPushConnDialsAnewAfterTheServerClosed(t *testing.T) {
	ok := chunked(http.StatusOK, serverAnswer(t, 8, 40))
	for _, tc := range []struct {
		name     string
		idle     time.Duration
		outcomes []string
		conns    int
	}{
		{"idle long enough", 5 * time.Millisecond, []string{"", "", ""}, 2},
		{"not idle long enough", time.Hour, []string{"", "transport error", ""}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRawServer(t, func(i int) bool { return i == 0 }, ok) // closed after the first answer
			conn, err := newPushConn(s.url(), "t")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.close()
			conn.idle = tc.idle
			var buffer bytes.Buffer
			for i, want := range tc.outcomes {
				if outcome, _ := push(t.Context(), conn, []byte(`{}`), 40, &buffer); outcome != want {
					t.Fatalf("push %d: %q, want %q", i, outcome, want)
				}
				time.Sleep(10 * time.Millisecond) // the server's close arrives while idle
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.conns != tc.conns {
				t.Errorf("%d connections, want %d", s.conns, tc.conns)
			}
		})
	}
}

// TestPushConnCancelled: a push waiting for its answer ends when the run is
// cancelled, and says so.
func TestPushConnCancelled(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() { // accepts and never answers
		conn, err := listener.Accept()
		if err == nil {
			defer conn.Close()
			io.Copy(io.Discard, conn)
		}
	}()
	conn, err := newPushConn("http://"+listener.Addr().String(), "t")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	var buffer bytes.Buffer
	started := time.Now()
	if outcome, _ := push(ctx, conn, []byte(`{}`), 40, &buffer); outcome != "cancelled" || time.Since(started) > 5*time.Second {
		t.Errorf("outcome %q after %s, want cancelled at once", outcome, time.Since(started))
	}
	if outcome, _ := push(ctx, conn, []byte(`{}`), 40, &buffer); outcome != "cancelled" {
		t.Errorf("after the cancel: %q, want cancelled", outcome)
	}
}

// FuzzPushConnAnswer: whatever bytes the server answers with, a push says
// what it said through the Transport.
func FuzzPushConnAnswer(f *testing.F) {
	for _, answer := range pushAnswers(f) {
		f.Add(answer)
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		comparePush(t, [][]byte{answer}, true)
	})
}

// BenchmarkPushClient is the tool's side of one push through a loopback
// connection to a server that answers at once with a push's answer: the
// Transport against pushConn.
func BenchmarkPushClient(b *testing.B) {
	body := pushBody(b)
	answer := chunked(http.StatusOK, serverAnswer(b, 8, 40))
	var buffer bytes.Buffer
	b.Run("transport", func(b *testing.B) {
		client := newAPI(newRawServer(b, neverClose, answer).url(), 1)
		b.ReportAllocs()
		for b.Loop() {
			if outcome, _ := transportPush(b.Context(), client, "t", body, 40, &buffer); outcome != "" {
				b.Fatal(outcome)
			}
		}
		client.http.CloseIdleConnections()
	})
	b.Run("pushConn", func(b *testing.B) {
		conn, err := newPushConn(newRawServer(b, neverClose, answer).url(), "t")
		if err != nil {
			b.Fatal(err)
		}
		defer conn.close()
		b.ReportAllocs()
		for b.Loop() {
			if outcome, _ := push(b.Context(), conn, body, 40, &buffer); outcome != "" {
				b.Fatal(outcome)
			}
		}
	})
}

// BenchmarkSendInspection is the tool's whole part of one inspection of
// the push scenario (its ids, its body with two Ed25519 countersignatures,
// the push and the check of its 40 results) against a server that answers
// at once: what the tool spends per inspection, less its per-second
// samplers. The server's own work is in the figure too, the same for any
// client.
func BenchmarkSendInspection(b *testing.B) {
	p := testPlan(b, defaultPushTemplate, true)
	var err error
	if p.body, err = p.newBodyTemplate(); err != nil {
		b.Fatal(err)
	}
	client := newAPI(newRawServer(b, neverClose, chunked(http.StatusOK, serverAnswer(b, 8, 40))).url(), 1)
	var buffers pushBuffers
	defer buffers.close()
	b.ReportAllocs()
	for b.Loop() {
		if a := sendInspection(b.Context(), client, "t", p, &buffers); a.outcome != "" {
			b.Fatal(a.outcome)
		}
	}
	client.http.CloseIdleConnections()
}
