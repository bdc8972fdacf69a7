// Package qrscan reads a QR code from a camera frame, and encodes the codes
// printed on checkpoint labels (Modules). Browsers without
// BarcodeDetector (Safari on iPhones) scan checkpoint tags with it through
// the engine's WebAssembly build (cmd/engine-wasm), so every phone can scan.
// It never keeps a frame.
package qrscan

import (
	"errors"
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode means the frame holds no readable QR code: try the next one.
var ErrNoCode = errors.New("no QR code in the frame")

// DecodeRGBA reads the QR code in a frame of width × height pixels, four
// bytes per pixel (canvas ImageData order: red, green, blue, alpha).
func DecodeRGBA(width, height int, pixels []byte) (string, error) {
	if width <= 0 || height <= 0 || len(pixels) != width*height*4 {
		return "", fmt.Errorf("qrscan: %d bytes is not a %d×%d RGBA frame", len(pixels), width, height)
	}
	frame := &image.RGBA{Pix: pixels, Stride: width * 4, Rect: image.Rect(0, 0, width, height)}
	// gozxing's finder-pattern search misses a few percent of perfectly
	// clean codes (a screenshot, a rendered label: about 2 in 100 of
	// random countersign proofs), so a frame it misses is read again with
	// the other binarizer, then as a pure, axis-aligned code. A camera
	// frame it cannot read costs the retries and stays ErrNoCode.
	for _, attempt := range attempts {
		bitmap, err := attempt.bitmap(frame)
		if err != nil {
			return "", fmt.Errorf("qrscan: %w", err)
		}
		result, err := qrcode.NewQRCodeReader().Decode(bitmap, attempt.hints)
		if err == nil {
			return result.GetText(), nil
		}
	}
	// Not found, a checksum or a format failure: all mean this frame did
	// not give a code, which is normal while the guard aims.
	return "", ErrNoCode
}

// attempts are the ways a frame is read, cheapest and most general first.
var attempts = []struct {
	bitmap func(image.Image) (*gozxing.BinaryBitmap, error)
	hints  map[gozxing.DecodeHintType]any
}{
	{hybrid, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}},
	{globalHistogram, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}},
	{hybrid, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}},
}

func hybrid(frame image.Image) (*gozxing.BinaryBitmap, error) {
	return gozxing.NewBinaryBitmapFromImage(frame)
}

func globalHistogram(frame image.Image) (*gozxing.BinaryBitmap, error) {
	return gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(gozxing.NewLuminanceSourceFromImage(frame)))
}
