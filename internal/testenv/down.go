package testenv

import (
	"net"
	"testing"
)

// DownAddress returns the address of a server that is down: a listener the
// test owns, on loopback, that accepts each connection and closes it at
// once, so that every request fails as with a crashed server. The port
// stays the test's until it ends (a port closed after picking it could be
// taken by another server meanwhile, and then answer).
func DownAddress(t testing.TB) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := listener.Accept()
			if err != nil {
				return // closed at cleanup
			}
			conn.Close()
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		<-done
	})
	return listener.Addr().String()
}
