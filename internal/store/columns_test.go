package store

import (
	"bytes"
	"testing"
	"time"

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
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
