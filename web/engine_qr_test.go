package web_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/patrolsync/patrolsync/internal/browsertest"
	"github.com/patrolsync/patrolsync/internal/testenv"
)

// A checkpoint's QR code drawn on a canvas, as a camera frame reaches the
// page, is read by the engine's WebAssembly decoder (the path for browsers
// without BarcodeDetector); a frame without a code gives null.
func TestEngineDecodesQRInChromium(t *testing.T) {
	t.Parallel()
	const tag = "CP-VAULT-02 金库"
	matrix, err := qrcode.NewQRCodeWriter().Encode(tag, gozxing.BarcodeFormat_QR_CODE, 240, 240, nil)
	if err != nil {
		t.Fatal(err)
	}
	frame := image.NewRGBA(image.Rect(0, 0, 320, 320))
	for y := range 320 {
		for x := range 320 {
			shade := color.RGBA{200, 200, 190, 255}
			if x >= 40 && y >= 40 && x < 280 && y < 280 {
				shade = color.RGBA{250, 250, 250, 255}
				if matrix.Get(x-40, y-40) {
					shade = color.RGBA{25, 25, 35, 255}
				}
			}
			frame.Set(x, y, shade)
		}
	}
	var encoded bytes.Buffer
	if err := png.Encode(&encoded, frame); err != nil {
		t.Fatal(err)
	}
	dataURL := "data:image/png;base64," + base64.StdEncoding.EncodeToString(encoded.Bytes())

	server := browsertest.Server(t, testenv.SQLite(t))
	module := browsertest.EngineModule(t, "app")
	browser := browsertest.New(t, browsertest.Phone)
	browser.Open(server.URL + "/app/manifest.webmanifest")
	browser.Wait("the engine loaded", `import(`+quote(module)+`).then((engine) => engine.loadEngine()).then(() => true)`)
	var read struct {
		Code  *string
		Blank *string
	}
	browser.Eval(`(async () => {
		const engine = await import(`+quote(module)+`);
		const picture = new Image();
		picture.src = `+quote(dataURL)+`;
		await picture.decode();
		const canvas = new OffscreenCanvas(picture.width, picture.height);
		const context = canvas.getContext('2d');
		context.drawImage(picture, 0, 0);
		const code = await engine.decodeQR(context.getImageData(0, 0, canvas.width, canvas.height));
		context.fillStyle = '#888';
		context.fillRect(0, 0, canvas.width, canvas.height);
		const blank = await engine.decodeQR(context.getImageData(0, 0, canvas.width, canvas.height));
		return {Code: code, Blank: blank};
	})()`, &read)
	if read.Code == nil || *read.Code != tag {
		t.Errorf("decoded %v, want %q", read.Code, tag)
	}
	if read.Blank != nil {
		t.Errorf("a blank frame decoded as %q", *read.Blank)
	}
}
