package main

import (
	"testing"

	"github.com/patrolsync/patrolsync/internal/syncer"
)

// encodePage encodes a pull page as the HTTP handler does (api/sync.go).
// It has a file of its own so that a checkout from before the handler
// wrote pages by hand can measure itself with json.Marshal here.
func encodePage(b *testing.B, page syncer.Page) []byte {
	b.Helper()
	return page.AppendJSON(make([]byte, 0, page.JSONSize()))
}
