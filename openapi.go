// Package patrolsync holds what must sit at the top of the module: the API
// contract, embedded so that the server can serve it with no network.
package patrolsync

import _ "embed"

// OpenAPI is openapi.yaml, the API contract.
//
//go:embed openapi.yaml
var OpenAPI []byte
