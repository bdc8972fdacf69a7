// Package config reads the server's settings from the environment. It
// reports every problem at once and never logs a secret in clear.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server needs to start. Constructors receive the
// fields they need, never the whole Config.
type Config struct {
	Addr            string        // PATROLSYNC_ADDR
	BaseURL         string        // PATROLSYNC_BASE_URL: how clients reach this server
	DatabaseURL     string        // PATROLSYNC_DATABASE_URL
	Blobs           string        // PATROLSYNC_BLOBS
	VarDir          string        // PATROLSYNC_VAR_DIR: where the embedded default keeps its files
	JWTSecret       []byte        // PATROLSYNC_JWT_SECRET(_FILE)
	JWTPrevious     [][]byte      // PATROLSYNC_JWT_PREVIOUS_SECRETS(_FILE): comma-separated retired keys that still verify
	BlobSecret      []byte        // PATROLSYNC_BLOB_SECRET(_FILE): signs local-blob upload URLs
	AccessTTL       time.Duration // PATROLSYNC_ACCESS_TTL
	RefreshTTL      time.Duration // PATROLSYNC_REFRESH_TTL
	BcryptCost      int           // PATROLSYNC_BCRYPT_COST
	Migrate         bool          // PATROLSYNC_MIGRATE: apply pending migrations on serve
	BodyLimit       int64         // PATROLSYNC_BODY_LIMIT: bytes per request body
	ShutdownTimeout time.Duration // PATROLSYNC_SHUTDOWN_TIMEOUT
	LogLevel        slog.Level    // PATROLSYNC_LOG_LEVEL
	LogFormat       string        // PATROLSYNC_LOG_FORMAT: json or text
	JobWorkers      int           // PATROLSYNC_JOB_WORKERS: background jobs run at once per replica
	JobPoll         time.Duration // PATROLSYNC_JOB_POLL: how often idle job workers look for work
	ChangeRetention time.Duration // PATROLSYNC_CHANGE_RETENTION: how long superseded sync tombstones are kept
	TrustedProxies  []*net.IPNet  // PATROLSYNC_TRUSTED_PROXIES: comma-separated CIDRs whose X-Forwarded-For is believed
	CORSOrigins     []string      // PATROLSYNC_CORS_ORIGINS: comma-separated origins whose pages may call the API from a browser
	PushRate        float64       // PATROLSYNC_PUSH_RATE: pushes per second per session (0: unlimited)
	PushBurst       int           // PATROLSYNC_PUSH_BURST
	RoundGrace      time.Duration // PATROLSYNC_ROUND_GRACE: scans this long after a window still count as on time
	RoundSyncDelay  time.Duration // PATROLSYNC_ROUND_SYNC_DELAY: how long offline devices get to deliver scans before a round is judged
	ScanClockSkew   time.Duration // PATROLSYNC_SCAN_CLOCK_SKEW: device/server (or GPS) clock disagreement that flags a scan
	RoundHorizon    time.Duration // PATROLSYNC_ROUND_HORIZON: how far ahead rounds are materialised

	MediaMaxBytes           int64         // PATROLSYNC_MEDIA_MAX_BYTES: largest photo, signature or attachment
	MediaMultipartThreshold int64         // PATROLSYNC_MEDIA_MULTIPART_THRESHOLD: larger blobs upload in parts
	MediaPartSize           int64         // PATROLSYNC_MEDIA_PART_SIZE: bytes per part (at least 5 MiB)
	MediaMaxPerInspection   int           // PATROLSYNC_MEDIA_MAX_PER_INSPECTION
	MediaOrphanGrace        time.Duration // PATROLSYNC_MEDIA_ORPHAN_GRACE: unlinked blobs are collected after this

	PprofAddr string // PATROLSYNC_PPROF_ADDR: loopback address for Go's profiler (unset: off)

	TLSCert string // PATROLSYNC_TLS_CERT: PEM certificate chain; with TLSKey, serve terminates HTTPS
	TLSKey  string // PATROLSYNC_TLS_KEY: PEM private key of TLSCert

	// Email through SMTP (incident notifications). No address: emails are
	// recorded and stay queued with that error.
	SMTPAddr     string // PATROLSYNC_SMTP_ADDR: host:port of the mail server
	SMTPFrom     string // PATROLSYNC_SMTP_FROM: the sender address
	SMTPUsername string // PATROLSYNC_SMTP_USERNAME: with the password, AUTH PLAIN
	SMTPPassword string // PATROLSYNC_SMTP_PASSWORD(_FILE)
	SMTPTLS      string // PATROLSYNC_SMTP_TLS: starttls (default), tls (implicit, port 465) or none
}

// Defaults are the embedded, single-machine settings used by `make run`.
var Defaults = map[string]string{
	"PATROLSYNC_ADDR":             "127.0.0.1:8080",
	"PATROLSYNC_VAR_DIR":          "./var",
	"PATROLSYNC_DATABASE_URL":     "sqlite://./var/patrolsync.db",
	"PATROLSYNC_BLOBS":            "file://./var/blobs",
	"PATROLSYNC_ACCESS_TTL":       "15m",
	"PATROLSYNC_REFRESH_TTL":      "720h",
	"PATROLSYNC_BCRYPT_COST":      "10",
	"PATROLSYNC_MIGRATE":          "true",
	"PATROLSYNC_BODY_LIMIT":       "4194304",
	"PATROLSYNC_SHUTDOWN_TIMEOUT": "20s",
	"PATROLSYNC_LOG_LEVEL":        "info",
	"PATROLSYNC_LOG_FORMAT":       "json",
	"PATROLSYNC_JOB_WORKERS":      "4",
	"PATROLSYNC_JOB_POLL":         "1s",
	"PATROLSYNC_CHANGE_RETENTION": "720h",
	"PATROLSYNC_PUSH_RATE":        "20",
	"PATROLSYNC_PUSH_BURST":       "60",
	"PATROLSYNC_ROUND_GRACE":      "15m",
	"PATROLSYNC_ROUND_SYNC_DELAY": "1h",
	"PATROLSYNC_SCAN_CLOCK_SKEW":  "5m",
	"PATROLSYNC_ROUND_HORIZON":    "48h",

	"PATROLSYNC_MEDIA_MAX_BYTES":           "104857600",
	"PATROLSYNC_MEDIA_MULTIPART_THRESHOLD": "8388608",
	"PATROLSYNC_MEDIA_PART_SIZE":           "8388608",
	"PATROLSYNC_MEDIA_MAX_PER_INSPECTION":  "200",
	"PATROLSYNC_MEDIA_ORPHAN_GRACE":        "24h",
}

// Load reads the configuration through getenv (tests pass a map lookup).
// Secrets left unset are generated once and kept under VarDir.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return Defaults[name]
	}
	var problems []error
	var c Config
	c.Addr = get("PATROLSYNC_ADDR")
	c.VarDir = get("PATROLSYNC_VAR_DIR")
	c.DatabaseURL = get("PATROLSYNC_DATABASE_URL")
	c.Blobs = get("PATROLSYNC_BLOBS")
	c.TLSCert, c.TLSKey = get("PATROLSYNC_TLS_CERT"), get("PATROLSYNC_TLS_KEY")
	if (c.TLSCert == "") != (c.TLSKey == "") {
		problems = append(problems, errors.New("PATROLSYNC_TLS_CERT and PATROLSYNC_TLS_KEY: give both (HTTPS) or neither (HTTP)"))
	}
	c.BaseURL = strings.TrimRight(get("PATROLSYNC_BASE_URL"), "/")
	if c.BaseURL == "" && c.TLSCert != "" {
		c.BaseURL = "https://" + c.Addr
	} else if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		problems = append(problems, errors.New("PATROLSYNC_DATABASE_URL: want postgres://... or sqlite:///path/file.db"))
	}
	if !strings.HasPrefix(c.Blobs, "file://") && !strings.HasPrefix(c.Blobs, "s3://") {
		problems = append(problems, errors.New("PATROLSYNC_BLOBS: want file:///dir or s3://bucket?endpoint=host:port"))
	}
	c.AccessTTL = duration(get, "PATROLSYNC_ACCESS_TTL", &problems)
	c.RefreshTTL = duration(get, "PATROLSYNC_REFRESH_TTL", &problems)
	c.ShutdownTimeout = duration(get, "PATROLSYNC_SHUTDOWN_TIMEOUT", &problems)
	c.BcryptCost = integer(get, "PATROLSYNC_BCRYPT_COST", 4, 31, &problems)
	c.JobWorkers = integer(get, "PATROLSYNC_JOB_WORKERS", 1, 100, &problems)
	c.JobPoll = duration(get, "PATROLSYNC_JOB_POLL", &problems)
	c.ChangeRetention = duration(get, "PATROLSYNC_CHANGE_RETENTION", &problems)
	c.PushBurst = integer(get, "PATROLSYNC_PUSH_BURST", 1, 100000, &problems)
	for _, cidr := range strings.Split(get("PATROLSYNC_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			problems = append(problems, fmt.Errorf("PATROLSYNC_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", cidr))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, network)
	}
	c.CORSOrigins = corsOrigins(get("PATROLSYNC_CORS_ORIGINS"), &problems)
	pushRate, err := strconv.ParseFloat(get("PATROLSYNC_PUSH_RATE"), 64)
	if err != nil || pushRate < 0 {
		problems = append(problems, errors.New("PATROLSYNC_PUSH_RATE: want a number of pushes per second, 0 for no limit"))
	}
	c.PushRate = pushRate
	c.RoundGrace = duration(get, "PATROLSYNC_ROUND_GRACE", &problems)
	c.RoundSyncDelay = duration(get, "PATROLSYNC_ROUND_SYNC_DELAY", &problems)
	c.ScanClockSkew = duration(get, "PATROLSYNC_SCAN_CLOCK_SKEW", &problems)
	c.RoundHorizon = duration(get, "PATROLSYNC_ROUND_HORIZON", &problems)
	c.BodyLimit = int64(integer(get, "PATROLSYNC_BODY_LIMIT", 1024, 1<<30, &problems))
	c.MediaMaxBytes = int64(integer(get, "PATROLSYNC_MEDIA_MAX_BYTES", 1, 5<<30, &problems))
	c.MediaMultipartThreshold = int64(integer(get, "PATROLSYNC_MEDIA_MULTIPART_THRESHOLD", 5<<20, 5<<30, &problems))
	c.MediaPartSize = int64(integer(get, "PATROLSYNC_MEDIA_PART_SIZE", 5<<20, 5<<30, &problems))
	c.MediaMaxPerInspection = integer(get, "PATROLSYNC_MEDIA_MAX_PER_INSPECTION", 1, 100000, &problems)
	c.MediaOrphanGrace = duration(get, "PATROLSYNC_MEDIA_ORPHAN_GRACE", &problems)
	migrate, err := strconv.ParseBool(get("PATROLSYNC_MIGRATE"))
	if err != nil {
		problems = append(problems, errors.New("PATROLSYNC_MIGRATE: want true or false"))
	}
	c.Migrate = migrate
	smtpSettings(&c, getenv, get, &problems)
	c.PprofAddr = get("PATROLSYNC_PPROF_ADDR")
	if c.PprofAddr != "" && !loopback(c.PprofAddr) {
		problems = append(problems, errors.New("PATROLSYNC_PPROF_ADDR: want a loopback address such as 127.0.0.1:6060 (profiles are not for the network)"))
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("PATROLSYNC_LOG_LEVEL"))); err != nil {
		problems = append(problems, errors.New("PATROLSYNC_LOG_LEVEL: want debug, info, warn or error"))
	}
	c.LogFormat = get("PATROLSYNC_LOG_FORMAT")
	if c.LogFormat != "json" && c.LogFormat != "text" {
		problems = append(problems, errors.New("PATROLSYNC_LOG_FORMAT: want json or text"))
	}
	c.JWTSecret = secret(getenv, "PATROLSYNC_JWT_SECRET", c.VarDir, "jwt.secret", &problems)
	c.BlobSecret = secret(getenv, "PATROLSYNC_BLOB_SECRET", c.VarDir, "blob.secret", &problems)
	if previous := secretList(getenv, "PATROLSYNC_JWT_PREVIOUS_SECRETS", &problems); previous != nil {
		c.JWTPrevious = previous
	}
	if c.JWTSecret != nil && len(c.JWTSecret) < 32 {
		problems = append(problems, errors.New("PATROLSYNC_JWT_SECRET: must be at least 32 bytes"))
	}
	return c, errors.Join(problems...)
}

// corsOrigins parses the origins allowed to call the API from a browser:
// scheme, host and port, nothing else. "*" is refused: the API takes bearer
// tokens, so an origin is trusted by name or not at all (a "*" inside a
// host, https://*.example.com, matches subdomains).
func corsOrigins(list string, problems *[]error) []string {
	var out []string
	for _, origin := range strings.Split(list, ",") {
		origin = strings.TrimSpace(origin)
		if origin == "" {
			continue
		}
		u, err := url.Parse(origin)
		if origin == "*" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			*problems = append(*problems, fmt.Errorf("PATROLSYNC_CORS_ORIGINS: %q is not an origin such as https://console.example.com", origin))
			continue
		}
		out = append(out, strings.ToLower(origin))
	}
	return out
}

// LogValue masks secrets so that the config can be logged at start-up.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("base_url", c.BaseURL),
		slog.String("tls_cert", c.TLSCert),
		slog.String("smtp_addr", c.SMTPAddr),
		slog.String("smtp_from", c.SMTPFrom),
		slog.String("database_url", maskURL(c.DatabaseURL)),
		slog.String("blobs", maskURL(c.Blobs)),
		slog.String("var_dir", c.VarDir),
		slog.String("jwt_secret", "[set]"),
		slog.Duration("access_ttl", c.AccessTTL),
		slog.Duration("refresh_ttl", c.RefreshTTL),
		slog.Bool("migrate", c.Migrate),
		slog.Int64("body_limit", c.BodyLimit),
		slog.Any("cors_origins", c.CORSOrigins),
	)
}

// loopback reports whether addr is host:port on a loopback interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func duration(get func(string) string, name string, problems *[]error) time.Duration {
	d, err := time.ParseDuration(get(name))
	if err != nil || d <= 0 {
		*problems = append(*problems, fmt.Errorf("%s: want a positive duration such as 15m", name))
	}
	return d
}

func integer(get func(string) string, name string, lo, hi int, problems *[]error) int {
	n, err := strconv.Atoi(get(name))
	if err != nil || n < lo || n > hi {
		*problems = append(*problems, fmt.Errorf("%s: want a whole number from %d to %d", name, lo, hi))
	}
	return n
}

// secret reads NAME, else the file named by NAME_FILE, else a random value
// generated once and kept in varDir/file (0600) so restarts keep sessions.
func secret(getenv func(string) string, name, varDir, file string, problems *[]error) []byte {
	if v := getenv(name); v != "" {
		return []byte(v)
	}
	if path := getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			*problems = append(*problems, fmt.Errorf("%s_FILE: %w", name, err))
			return nil
		}
		return []byte(strings.TrimSpace(string(b)))
	}
	path := filepath.Join(varDir, file)
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return []byte(strings.TrimSpace(string(b)))
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		*problems = append(*problems, fmt.Errorf("%s: generate: %w", name, err))
		return nil
	}
	value := hex.EncodeToString(raw)
	if err := os.MkdirAll(varDir, 0o700); err != nil {
		*problems = append(*problems, fmt.Errorf("%s: unset, and %s cannot hold a generated one: %w", name, varDir, err))
		return nil
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		*problems = append(*problems, fmt.Errorf("%s: unset, and cannot keep a generated one: %w", name, err))
		return nil
	}
	return []byte(value)
}

// secretList reads a comma-separated list of secrets from NAME or NAME_FILE.
func secretList(getenv func(string) string, name string, problems *[]error) [][]byte {
	raw := getenv(name)
	if path := getenv(name + "_FILE"); raw == "" && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			*problems = append(*problems, fmt.Errorf("%s_FILE: %w", name, err))
			return nil
		}
		raw = string(b)
	}
	var out [][]byte
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part != "" {
			if len(part) < 32 {
				*problems = append(*problems, fmt.Errorf("%s: every key must be at least 32 bytes", name))
			}
			out = append(out, []byte(part))
		}
	}
	return out
}

// maskURL hides a password or secret query value in a connection URL.
func maskURL(raw string) string {
	out := raw
	if at := strings.Index(out, "@"); at > 0 {
		if scheme := strings.Index(out, "://"); scheme >= 0 && scheme < at {
			userinfo := out[scheme+3 : at]
			if colon := strings.Index(userinfo, ":"); colon >= 0 {
				out = out[:scheme+3] + userinfo[:colon] + ":***" + out[at:]
			}
		}
	}
	for _, key := range []string{"secret_key=", "password="} {
		if i := strings.Index(out, key); i >= 0 {
			end := strings.IndexAny(out[i:], "&")
			if end < 0 {
				end = len(out) - i
			}
			out = out[:i+len(key)] + "***" + out[i+end:]
		}
	}
	return out
}

// smtpSettings reads PATROLSYNC_SMTP_*: all or nothing about the server.
func smtpSettings(c *Config, getenv, get func(string) string, problems *[]error) {
	c.SMTPAddr, c.SMTPFrom, c.SMTPUsername = get("PATROLSYNC_SMTP_ADDR"), get("PATROLSYNC_SMTP_FROM"), get("PATROLSYNC_SMTP_USERNAME")
	c.SMTPTLS = get("PATROLSYNC_SMTP_TLS")
	c.SMTPPassword = getenv("PATROLSYNC_SMTP_PASSWORD")
	if path := getenv("PATROLSYNC_SMTP_PASSWORD_FILE"); c.SMTPPassword == "" && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			*problems = append(*problems, fmt.Errorf("PATROLSYNC_SMTP_PASSWORD_FILE: %w", err))
		}
		c.SMTPPassword = strings.TrimSpace(string(b))
	}
	if c.SMTPTLS == "" {
		c.SMTPTLS = "starttls"
	}
	if c.SMTPTLS != "starttls" && c.SMTPTLS != "tls" && c.SMTPTLS != "none" {
		*problems = append(*problems, errors.New("PATROLSYNC_SMTP_TLS: want starttls, tls or none"))
	}
	if c.SMTPAddr == "" {
		return
	}
	if _, port, err := net.SplitHostPort(c.SMTPAddr); err != nil || port == "" {
		*problems = append(*problems, errors.New("PATROLSYNC_SMTP_ADDR: want host:port such as smtp.example.com:587"))
	}
	if address, err := mail.ParseAddress(c.SMTPFrom); err != nil || address.Address != c.SMTPFrom {
		*problems = append(*problems, errors.New("PATROLSYNC_SMTP_FROM: want the sender address, such as patrolsync@example.com"))
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		*problems = append(*problems, errors.New("PATROLSYNC_SMTP_USERNAME and PATROLSYNC_SMTP_PASSWORD: give both or neither"))
	}
}
