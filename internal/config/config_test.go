package config

import (
	"strings"
	"testing"
)

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	env := map[string]string{
		"PATROLSYNC_DATABASE_URL": "mysql://nope", "PATROLSYNC_BLOBS": "ftp://x", "PATROLSYNC_ACCESS_TTL": "soon",
		"PATROLSYNC_BCRYPT_COST": "99", "PATROLSYNC_LOG_LEVEL": "loud", "PATROLSYNC_JWT_SECRET": "short",
		"PATROLSYNC_VAR_DIR": t.TempDir(),
	}
	_, err := Load(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("bad settings loaded")
	}
	for _, name := range []string{"DATABASE_URL", "BLOBS", "ACCESS_TTL", "BCRYPT_COST", "LOG_LEVEL", "JWT_SECRET"} {
		if !strings.Contains(err.Error(), "PATROLSYNC_"+name) {
			t.Errorf("error does not name PATROLSYNC_%s:\n%v", name, err)
		}
	}
}

func TestSecretsAreGeneratedOnceAndNeverLogged(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PATROLSYNC_VAR_DIR": dir, "PATROLSYNC_DATABASE_URL": "postgres://u:hunter2@db/x?sslmode=disable",
		"PATROLSYNC_BLOBS": "s3://b?endpoint=h:1&secret_key=s3cr3t&access_key=a"}
	first, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Load(func(k string) string { return env[k] })
	if string(first.JWTSecret) != string(second.JWTSecret) || len(first.JWTSecret) < 32 {
		t.Fatal("the generated JWT secret is not kept across restarts")
	}
	logged := first.LogValue().String()
	for _, secret := range []string{"hunter2", "s3cr3t", string(first.JWTSecret)} {
		if strings.Contains(logged, secret) {
			t.Fatalf("config log shows a secret: %s", logged)
		}
	}
}

func TestPreviousJWTSecretsForRotation(t *testing.T) {
	old := strings.Repeat("o", 32) + "," + strings.Repeat("p", 40)
	env := map[string]string{"PATROLSYNC_VAR_DIR": t.TempDir(), "PATROLSYNC_JWT_SECRET": strings.Repeat("n", 32),
		"PATROLSYNC_JWT_PREVIOUS_SECRETS": old}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil || len(c.JWTPrevious) != 2 {
		t.Fatalf("previous secrets = %d, %v", len(c.JWTPrevious), err)
	}
}

func TestProfilerOnlyOnLoopback(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"", true}, {"127.0.0.1:6060", true}, {"localhost:6060", true}, {"[::1]:6060", true},
		{"0.0.0.0:6060", false}, {"10.0.0.5:6060", false}, {":6060", false}, {"6060", false},
	}
	for _, tc := range cases {
		t.Run(tc.addr, func(t *testing.T) {
			env := map[string]string{"PATROLSYNC_VAR_DIR": t.TempDir(), "PATROLSYNC_PPROF_ADDR": tc.addr}
			c, err := Load(func(k string) string { return env[k] })
			if tc.ok && (err != nil || c.PprofAddr != tc.addr) {
				t.Fatalf("%q refused: %v", tc.addr, err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "PATROLSYNC_PPROF_ADDR")) {
				t.Fatalf("%q accepted (err %v)", tc.addr, err)
			}
		})
	}
}

// HTTPS needs both a certificate and its key; with them the base URL
// defaults to https.
func TestTLSTakesCertificateAndKey(t *testing.T) {
	cases := []struct {
		name, cert, key, base string
		ok                    bool
	}{
		{name: "plain HTTP", base: "http://127.0.0.1:8080", ok: true},
		{name: "HTTPS", cert: "/etc/cert.pem", key: "/etc/key.pem", base: "https://127.0.0.1:8080", ok: true},
		{name: "certificate only", cert: "/etc/cert.pem"},
		{name: "key only", key: "/etc/key.pem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PATROLSYNC_VAR_DIR": t.TempDir(), "PATROLSYNC_TLS_CERT": tc.cert, "PATROLSYNC_TLS_KEY": tc.key}
			c, err := Load(func(k string) string { return env[k] })
			if tc.ok && (err != nil || c.BaseURL != tc.base) {
				t.Fatalf("base URL %q, error %v; want %q", c.BaseURL, err, tc.base)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "PATROLSYNC_TLS_KEY")) {
				t.Fatalf("accepted (err %v)", err)
			}
		})
	}
}

func TestCORSOrigins(t *testing.T) {
	cases := []struct {
		name, value string
		want        []string
		ok          bool
	}{
		{"none by default", "", nil, true},
		{"a list", " https://Console.example.com , http://localhost:5173", []string{"https://console.example.com", "http://localhost:5173"}, true},
		{"subdomains", "https://*.example.com", []string{"https://*.example.com"}, true},
		{"any origin", "*", nil, false},
		{"a path", "https://console.example.com/app", nil, false},
		{"no scheme", "console.example.com", nil, false},
		{"another scheme", "ftp://console.example.com", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PATROLSYNC_VAR_DIR": t.TempDir(), "PATROLSYNC_CORS_ORIGINS": tc.value}
			c, err := Load(func(k string) string { return env[k] })
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), "PATROLSYNC_CORS_ORIGINS") {
					t.Fatalf("%q loaded: %v", tc.value, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(c.CORSOrigins, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("origins = %q, want %q", c.CORSOrigins, tc.want)
			}
		})
	}
}
