package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/api/apitest"
	"github.com/patrolsync/patrolsync/internal/blob/s3"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// Small limits so that tests exercise every path with small files: parts
// of S3's minimum 5 MiB, blobs above 5 MiB go multipart.
var mediaSettings = []apitest.Option{
	apitest.WithSetting("PATROLSYNC_MEDIA_MULTIPART_THRESHOLD", "5242880"),
	apitest.WithSetting("PATROLSYNC_MEDIA_PART_SIZE", "5242880"),
	apitest.WithSetting("PATROLSYNC_MEDIA_MAX_BYTES", "16777216"),
	apitest.WithSetting("PATROLSYNC_MEDIA_MAX_PER_INSPECTION", "5"),
}

// eachBlobStore runs a media test on both dialects and on both blob
// stores: the local directory and the real S3 server.
func eachBlobStore(t *testing.T, fn func(t *testing.T, env *apitest.Env)) {
	t.Run("local", func(t *testing.T) {
		testenv.Each(t, func(t *testing.T, db string) { fn(t, apitest.New(t, db, mediaSettings...)) })
	})
	t.Run("s3", func(t *testing.T) {
		testenv.Each(t, func(t *testing.T, db string) {
			opts := append([]apitest.Option{apitest.WithSetting("PATROLSYNC_BLOBS", s3URL(testenv.S3(t)))}, mediaSettings...)
			fn(t, apitest.New(t, db, opts...))
		})
	})
}

func s3URL(cfg s3.S3Config) string {
	return "s3://" + cfg.Bucket + "?" + url.Values{"endpoint": {cfg.Endpoint}, "region": {cfg.Region},
		"access_key": {cfg.AccessKey}, "secret_key": {cfg.SecretKey}, "secure": {"false"}}.Encode()
}

// pngOf draws a w×h PNG with noise, so that each one has other bytes.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(rand.IntN(256)), uint8(x), uint8(y), 255})
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// bigPNG is a PNG signature followed by size-8 random bytes: it sniffs as
// image/png and is large enough to go multipart.
func bigPNG(size int) []byte {
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(rand.IntN(256))
	}
	copy(body, "\x89PNG\r\n\x1a\n")
	return body
}

func sha256Hex(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

type partUpload struct {
	Number  int               `json:"number"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

type declared struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	ContentType string `json:"content_type"`
	Upload      *struct {
		Method   string            `json:"method"`
		URL      string            `json:"url"`
		Headers  map[string]string `json:"headers"`
		PartSize int               `json:"part_size"`
		Parts    []partUpload      `json:"parts"`
	} `json:"upload"`
}

type partsAnswer struct {
	Status   string `json:"status"`
	Received []struct {
		Number int   `json:"number"`
		Size   int64 `json:"size"`
	} `json:"received"`
	Missing []partUpload `json:"missing"`
}

// declaration is a POST /v1/media body for body.
func declaration(id, inspectionID, contentType string, body []byte) map[string]any {
	return map[string]any{"id": id, "sha256": sha256Hex(body), "size": len(body), "content_type": contentType,
		"kind": "photo", "inspection_id": inspectionID, "item_key": "round_photos",
		"captured_at": time.Now().UTC().Format(time.RFC3339), "location": map[string]any{"lat": 31.2, "lng": 121.5, "accuracy_m": 8}}
}

// send makes a request to a presigned URL and returns its status.
func send(t testing.TB, method, target string, headers map[string]string, body []byte) int {
	t.Helper()
	request, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer response.Body.Close()
	io.Copy(io.Discard, response.Body)
	return response.StatusCode
}

// sendParts uploads the given parts of body.
func sendParts(t testing.TB, parts []partUpload, partSize int, body []byte, numbers ...int) {
	t.Helper()
	for _, part := range parts {
		for _, number := range numbers {
			if part.Number != number {
				continue
			}
			start := (number - 1) * partSize
			end := min(start+partSize, len(body))
			if status := send(t, part.Method, part.URL, part.Headers, body[start:end]); status != http.StatusOK {
				t.Fatalf("PUT part %d: status %d", number, status)
			}
		}
	}
}

// fetch follows a redirect answer and returns the bytes behind it.
func fetch(t testing.TB, res apitest.Response) []byte {
	t.Helper()
	location := res.Header.Get("Location")
	if res.Status != http.StatusFound || location == "" {
		t.Fatalf("status %d with Location %q, want a 302 redirect", res.Status, location)
	}
	response, err := http.Get(location)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil || response.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", location, response.StatusCode, err)
	}
	return body
}

// startInspection pushes an inspection.start for the guard and returns its id.
func startInspection(t *testing.T, env *apitest.Env, tenant *apitest.Tenant, token string) string {
	t.Helper()
	r := newReplica()
	r.pullAll(t, env, token, 200)
	templateID, number, _ := r.template(t, patrolTemplate)
	id := newID()
	_, results := push(t, env, token, []mutation{mut("inspection.start", id, map[string]any{
		"template_id": templateID, "template_version": number, "site_id": tenant.Sites[0].ID})})
	wantStatus(t, results, "applied")
	return id
}
