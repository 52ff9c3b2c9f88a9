package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/internal/athar"
)

// depthLimit rejects operations nested deeper than its limit before they run.
type depthLimit struct{ limit int }

// DepthLimit returns an extension that rejects an operation whose selections nest deeper than limit
// (fragments count at the depth they are spread), with a BAD_USER_INPUT error. Introspection is
// not counted.
func DepthLimit(limit int) graphql.HandlerExtension { return depthLimit{limit} }

// ExtensionName implements graphql.HandlerExtension.
func (depthLimit) ExtensionName() string { return "DepthLimit" }

// Validate implements graphql.HandlerExtension.
func (d depthLimit) Validate(graphql.ExecutableSchema) error {
	if d.limit < 1 {
		return fmt.Errorf("depth limit must be at least 1")
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, 0, d.limit+1); depth > d.limit {
		err := gqlerror.Errorf("the query nests %d levels deep or more; the limit is %d", depth, d.limit)
		err.Extensions = map[string]any{"code": CodeBadUserInput}
		return err
	}
	return nil
}

// selectionDepth returns the depth of a selection set, counting no further than stop.
func selectionDepth(set ast.SelectionSet, depth, stop int) int {
	if depth >= stop {
		return depth
	}
	deepest := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				// Introspection (__schema, __type) nests deep by its nature, costs no database
				// work, and is how the playground learns the schema.
				continue
			}
			if len(s.SelectionSet) == 0 {
				d = depth + 1
			} else {
				d = selectionDepth(s.SelectionSet, depth+1, stop)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, stop)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, depth, stop)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// listFactor is what a list field without a page size is assumed to hold when a query's cost is
// counted: the number of claims of an attack, the attacks of a facility.
const listFactor = 10

// costedSchema counts a query's cost before it runs: every field costs 1, plus its selections
// times how many items it may return: first (or last) for a paged field or a list given a first, listFactor
// for another list.
// Connections' own edges and nodes, and a graph's nodes and edges, are not counted twice.
type costedSchema struct {
	graphql.ExecutableSchema
}

// Complexity implements graphql.ExecutableSchema.
func (s costedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	t := s.Schema().Types[typeName]
	if t == nil || strings.HasPrefix(typeName, "__") || strings.HasPrefix(field, "__") {
		return 0, false
	}
	def := t.Fields.ForName(field)
	if def == nil {
		return 0, false
	}
	if (strings.HasSuffix(typeName, "Connection") && (field == "nodes" || field == "edges")) ||
		(strings.HasSuffix(typeName, "Edge") && field == "node") {
		// The items of a page, however they are asked for: the connection field counted them.
		return child, true
	}
	items := 1
	// A paged field's page is first, or last (a page from the end costs what a page from the start
	// does; the two are refused together), or its default size when neither is given.
	first, hasFirst := args["first"]
	if last, ok := args["last"]; ok && last != nil {
		first, hasFirst = last, true
	}
	hasFirst = hasFirst || def.Arguments.ForName("first") != nil
	switch {
	case hasFirst:
		items = athar.DefaultPageSize
		if field == "nearby" || field == "repeatedlyTargeted" {
			items = athar.DefaultNearbySize
		}
		if n, ok := intArg(first); ok && n >= 0 {
			// Counted as asked, up to what any list would give, so that an absurd first is
			// refused by the limit rather than overflowing it; the field rejects it too.
			items = min(n, maxCountedItems)
		}
	case def.Type.Elem != nil && !strings.HasSuffix(typeName, "Connection") && typeName != "Graph":
		items = listFactor
	}
	if ids, ok := args["ids"].([]any); ok {
		items = max(len(ids), 1) // nodes(ids:), graph(ids:): one item per id asked for
	} else if ids, ok := args["ids"].([]string); ok {
		items = max(len(ids), 1)
	}
	if limit, ok := intArg(args["limit"]); ok && limit > 0 {
		items = min(limit, maxCountedItems) // graph(limit): nodes are cheap but many
	}
	return saturatingCost(items, child), true
}

// maxCountedItems bounds the items a field is counted for: more than any list gives.
const maxCountedItems = 10_000

// costCeiling is where costs stop growing: far above any limit, far below overflow.
const costCeiling = 1 << 40

// saturatingCost returns 1 + items*child, or costCeiling when that would exceed it.
func saturatingCost(items, child int) int {
	if child >= costCeiling || (child > 0 && items > costCeiling/child) {
		return costCeiling
	}
	return min(1+items*child, costCeiling)
}

// intArg reads an integer argument, which may come as a pointer, as any integer type, or as JSON.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case *int:
		if n != nil {
			return *n, true
		}
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}
