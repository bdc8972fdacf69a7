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

// TestFitThumbnailKeepsTheColours checks that handing the encoder RGBA
// (asRGBA) changes no colour, translucent pixels included: every pixel
// reads back as imaging's own NRGBA result does.
func TestFitThumbnailKeepsTheColours(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), uint8(x * y)})
		}
	}
	want := imaging.Fit(img, ThumbnailSize, ThumbnailSize, imaging.Box)
	got := fitThumbnail(img)
	for y := range want.Bounds().Dy() {
		for x := range want.Bounds().Dx() {
			wr, wg, wb, wa := want.At(x, y).RGBA()
			gr, gg, gb, ga := got.At(x, y).RGBA()
			if far(wr, gr) || far(wg, gg) || far(wb, gb) || wa != ga {
				t.Fatalf("pixel (%d, %d) is %v, imaging made %v", x, y, got.At(x, y), want.At(x, y))
			}
		}
	}
}

// far says two 16-bit colour channels differ by more than one 8-bit step
// (premultiplying rounds once, image/color's conversion once more).
func far(a, b uint32) bool { return max(a, b)-min(a, b) > 0x101 }

// BenchmarkThumbnail is the thumbnail job's CPU without its I/O: decode
// the day scenario's photo, fit it, encode the JPEG. -cpu 1 gives the CPU
// per thumbnail (imaging spreads a resize over every core).
// Branch day17b, CPU time per thumbnail at -cpu 1 on a machine at load
// 27–36 (so only the ratio carries): 10.3–10.5 ms before asRGBA, 8.6–9.0
// ms with it.
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
