package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
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
	return tx.execFast(sql.String(), params...)
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
	for j, a := range arrays {
		if j > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("?::" + a.cast)
		params[j] = a.values()
	}
	sql.WriteString(")")
	return sql.String(), params, nil
}

// columnArray is one column's values, as an array parameter of cast.
type columnArray struct {
	cast   string
	add    func(v any) error
	values func() any // a column of what add took
}

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

// The elements, each NULL when not ok.
type (
	textValue struct {
		s  string
		ok bool
	}
	int8Value struct {
		n  int64
		ok bool
	}
	float8Value struct {
		f  float64
		ok bool
	}
	boolValue struct{ b, ok bool }
	timeValue struct {
		t  time.Time
		ok bool
	}
	bytesValue []byte // nil is NULL
)

func (v *textValue) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: v.s, Valid: v.ok}, nil
}
func (v *int8Value) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: v.n, Valid: v.ok}, nil
}
func (v *float8Value) Float64Value() (pgtype.Float8, error) {
	return pgtype.Float8{Float64: v.f, Valid: v.ok}, nil
}
func (v *boolValue) BoolValue() (pgtype.Bool, error) { return pgtype.Bool{Bool: v.b, Valid: v.ok}, nil }
func (v *timeValue) TimestamptzValue() (pgtype.Timestamptz, error) {
	return pgtype.Timestamptz{Time: v.t, Valid: v.ok}, nil
}
func (v *bytesValue) BytesValue() ([]byte, error) { return *v, nil }

func newColumnArray(kind string, n int) columnArray {
	var a columnArray
	switch kind {
	case "bytea":
		values := make(column[bytesValue], 0, n)
		a.cast, a.values = "bytea[]", func() any { return values }
		a.add = func(v any) error {
			b, err := asBytes(v)
			values = append(values, b)
			return err
		}
	case "int4", "int8":
		values := make(column[int8Value], 0, n)
		a.cast, a.values = "int8[]", func() any { return values }
		a.add = func(v any) error {
			x, err := asInt(v)
			values = append(values, x)
			return err
		}
	case "float8":
		values := make(column[float8Value], 0, n)
		a.cast, a.values = "float8[]", func() any { return values }
		a.add = func(v any) error {
			switch x := v.(type) {
			case nil:
				values = append(values, float8Value{})
			case float64:
				values = append(values, float8Value{x, true})
			case *float64:
				if x == nil {
					values = append(values, float8Value{})
				} else {
					values = append(values, float8Value{*x, true})
				}
			default:
				return fmt.Errorf("%T is not a float8", v)
			}
			return nil
		}
	case "bool":
		values := make(column[boolValue], 0, n)
		a.cast, a.values = "bool[]", func() any { return values }
		a.add = func(v any) error {
			switch x := v.(type) {
			case nil:
				values = append(values, boolValue{})
			case bool:
				values = append(values, boolValue{x, true})
			case *bool:
				if x == nil {
					values = append(values, boolValue{})
				} else {
					values = append(values, boolValue{*x, true})
				}
			default:
				return fmt.Errorf("%T is not a bool", v)
			}
			return nil
		}
	case "timestamptz":
		values := make(column[timeValue], 0, n)
		a.cast, a.values = "timestamptz[]", func() any { return values }
		a.add = func(v any) error {
			switch x := v.(type) {
			case nil:
				values = append(values, timeValue{})
			case time.Time:
				values = append(values, timeValue{x, true})
			case *time.Time:
				if x == nil {
					values = append(values, timeValue{})
				} else {
					values = append(values, timeValue{*x, true})
				}
			default:
				return fmt.Errorf("%T is not a timestamptz", v)
			}
			return nil
		}
	default: // uuid, text and arrays: as text, cast by PostgreSQL
		values := make(column[textValue], 0, n)
		a.cast, a.values = "text[]", func() any { return values }
		if !strings.HasSuffix(kind, "[]") && kind != "text" {
			a.cast = "text[]::" + kind + "[]"
		}
		a.add = func(v any) error {
			s, err := asText(v)
			values = append(values, s)
			return err
		}
	}
	return a
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

func asInt(v any) (int8Value, error) {
	switch n := v.(type) {
	case nil:
		return int8Value{}, nil
	case int:
		return int8Value{int64(n), true}, nil
	case int64:
		return int8Value{n, true}, nil
	case *int:
		if n == nil {
			return int8Value{}, nil
		}
		return int8Value{int64(*n), true}, nil
	case *int64:
		if n == nil {
			return int8Value{}, nil
		}
		return int8Value{*n, true}, nil
	}
	return int8Value{}, fmt.Errorf("%T is not an integer", v)
}

func asText(v any) (textValue, error) {
	if valuer, ok := v.(driver.Valuer); ok {
		value, err := valuer.Value()
		if err != nil {
			return textValue{}, err
		}
		v = value
	}
	switch x := v.(type) {
	case nil:
		return textValue{}, nil
	case string:
		return textValue{x, true}, nil
	case *string:
		if x == nil {
			return textValue{}, nil
		}
		return textValue{*x, true}, nil
	case []string: // an array column
		literal, err := arrayLiteral(x).Value()
		s, _ := literal.(string)
		return textValue{s, true}, err
	}
	return textValue{}, fmt.Errorf("%T is not text", v)
}
