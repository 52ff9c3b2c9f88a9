package resolvers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/graph"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
)

// DefaultComplexityLimit is the highest cost a query may have unless Config says otherwise (see
// costLimit): the README's deepest example, the evidence tree of a facility, costs 30,644 with its
// round trips (TestLimits_DefaultsLetEveryExampleRun measures every example), the network view two
// hops round a facility (300 nodes) 25,504; a page of 100 items, each with 100 items with 100
// items, costs over a million.
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
// request, beside the rest of a page (a totalCount of a lookup's hits looks them up again).
const DefaultSearchCost = 10_000

// listFactor is what a list field is assumed to hold when neither the query nor the calendar bounds
// it: the facilities an attack hit, the sources of its claims, the attacks on a repeatedly targeted
// facility.
const listFactor = 10

// maxCountedItems bounds the items a field is counted for: more than any page gives (a timeline's
// days are counted past it, as they are many: see timelineBuckets).
const maxCountedItems = 10_000

// calendarLists are the lists the calendar bounds: the months of a year and the days of a month.
var calendarLists = map[string]int{"Year.months": 12, "Month.days": 31}

// costLimit counts a query's cost after it is validated and before it runs, and refuses one above
// the limit. Every field costs 1, plus its selections times how many items it may return, decided
// from the query (its document and variables), never from what the field returns:
//   - a paged field (one with a first argument): the first or last the query gives, literal or
//     variable, at any depth, behind fragments, inline fragments and interfaces; or, when it gives
//     none (left out, null, or a variable left unset), the field's default page size: the
//     argument's default in the schema, else athar.DefaultNearbySize for nearby and
//     repeatedlyTargeted, athar.DefaultPageSize for the other root fields and athar.DefaultListSize
//     for the lists of an entity;
//   - nodes(ids:): one per id;
//   - graph: its nodes the limit (500 unless given), its edges limit × listFactor × depth: the
//     links of each node at each hop of its walk counted as a plain list (the walk reads at most
//     20 for each node of the limit, neo4jstore's Store.Graph; counting them so would put a
//     network view two hops deep at the default limit over DefaultComplexityLimit);
//   - timeline: the intervals of its filter's date range (MinYear to MaxYear when open), by year,
//     month or day (timelineBuckets);
//   - attacksGeoJSON: export.MaxFeatures, the features its answer may hold, each costing 1;
//   - attackClusters: the cells of the grid its box spans at its zoom (clusterCount), and search
//     besides, as a full-text lookup, since it reads every mapped attack in its box;
//   - Year.months 12, Month.days 31 (calendarLists); another list listFactor.
//
// Connections' own edges and nodes are their items, not counted again. Each field resolved by a
// resolver of its own (they load through the store: graph.ResolverRoot's methods) adds roundTrip
// for each round trip it makes (roundTrips), once where it is written, not once per item, since the
// loaders batch the items of a level into one query; graph adds one more for each hop of its walk
// past the second (its first query reads the first two).
// A root lookup of a place, actor, facility or source (place(id:), node(id:), nodes(ids:) with such
// ids) adds one more: the read of the entities merges put in the place of ids that name nothing
// (readsAliases); a filter's ids are read through their aliases in the list's own query.
// Each full-text lookup adds search: a search field or a filter with a text, and again its
// connection's totalCount, which counts the hits by looking them up again. Introspection costs
// nothing. A fragment's cost is counted once for each context it is spread in (under which graph,
// in a lookup's connection or not) and added at each place it is spread, so the count is linear in
// the document.
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
	w := costWalker{c: c, vars: vars, memo: map[memoKey]fieldCost{}}
	n := w.selections(op.SelectionSet)
	return satAdd(satAdd(n.items, satMul(n.trips, c.roundTrip)), satMul(n.searches, c.search))
}

// fieldCost is the cost of a selection set: items counts fields times their items, trips the
// fields that cost a round trip, searches the full-text lookups.
type fieldCost struct{ items, trips, searches int }

func (a fieldCost) plus(b fieldCost) fieldCost {
	return fieldCost{satAdd(a.items, b.items), satAdd(a.trips, b.trips), satAdd(a.searches, b.searches)}
}

// walkContext is what the cost of a selection set depends on besides the set itself: the graph
// field it is under (its nodes' and edges' items) and whether it is the selection of a connection
// that makes a full-text lookup (whose totalCount makes another).
type walkContext struct {
	graphLimit, graphDepth int
	lookup                 bool
}

// memoKey names a fragment's cost in a context.
type memoKey struct {
	fragment string
	context  walkContext
}

type costWalker struct {
	c    costLimit
	vars map[string]any
	memo map[memoKey]fieldCost
	// at is the context of the selection set being walked.
	at walkContext
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
			key := memoKey{s.Name, w.at}
			if m, ok := w.memo[key]; ok {
				n = m
			} else if s.Definition != nil {
				n = w.selections(s.Definition.SelectionSet)
				w.memo[key] = n
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
	args := f.ArgumentMap(w.vars)
	typeName := f.ObjectDefinition.Name
	out := fieldCost{}
	if w.at.lookup && f.Name == "totalCount" && strings.HasSuffix(typeName, "Connection") {
		out.searches = 1 // the count of a full-text lookup's hits looks them up again
	}
	items := w.items(f, args)
	if w.c.resolvesField(f) {
		out.trips = w.c.roundTrips(f, args, items)
	}

	outer := w.at
	w.at = walkContext{}
	if typeName == "Query" && f.Name == "graph" {
		w.at.graphLimit, w.at.graphDepth = graphSize(args)
		out.trips = satAdd(out.trips, max(0, w.at.graphDepth-2)) // one query for each hop past the first two
	}
	if w.searches(f, args) {
		out.searches = satAdd(out.searches, 1)
		w.at.lookup = true
	}
	child := w.selections(f.SelectionSet)
	w.at = outer

	out.trips = satAdd(out.trips, child.trips)
	out.searches = satAdd(out.searches, child.searches)
	switch {
	case (strings.HasSuffix(typeName, "Connection") && (f.Name == "nodes" || f.Name == "edges")) ||
		(strings.HasSuffix(typeName, "Edge") && f.Name == "node"):
		// The items of a page, however they are asked for: the connection field counted them.
		out.items = child.items
	case len(f.SelectionSet) == 0 && f.Definition.Type.Elem == nil && items > 1:
		// A scalar that holds many items of its own (attacksGeoJSON's features): 1 for each.
		out.items = satAdd(1, items)
	default:
		out.items = satAdd(1, satMul(items, child.items))
	}
	return out
}

// searches tells whether a field makes a full-text lookup or a scan as costly: `search`,
// `attackClusters` (whatever its cells, it reads every mapped attack its box holds), or a field
// whose `filter` argument has a text.
func (w *costWalker) searches(f *ast.Field, args map[string]any) bool {
	if (f.Name == "search" || f.Name == "attackClusters") && f.ObjectDefinition.Name == "Query" {
		return true // attackClusters reads every mapped attack in its box: seconds over 100,000
	}
	if f.Definition.Arguments.ForName("filter") == nil {
		return false
	}
	filter, _ := args["filter"].(map[string]any)
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

// roundTrips returns the round trips a field with a resolver of its own makes, for all its items
// at once (see costLimit): one, or the loads its resolver makes one after the other
// (sequentialLoads); for a field of an abstract type, one for each type it may load, as entities are
// read one type at a time (node(id:) one, nodes(ids:) one for each type its ids name); for a
// mutation, mutationRoundTrips; and one more when it is given last without before and learns its
// list's length first: every list of an entity, and nearby (the other root lists page in the
// store, in one query).
func (c costLimit) roundTrips(f *ast.Field, args map[string]any, items int) int {
	n := 1
	if loads, ok := sequentialLoads[f.ObjectDefinition.Name+"."+f.Name]; ok {
		n = loads
	}
	if f.ObjectDefinition == c.schema.Mutation {
		n = mutationRoundTrips
		if f.Name == "restore" {
			n = restoreRoundTrips
		}
	}
	if t := c.schema.Types[f.Definition.Type.Name()]; t != nil && t.IsAbstractType() {
		n = len(c.schema.GetPossibleTypes(t))
		if ids, ok := args["ids"].([]any); ok {
			n = min(n, max(typesOf(ids), 1))
		} else if f.Definition.Type.Elem == nil && f.ObjectDefinition == c.schema.Query {
			n = 1 // node(id:): one entity
		}
	}
	if f.ObjectDefinition == c.schema.Query && readsAliases(f.Name, args) {
		n++ // the merged ids among those that name nothing (aliasOf)
	}
	if last, before := args["last"], args["before"]; last != nil && before == nil &&
		(f.ObjectDefinition != c.schema.Query || f.Name == "nearby") {
		n++
	}
	return n
}

// aliasLookups are the root fields that read, for an id of a mergeable type that names nothing,
// the entity a merge put in its place: one more round trip.
var aliasLookups = map[string]bool{"node": true, "nodes": true, "place": true, "actor": true, "facility": true, "source": true}

// readsAliases tells whether the root field name, with args, may read aliases of merged ids. A
// filter's ids are read through their aliases in the list's own query (neo4jstore's currentIDs).
func readsAliases(name string, args map[string]any) bool {
	if !aliasLookups[name] {
		return false
	}
	ids, _ := args["ids"].([]any)
	if id, ok := args["id"].(string); ok {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if s, ok := id.(string); ok && athar.Mergeable(athar.TypeOfID(s)) {
			return true
		}
	}
	return false
}

// typesOf returns how many entity types the ids name (by their prefixes: facility:…).
func typesOf(ids []any) int {
	types := map[athar.EntityType]bool{}
	for _, id := range ids {
		if s, ok := id.(string); ok {
			types[athar.TypeOfID(s)] = true
		}
	}
	return len(types)
}

// mutationRoundTrips is how many queries a mutation runs in its transaction: it checks the id (and
// that no deleted entity keeps it), the references and the duplicates, locks, writes its node and
// each kind of its links (one small statement a kind, as imports write them), keeps the attacks'
// figures and mapped points, reads back what it wrote and writes its change record. The most
// measured is 22, of createAttack (TestQueryCost_CountsEveryMutationsRoundTrips sends each kind);
// restore is counted apart (restoreRoundTrips).
const mutationRoundTrips = 22

// restoreRoundTrips is how many queries a restore runs at most: its reads and relabelling, and one
// statement for each kind of link it makes again (an attack's: its facilities, places, events,
// date, weapons, attack types, claims and theirs), which may be more than another mutation's.
const restoreRoundTrips = 40

// sequentialLoads are the fields whose resolvers make more than one round trip, each waiting for the
// one before: a list of ids, then the entities (the attacks of a day, the days of a month); the
// claims of an attack, then what is derived from them (its sources, the citations its casualties'
// independence needs); the attacks linked as one incident, then their claims.
var sequentialLoads = map[string]int{
	"Attack.sources": 2, "Attack.casualties": 2, "Attack.sameIncident": 2, "Attack.sameDay": 2,
	"Attack.incidentAttributions": 2, "Attack.incidentCasualties": 3,
	"Day.attacks": 2, "Month.attacks": 2, "Year.attacks": 2, "Month.days": 2, "Year.months": 2,
	"Query.datasetOverlap": 2,
}

// items returns how many items a field may return, decided from the query (see costLimit).
func (w *costWalker) items(f *ast.Field, args map[string]any) int {
	def := f.Definition
	typeName := f.ObjectDefinition.Name
	key := typeName + "." + f.Name
	if def.Arguments.ForName("first") != nil {
		return pageSize(f, args)
	}
	if ids, ok := args["ids"].([]any); ok && def.Type.Elem != nil {
		return len(ids) // nodes(ids:): one item per id asked for
	}
	switch key {
	case "Query.timeline":
		return timelineBuckets(args)
	case "Query.attacksGeoJSON":
		return export.MaxFeatures
	case "Query.attackClusters":
		return clusterCount(args)
	case "Graph.nodes":
		return w.at.graphLimit
	case "Graph.edges":
		return satMul(satMul(w.at.graphLimit, listFactor), w.at.graphDepth)
	}
	if n, ok := calendarLists[key]; ok {
		return n
	}
	if def.Type.Elem != nil && !strings.HasSuffix(typeName, "Connection") {
		return listFactor
	}
	return 1
}

// pageSize is the size of a paged field's page: the first or last the query gives, or the field's
// default (see costLimit). A negative size counts as the default (the field refuses it); a larger
// one than any page counts as maxCountedItems, so that it is refused by the limit rather than
// overflowing it (the field refuses it too).
func pageSize(f *ast.Field, args map[string]any) int {
	page := args["first"]
	if last, ok := args["last"]; ok && last != nil {
		page = last
	}
	if n, ok := intArg(page); ok && n >= 0 {
		return min(n, maxCountedItems)
	}
	if d := f.Definition.Arguments.ForName("first").DefaultValue; d != nil {
		if n, err := strconv.Atoi(d.Raw); err == nil && n >= 0 {
			return min(n, maxCountedItems)
		}
	}
	switch {
	case f.Name == "nearby" || f.Name == "repeatedlyTargeted":
		return athar.DefaultNearbySize
	case f.ObjectDefinition.Name == "Query":
		return athar.DefaultPageSize
	}
	return athar.DefaultListSize
}

// graphSize returns the limit and depth of a graph field, as its resolver reads them: a null
// depth is 0 (no hop); a null limit is refused, and counts as the default.
func graphSize(args map[string]any) (limit, depth int) {
	limit, depth = 500, 0
	if n, ok := intArg(args["limit"]); ok && n > 0 {
		limit = min(n, maxCountedItems)
	}
	if n, ok := intArg(args["depth"]); ok && n > 0 {
		depth = min(n, athar.MaxGraphDepth)
	}
	return limit, depth
}

// timelineBuckets returns how many buckets a timeline may have: the years, months or days (by its
// interval) from its filter's dateRange.from to its dateRange.to, each MinYear's first day or
// MaxYear's last when open. An attack whose date spans several intervals gets a bucket of its own
// beside them, which this does not count.
func timelineBuckets(args map[string]any) int {
	from := time.Date(athar.MinYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(athar.MaxYear(), time.December, 31, 0, 0, 0, 0, time.UTC)
	filter, _ := args["filter"].(map[string]any)
	dates, _ := filter["dateRange"].(map[string]any)
	if s, ok := dates["from"].(string); ok {
		if t, err := time.Parse(time.DateOnly, s); err == nil && t.After(from) {
			from = t
		}
	}
	if s, ok := dates["to"].(string); ok {
		if t, err := time.Parse(time.DateOnly, s); err == nil && t.Before(to) {
			to = t
		}
	}
	if to.Before(from) {
		return 0
	}
	switch args["interval"] {
	case "YEAR":
		return to.Year() - from.Year() + 1
	case "MONTH":
		return (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1
	}
	return int(to.Sub(from).Hours()/24) + 1
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
