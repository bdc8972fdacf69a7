package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/disintegration/imaging"
)

// photo is a 640×480 JPEG like the day scenario's (a gradient with noise).
func photo(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	seed := uint32(1)
	for y := range 480 {
		for x := range 640 {
			seed = seed*1664525 + 1013904223
			img.Set(x, y, color.RGBA{uint8(x * 255 / 640), uint8(y * 255 / 480), 128 + uint8(seed>>27), 255})
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestFitThumbnailKeepsTheAspect(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, want image.Point
	}{
		{"landscape photo", image.Pt(640, 480), image.Pt(320, 240)},
		{"portrait photo", image.Pt(480, 640), image.Pt(240, 320)},
		{"signature", image.Pt(400, 120), image.Pt(320, 96)},
		{"already small", image.Pt(100, 50), image.Pt(100, 50)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitThumbnail(image.NewGray(image.Rectangle{Max: tc.size})).Bounds().Size()
			if got != tc.want {
				t.Errorf("a %v image fits as %v, want %v", tc.size, got, tc.want)
			}
		})
	}
}

// BenchmarkThumbnail is the thumbnail job's CPU without its I/O: decode
// the day scenario's photo, fit it, encode the JPEG. -cpu 1 gives the CPU
// per thumbnail (imaging spreads a resize over every core).
//
//	go test -run '^$' -bench Thumbnail -cpu 1 ./internal/media/
func BenchmarkThumbnail(b *testing.B) {
	data := photo(b)
	for b.Loop() {
		img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
		if err != nil {
			b.Fatal(err)
		}
		if err := jpeg.Encode(&bytes.Buffer{}, fitThumbnail(img), &jpeg.Options{Quality: 80}); err != nil {
			b.Fatal(err)
		}
	}
}
