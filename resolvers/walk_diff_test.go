package resolvers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/resolvers"
)

// selector writes selections of the schema's types: every field of a type (full), or a random
// subset of them (rnd, when set), entity and connection fields followed depth levels down.
type selector struct {
	schema *ast.Schema
	first  int
	rnd    *rand.Rand
	// pick is how many of a type's fields a random selection takes (at least the id).
	pick int
	// alias, when set, prefixes the names of the type's own fields (not those below them), so that
	// fragments on several types, whose fields of one name differ in type, do not conflict.
	alias string
}

// requiredArgs are values for the arguments without defaults that a field needs, by name.
var requiredArgs = map[string]string{
	"radiusMeters": "2000",
	"interval":     "YEAR",
}

func (s selector) isEntity(name string) bool {
	def := s.schema.Types[name]
	return def != nil && slices.Contains(def.Interfaces, "Node")
}

// args returns the arguments of f: first for a connection, the values requiredArgs gives; false
// when f needs one it has no value for.
func (s selector) args(f *ast.FieldDefinition) (string, bool) {
	var out []string
	for _, a := range f.Arguments {
		switch {
		case a.Name == "first":
			out = append(out, fmt.Sprintf("first: %d", s.first))
		case a.Type.NonNull && a.DefaultValue == nil:
			v, ok := requiredArgs[a.Name]
			if !ok {
				return "", false
			}
			out = append(out, a.Name+": "+v)
		}
	}
	if len(out) == 0 {
		return "", true
	}
	return "(" + strings.Join(out, ", ") + ")", true
}

// sel returns the selection of typeName's fields, entity levels followed depth more levels down;
// plain objects (summaries, dates) are followed up to nest levels without counting as a level.
func (s selector) sel(typeName string, depth, nest int) string {
	def := s.schema.Types[typeName]
	if def == nil {
		return "__typename"
	}
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		return "__typename ... on Node { id }"
	}
	fields := slices.Clone(def.Fields)
	if s.rnd != nil {
		s.rnd.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		if len(fields) > s.pick {
			fields = fields[:s.pick]
		}
	}
	var out []string
	if s.isEntity(typeName) {
		out = append(out, "id")
	}
	top := s.alias
	s.alias = "" // the fields below are not prefixed
	name := func(f string) string {
		if top == "" {
			return f
		}
		return top + "_" + f + ": " + f
	}
	for _, f := range fields {
		if strings.HasPrefix(f.Name, "__") || f.Name == "id" {
			continue
		}
		args, ok := s.args(f)
		if !ok {
			continue
		}
		typ := f.Type.Name()
		t := s.schema.Types[typ]
		switch {
		case t == nil || t.Kind == ast.Scalar || t.Kind == ast.Enum:
			out = append(out, name(f.Name)+args)
		case strings.HasSuffix(typ, "Connection"):
			if depth == 0 {
				continue
			}
			item := t.Fields.ForName("nodes").Type.Name()
			inner := "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } nodes { " + s.sel(item, depth-1, 2) + " }"
			if t.Fields.ForName("totalCount") != nil {
				inner = "totalCount " + inner
			}
			out = append(out, name(f.Name)+args+" { "+inner+" }")
		case s.isEntity(typ) || t.Kind == ast.Interface:
			if depth == 0 {
				continue
			}
			out = append(out, name(f.Name)+args+" { "+s.sel(typ, depth-1, 2)+" }")
		default:
			if nest == 0 {
				continue
			}
			out = append(out, name(f.Name)+args+" { "+s.sel(typ, depth, nest-1)+" }")
		}
	}
	if len(out) == 0 {
		return "__typename"
	}
	return strings.Join(out, " ")
}

// diffServers returns a server that walks and one that reads level by level over store, both with
// limits wide enough for the generated queries.
func diffServers(t *testing.T, store *neo4jstore.Store) (walking, levels *client) {
	wide := func(level bool) func(*resolvers.Config, *httpapi.Config) {
		return func(gql *resolvers.Config, _ *httpapi.Config) {
			gql.LevelByLevel, gql.BatchWait = level, 2*time.Millisecond
			gql.ComplexityLimit, gql.DepthLimit = 1<<40, 40
			gql.Limits = resolvers.Limits{MaxQueryBytes: 1 << 20, MaxTokens: 1 << 20, MaxAliases: 1000, MaxFields: 1 << 20, MaxFragmentSpreads: 1000}
		}
	}
	return serve(t, store, wide(false)), serve(t, store, wide(true))
}

// diffCase is a query compared between the two servers.
type diffCase struct {
	name  string
	query string
	vars  map[string]any
}

// compare runs each case on both servers and reports any difference in data or errors; it
// returns how many answered data without errors.
func compare(t *testing.T, walking, levels *client, cases []diffCase) int {
	t.Helper()
	ok := 0
	for _, tc := range cases {
		start := time.Now()
		got := walking.Do(tc.query, tc.vars)
		mid := time.Now()
		want := levels.Do(tc.query, tc.vars)
		if d := time.Since(mid) + mid.Sub(start); d > 2*time.Second {
			t.Logf("%s: %v walking, %v level by level (%d bytes of query)", tc.name, mid.Sub(start), time.Since(mid), len(tc.query))
		}
		if !bytes.Equal(canonicalOrNull(t, got.Data), canonicalOrNull(t, want.Data)) {
			t.Errorf("%s: data differs\nquery: %s\nwalk:  %s\nlevels: %s", tc.name, tc.query, got.Data, want.Data)
			continue
		}
		if g, w := errorsOf(got.Errors), errorsOf(want.Errors); g != w {
			t.Errorf("%s: errors differ\nquery: %s\nwalk:  %s\nlevels: %s", tc.name, tc.query, g, w)
			continue
		}
		if len(got.Errors) == 0 {
			ok++
		} else if testing.Verbose() {
			t.Logf("%s: both answer %s", tc.name, errorsOf(got.Errors))
		}
	}
	return ok
}

func canonicalOrNull(t *testing.T, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	return canonical(t, raw)
}

// errorsOf is the errors of a response as comparable text: message, path and code, sorted.
func errorsOf(errs []gqlError) string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%s %v %v %v", e.Message, e.Path, e.Extensions["code"], e.Extensions["field"])
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// idsOf returns the ids of every entity of the graph by type, read through the list roots.
func idsOf(t *testing.T, c *client) map[string][]string {
	t.Helper()
	var got map[string]struct{ Nodes []struct{ ID string } }
	c.MustData(`{ attacks(first: 100) { nodes { id } } facilities(first: 100) { nodes { id } } places(first: 100) { nodes { id } }
	  sources(first: 100) { nodes { id } } actors(first: 100) { nodes { id } } datasets(first: 100) { nodes { id } } }`, nil, &got)
	out := map[string][]string{}
	for root, conn := range got {
		for _, n := range conn.Nodes {
			out[root] = append(out[root], n.ID)
		}
	}
	var claims struct {
		Attacks struct {
			Nodes []struct {
				During []struct{ ID string }
				Claims struct{ Nodes []struct{ ID string } }
			}
		}
	}
	c.MustData(`{ attacks(first: 100) { nodes { during { id } claims(first: 100, includeRetracted: true) { nodes { id } } } } }`, nil, &claims)
	for _, a := range claims.Attacks.Nodes {
		for _, cl := range a.Claims.Nodes {
			out["claims"] = append(out["claims"], cl.ID)
		}
		for _, e := range a.During {
			if !slices.Contains(out["events"], e.ID) {
				out["events"] = append(out["events"], e.ID)
			}
		}
	}
	return out
}

// entityRoots are the root fields that read one entity by id, with the list of idsOf they take ids
// from and their type.
var entityRoots = []struct{ field, ids, typ string }{
	{"facility", "facilities", "Facility"}, {"attack", "attacks", "Attack"}, {"claim", "claims", "Claim"},
	{"source", "sources", "Source"}, {"place", "places", "Place"}, {"actor", "actors", "Actor"},
	{"event", "events", "Event"}, {"dataset", "datasets", "Dataset"},
}

// listRoots are the root fields that page a list, and the type of their items.
var listRoots = []struct{ field, typ string }{
	{"attacks", "Attack"}, {"facilities", "Facility"}, {"places", "Place"}, {"sources", "Source"},
	{"actors", "Actor"}, {"datasets", "Dataset"},
}

// sample returns up to n ids of ids, spread over the list.
func sample(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, ids[i*len(ids)/n])
	}
	return out
}

// generated returns the systematic cases: every field of every entity root and list root to
// depth 1 and 2 with small windows, and random selections to depth 3 and 4.
func generated(t *testing.T, ids map[string][]string) []diffCase {
	schema := mustSchema(t)
	var cases []diffCase
	for _, depth := range []int{1, 2} {
		for _, first := range []int{1, 2} {
			if depth == 2 && first == 1 {
				continue // a whole type two levels down is a large query: once is enough
			}
			s := selector{schema: schema, first: first}
			for _, r := range entityRoots {
				for _, id := range sample(ids[r.ids], 4-depth) {
					cases = append(cases, diffCase{fmt.Sprintf("%s %s depth %d first %d", r.field, id, depth, first),
						fmt.Sprintf(`query ($id: ID!) { %s(id: $id) { %s } }`, r.field, s.sel(r.typ, depth, 2)), map[string]any{"id": id}})
				}
			}
			for _, r := range listRoots {
				cases = append(cases, diffCase{fmt.Sprintf("%s depth %d first %d", r.field, depth, first),
					fmt.Sprintf(`{ %s(first: %d) { totalCount edges { cursor } nodes { %s } } }`, r.field, 3*first, s.sel(r.typ, depth, 2)), nil})
			}
			node := sample(append(append(append([]string{}, ids["claims"]...), ids["facilities"]...), ids["sources"]...), 4)
			frags := ""
			for _, r := range entityRoots {
				a := s
				a.alias = r.field
				frags += fmt.Sprintf(" ... on %s { %s }", r.typ, a.sel(r.typ, depth, 2))
			}
			cases = append(cases, diffCase{fmt.Sprintf("nodes depth %d first %d", depth, first),
				`query ($ids: [ID!]!) { nodes(ids: $ids) { id` + frags + ` } }`, map[string]any{"ids": node}})
			for _, id := range node {
				cases = append(cases, diffCase{fmt.Sprintf("node %s depth %d first %d", id, depth, first),
					`query ($id: ID!) { node(id: $id) { id` + frags + ` } }`, map[string]any{"id": id}})
			}
		}
	}
	rnd := rand.New(rand.NewPCG(11, 1))
	for i := range 60 {
		s := selector{schema: schema, first: 1 + rnd.IntN(3), rnd: rnd, pick: 3 + rnd.IntN(5)}
		depth := 3 + i%2
		if rnd.IntN(2) == 0 {
			r := entityRoots[rnd.IntN(len(entityRoots))]
			if len(ids[r.ids]) == 0 {
				continue
			}
			id := ids[r.ids][rnd.IntN(len(ids[r.ids]))]
			cases = append(cases, diffCase{fmt.Sprintf("random %d %s %s", i, r.field, id),
				fmt.Sprintf(`query ($id: ID!) { %s(id: $id) { %s } }`, r.field, s.sel(r.typ, depth, 2)), map[string]any{"id": id}})
			continue
		}
		r := listRoots[rnd.IntN(len(listRoots))]
		cases = append(cases, diffCase{fmt.Sprintf("random %d %s", i, r.field),
			fmt.Sprintf(`{ %s(first: %d) { nodes { %s } } }`, r.field, 1+rnd.IntN(4), s.sel(r.typ, depth, 2)), nil})
	}
	return cases
}

// The tree read in one query answers every generated selection exactly as reading it level by
// level does, data and errors, on the seed with a dataset beside it.
func TestWalkDiff_GeneratedSelections(t *testing.T) {
	store := datasetGraph(t)
	walking, levels := diffServers(t, store)
	ids := idsOf(t, levels)
	for _, key := range []string{"attacks", "facilities", "places", "sources", "actors", "claims", "events", "datasets"} {
		if len(ids[key]) == 0 {
			t.Fatalf("the graph has no %s: the cases prove nothing", key)
		}
	}
	cases := generated(t, ids)
	ok := compare(t, walking, levels, cases)
	t.Logf("%d generated queries, %d answered without errors", len(cases), ok)
	if ok != len(cases) {
		t.Errorf("only %d of %d queries answered without errors: the generator selects what cannot be read", ok, len(cases))
	}
}

// handCases are the cases a generator does not reach: one type on two paths with different
// selections, aliases of a field with different arguments, fragments, backward pages, invalid
// arguments, retracted claims and derived fields.
func handCases(ids map[string][]string) []diffCase {
	f, a, p := "facility:ain-jalout-school", "attack:ain-jalout-school-2014-04-30", "place:aleppo"
	return []diffCase{
		{"a claim primed through a source, read through its attack", `query ($f: ID!) { facility(id: $f) { attacks(first: 3) { nodes { claims { nodes { source { title claims(first: 3) { nodes { id kind } } } } } } } }
		  sources(first: 5) { nodes { claims(first: 5) { nodes { id attack { id title claims { nodes { id names { name } places { name } claimedBy { name } } } casualties { killed { low high sources } } } } } } } }`, map[string]any{"f": f}},
		{"an attack with only its id selected, then its facilities elsewhere", `query ($p: ID!, $a: ID!) { place(id: $p) { attacks(first: 10) { nodes { id } } }
		  attack(id: $a) { id facilities { name place { name } } places { name } during { name } partOf { name } } }`, map[string]any{"p": p, "a": a}},
		{"aliases with different windows and kinds", `query ($a: ID!) { attack(id: $a) { one: claims(first: 1) { totalCount nodes { id } } two: claims(first: 2, kinds: [CASUALTIES]) { totalCount nodes { id kind } }
		  all: claims(includeRetracted: true) { totalCount nodes { id retracted { reason } } } back: claims(last: 1) { pageInfo { hasPreviousPage } nodes { id } } } }`, map[string]any{"a": a}},
		{"aliases of a facility's attacks over different date ranges", `query ($f: ID!) { facility(id: $f) { a: attacks(first: 5, dateRange: {from: "2014-01-01"}) { totalCount nodes { id } }
		  b: attacks(first: 5, dateRange: {to: "2014-01-01"}) { totalCount nodes { id } } c: attacks(first: 1) { totalCount nodes { id claims { totalCount } } }
		  d: attacks(last: 2) { totalCount pageInfo { hasPreviousPage hasNextPage } nodes { id } } } }`, map[string]any{"f": f}},
		{"the same place reached by two aliases with different pages", `query ($p: ID!) { x: place(id: $p) { parts(first: 1) { nodes { id name } } } y: place(id: $p) { parts(first: 3) { totalCount nodes { id attacks(first: 1) { nodes { id } } } } } }`, map[string]any{"p": p}},
		{"fragments on Node and on the type", `query ($ids: [ID!]!) { nodes(ids: $ids) { ...N ... on Attack { ...A } } } fragment N on Node { id ... on Facility { name attacks(first: 2) { nodes { ...A } } } }
		  fragment A on Attack { id title claims(first: 2) { nodes { id source { id title } } } sources { id } attributions { actor { id } sources { id } } }`, map[string]any{"ids": []string{f, a, p, "claim:none"}}},
		{"negative first", `query ($f: ID!) { facility(id: $f) { attacks(first: -1) { nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"first over the maximum", `query ($f: ID!) { facility(id: $f) { attacks(first: 101) { nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"a bad cursor", `query ($f: ID!) { facility(id: $f) { attacks(first: 2, after: "nonsense") { nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"a bad cursor before", `query ($p: ID!) { place(id: $p) { parts(last: 2, before: "!!") { nodes { id attacks(first: 1) { nodes { id } } } } } }`, map[string]any{"p": p}},
		{"first and last together", `query ($p: ID!) { place(id: $p) { attacks(first: 2, last: 1) { nodes { id facilities { id } } } } }`, map[string]any{"p": p}},
		{"a date range backwards", `query ($f: ID!) { facility(id: $f) { attacks(first: 2, dateRange: {from: "2016-01-01", to: "2014-01-01"}) { nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"a date range that is not a date", `query ($f: ID!) { facility(id: $f) { attacks(first: 2, dateRange: {from: "2016-13-01"}) { nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"one bad window beside good ones", `query ($f: ID!) { facility(id: $f) { good: attacks(first: 2) { nodes { id claims { nodes { id } } } } bad: attacks(first: -5) { nodes { id } } } }`, map[string]any{"f": f}},
		{"a nested bad window", `{ attacks(first: 3) { nodes { id facilities { attacks(first: 0) { nodes { id } } } parts(last: -1) { nodes { id } } } } }`, nil},
		{"backward pages all the way down", `{ places(last: 3) { pageInfo { hasPreviousPage startCursor } nodes { id parts(last: 2) { pageInfo { hasPreviousPage } nodes { id } }
		  attacks(last: 2) { totalCount nodes { id claims(last: 2) { totalCount nodes { id } } parts(last: 1) { nodes { id } } } } facilities(last: 1) { nodes { id } } } } }`, nil},
		{"retracted claims and withdrawn attacks", `{ attacks(first: 50) { nodes { id withdrawn claims(includeRetracted: true) { totalCount nodes { id withdrawn retracted { reason } source { id } } }
		  live: claims { totalCount } casualties { killed { low high sources independentSources } } attributions { actor { id } sources { id } } } } }`, nil},
		{"derived fields of every attack", `{ attacks(first: 50) { nodes { id sources { id title cites { id } } casualties { killed { low high sources independentSources } }
		  attributions { actor { id name } sources { id } } sameIncident { id } incidentCasualties { killed { low high } } incidentAttributions { actor { id } sources { id } } } } }`, nil},
		{"derived fields two paths apart", `query ($f: ID!) { facility(id: $f) { attacks(first: 5) { nodes { id casualties { killed { low high sources independentSources } } } } }
		  attacks(first: 10) { nodes { id sameIncident { id casualties { killed { low high } } attributions { actor { id } } claims { totalCount } } incidentCasualties { killed { low high sources } } } } }`, map[string]any{"f": f}},
		{"sources of claims and the claims of sources", `{ sources(first: 20) { nodes { id cites { id cites { id } } citedBy(first: 3) { totalCount nodes { id } } claims(first: 3) { totalCount nodes { id attack { id sources { id cites { id } } } } } } } }`, nil},
		{"actors both ways", `{ actors(first: 20) { nodes { id partOf { id members(first: 2) { totalCount nodes { id } } } members(first: 2) { nodes { id partOf { id } } } statements(first: 2) { totalCount nodes { id claimedBy { id } } }
		  namedIn(first: 2) { totalCount nodes { id names { id } } } published(first: 2) { totalCount nodes { id publishedBy { id } } } } } }`, nil},
		{"a dataset's attacks and what they reach", `query ($d: ID!) { dataset(id: $d) { id counts { attacks claims } attacks(first: 5) { totalCount nodes { id withdrawn withdrawnIn dataset { id } claims { nodes { id dataset { id } source { dataset { id } } } } casualties { killed { low high } childrenKilled { low high } } } } } }`,
			map[string]any{"d": first(ids["datasets"])}},
		{"fields read for what the selection does not name", `query ($f: ID!) { facility(id: $f) { attacks(first: 5) { nodes { id day { id } month { id } year { id } withdrawn
		  perpetrators: claims(kinds: [PERPETRATOR]) { totalCount nodes { id } } everything: claims(includeRetracted: true) { totalCount nodes { id withdrawn } }
		  casualties { killed { low high sources independentSources } childrenKilled { low high } injured { low high } } attributions { actor { id } sources { id } } } } } }`, map[string]any{"f": f}},
		{"some fields of a type on one path, others on another", `query ($f: ID!, $a: ID!) { facility(id: $f) { attacks(first: 5) { nodes { id title claims { nodes { id quote source { title } } } } } }
		  attack(id: $a) { claims { nodes { id kind stance text killed { low best high } civiliansKilled { low } retracted { reason } source { id url author kind published { start } } } } } }`, map[string]any{"f": f, "a": a}},
		{"variables for windows", `query ($f: ID!, $n: Int, $m: Int) { facility(id: $f) { attacks(first: $n) { nodes { id claims(first: $m) { nodes { id } } } } } }`, map[string]any{"f": f, "n": 2, "m": 1}},
		{"a null variable for a window", `query ($f: ID!, $n: Int) { facility(id: $f) { attacks(first: $n) { totalCount nodes { id claims { nodes { id } } } } } }`, map[string]any{"f": f}},
		{"an id that names nothing", `{ facility(id: "facility:none") { id attacks(first: 2) { nodes { id } } } attack(id: "nonsense") { id claims { nodes { id } } } }`, nil},
	}
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// The hand-written cases answer the same walking and level by level, on the seed with a dataset
// beside it whose attacks are linked as one incident with seed attacks.
func TestWalkDiff_HandCases(t *testing.T) {
	store := datasetGraph(t)
	walking, levels := diffServers(t, store)
	var linked struct {
		LinkSameIncident struct {
			Attacks    []struct{ ID string }
			UserErrors []struct{ Message string }
		}
	}
	walking.MustData(`mutation { linkSameIncident(input: {attackIds: ["attack:ucdp-ged-1", "attack:ucdp-ged-2", "attack:ain-jalout-school-2014-04-30"], note: "one strike"}) { attacks { id } userErrors { message } } }`, nil, &linked)
	if len(linked.LinkSameIncident.Attacks) != 3 {
		t.Fatalf("linkSameIncident: %+v", linked.LinkSameIncident)
	}
	ids := idsOf(t, levels)
	var retracted struct {
		RetractClaim struct {
			Claim      struct{ ID string }
			UserErrors []struct{ Message string }
		}
	}
	claim := ids["claims"][len(ids["claims"])/2]
	walking.MustData(`mutation ($id: ID!) { retractClaim(input: {id: $id, reason: "misread"}) { claim { id } userErrors { message } } }`, map[string]any{"id": claim}, &retracted)
	if retracted.RetractClaim.Claim.ID != claim {
		t.Fatalf("retractClaim: %+v", retracted.RetractClaim)
	}
	cases := handCases(ids)
	cases = append(cases, diffCase{"a retracted claim by id and through its attack and source", `query ($id: ID!) { claim(id: $id) { id retracted { reason } withdrawn
	  attack { id claims { totalCount } all: claims(includeRetracted: true) { totalCount nodes { id retracted { reason } } } casualties { killed { low high sources } } attributions { actor { id } } sources { id } }
	  source { id claims(first: 50) { totalCount nodes { id retracted { reason } } } } } }`, map[string]any{"id": claim}})
	ok := compare(t, walking, levels, cases)
	t.Logf("%d hand-written queries, %d answered without errors", len(cases), ok)
}

// walkTree selects, from typ, only the fields that walk (references and connections of entities,
// first: 1), each down to id, depth levels deep, until budget fields are selected: the widest tree
// of walk steps a query of a given size can ask for.
func walkTree(schema *ast.Schema, typ string, depth int, budget *int) string {
	out := []string{"id"}
	s := selector{schema: schema, first: 1}
	for _, f := range schema.Types[typ].Fields {
		if depth == 0 || *budget <= 0 {
			break
		}
		args, ok := s.args(f)
		if !ok {
			continue
		}
		name := f.Type.Name()
		item := name
		if t := schema.Types[name]; t != nil && strings.HasSuffix(name, "Connection") && t.Fields.ForName("nodes") != nil {
			item = t.Fields.ForName("nodes").Type.Name()
		}
		if !s.isEntity(item) {
			continue
		}
		*budget--
		inner := walkTree(schema, item, depth-1, budget)
		if item != name {
			inner = "nodes { " + inner + " }"
		}
		out = append(out, f.Name+args+" { "+inner+" }")
	}
	return strings.Join(out, " ")
}

// A wide tree of walk steps that the default limits let through answers as level by level does,
// or, when the walk's one query outlasts the request's time limit, fails with a TIMEOUT error that
// shows nothing of the database: never an internal error.
func TestWalkDiff_WideTreeWithinTheDefaultLimits(t *testing.T) {
	store := datasetGraph(t)
	walking := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) { web.QueryTimeout = 3 * time.Second })
	levels := serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) { gql.LevelByLevel = true })
	budget := 150
	q := `{ attacks(first: 1) { nodes { ` + walkTree(mustSchema(t), "Attack", 5, &budget) + ` } } }`
	want := levels.Do(q, nil)
	if len(want.Errors) > 0 || len(want.Data) < 200 {
		t.Fatalf("level by level, the default limits refuse the tree or it reads nothing: %+v %s", want.Errors, want.Data)
	}
	start := time.Now()
	got := walking.Do(q, nil)
	t.Logf("%d walk fields, %d bytes of query: %v, errors %s", 150-budget, len(q), time.Since(start), errorsOf(got.Errors))
	if len(got.Errors) == 0 {
		if !bytes.Equal(canonical(t, got.Data), canonical(t, want.Data)) {
			t.Errorf("the tree read in one query differs:\n%s\nlevel by level:\n%s", got.Data, want.Data)
		}
		return
	}
	for _, e := range got.Errors {
		assertNoLeak(t, e)
		if e.Extensions["code"] != "TIMEOUT" {
			t.Errorf("a wide tree fails with %v, not TIMEOUT: %+v", e.Extensions["code"], e)
		}
	}
}
