package testenv

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// StablePort returns a free loopback port outside the kernel's ephemeral
// range. A server that is stopped and started again on the same port (fault
// tests do it hundreds of times) must not find it taken by some other
// test's outgoing connection, which ports from ":0" risk.
func StablePort(t testing.TB) int {
	t.Helper()
	low, high := ephemeralRange()
	for attempt := 0; attempt < 200; attempt++ {
		port := 10000 + rand.IntN(20000)
		if port >= low && port <= high {
			continue
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("testenv: no free port below the ephemeral range")
	return 0
}

func ephemeralRange() (int, int) {
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if fields := strings.Fields(string(raw)); len(fields) == 2 {
			low, err1 := strconv.Atoi(fields[0])
			high, err2 := strconv.Atoi(fields[1])
			if err1 == nil && err2 == nil {
				return low, high
			}
		}
	}
	return 32768, 60999 // Linux's default
}
