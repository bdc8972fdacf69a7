package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/patrolsync/patrolsync/api"
	"github.com/patrolsync/patrolsync/internal/app"
	"github.com/patrolsync/patrolsync/internal/seed"
)

func serve(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "seed the demo organisation (idempotent) and print its logins")
	corsOrigins := fs.String("cors-origins", "", "comma-separated origins whose pages may call the API from a browser (PATROLSYNC_CORS_ORIGINS)")
	cfg, err := settings(fs, args, func(name string) string {
		if name == "PATROLSYNC_CORS_ORIGINS" && *corsOrigins != "" {
			return *corsOrigins // read after the flags are parsed
		}
		return getenv(name)
	})
	if err != nil {
		return err
	}
	log := logger(cfg, os.Stderr)
	log.Info("starting", "version", version, "config", cfg)
	if getenv("GOGC") == "" {
		// The live heap is small and a request's garbage dies with it: at
		// the default of 100 the collector ran every few megabytes and took
		// a seventh of the CPU under load. GOGC and GOMEMLIMIT still win.
		debug.SetGCPercent(400)
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	var accounts []seed.Account
	if *demo {
		if accounts, err = seed.Demo(ctx, a.Org, log); err != nil {
			return err
		}
	}
	if err := a.Worker.Start(ctx); err != nil {
		return err
	}
	tlsConfig, err := loadTLS(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return err
	}
	handler := api.New(api.DepsFrom(a), api.Options{BodyLimit: cfg.BodyLimit, Version: version, PushRate: cfg.PushRate, PushBurst: cfg.PushBurst, TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins}, log)
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsConfig}
	done := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			done <- server.ServeTLS(listener, "", "")
			return
		}
		done <- server.Serve(listener)
	}()
	base := cfg.BaseURL
	fmt.Fprintf(stdout, "\npatrolsync %s is listening\n  Guard app: %s/app/\n  Console:   %s/console/\n  API:       %s/v1\n  API docs:  %s/docs/\n  Health:    %s/healthz\n\n",
		version, base, base, base, base, base)
	if len(accounts) > 0 {
		printAccounts(stdout, accounts)
		fmt.Fprintf(stdout, "\nTry:\n  curl -s %s/v1/auth/login -H 'Content-Type: application/json' \\\n"+
			"    -d '{\"email\":\"%s\",\"password\":\"%s\",\"device_id\":\"my-laptop\"}'\n\n", base, accounts[0].Email, accounts[0].Password)
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Finish what is in flight; phones retry anything cut off after this.
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := a.Worker.Stop(shutdownCtx); err != nil {
		log.Warn("background jobs did not stop cleanly", "err", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// loadTLS reads the certificate and key that make serve speak HTTPS (phones
// register the guard app's service worker only on a secure origin); nil
// when none is configured. A renewed pair (certbot rewriting the files) is
// picked up at the next handshake, with no restart.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		return nil, nil
	}
	pair := &certificatePair{certFile: certFile, keyFile: keyFile}
	if _, err := pair.current(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return pair.current()
	}}, nil
}

// certificatePair is a certificate and key on disk, read again when either
// file changes. A pair that fails to load (say, half renewed) leaves the
// previous one in use.
type certificatePair struct {
	certFile, keyFile string

	mu          sync.Mutex
	certificate *tls.Certificate
	loaded      [2]time.Time // modification times of the files when read
}

func (pair *certificatePair) current() (*tls.Certificate, error) {
	pair.mu.Lock()
	defer pair.mu.Unlock()
	certInfo, certErr := os.Stat(pair.certFile)
	keyInfo, keyErr := os.Stat(pair.keyFile)
	if certErr == nil && keyErr == nil && pair.certificate != nil &&
		certInfo.ModTime().Equal(pair.loaded[0]) && keyInfo.ModTime().Equal(pair.loaded[1]) {
		return pair.certificate, nil
	}
	certificate, err := tls.LoadX509KeyPair(pair.certFile, pair.keyFile)
	if err != nil {
		if pair.certificate != nil {
			return pair.certificate, nil
		}
		return nil, fmt.Errorf("PATROLSYNC_TLS_CERT=%s, PATROLSYNC_TLS_KEY=%s: %w", pair.certFile, pair.keyFile, err)
	}
	pair.certificate = &certificate
	if certErr == nil && keyErr == nil {
		pair.loaded = [2]time.Time{certInfo.ModTime(), keyInfo.ModTime()}
	}
	return pair.certificate, nil
}

// servePprof serves Go's profiler on a loopback address of its own, so that
// an operator can see where a busy server spends its CPU; it is never on the
// API's listener.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	log.Info("profiler listening", "addr", addr)
	server := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := server.ListenAndServe(); err != nil {
		log.Warn("profiler stopped", "err", err)
	}
}
