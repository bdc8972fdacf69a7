package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pushConn is one device's connection for the push scenario's pushes,
// written and read by the device's own goroutine. Through net/http's
// Transport each push went from the device to the connection's write
// goroutine, its body through a 4 KB buffer in two writes, and its answer
// back from the read goroutine in 4 KB reads: goroutine hand-offs, futex
// wake-ups and system calls that were about half of the tool's CPU per
// inspection (issue 17), CPU the tool takes from the server it measures.
// Here a push is one writev of the header and the body and a read of the
// answer. What the server receives is what the Transport sent, byte for
// byte (TestPushConnSendsWhatTheTransportSends), and the answer is parsed
// by net/http's own http.ReadResponse with what the Transport does around
// it (TestPushConnAnswersAsTheTransport, FuzzPushConnAnswer): informational
// answers skipped, a gzip answer decompressed (the request asks for one,
// as the Transport's does), the connection dropped after "Connection:
// close", an error or bytes nobody asked for. The Transport notices that
// the server closed a kept connection while it was idle (its IdleTimeout)
// and dials anew for the next push; here the push notices, and when the
// connection had been idle for a while it is sent again on a new one. A
// connection that fails right after its last answer is not retried: the
// server may have taken the push, and the Transport does not resend a POST
// either.
type pushConn struct {
	address string // host:port
	// The request's header is head, the body's length, tail.
	head, tail string
	timeout    time.Duration // of one push, as newAPI's http.Client.Timeout
	// idle is how long a kept connection must have been idle for a push
	// that finds it closed to be sent again on a new one.
	idle time.Duration

	conn    net.Conn
	reader  *bufio.Reader
	used    bool        // the connection has carried a whole answer
	last    time.Time   // when it did, last
	stop    func() bool // of the context.AfterFunc that ends I/O when the run is cancelled
	request []byte      // the last push's header, reused
}

// pushRequest is what http.ReadResponse is told an answer answers.
var pushRequest = &http.Request{Method: http.MethodPost}

// errClosedKept is a kept connection the server had closed before it
// answered: the push is sent again on a new connection.
var errClosedKept = errors.New("kept connection closed by the server")

// newPushConn is a device's connection to baseURL's push endpoint, pushing
// as token; it dials on the first push.
func newPushConn(baseURL, token string) (*pushConn, error) {
	u, err := url.Parse(baseURL + "/v1/sync/push")
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, errors.New("push: want an http://host:port server, not " + baseURL)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	// As the Transport writes it (Request.write: the request line, Host,
	// User-Agent, Content-Length, the request's headers sorted by name,
	// then the Transport's own Accept-Encoding).
	return &pushConn{
		address: net.JoinHostPort(u.Hostname(), port),
		head:    "POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: ",
		tail:    "\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n",
		timeout: pushTimeout,
		idle:    time.Second,
	}, nil
}

// pushTimeout bounds one push, as newAPI's http.Client does a request.
const pushTimeout = 30 * time.Second

// push sends body and reads the answer's body into answer; it returns the
// answer's status and Retry-After, or the error that ended the push.
func (c *pushConn) push(ctx context.Context, body []byte, answer *bytes.Buffer) (status int, retryAfter string, err error) {
	status, retryAfter, err = c.roundTrip(ctx, body, answer)
	if errors.Is(err, errClosedKept) && ctx.Err() == nil {
		status, retryAfter, err = c.roundTrip(ctx, body, answer)
	}
	return status, retryAfter, err
}

// roundTrip is one push on the kept connection or a new one.
func (c *pushConn) roundTrip(ctx context.Context, body []byte, answer *bytes.Buffer) (int, string, error) {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return 0, "", err
		}
	}
	now := time.Now()
	kept := c.used && now.Sub(c.last) >= c.idle
	fail := func(err error) (int, string, error) {
		c.close()
		if kept {
			err = errors.Join(errClosedKept, err)
		}
		return 0, "", err
	}
	if err := c.conn.SetDeadline(now.Add(c.timeout)); err != nil {
		c.close()
		return 0, "", err
	}
	if err := ctx.Err(); err != nil { // the run was cancelled before the deadline was set
		c.close()
		return 0, "", err
	}
	c.request = append(strconv.AppendInt(append(c.request[:0], c.head...), int64(len(body)), 10), c.tail...)
	buffers := net.Buffers{c.request, body}
	if _, err := buffers.WriteTo(c.conn); err != nil {
		return fail(err)
	}
	if _, err := c.reader.Peek(1); err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) { // not closed before answering
			kept = false
		}
		return fail(err)
	}
	response, err := http.ReadResponse(c.reader, pushRequest)
	for err == nil && response.StatusCode/100 == 1 && response.StatusCode != http.StatusSwitchingProtocols {
		response, err = http.ReadResponse(c.reader, pushRequest)
	}
	if err != nil {
		c.close()
		return 0, "", err
	}
	if err := readBody(response, answer); err != nil {
		c.close()
		return 0, "", err
	}
	// The Transport drops a connection the server closes or switches, and
	// one with bytes nobody asked for.
	if response.Close || response.StatusCode == http.StatusSwitchingProtocols || c.reader.Buffered() > 0 {
		c.close()
	} else {
		c.used, c.last = true, time.Now()
	}
	return response.StatusCode, response.Header.Get("Retry-After"), nil
}

// readBody reads response's body into answer, decompressed when the server
// sent it gzipped (the request's Accept-Encoding asks for it): as the
// Transport's gzipReader does, an empty gzip body reads as empty.
func readBody(response *http.Response, answer *bytes.Buffer) error {
	defer response.Body.Close()
	var body io.Reader = response.Body
	if strings.EqualFold(response.Header.Get("Content-Encoding"), "gzip") {
		unzipped, err := gzip.NewReader(response.Body)
		switch {
		case err == io.EOF:
			body = bytes.NewReader(nil)
		case err != nil:
			return err
		default:
			body = unzipped
		}
	}
	answer.Reset()
	_, err := answer.ReadFrom(body)
	return err
}

// dial opens a new connection, and ends its I/O when ctx is done.
func (c *pushConn) dial(ctx context.Context) error {
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", c.address)
	if err != nil {
		return err
	}
	c.conn, c.used = conn, false
	if c.reader == nil {
		c.reader = bufio.NewReaderSize(conn, 32<<10) // an answer in one read
	} else {
		c.reader.Reset(conn)
	}
	c.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return nil
}

// close closes the connection, if open; the next push dials anew.
func (c *pushConn) close() {
	if c.conn == nil {
		return
	}
	c.stop()
	c.conn.Close()
	c.conn, c.used = nil, false
}
