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

// Encode makes the QR code of text for a screen, quiet zone included.
// Text longer than a QR code holds is an error.
func Encode(text string) (Code, error) {
	if text == "" {
		return Code{}, fmt.Errorf("qrscan: nothing to encode")
	}
	matrix, err := encode(text, quietZone)
	if err != nil {
		return Code{}, err
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

// Modules encodes text as a QR code for print and returns its modules, row
// by row, true for dark, without the quiet zone (the printer leaves that
// margin).
func Modules(text string) ([][]bool, error) {
	matrix, err := encode(text, 0)
	if err != nil {
		return nil, err
	}
	out := make([][]bool, matrix.GetHeight())
	for y := range out {
		out[y] = make([]bool, matrix.GetWidth())
		for x := range out[y] {
			out[y][x] = matrix.Get(x, y)
		}
	}
	return out, nil
}

// encode is the one QR encoder: UTF-8, error correction level M (a phone
// screen photographed with some glare, a printed label with some scuffing).
func encode(text string, margin int) (*gozxing.BitMatrix, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           margin,
	}
	matrix, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("qrscan: %d bytes do not fit a QR code: %w", len(text), err)
	}
	return matrix, nil
}
