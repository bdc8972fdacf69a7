package qrscan

import (
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Modules encodes text as a QR code and returns its modules, row by row,
// true for dark, without the quiet zone (the printer leaves that margin).
// Error correction is level M: a printed label survives some scuffing.
func Modules(text string) ([][]bool, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
		gozxing.EncodeHintType_MARGIN:           0,
	}
	matrix, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("qrscan: encode %q: %w", text, err)
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
