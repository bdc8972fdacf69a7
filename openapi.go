// Package patrolsync holds what must sit at the top of the module: the API
// contract and the sync protocol, embedded so that the server can serve
// them with no network.
package patrolsync

import _ "embed"

// OpenAPI is openapi.yaml, the API contract.
//
//go:embed openapi.yaml
var OpenAPI []byte

// SyncProtocol is docs/sync-protocol.md, the guide for mobile developers,
// served at /docs/sync-protocol.md.
//
//go:embed docs/sync-protocol.md
var SyncProtocol []byte
