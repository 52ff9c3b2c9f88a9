package neo4jstore

import (
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
)

// Every value read from the driver goes through the checked conversions of this file, never a bare
// type assertion: a value can be null where a query seems to promise one. Reads see what is
// committed at each step of a query (Neo4j's read-committed isolation), so a node that another
// transaction deletes while a query reads it yields null for its id, labels and properties; and a
// property written by an older Athar, or by hand, may be missing or of another type. A missing or
// mistyped value reads as its type's zero value, and a row without the id it is about is skipped:
// the entity it was about no longer exists.

// field returns m[key] as a T, or T's zero value when it is missing, null or of another type.
func field[T any](m map[string]any, key string) T {
	v, _ := m[key].(T)
	return v
}

// rowOf returns the values of a record by key.
func rowOf(rec *neo4j.Record) map[string]any { return rec.AsMap() }

// mapsAt returns the maps in the list m[key], leaving out anything else.
func mapsAt(m map[string]any, key string) []map[string]any {
	list, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if item, ok := v.(map[string]any); ok {
			out = append(out, item)
		}
	}
	return out
}

// dateOf returns the Neo4j date m[key] as midnight UTC, and false when there is none.
func dateOf(m map[string]any, key string) (time.Time, bool) {
	d, ok := m[key].(dbtype.Date)
	if !ok {
		return time.Time{}, false
	}
	return d.Time().UTC(), true
}
