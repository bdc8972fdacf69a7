package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
)

// A column's array encodes to the same bytes as the plain slice pgx took
// before (a slice of pointers, nil for NULL, or of []byte), for every kind
// of value add accepts, NULLs and empty values included.
func TestColumnArrayEncodesAsThePlainSlice(t *testing.T) {
	now := time.Date(2026, 12, 6, 1, 2, 3, 456789000, time.UTC)
	s, n, f, yes := "x", int64(7), 2.5, true
	for _, tc := range []struct {
		kind  string
		oid   uint32
		add   []any
		plain any
	}{
		{"text", pgtype.TextArrayOID, []any{"a", "", nil, &s, (*string)(nil), []string{"p", `q"r`}},
			[]*string{ptrTo("a"), ptrTo(""), nil, &s, nil, ptrTo(`{"p","q\"r"}`)}},
		{"uuid", pgtype.TextArrayOID, []any{"0193c3a0-7d4e-7c1a-9f00-0000000000aa", nil},
			[]*string{ptrTo("0193c3a0-7d4e-7c1a-9f00-0000000000aa"), nil}},
		{"int8", pgtype.Int8ArrayOID, []any{1, int64(-2), nil, &n, (*int64)(nil), (*int)(nil)},
			[]*int64{ptrTo(int64(1)), ptrTo(int64(-2)), nil, &n, nil, nil}},
		{"float8", pgtype.Float8ArrayOID, []any{1.5, nil, &f, (*float64)(nil)}, []*float64{ptrTo(1.5), nil, &f, nil}},
		{"bool", pgtype.BoolArrayOID, []any{false, nil, &yes, (*bool)(nil)}, []*bool{ptrTo(false), nil, &yes, nil}},
		{"timestamptz", pgtype.TimestamptzArrayOID, []any{now, nil, &now, (*time.Time)(nil)},
			[]*time.Time{&now, nil, &now, nil}},
		{"bytea", pgtype.ByteaArrayOID, []any{[]byte{1, 2}, []byte{}, nil, "s", []byte(nil)},
			[][]byte{{1, 2}, {}, nil, []byte("s"), nil}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			a := newColumnArray(tc.kind, len(tc.add))
			for _, v := range tc.add {
				if err := a.add(v); err != nil {
					t.Fatalf("add %#v: %v", v, err)
				}
			}
			m := pgtype.NewMap()
			for _, format := range []int16{pgtype.BinaryFormatCode, pgtype.TextFormatCode} {
				got, err := m.Encode(tc.oid, format, a.values(), nil)
				if err != nil {
					t.Fatal(err)
				}
				want, err := m.Encode(tc.oid, format, tc.plain, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("format %d: encoded %q, the plain slice %q", format, got, want)
				}
				if format == pgtype.BinaryFormatCode && a.size() != len(got) {
					t.Errorf("size %d, encoded in %d bytes", a.size(), len(got))
				}
			}
		})
	}
}

// A row source's first array, encoded through the array types
// reserveArrays registers, makes room for every array of the row source
// at once: pgx's parameter buffer, 256 bytes as pgx leaves it after a big
// statement, grows once, and each array encodes to the bytes pgx's own
// codecs make.
func TestUnnestRowsReserveTheirArraysAtOnce(t *testing.T) {
	now := time.Date(2026, 12, 6, 1, 2, 3, 456789000, time.UTC)
	const types = "uuid, int8, text, bytea, timestamptz, float8, bool, uuid[]"
	oids := map[string]uint32{"text[]": pgtype.TextArrayOID, "int8[]": pgtype.Int8ArrayOID, "bytea[]": pgtype.ByteaArrayOID,
		"timestamptz[]": pgtype.TimestamptzArrayOID, "float8[]": pgtype.Float8ArrayOID, "bool[]": pgtype.BoolArrayOID}
	for _, n := range []int{1, 7, 300} {
		_, params, err := unnestRows(types, n, func(i int) []any {
			if i%5 == 4 {
				return []any{nil, nil, nil, nil, nil, nil, nil, nil}
			}
			return []any{"0193c3a0-7d4e-7c1a-9f00-0000000000aa", i, strings.Repeat("é", i%40), bytes.Repeat([]byte{byte(i)}, 3*i),
				now, float64(i) / 3, i%2 == 0, []string{"a", "b"}}
		})
		if err != nil {
			t.Fatal(err)
		}
		first, ok := params[0].(reserved)
		if !ok {
			t.Fatalf("first parameter %T, want reserved", params[0])
		}
		kinds := strings.Split(types, ", ")
		columnOIDs := make([]uint32, len(kinds))
		for j, kind := range kinds {
			columnOIDs[j] = oids[strings.Split(newColumnArray(kind, 0).cast, "::")[0]]
		}
		// As if after a scalar parameter: 3 bytes in pgx's 256.
		size, room := encodeBothWays(t, fmt.Sprintf("%d rows", n), params, columnOIDs, make([]byte, 3, 256))
		if room < 3+first.size {
			t.Errorf("%d rows: room for %d bytes after the first array, want %d", n, room-3, first.size)
		}
		if size != first.size {
			t.Errorf("%d rows: reserved %d bytes, the arrays took %d", n, first.size, size)
		}
	}
}

// encodeBothWays encodes params, the arrays of one row source, after buf
// through reserveArrays' codecs, and each alone through pgx's own, failing
// at the first whose bytes differ. It answers the arrays' bytes in all and
// the buffer's capacity once the first, reserved, array is in.
func encodeBothWays(t *testing.T, what string, params []any, oids []uint32, buf []byte) (size, room int) {
	t.Helper()
	reserving, plain := pgtype.NewMap(), pgtype.NewMap()
	reserveArrays(reserving)
	for j, oid := range oids {
		start := len(buf)
		var err error
		if buf, err = reserving.Encode(oid, pgtype.BinaryFormatCode, params[j], buf); err != nil {
			t.Fatal(err)
		}
		value := params[j]
		if j == 0 {
			value, room = params[0].(reserved).ArrayGetter, cap(buf)
		}
		want, err := plain.Encode(oid, pgtype.BinaryFormatCode, value, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[start:], want) {
			t.Fatalf("%s, column %d: encoded %x, pgx's codec %x", what, j+1, buf[start:], want)
		}
		size += len(want)
	}
	return size, room
}

func ptrTo[T any](v T) *T { return &v }

// FuzzReservedArraysEncodeAsPgx holds the arrays encoded through
// reserveArrays' codecs to pgx's own codecs, byte for byte, and the
// reservation to the bytes they take, for rows of any text, bytes,
// integers, times and NULLs.
//
//	go test -run '^$' -fuzz FuzzReservedArraysEncodeAsPgx ./internal/store/
func FuzzReservedArraysEncodeAsPgx(f *testing.F) {
	f.Add("0193c3a0-7d4e-7c1a-9f00-0000000000aa", []byte{1, 2}, int64(7), int64(1733446923), 2.5, true, uint8(3), uint8(0))
	f.Add("", []byte{}, int64(-1), int64(0), -0.0, false, uint8(1), uint8(255))
	f.Fuzz(func(t *testing.T, text string, data []byte, n, unix int64, x float64, yes bool, rows, nulls uint8) {
		const types = "text, bytea, int8, timestamptz, float8, bool, text[]"
		oids := []uint32{pgtype.TextArrayOID, pgtype.ByteaArrayOID, pgtype.Int8ArrayOID, pgtype.TimestamptzArrayOID,
			pgtype.Float8ArrayOID, pgtype.BoolArrayOID, pgtype.TextArrayOID}
		if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
			t.Skip("PostgreSQL text holds valid UTF-8 without NUL")
		}
		at := time.Unix(unix%(1<<40), 0).UTC()
		_, params, err := unnestRows(types, int(rows%20)+1, func(i int) []any {
			if nulls>>(i%8)&1 == 1 {
				return []any{nil, nil, nil, nil, nil, nil, nil}
			}
			return []any{text[:len(text)*i/20], data[:len(data)*i/20], n + int64(i), at, x, yes, []string{text}}
		})
		if err != nil {
			t.Fatal(err)
		}
		first := params[0].(reserved)
		size, _ := encodeBothWays(t, "fuzzed rows", params, oids, make([]byte, 0, 256))
		if size != first.size {
			t.Fatalf("reserved %d bytes, the arrays took %d", first.size, size)
		}
	})
}
