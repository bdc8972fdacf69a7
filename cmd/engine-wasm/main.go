//go:build js && wasm

// Command engine-wasm is the checklist engine for browsers, built with
// GOOS=js GOARCH=wasm by web/build. It registers one function,
// globalThis.patrolsyncEngine(name, requestJSON) -> responseJSON, that runs
// checklists/bridge, and then waits forever so the function stays callable.
// web/shared/engine.js is its only caller.
package main

import (
	"syscall/js"

	"github.com/patrolsync/patrolsync/checklists/bridge"
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
	// Tell the loader the function is there: it resolves its promise on this.
	if ready := js.Global().Get("patrolsyncEngineReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
