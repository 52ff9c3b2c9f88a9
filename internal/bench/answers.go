package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The essence of an answer is what Athar's GraphQL answer and the floor's records must agree on,
// written as lines of text (ids in order, totals, figures), so that a test shows the first line
// where they differ. The GraphQL side reads the decoded JSON of "data"; the floor side reads the
// records.

// at walks a decoded JSON value down the keys given; a missing key gives nil.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// items is the list at the keys given.
func items(v any, keys ...string) []any {
	l, _ := at(v, keys...).([]any)
	return l
}

// text is a value as text: strings as they are, numbers as integers when they are whole, dates as
// ISO dates, null as "-".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		return x
	case float64:
		if x == math.Trunc(x) {
			return fmt.Sprint(int64(x))
		}
		return fmt.Sprintf("%.3f", x)
	case int64:
		return fmt.Sprint(x)
	case neo4j.Date:
		return x.Time().Format(time.DateOnly)
	case time.Time:
		return x.Format(time.DateOnly)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprint(v)
}

// sortedTexts is the values as text, sorted: for lists whose order the answer does not promise.
func sortedTexts(vs []any, f func(any) string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	slices.Sort(out)
	return "[" + strings.Join(out, " ") + "]"
}

// col is the value of a record's column.
func col(rec *neo4j.Record, key string) any {
	v, _ := rec.Get(key)
	return v
}

// lines joins the lines of an essence.
func lines(ls []string) string { return strings.Join(ls, "\n") }
