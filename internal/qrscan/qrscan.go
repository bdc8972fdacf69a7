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
	bitmap, err := gozxing.NewBinaryBitmapFromImage(frame)
	if err != nil {
		return "", fmt.Errorf("qrscan: %w", err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	result, err := qrcode.NewQRCodeReader().Decode(bitmap, hints)
	if err != nil {
		// Not found, a checksum or a format failure: all mean this frame
		// did not give a code, which is normal while the guard aims.
		return "", ErrNoCode
	}
	return result.GetText(), nil
}
