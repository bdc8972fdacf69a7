package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// healthcheck asks a running server's /healthz, for container runtimes
// whose images have no shell or curl. Exit status 0 means healthy.
func healthcheck(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	url := fs.String("url", "", "health URL (default: http://127.0.0.1:<port of PATROLSYNC_ADDR>/healthz)")
	if err := fs.Parse(args); err != nil {
		return errs.E("healthcheck", errs.Malformed, err)
	}
	if *url == "" {
		addr := getenv("PATROLSYNC_ADDR")
		if addr == "" {
			addr = "127.0.0.1:8080"
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return errs.E("healthcheck", errs.Malformed, "PATROLSYNC_ADDR is not host:port", err)
		}
		*url = "http://127.0.0.1:" + port + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return errs.E("healthcheck", errs.Malformed, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return errs.E("healthcheck", errs.Unavailable, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return errs.E("healthcheck", errs.Unavailable, fmt.Sprintf("%s answered %d", *url, res.StatusCode))
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}
