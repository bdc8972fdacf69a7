package media

import (
	"sync"
	"testing"

	"github.com/patrolsync/patrolsync/internal/store"
)

// OnTwinRead runs fn once, in the first declaration that finds stored
// bytes to share, after it read the twin and before it records its row:
// the moment a merge of those bytes could move them. Tests only.
func OnTwinRead(t testing.TB, s *Service, fn func(twin store.Media)) {
	var once sync.Once
	s.twinRead = func(twin store.Media) { once.Do(func() { fn(twin) }) }
	t.Cleanup(func() { s.twinRead = nil })
}
