package resolvers_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/graph"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// costServers serves one database under several cost limits: measure refuses every query (its
// limit is 1) and says its cost; at serves the limit given. Their document limits let 300 aliases
// through, so that only the cost decides.
type costServers struct {
	t       *testing.T
	store   *neo4jstore.Store
	measure *client
}

// costLimits are document limits high enough for every query of these tests.
var costLimits = resolvers.Limits{MaxQueryBytes: 1 << 20, MaxTokens: 1 << 20, MaxAliases: 1000, MaxFields: 10_000}

func newCostServers(t *testing.T) *costServers {
	t.Helper()
	s := &costServers{t: t, store: neo4jtest.MustStore(t)}
	s.measure = s.at(1)
	return s
}

// at returns a client of a server whose complexity limit is limit.
func (s *costServers) at(limit int) *client {
	s.t.Helper()
	return serve(s.t, s.store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ComplexityLimit = limit
		gql.Limits = costLimits
	})
}

// cost returns the cost the server counts for a query, from the error that refuses it.
func (s *costServers) cost(query string, vars map[string]any) int {
	s.t.Helper()
	e := s.measure.mustOverLimit(query, vars, "complexityLimit", 1)
	cost, ok := e.Extensions["cost"].(float64)
	if !ok {
		s.t.Fatalf("no cost in %+v", e)
	}
	return int(cost)
}

// mustBeAccepted posts a query that must run: no error at all.
func mustBeAccepted(t *testing.T, c *client, query string, vars map[string]any) {
	t.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) > 0 || len(resp.Data) == 0 {
		t.Errorf("query\n%s\nwith %v: errors %+v, want it to run", query, vars, resp.Errors)
	}
}

// pagedField is a field that takes first.
type pagedField struct {
	on    *ast.Definition
	field *ast.FieldDefinition
}

func (p pagedField) String() string { return p.on.Name + "." + p.field.Name }

// pagedFields returns every field of the schema that takes first, by type and field name.
func pagedFields(schema *ast.Schema) []pagedField {
	var out []pagedField
	for _, def := range schema.Types {
		if strings.HasPrefix(def.Name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if f.Arguments.ForName("first") != nil {
				out = append(out, pagedField{def, f})
			}
		}
	}
	slices.SortFunc(out, func(a, b pagedField) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// documentedDefault is the page size the schema documents for a paged field when first is not
// given: the argument's default, or the "N unless last is given" of its description.
func documentedDefault(t *testing.T, p pagedField) int {
	t.Helper()
	first := p.field.Arguments.ForName("first")
	if first.DefaultValue != nil {
		n, err := strconv.Atoi(first.DefaultValue.Raw)
		if err != nil {
			t.Fatalf("%s: first's default %q", p, first.DefaultValue.Raw)
		}
		return n
	}
	m := regexp.MustCompile(`(\d+) unless last is given`).FindStringSubmatch(first.Description)
	if m == nil {
		t.Fatalf("%s: the schema says neither a default nor its page size unless last is given: %q", p, first.Description)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// argumentValues are the values given to the required arguments of the fields on the way to a
// paged field, by argument name, where a value of the argument's type alone would be refused.
var argumentValues = map[string]string{
	"ids": `["facility:cost", "attack:cost"]`, "date": `"2016-11-16"`, "year": "2016", "month": "11", "interval": "YEAR", "query": `"school"`,
	"latitude": "36.2", "longitude": "37.1", "radiusMeters": "100",
	"attackId": `"attack:cost"`, "a": `"dataset:cost"`, "b": `"dataset:other"`,
}

// costEntities creates an entity of each type, "<type>:cost", for the paths to the paged fields to
// pass through, linked to one another, a second dataset to compare the first with, and a second
// attack the same day, part of the first and linked with it as one incident, with claims of
// casualties and of who is responsible.
func costEntities(t *testing.T, c *client) {
	t.Helper()
	var out map[string]any
	c.MustMutate(`mutation {
	  d: createDataset(input: {id: "dataset:cost", name: "Cost"}) { userErrors { message } }
	  e: createDataset(input: {id: "dataset:other", name: "Cost B"}) { userErrors { message } }
	  p: createPlace(input: {id: "place:cost", name: "Cost", kind: CITY}) { userErrors { message } }
	  a: createActor(input: {id: "actor:cost", name: "Cost", kind: NGO}) { userErrors { message } }
	  f: createFacility(input: {id: "facility:cost", name: "Cost", type: SCHOOL, placeId: "place:cost"}) { userErrors { message } }
	  s: createSource(input: {id: "source:cost", title: "Cost", kind: NEWS, publishedBy: ["actor:cost"]}) { userErrors { message } }
	  v: createEvent(input: {id: "event:cost", name: "Cost", kind: OTHER, facilityId: "facility:cost"}) { userErrors { message } }
	}`, nil, &out)
	c.MustMutate(`mutation {
	  a: createAttack(input: {id: "attack:cost", title: "Cost", date: {start: "2016-11-16"}, facilityIds: ["facility:cost"],
	    placeIds: ["place:cost"], duringEventIds: ["event:cost"]}) { userErrors { message } }
	}`, nil, &out)
	c.MustMutate(`mutation {
	  b: createAttack(input: {id: "attack:second", title: "Cost B", date: {start: "2016-11-16"}, facilityIds: ["facility:cost"],
	    placeIds: ["place:cost"], partOfEventIds: ["event:cost"], aggregateId: "attack:cost"}) { userErrors { message } }
	  c: addClaim(input: {id: "claim:cost", attackId: "attack:cost", sourceId: "source:cost", kind: NARRATIVE,
	    text: "Cost", quote: "Cost", claimedBy: "actor:cost"}) { userErrors { message } }
	  k: addClaim(input: {id: "claim:killed", attackId: "attack:second", sourceId: "source:cost", kind: CASUALTIES,
	    text: "Cost", quote: "Cost", killed: {low: 3, high: 5}, placeIds: ["place:cost"]}) { userErrors { message } }
	  p: addClaim(input: {id: "claim:perpetrator", attackId: "attack:cost", sourceId: "source:cost", kind: PERPETRATOR,
	    text: "Cost", quote: "Cost", names: ["actor:cost"]}) { userErrors { message } }
	}`, nil, &out)
	c.MustMutate(`mutation {
	  l: linkSameIncident(input: {attackIds: ["attack:cost", "attack:second"]}) { userErrors { message } }
	}`, nil, &out)
}

// literal writes a value of type typ for the required argument name of a field returning result.
func literal(schema *ast.Schema, name string, typ *ast.Type, result string) string {
	if v, ok := argumentValues[name]; ok {
		return v
	}
	if typ.Elem != nil {
		return "[" + literal(schema, name, typ.Elem, result) + "]"
	}
	switch def := schema.Types[typ.NamedType]; {
	case name == "id" || typ.NamedType == "ID":
		if r := schema.Types[result]; r.IsAbstractType() {
			result = schema.GetPossibleTypes(r)[0].Name // node(id:): an entity of the first type
		}
		return strconv.Quote(strings.ToLower(result[:1]) + result[1:] + ":cost")
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+literal(schema, f.Name, f.Type, result))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	case typ.NamedType == "Int" || typ.NamedType == "Float":
		return "1"
	case typ.NamedType == "Boolean":
		return "false"
	}
	return `"x"`
}

// call writes a field with its required arguments and the extra ones given.
func call(schema *ast.Schema, f *ast.FieldDefinition, extra ...string) string {
	args := extra
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+literal(schema, a.Name, a.Type, f.Type.Name()))
		}
	}
	if len(args) == 0 {
		return f.Name
	}
	return f.Name + "(" + strings.Join(args, ", ") + ")"
}

// pathTo returns the shortest way from the query's root to a selection set on the type named to:
// the text before that selection set and the text after it. Interfaces lead to the types that
// implement them through inline fragments. ok is false for a type no query reaches (a mutation's
// payload).
func pathTo(schema *ast.Schema, to string) (open, close string, ok bool) {
	type step struct{ from, text string }
	prev := map[string]step{schema.Query.Name: {}}
	queue := []string{schema.Query.Name}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		def := schema.Types[name]
		next := func(to, text string) {
			if _, seen := prev[to]; !seen {
				prev[to] = step{name, text}
				queue = append(queue, to)
			}
		}
		if def.Kind == ast.Interface {
			for _, p := range schema.GetPossibleTypes(def) {
				next(p.Name, "... on "+p.Name)
			}
		}
		for _, f := range def.Fields {
			if k := schema.Types[f.Type.Name()].Kind; !strings.HasPrefix(f.Name, "__") && (k == ast.Object || k == ast.Interface) {
				next(f.Type.Name(), call(schema, f))
			}
		}
	}
	if _, ok := prev[to]; !ok {
		return "", "", false
	}
	for at := to; at != schema.Query.Name; at = prev[at].from {
		open = prev[at].text + " { " + open
		close += " }"
	}
	return open, close, true
}

// firstLeaf selects the first field of a type, and the first field of that, down to a scalar:
// edges { cursor } of a connection.
func firstLeaf(schema *ast.Schema, typeName string) string {
	def := schema.Types[typeName]
	if def.Kind != ast.Object && def.Kind != ast.Interface {
		return ""
	}
	for _, f := range def.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			if sub := firstLeaf(schema, f.Type.Name()); sub != "" {
				return "{ " + call(schema, f) + " " + sub + " }"
			}
			return "{ " + call(schema, f) + " }"
		}
	}
	return ""
}

// TestQueryCost_EveryPagedFieldAtItsBoundary takes every field of the schema that takes first (so
// that one added later is covered), reached from the root by the shortest way, selecting its first
// scalar, and its default page size as the schema documents it. Its cost with first given as the
// default, as null, and left unset is the same, and grows by the same amount with each item; with
// the limit set at that cost, first = default−1, the default and first left unset run, and
// default+1 is refused, naming complexityLimit, and so is last = default+1.
func TestQueryCost_EveryPagedFieldAtItsBoundary(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	s := newCostServers(t)
	costEntities(t, s.at(resolvers.DefaultComplexityLimit))
	fields := pagedFields(schema)
	if len(fields) < 30 {
		t.Fatalf("%d paged fields found, want every one of the schema: %v", len(fields), fields)
	}
	for _, p := range fields {
		t.Run(p.String(), func(t *testing.T) {
			def := documentedDefault(t, p)
			open, close, ok := pathTo(schema, p.on.Name)
			if !ok {
				t.Fatalf("no way from the root to %s", p.on.Name)
			}
			sel := firstLeaf(schema, p.field.Type.Name())
			firstType := p.field.Arguments.ForName("first").Type.String()
			q := fmt.Sprintf("query ($n: %s) { %s%s %s%s }", firstType, open, call(schema, p.field, "first: $n"), sel, close)
			n := func(v int) map[string]any { return map[string]any{"n": v} }

			below, at, above := s.cost(q, n(def-1)), s.cost(q, n(def)), s.cost(q, n(def+1))
			if unset, null := s.cost(q, nil), s.cost(q, map[string]any{"n": nil}); unset != at || null != at {
				t.Errorf("cost %d with first unset and %d with null, want %d as with first: %d\n%s", unset, null, at, def, q)
			}
			if above-at != at-below || at <= below {
				t.Errorf("costs %d, %d, %d for first %d, %d, %d: want them growing by the same amount\n%s", below, at, above, def-1, def, def+1, q)
			}

			c := s.at(at)
			mustBeAccepted(t, c, q, n(def-1))
			mustBeAccepted(t, c, q, n(def))
			mustBeAccepted(t, c, q, nil)
			c.mustOverLimit(q, n(def+1), "complexityLimit", at)
			if p.field.Arguments.ForName("last") != nil {
				last := fmt.Sprintf("query ($n: %s) { %s%s %s%s }", firstType, open, call(schema, p.field, "last: $n"), sel, close)
				c.mustOverLimit(last, n(def+1), "complexityLimit", at)
				// A list that learns its length before it takes its last items makes one more
				// round trip (TestQueryCost_CountsEveryRoundTrip).
				if got := s.cost(last, n(def)); got != at && got != at+resolvers.DefaultRoundTripCost {
					t.Errorf("cost %d with last: %d, want %d as with first, or one round trip more", got, def, at)
				}
			}
		})
	}
}

// TestQueryCost_ThreeHundredAliases sends 300 aliases of one field: its cost is 300 times the
// field's, and it runs under a limit of exactly that cost and is refused under one less.
func TestQueryCost_ThreeHundredAliases(t *testing.T) {
	s := newCostServers(t)
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, ` a%d: attacks(first: 5) { nodes { id title } }`, i)
		}
		return b.String() + " }"
	}
	one := s.cost(aliases(1), nil)
	if want := 1 + 5*2 + resolvers.DefaultRoundTripCost; one != want {
		t.Fatalf("one alias costs %d, want %d", one, want)
	}
	all := s.cost(aliases(300), nil)
	if all != 300*one {
		t.Fatalf("300 aliases cost %d, want 300 × %d", all, one)
	}
	mustBeAccepted(t, s.at(all), aliases(300), nil)
	s.at(all-1).mustOverLimit(aliases(300), nil, "complexityLimit", all-1)
}

// TestQueryCost_APageIsCountedHoweverItIsReached counts claims(first: 100) of an attack reached
// every way a query can reach it: directly, through a named fragment, an inline fragment, the Node
// interface (node, nodes, search results), an alias, and first as a variable (given, left unset
// with the variable's default, null). Each counts the 100 claims the page may hold, not the items
// the field returns (the database is empty: it returns none).
func TestQueryCost_APageIsCountedHoweverItIsReached(t *testing.T) {
	s := newCostServers(t)
	rt, search := resolvers.DefaultRoundTripCost, resolvers.DefaultSearchCost
	claims := 1 + 100*2 // claims(first: 100) { nodes { id quote } }
	page := `claims(first: 100) { nodes { id quote } }`
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		want        int
	}{
		{"directly", `{ attack(id: "attack:a") { ` + page + ` } }`, nil, 1 + claims + 2*rt},
		{"through a named fragment", `{ attack(id: "attack:a") { ...C } } fragment C on Attack { ` + page + ` }`, nil, 1 + claims + 2*rt},
		{"through an inline fragment", `{ attack(id: "attack:a") { ... on Attack { ` + page + ` } } }`, nil, 1 + claims + 2*rt},
		{"through node(id:)", `{ node(id: "attack:a") { ... on Attack { ` + page + ` } } }`, nil, 1 + claims + 2*rt},
		{"through nodes(ids:), once per id", `{ nodes(ids: ["attack:a", "attack:b", "attack:c"]) { ... on Attack { ` + page + ` } } }`, nil, 1 + 3*claims + 2*rt},
		{"through search results", `{ search(query: "school", first: 7) { nodes { ... on Attack { ` + page + ` } } } }`, nil, 1 + 7*claims + 2*rt + search},
		{"through a fragment on an interface", `{ search(query: "school", first: 7) { edges { node { ...N } } } } fragment N on Node { ... on Attack { ` + page + ` } }`, nil, 1 + 7*claims + 2*rt + search},
		{"under an alias", `{ x: attack(id: "attack:a") { y: claims(first: 100) { nodes { id quote } } } }`, nil, 1 + claims + 2*rt},
		{"first as a variable", `query ($n: Int) { attack(id: "attack:a") { claims(first: $n) { nodes { id quote } } } }`, map[string]any{"n": 100}, 1 + claims + 2*rt},
		{"a variable left unset takes its default", `query ($n: Int = 100) { attack(id: "attack:a") { claims(first: $n) { nodes { id quote } } } }`, nil, 1 + claims + 2*rt},
		{"a null variable takes the field's default", `query ($n: Int = 100) { attack(id: "attack:a") { claims(first: $n) { nodes { id quote } } } }`, map[string]any{"n": nil}, 1 + (1 + athar.DefaultListSize*2) + 2*rt},
		{"last, which first learns the list's length", `{ attack(id: "attack:a") { claims(last: 100) { nodes { id quote } } } }`, nil, 1 + claims + 3*rt},
		{"two levels down", `{ attacks(first: 10) { nodes { ` + page + ` } } }`, nil, 1 + 10*claims + 2*rt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.cost(tc.query, tc.vars); got != tc.want {
				t.Errorf("cost %d, want %d", got, tc.want)
			}
		})
	}
}

// TestQueryCost_ItemsFromArguments checks the fields whose items come from other arguments than
// first, or from no argument: totalCount, nodes(ids:), graph's limit and depth, timeline's range
// and interval, attacksGeoJSON's features and the calendar's months and days.
func TestQueryCost_ItemsFromArguments(t *testing.T) {
	s := newCostServers(t)
	rt, search := resolvers.DefaultRoundTripCost, resolvers.DefaultSearchCost
	years := athar.MaxYear() - athar.MinYear + 1
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		want        int
	}{
		{"totalCount is a round trip", `{ attacks(first: 0) { totalCount } }`, nil, 1 + 2*rt},
		{"totalCount of a full-text lookup looks it up again", `{ search(query: "school", first: 0) { totalCount } }`, nil, 1 + 2*rt + 2*search},
		{"each totalCount of a lookup", `{ attacks(first: 0, filter: {text: "school"}) { a: totalCount b: totalCount } }`, nil, 1 + 3*rt + 3*search},
		{"totalCount of a lookup in a fragment", `{ search(query: "school", first: 0) { ...T } } fragment T on SearchConnection { totalCount }`, nil, 1 + 2*rt + 2*search},
		{"totalCount without a lookup", `{ facilities(first: 0, filter: {types: [SCHOOL]}) { totalCount } }`, nil, 1 + 2*rt},
		{"nodes: one item per id", `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"attack:a", "attack:b", "attack:c", "attack:d"}}, 1 + 4 + rt},
		{"graph: nodes by its default limit, edges by its default depth", `{ graph(ids: ["facility:a"]) { nodes { id } edges { id } truncated } }`, nil,
			1 + (1 + 500) + (1 + 500*10) + 1 + rt}, // its one query reads the starts and their first hop
		{"graph: its limit and depth as given", `query ($l: Int) { graph(ids: ["facility:a"], depth: 3, limit: $l) { nodes { id name } edges { id type } } }`, map[string]any{"l": 40},
			1 + (1 + 40*2) + (1 + 40*10*3*2) + 2*rt}, // one query for the first two hops, one for the third
		{"graph: depth 0 walks nowhere", `{ graph(ids: ["facility:a"], depth: 0, limit: 10) { nodes { id } edges { id } } }`, nil, 1 + (1 + 10) + 1 + rt},
		{"timeline by year, open", `{ timeline(interval: YEAR) { start attacks } }`, nil, 1 + years*2 + rt},
		{"timeline by day over a week", `query ($f: AttackFilter) { timeline(interval: DAY, filter: $f) { start } }`,
			map[string]any{"f": map[string]any{"dateRange": map[string]any{"from": "2016-11-10", "to": "2016-11-16"}}}, 1 + 7 + rt},
		{"timeline by month from a date on", `{ timeline(interval: MONTH, filter: {dateRange: {from: "2016-11-16"}}) { start } }`, nil,
			1 + ((athar.MaxYear()-2016)*12 + 2) + rt},
		{"attacksGeoJSON: its features", `{ attacksGeoJSON }`, nil, 1 + export.MaxFeatures + rt},
		{"the months of a year and the days of a month", `{ year(year: 2016) { months { days { attacks(first: 3) { nodes { id } } } } } }`, nil,
			1 + 1 + 12*(1+31*(1+3)) + 7*rt}, // months, days and attacks: ids, then the nodes
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.cost(tc.query, tc.vars); got != tc.want {
				t.Errorf("cost %d, want %d", got, tc.want)
			}
		})
	}

	t.Run("a day timeline of every year does not fit the default limit with more than one field", func(t *testing.T) {
		c := serve(t, s.store, nil)
		mustBeAccepted(t, c, `{ timeline(interval: DAY) { start } }`, nil)
		c.mustOverLimit(`{ timeline(interval: DAY) { start end } }`, nil, "complexityLimit", resolvers.DefaultComplexityLimit)
	})
}

// tripCost is what a round trip costs on the measuring server of roundTripServers: a million, so
// that a query's cost divided by a million is its round trips (its items and lookups cost less).
const tripCost = 1_000_000

// roundTripServers returns two servers over a fresh database holding costEntities: one that
// refuses every query with its cost counted at tripCost a round trip, one that runs every query
// and reports its round trips.
func roundTripServers(t *testing.T) (measure, run *client) {
	store := neo4jtest.MustStore(t)
	measure = serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ComplexityLimit, gql.Limits = 1, costLimits
		gql.Limits.RoundTripCost = tripCost
	})
	run = serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ComplexityLimit, gql.Limits, gql.ReportRoundTrips = 1<<40, costLimits, true
	})
	costEntities(t, run)
	return measure, run
}

// TestQueryCost_CountsEveryRoundTrip sends, for every field of every type the query's root leads
// to (from the schema, so that a field added later is covered), the field reached by the shortest
// way over entities of every type, selecting its first scalar, and for a field that takes last, the
// same with last: 1; and checks that the round trips the cost counts are at least those the request
// made to Neo4j (extensions.dbRoundTrips).
func TestQueryCost_CountsEveryRoundTrip(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	measure, run := roundTripServers(t)
	var names []string
	for name, def := range schema.Types {
		if !strings.HasPrefix(name, "__") && (def.Kind == ast.Object || def.Kind == ast.Interface) && def != schema.Mutation {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	checked := 0
	for _, name := range names {
		def := schema.Types[name]
		open, close, ok := pathTo(schema, name)
		if !ok {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			variants := []string{call(schema, f)}
			if f.Arguments.ForName("last") != nil {
				variants = append(variants, call(schema, f, "last: 1"))
			}
			for _, field := range variants {
				q := "{ " + open + field + " " + firstLeaf(schema, f.Type.Name()) + close + " }"
				resp := run.Do(q, nil)
				if len(resp.Errors) > 0 {
					t.Errorf("%s.%s: %s\nerrors %+v", name, f.Name, q, resp.Errors)
					continue
				}
				made, ok := resp.Extensions["dbRoundTrips"].(float64)
				if !ok || made < 1 {
					t.Fatalf("%s: extensions %v, want the round trips made", q, resp.Extensions)
				}
				e := measure.mustOverLimit(q, nil, "complexityLimit", 1)
				cost, _ := e.Extensions["cost"].(float64)
				if counted := int(cost) / tripCost; counted < int(made) {
					t.Errorf("%s.%s: %s\ncounts %d round trips, the request made %d", name, f.Name, q, counted, int(made))
				}
				checked++
			}
		}
	}
	t.Logf("%d queries checked", checked)
}

// mutationsMeasured are a mutation of each kind, in an order in which each does what it is for
// (creates, changes, links or unlinks), over the entities costEntities creates.
var mutationsMeasured = []string{
	`createDataset(input: {id: "dataset:third", name: "Third", publisher: "P"}) { dataset { id } }`,
	`updateDataset(input: {id: "dataset:third", description: "D"}) { dataset { id } }`,
	`createPlace(input: {name: "New", kind: TOWN, partOf: "place:cost", aliases: ["N"]}) { place { id } }`,
	`updatePlace(input: {id: "place:cost", description: "D", aliases: ["C"]}) { place { id } }`,
	`createActor(input: {name: "New", kind: MEDIA, partOf: "actor:cost"}) { actor { id } }`,
	`updateActor(input: {id: "actor:cost", description: "D"}) { actor { id } }`,
	`createFacility(input: {name: "New", type: HOSPITAL, placeId: "place:cost", operatedBy: ["actor:cost"]}) { facility { id } }`,
	`updateFacility(input: {id: "facility:cost", description: "D", location: {latitude: 36.2, longitude: 37.1, precision: EXACT}}) { facility { id } }`,
	`createSource(input: {title: "New", kind: ARTICLE, publishedBy: ["actor:cost"], cites: ["source:cost"]}) { source { id } }`,
	`updateSource(input: {id: "source:cost", description: "D"}) { source { id } }`,
	`createEvent(input: {name: "New", kind: SIEGE, placeIds: ["place:cost"], date: {start: "2016-11"}}) { event { id } }`,
	`updateEvent(input: {id: "event:cost", description: "D"}) { event { id } }`,
	`createAttack(input: {id: "attack:third", title: "Third", date: {start: "2016-11-17"}, facilityIds: ["facility:cost"], placeIds: ["place:cost"],
	  duringEventIds: ["event:cost"], weapons: [MISSILE], location: {latitude: 36.2, longitude: 37.1, precision: EXACT}}) { attack { id } }`,
	`updateAttack(input: {id: "attack:third", summary: "S", weapons: [ROCKET]}) { attack { id } }`,
	`removeAttackFacility(input: {attackId: "attack:third", facilityId: "facility:cost"}) { attack { id } }`,
	`addAttackFacility(input: {attackId: "attack:third", facilityId: "facility:cost"}) { attack { id } }`,
	`removeAttackPlace(input: {attackId: "attack:third", placeId: "place:cost"}) { attack { id } }`,
	`addAttackPlace(input: {attackId: "attack:third", placeId: "place:cost"}) { attack { id } }`,
	`removeAttackEvent(input: {attackId: "attack:third", eventId: "event:cost", relation: DURING}) { attack { id } }`,
	`addAttackEvent(input: {attackId: "attack:third", eventId: "event:cost", relation: PART_OF}) { attack { id } }`,
	`addClaim(input: {id: "claim:third", attackId: "attack:third", sourceId: "source:cost", kind: CASUALTIES, text: "T", quote: "Q",
	  killed: {low: 2}, claimedBy: "actor:cost", names: ["actor:cost"], placeIds: ["place:cost"]}) { claim { id } }`,
	`updateClaim(input: {id: "claim:third", killed: {low: 3, high: 4}}) { claim { id } }`,
	`retractClaim(input: {id: "claim:third", reason: "R"}) { claim { id } }`,
	`linkSameIncident(input: {attackIds: ["attack:third", "attack:cost"], note: "N"}) { attacks { id } }`,
	`unlinkSameIncident(input: {attackId: "attack:third"}) { attack { id } }`,
	`correctMatch(input: {datasetId: "dataset:cost", recordId: "place:none", entityId: "place:cost"}) { match { name } }`,
	`createPlace(input: {id: "place:twin", name: "Twin", kind: TOWN}) { place { id } }`,
	`mergePlaces(input: {keep: "place:cost", remove: "place:twin"}) { place { id } removedId }`,
	`createActor(input: {id: "actor:twin", name: "Twin", kind: MEDIA}) { actor { id } }`,
	`mergeActors(input: {keep: "actor:cost", remove: "actor:twin"}) { actor { id } removedId }`,
	`mergeFacilities(input: {keep: "facility:cost", remove: "facility:new"}) { facility { id } removedId }`,
	`createSource(input: {id: "source:twin", title: "Twin", kind: NEWS, publishedBy: ["actor:cost"]}) { source { id } }`,
	`mergeSources(input: {keep: "source:cost", remove: "source:twin"}) { source { id } removedId }`,
	`deleteAttack(input: {id: "attack:third"}) { deletedId cascadedIds }`,
	`restore(input: {id: "attack:third"}) { node { id } cascadedIds }`,
	`deleteClaim(input: {id: "claim:third"}) { deletedId }`,
	`deleteEvent(input: {id: "event:new"}) { deletedId }`,
	`deleteSource(input: {id: "source:new"}) { deletedId cascadedIds }`,
	`deleteFacility(input: {id: "facility:cost"}) { deletedId }`,
	`deleteActor(input: {id: "actor:new"}) { deletedId }`,
	`deletePlace(input: {id: "place:new"}) { deletedId }`,
	`deleteDataset(input: {id: "dataset:third"}) { deletedId }`,
	`addAccount(input: {name: "cost", role: "viewer", clearance: "public"}) { token }`,
	`revokeAccount(input: {name: "cost"}) { account { name } }`,
}

// TestQueryCost_CountsEveryMutationsRoundTrips sends a mutation of each kind the schema has (each
// must be in mutationsMeasured), and checks that the round trips the cost counts are at least those
// the request made (extensions.dbRoundTrips).
func TestQueryCost_CountsEveryMutationsRoundTrips(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{}}).Schema()
	measure, run := roundTripServers(t)
	sent := map[string]bool{}
	for _, m := range mutationsMeasured {
		name := m[:strings.Index(m, "(")]
		sent[name] = true
		q := "mutation { " + m + " }"
		e := measure.mustOverLimit(q, nil, "complexityLimit", 1)
		cost, _ := e.Extensions["cost"].(float64)
		resp := run.Do(q, nil)
		made, ok := resp.Extensions["dbRoundTrips"].(float64)
		if len(resp.Errors) > 0 || !ok || made < 1 {
			t.Errorf("%s: errors %+v, extensions %v: want it to run", q, resp.Errors, resp.Extensions)
			continue
		}
		if counted := int(cost) / tripCost; counted < int(made) {
			t.Errorf("%s\ncounts %d round trips, the request made %d", q, counted, int(made))
		}
	}
	for _, f := range schema.Mutation.Fields {
		if !strings.HasPrefix(f.Name, "__") && !sent[f.Name] {
			t.Errorf("mutation %s is not measured: add it to mutationsMeasured", f.Name)
		}
	}
}
