package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
)

// images are real pictures made once, in memory: a photo-like JPEG and a
// signature-like PNG. Every upload stamps its own id into a comment (a
// JPEG COM segment, a PNG tEXt chunk), so that no two uploads have the
// same SHA-256 and the server's deduplication never skips an upload, while
// the files still decode (the thumbnail job decodes them).
type images struct {
	photo     []byte // JPEG
	signature []byte // PNG
}

func newImages() (*images, error) {
	random := rand.New(rand.NewPCG(1, 2))
	photo := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			noise := uint8(random.IntN(24))
			photo.Set(x, y, color.RGBA{uint8(x * 255 / 640), uint8(y * 255 / 480), 128 + noise, 255})
		}
	}
	var jpegBytes bytes.Buffer
	if err := jpeg.Encode(&jpegBytes, photo, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	signature := image.NewGray(image.Rect(0, 0, 400, 120))
	for i := range signature.Pix {
		signature.Pix[i] = 255
	}
	for x := 20; x < 380; x++ { // a wavy stroke
		y := 60 + int(30*wave(float64(x)/25))
		for dy := -1; dy <= 1; dy++ {
			signature.SetGray(x, y+dy, color.Gray{20})
		}
	}
	var pngBytes bytes.Buffer
	if err := png.Encode(&pngBytes, signature); err != nil {
		return nil, err
	}
	return &images{photo: jpegBytes.Bytes(), signature: pngBytes.Bytes()}, nil
}

// wave is a cheap sine-like curve in [-1, 1].
func wave(t float64) float64 {
	t -= 4 * float64(int(t/4))
	if t < 2 {
		return t - 1
	}
	return 3 - t
}

// of is medium m's bytes: the photo or the signature, stamped with its id.
func (im *images) of(m medium) []byte {
	if m.item.kind == "signature" {
		return stampPNG(im.signature, m.id)
	}
	return stampJPEG(im.photo, m.id)
}

// stampJPEG inserts a COM segment with the id right after the SOI marker.
func stampJPEG(file []byte, id string) []byte {
	out := make([]byte, 0, len(file)+4+len(id))
	out = append(out, file[:2]...) // FF D8
	out = append(out, 0xFF, 0xFE)
	out = binary.BigEndian.AppendUint16(out, uint16(2+len(id)))
	out = append(out, id...)
	return append(out, file[2:]...)
}

// stampPNG inserts a tEXt chunk with the id right after the IHDR chunk
// (8 bytes of signature, then IHDR: 4 length, 4 type, 13 data, 4 CRC).
func stampPNG(file []byte, id string) []byte {
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	data := append([]byte("Comment\x00"), id...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	typed := append([]byte("tEXt"), data...)
	chunk = append(chunk, typed...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(typed))
	out := make([]byte, 0, len(file)+len(chunk))
	out = append(out, file[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, file[afterIHDR:]...)
}
