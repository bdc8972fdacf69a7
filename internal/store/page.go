package store

import "gorm.io/gorm"

// Page asks for up to Limit rows whose id sorts after After. Ids are UUIDv7,
// so id order is creation order and the cursor is stable under inserts.
type Page struct {
	After string
	Limit int
}

// apply adds keyset pagination on table.id, fetching one extra row so the
// caller can tell whether another page exists.
func (p Page) apply(q *gorm.DB, table string) *gorm.DB {
	if p.After != "" {
		q = q.Where(table+".id > ?", p.After)
	}
	return q.Order(table + ".id").Limit(p.size() + 1)
}

// size is the page size asked for, or 100 when out of range.
func (p Page) size() int {
	if p.Limit <= 0 || p.Limit > 500 {
		return 100
	}
	return p.Limit
}

// trim cuts the extra row and returns the cursor for the next page.
func trim[T any](rows []T, p Page, id func(T) string) ([]T, string) {
	limit := p.size()
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, id(rows[len(rows)-1])
}
