package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCertificate writes a self-signed certificate for 127.0.0.1 and its
// key as PEM files in a new directory and returns their paths and the
// certificate.
func writeCertificate(t *testing.T) (string, string, *x509.Certificate) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	return certFile, keyFile, writeCertificateTo(t, certFile, keyFile, 1)
}

// writeCertificateTo writes a pair with the given serial number over the
// files, dated a second later than what was there (as a renewal is).
func writeCertificateTo(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "patrolsync test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certificate, _ := x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	stamp := time.Now().Add(time.Duration(serial) * time.Second)
	for name, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(name, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	return certificate
}

// serve answers HTTPS with the configured certificate, and with the renewed
// one as soon as the files are replaced.
func TestLoadTLS(t *testing.T) {
	certFile, keyFile, certificate := writeCertificate(t)
	config, err := loadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{TLSConfig: config, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secure"))
	})}
	go server.ServeTLS(listener, "", "")
	defer server.Close()
	roots := x509.NewCertPool()
	roots.AddCert(certificate)
	serial := func() int64 {
		t.Helper()
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}
		res, err := client.Get("https://" + listener.Addr().String() + "/")
		if err != nil {
			t.Fatalf("HTTPS request: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
			t.Fatalf("answered %d over %+v", res.StatusCode, res.TLS)
		}
		return res.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	if got := serial(); got != 1 {
		t.Fatalf("served certificate %d, want 1", got)
	}
	roots.AddCert(writeCertificateTo(t, certFile, keyFile, 2))
	if got := serial(); got != 2 {
		t.Fatalf("after renewal served certificate %d, want 2", got)
	}
	// A broken renewal keeps the working certificate in use.
	os.WriteFile(keyFile, []byte("half written"), 0o600)
	if got := serial(); got != 2 {
		t.Fatalf("after a broken renewal served certificate %d, want 2", got)
	}
}

func TestLoadTLSErrors(t *testing.T) {
	if config, err := loadTLS("", ""); config != nil || err != nil {
		t.Fatalf("no certificate gave %v, %v; want plain HTTP", config, err)
	}
	certFile, _, _ := writeCertificate(t)
	_, err := loadTLS(certFile, filepath.Join(t.TempDir(), "missing.pem"))
	if err == nil || !strings.Contains(err.Error(), "PATROLSYNC_TLS_KEY") {
		t.Fatalf("a missing key gave %v, want an error naming PATROLSYNC_TLS_KEY", err)
	}
}
