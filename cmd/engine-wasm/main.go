//go:build js && wasm

// Command engine-wasm is the checklist engine for browsers, built with
// GOOS=js GOARCH=wasm by web/build. It registers two functions that
// web/shared/engine.js (their only caller) wraps, and then waits forever so
// they stay callable:
//
//	patrolsyncEngine(name, requestJSON) -> responseJSON       checklists/bridge
//	patrolsyncDecodeQR(width, height, rgbaBytes) -> responseJSON   internal/qrscan
//	patrolsyncEncodeQR(text) -> responseJSON                       internal/qrscan
package main

import (
	"encoding/json"
	"errors"
	"syscall/js"

	"github.com/patrolsync/patrolsync/checklists/bridge"
	"github.com/patrolsync/patrolsync/internal/qrscan"
)

func main() {
	engine := bridge.New()
	call := js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
			return string(engine.Call("", nil))
		}
		return string(engine.Call(args[0].String(), []byte(args[1].String())))
	})
	js.Global().Set("patrolsyncEngine", call)
	js.Global().Set("patrolsyncDecodeQR", js.FuncOf(decodeQR))
	js.Global().Set("patrolsyncEncodeQR", js.FuncOf(encodeQR))
	// Tell the loader the functions are there: it resolves its promise on this.
	if ready := js.Global().Get("patrolsyncEngineReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// decodeQR reads a QR code from canvas ImageData bytes (a Uint8Array or
// Uint8ClampedArray): {"ok":true,"result":{"text":...}}, or ok false with
// the code no_code (aim again) or bad_request.
func decodeQR(this js.Value, args []js.Value) any {
	answer := func(text string, err error) any {
		out := map[string]any{"ok": err == nil}
		switch {
		case err == nil:
			out["result"] = map[string]string{"text": text}
		case errors.Is(err, qrscan.ErrNoCode):
			out["error"] = map[string]string{"code": "no_code", "message": err.Error()}
		default:
			out["error"] = map[string]string{"code": bridge.CodeBadRequest, "message": err.Error()}
		}
		encoded, _ := json.Marshal(out)
		return string(encoded)
	}
	if len(args) != 3 || args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeNumber || args[2].Type() != js.TypeObject {
		return answer("", errors.New("want (width, height, RGBA bytes)"))
	}
	width, height := args[0].Int(), args[1].Int()
	pixels := make([]byte, args[2].Get("length").Int())
	js.CopyBytesToGo(pixels, args[2])
	return answer(qrscan.DecodeRGBA(width, height, pixels))
}

// encodeQR makes the QR code of a text (a countersign request or proof
// handed from phone to phone): {"ok":true,"result":{"size","modules"}}
// (qrscan.Code), or ok false with bad_request (empty, or too long for a
// QR code).
func encodeQR(this js.Value, args []js.Value) any {
	out := map[string]any{"ok": false}
	if len(args) != 1 || args[0].Type() != js.TypeString {
		out["error"] = map[string]string{"code": bridge.CodeBadRequest, "message": "want (text)"}
	} else if code, err := qrscan.Encode(args[0].String()); err != nil {
		out["error"] = map[string]string{"code": bridge.CodeBadRequest, "message": err.Error()}
	} else {
		out["ok"], out["result"] = true, code
	}
	encoded, _ := json.Marshal(out)
	return string(encoded)
}
