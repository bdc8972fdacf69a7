package strictjson

import (
	"os"
	"testing"

	"github.com/patrolsync/patrolsync/checklists"
	"github.com/patrolsync/patrolsync/internal/mutation"
)

// BenchmarkPushDecode decodes a push as the server does (api.decodeBody,
// then syncer.decodePayload for each of its 40 mutations and the answer
// of each of its 30 answer.set), with encoding/json's Decoder as before
// ("encoding/json") and with this package ("strictjson").
func BenchmarkPushDecode(b *testing.B) {
	body, err := os.ReadFile("testdata/push.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name   string
		decode func(data []byte, v any, o Options, one bool) error
	}{
		{"encoding/json", decodeV1Only},
		{"strictjson", func(data []byte, v any, o Options, one bool) error {
			if one {
				return Value(data, v, o)
			}
			return Decode(data, v, o)
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var in push
				if err := v.decode(body, &in, Options{}, true); err != nil {
					b.Fatal(err)
				}
				for _, m := range in.Mutations {
					spec, _ := mutation.Lookup(m.Type)
					payload := spec.New()
					if err := v.decode(m.Payload, payload, Options{UseNumber: true}, false); err != nil {
						b.Fatal(err)
					}
					if a, ok := payload.(*mutation.Answer); ok {
						var answer checklists.Answer
						if err := v.decode(a.Answer, &answer, Options{}, false); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		})
	}
}
