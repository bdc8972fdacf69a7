package qrscan

import (
	"fmt"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Code is a QR code as its modules: Size × Size, quiet zone included,
// Modules one "1" (dark) or "0" (light) per module, row by row. A browser
// draws it on a canvas at any scale, sharp.
type Code struct {
	Size    int    `json:"size"`
	Modules string `json:"modules"`
}

// quietZone is the light border the QR specification asks for, in modules.
const quietZone = 4

// Encode makes the QR code of text (UTF-8, error correction level M: a
// phone screen photographed by another phone, a little glare allowed).
// Text longer than a QR code holds is an error.
func Encode(text string) (Code, error) {
	if text == "" {
		return Code{}, fmt.Errorf("qrscan: nothing to encode")
	}
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           quietZone,
	}
	matrix, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return Code{}, fmt.Errorf("qrscan: %d bytes do not fit a QR code: %w", len(text), err)
	}
	size := matrix.GetWidth()
	var modules strings.Builder
	modules.Grow(size * size)
	for y := range size {
		for x := range size {
			if matrix.Get(x, y) {
				modules.WriteByte('1')
			} else {
				modules.WriteByte('0')
			}
		}
	}
	return Code{Size: size, Modules: modules.String()}, nil
}
