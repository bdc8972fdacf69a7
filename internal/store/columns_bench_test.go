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
	m := pgtype.NewMap()
	var buf []byte
	for b.Loop() {
		_, params, err := unnestRows(types, len(rows), func(i int) []any {
			row := rows[i]
			return []any{row.ID, row.OrgID, row.InspectionID, row.ItemKey, row.Kind, row.DeclaredType,
				row.ContentType, row.Size, row.SHA256, row.ObjectKey, row.UploadID, row.PartSize, row.Status, row.UploadedBy,
				row.CapturedAt, nullBytes(row.Location), nullBytes(row.Signature), row.ThumbnailKey, row.LinkedAt,
				row.StoredAt, row.DeletedAt, row.Version, row.CreatedAt, row.UpdatedAt}
		})
		if err != nil {
			b.Fatal(err)
		}
		for j, oid := range columnOIDs {
			if buf, err = m.Encode(oid, pgtype.BinaryFormatCode, params[j], buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
