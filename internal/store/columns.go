package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Inserting many rows in one statement whose text does not depend on how
// many there are. A VALUES list has one text per number of rows, and
// PostgreSQL prepares and plans every text anew on every connection: with
// groups of 1 to 32 pushes the hot inserts came in dozens of texts each,
// and planning was 9 % of PostgreSQL's CPU under push load (issue 17,
// docs/benchmarks.md). On PostgreSQL the rows go as one array per column,
// turned back into rows by unnest, so each insert is one text with one
// cached plan. SQLite keeps VALUES lists: it has no plan to cache across
// statements.

// insertColumns inserts n rows into table's columns (a list such as
// "id, org_id, status"); types names each column's PostgreSQL type in the
// same order (uuid, text, bytea, int4, int8, float8, bool, timestamptz, or
// uuid[]), and args gives row i's values. tail follows the rows (an ON
// CONFLICT clause, or empty).
func (tx *Tx) insertColumns(table, columns, types, tail string, n int, args func(i int) []any) error {
	kinds := strings.Split(types, ", ")
	if tx.db.dialect != Postgres {
		row := "(?" + strings.Repeat(", ?", len(kinds)-1) + ")"
		return tx.insertManyRowTail("INSERT INTO "+table+" ("+columns+") VALUES ", row, tail, 100, n, args)
	}
	if n == 0 {
		return nil
	}
	rows, params, err := unnestRows(types, n, args)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	var sql strings.Builder
	sql.WriteString("INSERT INTO " + table + " (" + columns + ") SELECT ")
	for j, kind := range kinds {
		if j > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("c" + strconv.Itoa(j+1))
		if strings.HasSuffix(kind, "[]") {
			sql.WriteString("::" + kind) // went as the array's text
		}
	}
	sql.WriteString(" FROM " + rows + " AS u(")
	for j := range kinds {
		if j > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("c" + strconv.Itoa(j+1))
	}
	sql.WriteString(")" + tail)
	return tx.execDeferred(sql.String(), params...)
}

// unnestRows is rows as a PostgreSQL row source whose text depends only on
// types (see insertColumns): "unnest(?::uuid[], ?::text[], ...)", one
// array parameter per column, to be named with AS alias(columns). A column
// of an array type comes out as its text, for the caller to cast.
func unnestRows(types string, n int, args func(i int) []any) (string, []any, error) {
	kinds := strings.Split(types, ", ")
	arrays := make([]columnArray, len(kinds))
	for j, kind := range kinds {
		arrays[j] = newColumnArray(kind, n)
	}
	for i := 0; i < n; i++ {
		values := args(i)
		if len(values) != len(kinds) {
			return "", nil, fmt.Errorf("%d values for %d columns", len(values), len(kinds))
		}
		for j, v := range values {
			if err := arrays[j].add(v); err != nil {
				return "", nil, fmt.Errorf("column %d: %w", j+1, err)
			}
		}
	}
	var sql strings.Builder
	sql.WriteString("unnest(")
	params := make([]any, len(kinds))
	size := 0
	for j := range arrays {
		a := &arrays[j]
		if j > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("?::" + a.cast)
		params[j] = a.values()
		size += a.size()
	}
	sql.WriteString(")")
	if first, ok := params[0].(pgtype.ArrayGetter); ok {
		params[0] = reserved{first, size}
	}
	return sql.String(), params, nil
}

// reserved is the first array of a statement's row source, carrying the
// encoded size of all of its arrays (reserveArrays). pgx encodes every
// parameter of a statement into one buffer, appending element by element
// to a buffer it shrinks back to 256 bytes after any statement that grew
// it: a group's insert of push results (150 kB for 32 pushes) grew it in
// thirty steps of a quarter each, copying and clearing five times its
// size, and half of what the server allocated under push load was these
// buffers (issue 17: 400 MB of 680 MB in 10 s of allocation profile).
type reserved struct {
	pgtype.ArrayGetter
	size int // bytes of the binary encoding of the row source's arrays
}

// reserveArrays makes the array types unnestRows sends reserve, for a
// reserved column, the room of all of its row source's arrays before they
// are encoded, so that the parameter buffer grows once. Everything else
// goes to pgx's own codecs unchanged.
func reserveArrays(m *pgtype.Map) {
	for _, name := range []string{"_text", "_bytea", "_int8", "_float8", "_bool", "_timestamptz"} {
		if t, ok := m.TypeForName(name); ok {
			m.RegisterType(&pgtype.Type{Name: t.Name, OID: t.OID, Codec: reservingCodec{t.Codec}})
		}
	}
}

// reservingCodec is an array codec that grows the buffer by a reserved
// column's size before encoding it as the codec it wraps would.
type reservingCodec struct{ pgtype.Codec }

func (c reservingCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	plan := c.Codec.PlanEncode(m, oid, format, value)
	if _, ok := value.(reserved); ok && plan != nil && format == pgtype.BinaryFormatCode {
		return reservingPlan{plan}
	}
	return plan
}

type reservingPlan struct{ next pgtype.EncodePlan }

func (p reservingPlan) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(value, slices.Grow(buf, value.(reserved).size))
}

// arrayHeader is the size of a one-dimensional array's binary header:
// dimensions, null flag, element type, then length and lower bound.
const arrayHeader = 4 + 4 + 4 + 8

// columnArray is one column's values, as an array parameter of cast: the
// column of its kind's element type, the others nil. One value per column,
// not closures over each column's slice: those were five allocations per
// column, a hundred for a group's media insert (issue 17,
// BenchmarkColumnArrays).
type columnArray struct {
	cast   string
	kind   columnKind
	bytes  column[bytesValue]
	ints   column[pgtype.Int8]
	floats column[pgtype.Float8]
	bools  column[pgtype.Bool]
	times  column[pgtype.Timestamptz]
	texts  column[pgtype.Text]
}

type columnKind uint8

const (
	textColumn columnKind = iota // uuid, text and arrays: as text, cast by PostgreSQL
	bytesColumn
	intColumn
	floatColumn
	boolColumn
	timeColumn
)

// column is one column's values as pgx encodes an array: element by
// element, each through its codec's valuer interface (pgtype.TextValuer
// and the like), which *T implements. Index hands pgx a pointer into the
// slice. A slice of pointers or of []byte, as the values went before, is
// none of the slice types pgx knows: it took pgx's reflection path, a
// reflect.Value per element and, to dereference each pointer, a copy of
// its value on the heap (issue 17: encoding the arrays was half of the
// group's inserts' CPU on the server, 3.5 % of 6.8 % under push load, the
// reflection 2.6 %; BenchmarkColumnArrays).
type column[T any] []T

func (c column[T]) Dimensions() []pgtype.ArrayDimension {
	if c == nil {
		return nil
	}
	return []pgtype.ArrayDimension{{Length: int32(len(c)), LowerBound: 1}}
}

func (c column[T]) Index(i int) any { return &c[i] }

func (c column[T]) IndexType() any { return new(T) }

// The elements are pgx's own nullable types (pgtype.Text, pgtype.Int8,
// ...), each its own valuer; bytea's is a []byte, nil for NULL.
type bytesValue []byte

func (v *bytesValue) BytesValue() ([]byte, error) { return *v, nil }

// fixedSize is the binary size of n elements of width bytes, NULL or not
// (a NULL is its length word alone).
func fixedSize[T any](values column[T], width int, valid func(T) bool) int {
	size := arrayHeader
	for _, v := range values {
		size += 4
		if valid(v) {
			size += width
		}
	}
	return size
}

func newColumnArray(kind string, n int) columnArray {
	switch kind {
	case "bytea":
		return columnArray{cast: "bytea[]", kind: bytesColumn, bytes: make(column[bytesValue], 0, n)}
	case "int4", "int8":
		return columnArray{cast: "int8[]", kind: intColumn, ints: make(column[pgtype.Int8], 0, n)}
	case "float8":
		return columnArray{cast: "float8[]", kind: floatColumn, floats: make(column[pgtype.Float8], 0, n)}
	case "bool":
		return columnArray{cast: "bool[]", kind: boolColumn, bools: make(column[pgtype.Bool], 0, n)}
	case "timestamptz":
		return columnArray{cast: "timestamptz[]", kind: timeColumn, times: make(column[pgtype.Timestamptz], 0, n)}
	}
	a := columnArray{cast: "text[]", kind: textColumn, texts: make(column[pgtype.Text], 0, n)}
	if !strings.HasSuffix(kind, "[]") && kind != "text" {
		a.cast = "text[]::" + kind + "[]"
	}
	return a
}

// add appends v, a value of the column's kind (or a pointer to one, or nil
// for NULL), to the column.
func (a *columnArray) add(v any) error {
	var err error
	switch a.kind {
	case bytesColumn:
		var b []byte
		b, err = asBytes(v)
		a.bytes = append(a.bytes, b)
	case intColumn:
		var x pgtype.Int8
		x, err = asInt(v)
		a.ints = append(a.ints, x)
	case floatColumn:
		var x pgtype.Float8
		x, err = scalarElement(v, "float8", func(x float64) pgtype.Float8 { return pgtype.Float8{Float64: x, Valid: true} })
		a.floats = append(a.floats, x)
	case boolColumn:
		var x pgtype.Bool
		x, err = scalarElement(v, "bool", func(x bool) pgtype.Bool { return pgtype.Bool{Bool: x, Valid: true} })
		a.bools = append(a.bools, x)
	case timeColumn:
		var x pgtype.Timestamptz
		x, err = scalarElement(v, "timestamptz", func(x time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: x, Valid: true} })
		a.times = append(a.times, x)
	default:
		var x pgtype.Text
		x, err = asText(v)
		a.texts = append(a.texts, x)
	}
	return err
}

// values is the column, for pgx to encode.
func (a *columnArray) values() any {
	switch a.kind {
	case bytesColumn:
		return a.bytes
	case intColumn:
		return a.ints
	case floatColumn:
		return a.floats
	case boolColumn:
		return a.bools
	case timeColumn:
		return a.times
	}
	return a.texts
}

// size is the bytes of values' binary encoding.
func (a *columnArray) size() int {
	switch a.kind {
	case bytesColumn:
		size := arrayHeader + 4*len(a.bytes)
		for _, v := range a.bytes {
			size += len(v)
		}
		return size
	case intColumn:
		return fixedSize(a.ints, 8, func(x pgtype.Int8) bool { return x.Valid })
	case floatColumn:
		return fixedSize(a.floats, 8, func(x pgtype.Float8) bool { return x.Valid })
	case boolColumn:
		return fixedSize(a.bools, 1, func(x pgtype.Bool) bool { return x.Valid })
	case timeColumn:
		return fixedSize(a.times, 8, func(x pgtype.Timestamptz) bool { return x.Valid })
	}
	size := arrayHeader + 4*len(a.texts)
	for _, v := range a.texts {
		size += len(v.String)
	}
	return size
}

// scalarElement is v, a T, a *T or nil, as the element valid makes of a T or
// as NULL (the zero E).
func scalarElement[T, E any](v any, name string, valid func(T) E) (E, error) {
	var null E
	switch x := v.(type) {
	case nil:
		return null, nil
	case T:
		return valid(x), nil
	case *T:
		if x == nil {
			return null, nil
		}
		return valid(*x), nil
	}
	return null, fmt.Errorf("%T is not a %s", v, name)
}

func asBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return x, nil
	case json.RawMessage:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return nil, fmt.Errorf("%T is not bytea", v)
}

func asInt(v any) (pgtype.Int8, error) {
	switch n := v.(type) {
	case nil:
		return pgtype.Int8{}, nil
	case int:
		return pgtype.Int8{Int64: int64(n), Valid: true}, nil
	case int64:
		return pgtype.Int8{Int64: n, Valid: true}, nil
	case *int:
		if n == nil {
			return pgtype.Int8{}, nil
		}
		return pgtype.Int8{Int64: int64(*n), Valid: true}, nil
	case *int64:
		if n == nil {
			return pgtype.Int8{}, nil
		}
		return pgtype.Int8{Int64: *n, Valid: true}, nil
	}
	return pgtype.Int8{}, fmt.Errorf("%T is not an integer", v)
}

func asText(v any) (pgtype.Text, error) {
	if valuer, ok := v.(driver.Valuer); ok {
		value, err := valuer.Value()
		if err != nil {
			return pgtype.Text{}, err
		}
		v = value
	}
	switch x := v.(type) {
	case nil:
		return pgtype.Text{}, nil
	case string:
		return pgtype.Text{String: x, Valid: true}, nil
	case *string:
		if x == nil {
			return pgtype.Text{}, nil
		}
		return pgtype.Text{String: *x, Valid: true}, nil
	case []string: // an array column
		literal, err := arrayLiteral(x).Value()
		s, _ := literal.(string)
		return pgtype.Text{String: s, Valid: true}, err
	}
	return pgtype.Text{}, fmt.Errorf("%T is not text", v)
}
