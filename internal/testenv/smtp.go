package testenv

import (
	"os"
	"testing"
)

// SMTPServer is the test mail server: SMTP at Addr, and mailpit's HTTP
// API at API to read what arrived. It accepts recipients at .test and
// refuses every other at RCPT (cmd/testrun/smtp.go).
type SMTPServer struct {
	Addr string // host:port
	API  string // http://host:port
}

// SMTP returns the test mail server set by cmd/testrun (make test) in
// TEST_SMTP_ADDR and TEST_SMTP_API. Without them it fails the test, never
// skips it, so a missing server cannot pass as green.
func SMTP(t testing.TB) SMTPServer {
	t.Helper()
	s := SMTPServer{Addr: os.Getenv("TEST_SMTP_ADDR"), API: os.Getenv("TEST_SMTP_API")}
	if s.Addr == "" || s.API == "" {
		t.Fatal("testenv.SMTP: TEST_SMTP_ADDR and TEST_SMTP_API are not set; run the tests with `make test` " +
			"(go run ./cmd/testrun), which starts mailpit and sets them, or set them to a mailpit of your own")
	}
	return s
}
