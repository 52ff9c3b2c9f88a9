package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// connPage is one page of any connection, read by walkPage from the path to it.
type connPage struct {
	IDs, Cursors                 []string
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

// pageSel is the selection a connection's page is read with.
const pageSel = `{ pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } }`

// readPage runs query (whose connection field takes $first, $after, $last and $before) and returns
// the page found at path.
func readPage(t *testing.T, c *client, query string, vars map[string]any, path ...string) connPage {
	t.Helper()
	var data map[string]any
	c.MustData(query, vars, &data)
	var v any = data
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	b, _ := json.Marshal(v)
	var conn struct {
		PageInfo struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ ID string }
		}
	}
	if err := json.Unmarshal(b, &conn); err != nil {
		t.Fatal(err)
	}
	p := connPage{HasNextPage: conn.PageInfo.HasNextPage, HasPreviousPage: conn.PageInfo.HasPreviousPage,
		StartCursor: conn.PageInfo.StartCursor, EndCursor: conn.PageInfo.EndCursor}
	for _, e := range conn.Edges {
		p.IDs, p.Cursors = append(p.IDs, e.Node.ID), append(p.Cursors, e.Cursor)
	}
	return p
}

// checkBackward walks a connection forward (first: k, after) and then backward from its end (last: k,
// before), and checks that the backward pages are the forward list's, from its end, page by page,
// with the same cursors and a right pageInfo.
func checkBackward(t *testing.T, c *client, query string, k, atLeast int, path ...string) {
	t.Helper()
	var ids, cursors []string
	var after any
	for i := 0; ; i++ {
		p := readPage(t, c, query, map[string]any{"first": k, "after": after}, path...)
		if p.HasPreviousPage != (i > 0) {
			t.Fatalf("forward page %d: hasPreviousPage %v", i, p.HasPreviousPage)
		}
		ids, cursors = append(ids, p.IDs...), append(cursors, p.Cursors...)
		if !p.HasNextPage {
			break
		}
		after = *p.EndCursor
		if i > 100 {
			t.Fatal("the pages do not end")
		}
	}
	if len(ids) < atLeast {
		t.Fatalf("%d items forward, want at least %d", len(ids), atLeast)
	}
	end := len(ids)
	var before any
	for i := 0; end > 0; i++ {
		p := readPage(t, c, query, map[string]any{"last": k, "before": before}, path...)
		start := max(0, end-k)
		if !slices.Equal(p.IDs, ids[start:end]) || !slices.Equal(p.Cursors, cursors[start:end]) {
			t.Fatalf("backward page %d: %v, want %v (items %d..%d of %d)", i, p.IDs, ids[start:end], start, end, len(ids))
		}
		if p.HasNextPage != (i > 0) || p.HasPreviousPage != (start > 0) {
			t.Errorf("backward page %d (items %d..%d of %d): hasNextPage %v, hasPreviousPage %v", i, start, end, len(ids), p.HasNextPage, p.HasPreviousPage)
		}
		if *p.StartCursor != cursors[start] || *p.EndCursor != cursors[end-1] {
			t.Errorf("backward page %d: startCursor/endCursor are not its first and last edges'", i)
		}
		if !p.HasPreviousPage {
			if start != 0 {
				t.Fatalf("backward page %d ends the walk at item %d", i, start)
			}
			break
		}
		before, end = *p.StartCursor, start
	}
	// before with first: the first items of the list up to the cursor.
	if len(ids) > 2 {
		p := readPage(t, c, query, map[string]any{"first": 1, "before": cursors[2]}, path...)
		if !slices.Equal(p.IDs, ids[:1]) || !p.HasNextPage || p.HasPreviousPage {
			t.Errorf("first: 1 before item 2: %+v, want %v", p, ids[:1])
		}
	}
	// Mixing directions is refused, naming the argument.
	c.MustError(query, map[string]any{"first": k, "last": k}, "BAD_USER_INPUT", "last")
	c.MustError(query, map[string]any{"after": cursors[0], "before": cursors[len(cursors)-1]}, "BAD_USER_INPUT", "before")
}

const pageVars = `$first: Int, $after: String, $last: Int, $before: String`
const pageArgs = `first: $first, after: $after, last: $last, before: $before`

func TestBackward_NestedList(t *testing.T) {
	c := MustServer(t, true)
	q := fmt.Sprintf(`query (%s) { year(year: 2016) { attacks(%s) %s } }`, pageVars, pageArgs, pageSel)
	checkBackward(t, c, q, 3, 7, "year", "attacks")
	checkBackward(t, c, q, 2, 7, "year", "attacks")
	claims := fmt.Sprintf(`query (%s) { source(id: "source:aleppo-bombing-live-blog") { claims(%s) %s } }`, pageVars, pageArgs, pageSel)
	checkBackward(t, c, claims, 2, 2, "source", "claims")
	// A cursor of another list is refused as before.
	other := readPage(t, c, claims, map[string]any{"first": 1}, "source", "claims")
	c.MustError(q, map[string]any{"last": 2, "before": other.Cursors[0]}, "BAD_USER_INPUT", "before")
	// last: 0 of the whole list is an empty page that still says items come before it.
	p := readPage(t, c, q, map[string]any{"last": 0}, "year", "attacks")
	if len(p.IDs) != 0 || !p.HasPreviousPage || p.HasNextPage {
		t.Errorf("last: 0: %+v", p)
	}
	c.MustError(q, map[string]any{"last": 1001}, "BAD_USER_INPUT", "last")
}

func TestBackward_Attacks(t *testing.T) {
	c := MustServer(t, true)
	for _, order := range []string{"{field: DATE, direction: ASC}", "{field: DATE, direction: DESC}",
		"{field: KILLED, direction: ASC}", "{field: KILLED, direction: DESC}"} {
		t.Run(order, func(t *testing.T) {
			q := fmt.Sprintf(`query (%s) { attacks(orderBy: %s, %s) %s }`, pageVars, order, pageArgs, pageSel)
			checkBackward(t, c, q, 4, 15, "attacks")
		})
	}
	asc := fmt.Sprintf(`query (%s) { attacks(%s) %s }`, pageVars, pageArgs, pageSel)
	desc := fmt.Sprintf(`query (%s) { attacks(orderBy: {field: DATE, direction: DESC}, %s) %s }`, pageVars, pageArgs, pageSel)
	p := readPage(t, c, asc, map[string]any{"first": 2}, "attacks")
	c.MustError(desc, map[string]any{"last": 2, "before": p.Cursors[1]}, "BAD_USER_INPUT", "before")
	c.MustError(`{ attacks(last: 101) { totalCount } }`, nil, "BAD_USER_INPUT", "last")
	c.MustError(`{ facilities(first: 2, last: 2) { totalCount } }`, nil, "BAD_USER_INPUT", "last")
}

func TestBackward_SearchAndEntities(t *testing.T) {
	c := MustServer(t, true)
	q := fmt.Sprintf(`query (%s) { search(query: "Aleppo", %s) %s }`, pageVars, pageArgs, pageSel)
	checkBackward(t, c, q, 3, 4, "search")
	for _, list := range []string{"facilities", "actors", "sources", "places"} {
		t.Run(list, func(t *testing.T) {
			checkBackward(t, c, fmt.Sprintf(`query (%s) { %s(%s) %s }`, pageVars, list, pageArgs, pageSel), 3, 2, list)
		})
	}
	attacks := readPage(t, c, fmt.Sprintf(`query (%s) { attacks(%s) %s }`, pageVars, pageArgs, pageSel), map[string]any{"first": 1}, "attacks")
	c.MustError(q, map[string]any{"last": 2, "before": attacks.Cursors[0]}, "BAD_USER_INPUT", "before")
}
