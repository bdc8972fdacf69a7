package main

import (
	"bytes"
	"crypto/sha256"
	"image"
	_ "image/jpeg" // decoders for image.Decode
	_ "image/png"
	"testing"
)

// TestStampedImagesDecodeAndDiffer: every upload's bytes must differ (or
// the server deduplicates it away) and still decode (the thumbnail job
// decodes them).
func TestStampedImagesDecodeAndDiffer(t *testing.T) {
	images, err := newImages()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stamp func([]byte, string) []byte
		file  []byte
		want  string
	}{
		{"photo", stampJPEG, images.photo, "jpeg"},
		{"signature", stampPNG, images.signature, "png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.stamp(tc.file, newID()), tc.stamp(tc.file, newID())
			if sha256.Sum256(a) == sha256.Sum256(b) {
				t.Fatal("two stamps gave the same bytes")
			}
			for _, file := range [][]byte{a, b} {
				_, kind, err := image.Decode(bytes.NewReader(file))
				if err != nil || kind != tc.want {
					t.Fatalf("decoded as %q, %v; want %s", kind, err, tc.want)
				}
			}
		})
	}
}
