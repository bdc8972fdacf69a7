package apitest

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"testing"
)

// PNG draws a w×h PNG of random pixels: bytes no other test makes.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rand.IntN(256))
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Upload sends body as a declaration's upload instructions say and fails
// unless the store answers 200.
func Upload(t testing.TB, method, url string, headers map[string]string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload to %s answered %d", url, res.StatusCode)
	}
}
