package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/patrolsync/patrolsync/internal/strictjson"
	"github.com/patrolsync/patrolsync/internal/syncer"
)

// BenchmarkPushBodyDeclaredInPush is BenchmarkPushInspectionDeclaredInPush
// from the push's JSON body, as the server reads it (api.decodePush: the
// body in one pass, syncer.DecodePush, or else strictjson.Value), so that
// decoding the body and its payloads is timed with the rest of the push.
// The body is encoded as the load tool encodes it (json.Marshal of the
// batch).
//
//	go test -run '^$' -bench PushBodyDeclaredInPush -benchtime 300x ./bench/
func BenchmarkPushBodyDeclaredInPush(b *testing.B) {
	f := pushFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		id, now := newID(), time.Now()
		media := f.plan.newMedia(0, newID)
		batch := append(f.plan.declarations(now, id, media, newID),
			f.plan.batchOf(now, id, f.plan.mediaAnswers(id, now.UTC().Format(time.RFC3339), media))...)
		body, err := json.Marshal(map[string]any{"mutations": batch})
		if err != nil {
			b.Fatal(err)
		}
		results, err := f.app.Sync.Push(f.ctx, decodePushBody(b, body))
		if err != nil {
			b.Fatal(err)
		}
		for _, result := range results {
			var r struct{ Status string }
			if err := json.Unmarshal(result, &r); err != nil || r.Status != syncer.Applied {
				b.Fatalf("answered %s, want applied", result)
			}
		}
	}
}

// decodePushBody is api.decodePush's decode of a body.
func decodePushBody(b *testing.B, body []byte) []syncer.Mutation {
	if mutations, ok := syncer.DecodePush(body); ok {
		return mutations
	}
	var in struct {
		Mutations []syncer.Mutation `json:"mutations"`
	}
	if err := strictjson.Value(body, &in, strictjson.Options{}); err != nil {
		b.Fatal(err)
	}
	return in.Mutations
}
