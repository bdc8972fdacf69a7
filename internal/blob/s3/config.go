package s3

import (
	"net/url"
	"strconv"

	"github.com/patrolsync/patrolsync/internal/errs"
)

// S3Config says where the bucket is and how to reach it.
type S3Config struct {
	Endpoint  string // host:port, without a scheme
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	Secure    bool // HTTPS
}

// String shows the config with the secret masked, for start-up logs.
func (c S3Config) String() string {
	secret := ""
	if c.SecretKey != "" {
		secret = "***"
	}
	return (&url.URL{Scheme: "s3", Host: c.Bucket, RawQuery: url.Values{
		"endpoint": {c.Endpoint}, "region": {c.Region}, "secure": {strconv.FormatBool(c.Secure)},
		"access_key": {c.AccessKey}, "secret_key": {secret},
	}.Encode()}).String()
}

// Origins are the web origins that presigned URLs point at, for a browser
// page's Content-Security-Policy: the endpoint, and the bucket's virtual
// host, which URLs for AWS use.
func (c S3Config) Origins() []string {
	scheme := "http"
	if c.Secure {
		scheme = "https"
	}
	return []string{scheme + "://" + c.Endpoint, scheme + "://" + c.Bucket + "." + c.Endpoint}
}

// ParseURL reads
// "s3://bucket?endpoint=host:port&region=r&secure=false&access_key=k&secret_key=s".
// The endpoint defaults to AWS (s3.amazonaws.com), the region to
// us-east-1, secure to true.
func ParseURL(raw string) (S3Config, error) {
	const op = "s3.ParseURL"
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return S3Config{}, errs.E(op, errs.Invalid, "blob URL must look like s3://bucket?endpoint=host:port&region=...", map[string]string{"url": "format"})
	}
	query := u.Query()
	cfg := S3Config{
		Endpoint:  query.Get("endpoint"),
		Region:    query.Get("region"),
		Bucket:    u.Host,
		AccessKey: query.Get("access_key"),
		SecretKey: query.Get("secret_key"),
		Secure:    true,
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "s3.amazonaws.com"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if s := query.Get("secure"); s != "" {
		if cfg.Secure, err = strconv.ParseBool(s); err != nil {
			return S3Config{}, errs.E(op, errs.Invalid, "secure must be true or false", map[string]string{"secure": "format"})
		}
	}
	return cfg, nil
}
