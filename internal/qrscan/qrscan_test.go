package qrscan

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// frame draws text as a QR code of moduleSize pixels per module, offset on a
// grey background as a camera would see a tag, and returns RGBA bytes.
func frame(t *testing.T, text string, width, height, moduleSize int) []byte {
	t.Helper()
	matrix, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{190, 190, 180, 255}}, image.Point{}, draw.Src)
	offsetX, offsetY := width/5, height/6
	for y := 0; y < matrix.GetHeight(); y++ {
		for x := 0; x < matrix.GetWidth(); x++ {
			shade := color.RGBA{250, 250, 250, 255}
			if matrix.Get(x, y) {
				shade = color.RGBA{20, 20, 30, 255}
			}
			cell := image.Rect(offsetX+x*moduleSize, offsetY+y*moduleSize, offsetX+(x+1)*moduleSize, offsetY+(y+1)*moduleSize)
			draw.Draw(img, cell, &image.Uniform{shade}, image.Point{}, draw.Src)
		}
	}
	return img.Pix
}

func TestDecodeRGBA(t *testing.T) {
	const width, height = 480, 360
	got, err := DecodeRGBA(width, height, frame(t, "GATE-01 站点A", width, height, 6))
	if err != nil || got != "GATE-01 站点A" {
		t.Fatalf("decoded %q, %v; want the tag", got, err)
	}
}

func TestDecodeRGBANoCode(t *testing.T) {
	blank := image.NewRGBA(image.Rect(0, 0, 64, 48))
	if _, err := DecodeRGBA(64, 48, blank.Pix); !errors.Is(err, ErrNoCode) {
		t.Fatalf("a blank frame gave %v, want ErrNoCode", err)
	}
	if _, err := DecodeRGBA(64, 48, blank.Pix[:100]); err == nil || errors.Is(err, ErrNoCode) {
		t.Fatalf("a short frame gave %v, want a size error", err)
	}
}
