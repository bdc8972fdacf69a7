package store

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// BenchmarkColumnArrays is the client's side of one group's media insert
// (insertColumns): eight declared signatures, as a 30-answer inspection
// declares them, turned into one array per column and encoded in binary
// as pgx sends them. No database: its allocations are exact.
//
//	go test -run '^$' -bench ColumnArrays -benchmem ./internal/store/
func BenchmarkColumnArrays(b *testing.B) {
	const types = "uuid, uuid, uuid, text, text, text, text, int8, text, text, text, int8, text, uuid, timestamptz, bytea, bytea, text, " +
		"timestamptz, timestamptz, timestamptz, int8, timestamptz, timestamptz"
	oids := map[string]uint32{"text[]": pgtype.TextArrayOID, "int8[]": pgtype.Int8ArrayOID,
		"bytea[]": pgtype.ByteaArrayOID, "timestamptz[]": pgtype.TimestamptzArrayOID}
	now := time.Now()
	signature := make([]byte, 64)
	rows := make([]Media, 8)
	for i := range rows {
		rows[i] = Media{ID: "0193c3a0-7d4e-7c1a-9f00-00000000000" + string(rune('0'+i)), OrgID: "0193c3a0-7d4e-7c1a-9f00-0000000000aa",
			InspectionID: "0193c3a0-7d4e-7c1a-9f00-0000000000bb", ItemKey: "signature", Kind: "signature", DeclaredType: "image/png",
			Size: 4000, SHA256: strings.Repeat("ab", 32), ObjectKey: "org/media/x", Status: "pending",
			UploadedBy: "0193c3a0-7d4e-7c1a-9f00-0000000000cc", CapturedAt: &now, Signature: signature, LinkedAt: &now,
			Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	var columnOIDs []uint32
	for _, kind := range strings.Split(types, ", ") {
		cast := newColumnArray(kind, 0).cast
		columnOIDs = append(columnOIDs, oids[strings.Split(cast, "::")[0]])
	}
	benchmarkArrays(b, types, columnOIDs, len(rows), func(i int) []any {
		row := rows[i]
		return []any{row.ID, row.OrgID, row.InspectionID, row.ItemKey, row.Kind, row.DeclaredType,
			row.ContentType, row.Size, row.SHA256, row.ObjectKey, row.UploadID, row.PartSize, row.Status, row.UploadedBy,
			row.CapturedAt, nullBytes(row.Location), nullBytes(row.Signature), row.ThumbnailKey, row.LinkedAt,
			row.StoredAt, row.DeletedAt, row.Version, row.CreatedAt, row.UpdatedAt}
	})
}

// BenchmarkPushResultArrays is the client's side of a group's insert of
// stored results (InsertMutations): 32 pushes of 36 results of 130 bytes.
//
//	go test -run '^$' -bench PushResultArrays -benchmem ./internal/store/
func BenchmarkPushResultArrays(b *testing.B) {
	const types = "uuid, uuid, uuid, uuid, timestamptz, uuid[], text, text, bytea, bytea"
	oids := []uint32{pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID,
		pgtype.TimestamptzArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.ByteaArrayOID,
		pgtype.ByteaArrayOID}
	id := "0193c3a0-7d4e-7c1a-9f00-0000000000aa"
	ids := make([]string, 36)
	for i := range ids {
		ids[i] = id
	}
	types36 := "[" + strings.Repeat(`"answer.set",`, 35) + `"inspection.submit"]`
	times := "[" + strings.Repeat(`"2026-12-06T01:02:03.456Z",`, 35) + `"2026-12-06T01:02:03.456Z"]`
	hashes, results := make([]byte, 36*32), []byte("["+strings.Repeat(`{"mutation_id":"`+id+`","status":"applied","entity_id":"`+id+`","version":7},`, 36))
	results[len(results)-1] = ']'
	now := time.Now()
	benchmarkArrays(b, types, oids, 32, func(i int) []any {
		return []any{id, id, id, id, now, ids, types36, times, hashes, results}
	})
}

// benchmarkArrays turns n rows into arrays and encodes them as pgx does:
// into one buffer, which pgx leaves at 256 bytes after a statement that
// grew it, through pgx's own codecs ("pgx") or the ones reserveArrays
// registers ("reserved").
func benchmarkArrays(b *testing.B, types string, oids []uint32, n int, args func(i int) []any) {
	for _, name := range []string{"pgx", "reserved"} {
		b.Run(name, func(b *testing.B) {
			m := pgtype.NewMap()
			if name == "reserved" {
				reserveArrays(m)
			}
			for b.Loop() {
				_, params, err := unnestRows(types, n, args)
				if err != nil {
					b.Fatal(err)
				}
				buf := make([]byte, 0, 256)
				for j, oid := range oids {
					if buf, err = m.Encode(oid, pgtype.BinaryFormatCode, params[j], buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
