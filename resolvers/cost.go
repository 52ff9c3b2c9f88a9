package resolvers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/graph"
	"github.com/athar-project/athar/internal/athar"
)

// DefaultComplexityLimit is the highest cost a query may have unless Config says otherwise (see
// costLimit): the README's deepest example, the evidence tree of a facility, costs 30,544 with its
// round trips (TestLimits_DefaultsLetEveryExampleRun measures every example); a page of 100 items,
// each with 100 items with 100 items, costs over a million.
const DefaultComplexityLimit = 50_000

// DefaultRoundTripCost is what each field that costs a round trip to Neo4j adds to a query's cost:
// a round trip costs about what reading a page of 100 items does (a query to Neo4j on the same
// machine takes about a millisecond; serializing a field about ten microseconds), so that the
// default complexity limit allows at most 500 of them: 5,000 aliased searches cost over 500,000.
const DefaultRoundTripCost = 100

// DefaultSearchCost is what each full-text lookup adds to a query's cost: a `search` field, or a
// list field whose filter has a `text`. A lookup of the most terms allowed, each matched fuzzily in
// Lucene, takes a few hundred milliseconds on two cores (30 of them took 11 s), against about a
// millisecond for a round trip; at 10,000 the default complexity limit allows four lookups in one
// request, beside the rest of a page.
const DefaultSearchCost = 10_000

// listFactor is what a list field without a page size is assumed to hold when a query's cost is
// counted: the number of claims of an attack, the attacks of a facility.
const listFactor = 10

// maxCountedItems bounds the items a field is counted for: more than any list gives.
const maxCountedItems = 10_000

// costLimit counts a query's cost after it is validated and before it runs, and refuses one above
// the limit. Every field costs 1, plus its selections times how many items it may return: the
// first (or last) the query gives a paged field, literal or variable, or the field's default page
// size when it gives none (athar.DefaultPageSize, athar.DefaultNearbySize); one per id of
// nodes(ids:) and graph(ids:); graph's limit; listFactor for another list. Connections' own edges
// and nodes are their items, not counted again. Each field resolved by a resolver of its own (they
// load through the store: graph.ResolverRoot's methods) adds roundTrip once where it is written,
// not once per item, since the loaders batch the items of a level into one query. Introspection
// costs nothing. A fragment's cost is counted once and added at each place it is spread, so the
// count is linear in the document.
type costLimit struct {
	limit, roundTrip, search int
	schema                   *ast.Schema
	// resolved holds "Type.field" for every field with a resolver of its own.
	resolved map[string]bool
}

func newCostLimit(schema *ast.Schema, limit, roundTrip, search int) costLimit {
	return costLimit{limit: limit, roundTrip: roundTrip, search: search, schema: schema, resolved: resolvedFields()}
}

// resolvedFields returns "Type.field" of every field gqlgen resolves through a resolver method
// (graph.ResolverRoot's methods name the types, their interfaces' methods the fields; gqlgen names a
// method after its field, capitalized).
func resolvedFields() map[string]bool {
	out := map[string]bool{}
	root := reflect.TypeFor[graph.ResolverRoot]()
	for i := range root.NumMethod() {
		m := root.Method(i)
		if m.Type.NumOut() != 1 || m.Type.Out(0).Kind() != reflect.Interface {
			continue
		}
		fields := m.Type.Out(0)
		for j := range fields.NumMethod() {
			out[m.Name+"."+strings.ToLower(fields.Method(j).Name)] = true
		}
	}
	return out
}

// ExtensionName implements graphql.HandlerExtension.
func (costLimit) ExtensionName() string { return "CostLimit" }

// Validate implements graphql.HandlerExtension.
func (c costLimit) Validate(graphql.ExecutableSchema) error {
	if c.limit < 1 {
		return errors.New("complexity limit must be at least 1")
	}
	if c.schema == nil || len(c.resolved) == 0 {
		return errors.New("the cost limit needs the schema and its resolvers")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if err := checkDeadline(ctx); err != nil {
		return err
	}
	if oc.Operation == nil {
		return nil
	}
	cost := c.Cost(oc.Operation, oc.Variables)
	if cost > c.limit {
		e := limitError("complexityLimit", c.limit, "the query costs %s; the limit is %d", counted(cost), c.limit)
		e.Extensions["cost"] = cost
		return e
	}
	return checkDeadline(ctx)
}

// Cost returns the cost of a validated operation with its variables (see costLimit).
func (c costLimit) Cost(op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{c: c, vars: vars, memo: map[string]fieldCost{}}
	n := w.selections(op.SelectionSet)
	return satAdd(satAdd(n.items, satMul(n.trips, c.roundTrip)), satMul(n.searches, c.search))
}

// fieldCost is the cost of a selection set: items counts fields times their items, trips the
// fields that cost a round trip, searches the full-text lookups.
type fieldCost struct{ items, trips, searches int }

func (a fieldCost) plus(b fieldCost) fieldCost {
	return fieldCost{satAdd(a.items, b.items), satAdd(a.trips, b.trips), satAdd(a.searches, b.searches)}
}

type costWalker struct {
	c    costLimit
	vars map[string]any
	memo map[string]fieldCost
}

func (w *costWalker) selections(set ast.SelectionSet) fieldCost {
	var out fieldCost
	for _, sel := range set {
		var n fieldCost
		switch s := sel.(type) {
		case *ast.Field:
			n = w.field(s)
		case *ast.InlineFragment:
			n = w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if m, ok := w.memo[s.Name]; ok {
				n = m
			} else if s.Definition != nil {
				n = w.selections(s.Definition.SelectionSet)
				w.memo[s.Name] = n
			}
		}
		out = out.plus(n)
	}
	return out
}

func (w *costWalker) field(f *ast.Field) fieldCost {
	if strings.HasPrefix(f.Name, "__") || f.Definition == nil || f.ObjectDefinition == nil {
		return fieldCost{} // introspection and __typename: no database work
	}
	child := w.selections(f.SelectionSet)
	typeName := f.ObjectDefinition.Name
	out := fieldCost{trips: child.trips, searches: child.searches}
	if w.c.resolvesField(f) {
		out.trips = satAdd(out.trips, 1)
	}
	if w.searches(f) {
		out.searches = satAdd(out.searches, 1)
	}
	if (strings.HasSuffix(typeName, "Connection") && (f.Name == "nodes" || f.Name == "edges")) ||
		(strings.HasSuffix(typeName, "Edge") && f.Name == "node") {
		// The items of a page, however they are asked for: the connection field counted them.
		out.items = child.items
		return out
	}
	out.items = satAdd(1, satMul(w.items(f), child.items))
	return out
}

// searches tells whether a field makes a full-text lookup: `search`, or a field whose `filter`
// argument has a text.
func (w *costWalker) searches(f *ast.Field) bool {
	if f.Name == "search" && f.ObjectDefinition.Name == "Query" {
		return true
	}
	if f.Definition.Arguments.ForName("filter") == nil {
		return false
	}
	filter, _ := f.ArgumentMap(w.vars)["filter"].(map[string]any)
	text, _ := filter["text"].(string)
	return text != ""
}

// resolvesField tells whether a field of a validated document has a resolver of its own: for a
// field of an interface, whether any type implementing it has one.
func (c costLimit) resolvesField(f *ast.Field) bool {
	key := "." + strings.ToLower(f.Name)
	if !f.ObjectDefinition.IsAbstractType() {
		return c.resolved[f.ObjectDefinition.Name+key]
	}
	for _, t := range c.schema.GetPossibleTypes(f.ObjectDefinition) {
		if c.resolved[t.Name+key] {
			return true
		}
	}
	return false
}

// items returns how many items a field may return, decided from the query (see costLimit).
func (w *costWalker) items(f *ast.Field) int {
	def := f.Definition
	args := f.ArgumentMap(w.vars)
	typeName := f.ObjectDefinition.Name
	items := 1
	page, paged := args["first"]
	if last, ok := args["last"]; ok && last != nil {
		page, paged = last, true
	}
	paged = paged || def.Arguments.ForName("first") != nil
	switch {
	case paged:
		items = athar.DefaultPageSize
		if f.Name == "nearby" || f.Name == "repeatedlyTargeted" {
			items = athar.DefaultNearbySize
		}
		if n, ok := intArg(page); ok && n >= 0 {
			// Counted as asked, up to what any list would give, so that an absurd first is
			// refused by the limit rather than overflowing it; the field rejects it too.
			items = min(n, maxCountedItems)
		}
	case def.Type.Elem != nil && !strings.HasSuffix(typeName, "Connection") && typeName != "Graph":
		items = listFactor
	}
	if ids, ok := args["ids"].([]any); ok {
		items = max(len(ids), 1) // nodes(ids:), graph(ids:): one item per id asked for
	}
	if limit, ok := intArg(args["limit"]); ok && limit > 0 {
		items = min(limit, maxCountedItems) // graph(limit): nodes are cheap but many
	}
	return items
}

// intArg reads an integer argument, which may come as any integer type or as JSON.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(min(max(n, -countCeiling), countCeiling)), true
	case float64:
		return int(min(max(n, -countCeiling), countCeiling)), true
	case json.Number:
		i, err := n.Int64()
		return int(min(max(i, -countCeiling), countCeiling)), err == nil
	}
	return 0, false
}
