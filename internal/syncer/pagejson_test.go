package syncer_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/patrolsync/patrolsync/internal/syncer"
)

// Page.AppendJSON writes what json.Marshal writes for the page, for every
// shape of change and for strings encoding/json must escape.
func TestPageJSONIsEncodingJSONs(t *testing.T) {
	record, err := json.Marshal(map[string]any{"title": `<b>"Fire" & door</b> 消防门 ` + "\u2028\x01", "n": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		name  string
		page  syncer.Page
		sized bool // JSONSize is a hint for the server's own strings, which need no escaping
	}{
		{"empty", syncer.Page{Changes: []syncer.Change{}, NextCursor: "eyJ2IjoxfQ"}, true},
		{"records and tombstones", syncer.Page{Changes: []syncer.Change{
			{EntityType: "finding", EntityID: "0194f2a0-3333-7000-8000-000000000009", Op: "upsert", Version: 3, Data: record},
			{EntityType: "finding", EntityID: "0194f2a0-3333-7000-8000-00000000000a", Op: "delete", Reason: "left_scope", Version: 9},
			{EntityType: "site", EntityID: "0194f1f0-0000-7000-8000-00000000000b", Op: "delete", Reason: "deleted", Version: -1},
		}, NextCursor: "eyJ2IjoxLCJzIjo0MiwiaCI6IjAwMDAifQ", HasMore: true}, true},
		{"strings to escape", syncer.Page{Changes: []syncer.Change{
			{EntityType: "a<b>&\"c\"\\", EntityID: "电缆\n\t\x00\xff", Op: "upsert", Reason: "\u2029", Data: []byte(`{}`)},
		}, NextCursor: "<&>"}, false},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.page)
			if err != nil {
				t.Fatal(err)
			}
			got := tc.page.AppendJSON(nil)
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON wrote\n%s\nencoding/json\n%s", got, want)
			}
			if size := tc.page.JSONSize(); tc.sized && size < len(got) {
				t.Errorf("JSONSize %d, but the page takes %d bytes", size, len(got))
			}
		})
	}
}

// TestPageJSONKnowsEveryField: AppendJSON writes Page's and Change's
// fields by hand. A field added to either would be missing from every
// pull, silently, so adding one fails here until AppendJSON is taught it.
func TestPageJSONKnowsEveryField(t *testing.T) {
	for typ, known := range map[reflect.Type][]string{
		reflect.TypeFor[syncer.Page]():   {"changes", "next_cursor", "has_more"},
		reflect.TypeFor[syncer.Change](): {"entity_type", "entity_id", "op", "reason,omitempty", "version", "data,omitempty"},
	} {
		var tags []string
		for i := range typ.NumField() {
			tags = append(tags, typ.Field(i).Tag.Get("json"))
		}
		if !slices.Equal(tags, known) {
			t.Errorf("%s's fields are %q; AppendJSON was written for %q: teach it the change", typ, tags, known)
		}
	}
}
