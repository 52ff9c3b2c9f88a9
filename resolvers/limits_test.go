package resolvers_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// limitsClient returns a client of a server over an empty database whose GraphQL configuration
// configure adjusts.
func limitsClient(t *testing.T, configure func(*resolvers.Config)) *client {
	t.Helper()
	return serve(t, neo4jtest.MustStore(t), func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.Introspection = true
		if configure != nil {
			configure(gql)
		}
	})
}

// mustOverLimit posts a query that must be refused by the limit named, before it runs: no data,
// one error with BAD_USER_INPUT, the limit and its value in its extensions, and a message naming it.
func (c *client) mustOverLimit(query string, vars map[string]any, limit string, maxValue int) gqlError {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) != 1 {
		c.tb.Fatalf("errors %+v, want one: the %s limit", resp.Errors, limit)
	}
	if len(resp.Data) > 0 && string(resp.Data) != "null" {
		c.tb.Errorf("data %s, want none", resp.Data)
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != resolvers.CodeBadUserInput || e.Extensions["limit"] != limit || e.Extensions["max"] != float64(maxValue) {
		c.tb.Errorf("error %+v, want BAD_USER_INPUT with limit %s and max %d", e, limit, maxValue)
	}
	if !strings.Contains(e.Message, fmt.Sprint(maxValue)) {
		c.tb.Errorf("message %q does not say the limit", e.Message)
	}
	return e
}

// mustRun posts a query that must succeed.
func (c *client) mustRun(query string, vars map[string]any) {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) > 0 || len(resp.Data) == 0 {
		c.tb.Fatalf("query\n%s\nerrors %+v", query, resp.Errors)
	}
}

// TestDocumentLimits_AtAndOverEachLimit sends, for each limit of the document set low, a query at
// the limit (it runs) and one just over it (refused, naming the limit), where fragments count at
// every place they are spread. Over-limit documents that would also fail to parse or validate show
// that the limits are checked first.
func TestDocumentLimits_AtAndOverEachLimit(t *testing.T) {
	typenames := func(n int) string { return "{" + strings.Repeat(" __typename", n) + " }" }
	padded := func(n int) string { return "{ __typename }" + strings.Repeat(" ", n-len("{ __typename }")) }
	cases := []struct {
		limit    string
		max      int
		set      func(*resolvers.Config, int)
		at, over string
		broken   string // over the limit and not a valid document either
	}{
		{"maxQueryBytes", 100, func(c *resolvers.Config, n int) { c.Limits.MaxQueryBytes = n },
			padded(100), padded(101), padded(100) + "{{{{"},
		{"maxTokens", 10, func(c *resolvers.Config, n int) { c.Limits.MaxTokens = n },
			typenames(8), typenames(9), "{ ( ( ( ( ( ( ( ( ( ( }"},
		{"maxAliases", 2, func(c *resolvers.Config, n int) { c.Limits.MaxAliases = n },
			`{ ...F } fragment F on Query { a: __typename b: __typename }`,
			`{ ...F ... on Query { ...F } } fragment F on Query { a: __typename b: __typename }`,
			`{ a: nothing b: nothing c: nothing }`},
		{"maxFields", 4, func(c *resolvers.Config, n int) { c.Limits.MaxFields = n },
			`{ ...F } fragment F on Query { __typename facility(id: "facility:none") { id name } }`,
			`{ ...F ... on Query { ...F } } fragment F on Query { __typename facility(id: "facility:none") { id name } }`,
			`{ a b c d e }`},
		{"maxFragmentSpreads", 2, func(c *resolvers.Config, n int) { c.Limits.MaxFragmentSpreads = n },
			`{ ...F } fragment F on Query { ...G } fragment G on Query { __typename }`,
			`{ ...F ... on Query { ...F } } fragment F on Query { ...G } fragment G on Query { __typename }`,
			`{ ...F } fragment F on Query { ...F ...F }`},
		{"depthLimit", 3, func(c *resolvers.Config, n int) { c.DepthLimit = n },
			`{ facility(id: "facility:none") { ...P } } fragment P on Facility { place { name } }`,
			`{ facility(id: "facility:none") { ...P } } fragment P on Facility { place { partOf { name } } }`,
			`{ a { b { c { d } } } }`},
	}
	for _, tc := range cases {
		t.Run(tc.limit, func(t *testing.T) {
			c := limitsClient(t, func(cfg *resolvers.Config) { tc.set(cfg, tc.max) })
			c.mustRun(tc.at, nil)
			c.mustOverLimit(tc.over, nil, tc.limit, tc.max)
			c.mustOverLimit(tc.broken, nil, tc.limit, tc.max)
		})
	}
}

// TestDocumentLimits_HostileDocumentsAreRefused sends, under the default limits, the documents
// that used to take the service down: 40 fragments each spreading the one before twice (1.4 KB,
// 2^39 fields written out), 5,000 aliased searches, 5,000 searches without aliases, and deep
// nesting. Each is refused by a limit; the client's timeout is only there to fail rather than hang.
func TestDocumentLimits_HostileDocumentsAreRefused(t *testing.T) {
	c := limitsClient(t, nil)
	var fragments strings.Builder
	fragments.WriteString("query { ...F40 }\n")
	fragments.WriteString(`fragment F1 on Query { search(query: "a") { totalCount } }` + "\n")
	for i := 2; i <= 40; i++ {
		fmt.Fprintf(&fragments, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	var aliased, repeated strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&aliased, "s%d: search(query: \"a\") { totalCount } ", i)
		repeated.WriteString(`search(query: "a") { totalCount } `)
	}
	for _, tc := range []struct {
		name, query, limit string
		max                int
	}{
		{"exponential fragments", fragments.String(), "maxFields", resolvers.DefaultMaxFields},
		{"5,000 aliased searches", "{ " + aliased.String() + "}", "maxAliases", resolvers.DefaultMaxAliases},
		{"a long text of nothing", "{ __typename }" + strings.Repeat(" ", 100_000), "maxQueryBytes", resolvers.DefaultMaxQueryBytes},
		{"the same search 400 times", "{ " + repeated.String()[:400*len(`search(query: "a") { totalCount } `)] + "}", "maxTokens", resolvers.DefaultMaxTokens},
		{"deep nesting", strings.Repeat("{ a ", 1000) + strings.Repeat("}", 1000), "maxTokens", resolvers.DefaultMaxTokens},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				c.mustOverLimit(tc.query, nil, tc.limit, tc.max)
			}()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("no answer in a minute")
			}
		})
	}
}

// TestDocumentLimits_PlaygroundSchemaQueryRuns runs the playground's schema query
// (getIntrospectionQuery with every option on) under the default limits.
func TestDocumentLimits_PlaygroundSchemaQueryRuns(t *testing.T) {
	q, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	c := limitsClient(t, nil)
	var got struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	c.MustData(string(q), nil, &got)
	if len(got.Schema.Types) < 50 {
		t.Errorf("%d types, want the whole schema", len(got.Schema.Types))
	}
}

// costOf returns the cost the server counts for a query: it is refused by a limit of 1, and the
// error says its cost.
func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	c := limitsClient(t, func(cfg *resolvers.Config) { cfg.ComplexityLimit = 1 })
	e := c.mustOverLimit(query, vars, "complexityLimit", 1)
	cost, _ := e.Extensions["cost"].(float64)
	return int(cost)
}

// TestQueryCost_CountsWhatTheQueryAsks checks the cost of queries against the rule (see
// resolvers.DefaultComplexityLimit): a field costs 1 plus its items times its selections, a paged
// field's items are the first or last the query gives (literal or variable, at any depth) or the
// default page size, a fragment counts at each place it is spread, and each field that costs a
// round trip to Neo4j adds DefaultRoundTripCost once.
func TestQueryCost_CountsWhatTheQueryAsks(t *testing.T) {
	rt := resolvers.DefaultRoundTripCost
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		want        int
	}{
		{"default page", `{ attacks { nodes { id title } } }`, nil, 1 + 20*2 + rt},
		{"first", `{ attacks(first: 3) { nodes { id title } } }`, nil, 1 + 3*2 + rt},
		{"last", `{ attacks(last: 7) { edges { node { id } } } }`, nil, 1 + 7*1 + rt},
		{"first as a variable", `query ($n: Int) { attacks(first: $n) { nodes { id } } }`, map[string]any{"n": 50}, 1 + 50 + rt},
		{"a nested page as asked", `{ attack(id: "attack:none") { claims(first: 100) { nodes { id } } } }`, nil, 1 + (1 + 100) + 2*rt},
		{"a fragment counts where it is spread", `{ attacks { nodes { ...A ... on Attack { ...A } } } } fragment A on Attack { id title }`, nil, 1 + 20*4 + rt},
		{"aliases of one field", `{ a: facility(id: "facility:a") { id } b: facility(id: "facility:b") { id } c: facility(id: "facility:c") { id } }`, nil, 3 * (2 + 2*rt)}, // each also reads whether a merge removed its id
		{"round trips are not multiplied by items", `{ attacks { nodes { facilities { id } } } }`, nil, 1 + 20*(1+10) + 2*rt},
		{"a search is a full-text lookup", `{ search(query: "school", first: 1) { nodes { id } } }`, nil, 1 + 1 + rt + resolvers.DefaultSearchCost},
		{"a text filter is a full-text lookup", `query ($f: AttackFilter) { attacks(first: 1, filter: $f) { nodes { id } } }`,
			map[string]any{"f": map[string]any{"text": "school"}}, 1 + 1 + rt + resolvers.DefaultSearchCost},
		{"the totalCount of a lookup is another", `{ search(query: "school", first: 1) { totalCount } }`, nil, 1 + 1 + 2*rt + 2*resolvers.DefaultSearchCost}, // totalCount is a round trip of its own
		{"a filter without text is not", `{ attacks(first: 1, filter: {minKilled: 1}) { totalCount } }`, nil, 1 + 1 + 2*rt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := costOf(t, tc.query, tc.vars); got != tc.want {
				t.Errorf("cost %d, want %d", got, tc.want)
			}
		})
	}
}

// TestQueryCost_Boundaries puts the limit at a query's cost with the default page size and sends
// the page size -1, the default (given and not), and +1; and the limit at ten aliases of one field
// and sends nine, ten and eleven.
func TestQueryCost_Boundaries(t *testing.T) {
	rt := resolvers.DefaultRoundTripCost
	page := func(first int) int { return 1 + first*2 + rt }
	c := limitsClient(t, func(cfg *resolvers.Config) { cfg.ComplexityLimit = page(20) })
	const q = `query ($n: Int) { attacks(first: $n) { nodes { id title } } }`
	c.mustRun(q, map[string]any{"n": 19})
	c.mustRun(q, map[string]any{"n": 20})
	c.mustRun(q, nil)
	c.mustRun(`{ attacks { nodes { id title } } }`, nil)
	c.mustOverLimit(q, map[string]any{"n": 21}, "complexityLimit", page(20))
	c.mustOverLimit(`{ attacks(last: 21) { nodes { id title } } }`, nil, "complexityLimit", page(20))
	c.mustOverLimit(`{ facilities { nodes { attacks(first: 21) { nodes { id } } } } }`, nil, "complexityLimit", page(20))

	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, ` f%d: facility(id: "facility:none-%d") { id }`, i, i)
		}
		return b.String() + " }"
	}
	// Each lookup of a facility is two round trips: the facility, and (for an id that names none)
	// the entity a merge put in its place.
	c = limitsClient(t, func(cfg *resolvers.Config) { cfg.ComplexityLimit = 10 * (2 + 2*rt) })
	c.mustRun(aliases(9), nil)
	c.mustRun(aliases(10), nil)
	c.mustOverLimit(aliases(11), nil, "complexityLimit", 10*(2+2*rt))

	// Four full-text lookups fit in the default limit, a fifth does not: each costs
	// DefaultSearchCost, whatever its page (a totalCount of its hits would be another).
	searches := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, ` s%d: search(query: "school %d", first: 1) { nodes { id } }`, i, i)
		}
		return b.String() + " }"
	}
	c = limitsClient(t, nil)
	c.mustRun(searches(4), nil)
	c.mustOverLimit(searches(5), nil, "complexityLimit", resolvers.DefaultComplexityLimit)

	t.Run("5,000 aliased searches are expensive", func(t *testing.T) {
		c := limitsClient(t, func(cfg *resolvers.Config) {
			cfg.Limits = resolvers.Limits{MaxQueryBytes: 1 << 20, MaxTokens: 1 << 20, MaxAliases: 10_000, MaxFields: 20_000}
		})
		var b strings.Builder
		for i := range 5000 {
			fmt.Fprintf(&b, "s%d: search(query: \"a\") { totalCount } ", i)
		}
		e := c.mustOverLimit("{ "+b.String()+"}", nil, "complexityLimit", resolvers.DefaultComplexityLimit)
		if cost, _ := e.Extensions["cost"].(float64); cost < 5000*float64(rt) {
			t.Errorf("cost %v, want at least a round trip for each search", cost)
		}
	})
}

// TestInputs_StrictAndBounded sends values of the wrong JSON type and out of range, as literals and
// as variables (inside input objects and lists too), and strings and IDs over their limits: each is
// refused before anything runs, with BAD_USER_INPUT naming the argument or the variable's path.
func TestInputs_StrictAndBounded(t *testing.T) {
	c := limitsClient(t, func(cfg *resolvers.Config) { cfg.Limits.MaxStringLength = 1000 })
	const createPlace = `mutation ($in: CreatePlaceInput!) { createPlace(input: $in) { place { id } userErrors { field } } }`
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"an Int literal beyond 32 bits", `{ attacks(filter: {minKilled: 3000000000}) { totalCount } }`, nil, "filter.minKilled"},
		{"an Int default beyond 32 bits", `query ($n: Int = 3000000000) { attacks(first: $n) { totalCount } }`, nil, "n"},
		{"an Int variable beyond 32 bits", `query ($n: Int) { attacks(first: $n) { totalCount } }`, map[string]any{"n": 3000000000}, "n"},
		{"an Int beyond 32 bits inside an input object", `query ($f: AttackFilter) { attacks(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"minKilled": 3000000000}}, "f.minKilled"},
		{"an Int given as a string", `query ($n: Int) { attacks(first: $n) { totalCount } }`, map[string]any{"n": "5"}, "n"},
		{"an Int given as a fraction", `query ($f: AttackFilter) { attacks(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"minKilled": 1.5}}, "f.minKilled"},
		{"a String given as a number", `mutation ($name: String!) { createPlace(input: {name: $name, kind: CITY}) { place { id } } }`, map[string]any{"name": 5}, "name"},
		{"a String given as a number inside an input", createPlace, map[string]any{"in": map[string]any{"name": 5, "kind": "CITY"}}, "in.name"},
		{"a String given as a boolean inside a list", createPlace, map[string]any{"in": map[string]any{"name": "x", "kind": "CITY", "aliases": []any{"a", true}}}, "in.aliases.1"},
		{"a Float given as a string", createPlace, map[string]any{"in": map[string]any{"name": "x", "kind": "CITY", "location": map[string]any{"latitude": "36.2", "longitude": 37.1, "precision": "EXACT"}}}, "in.location.latitude"},
		{"a Boolean given as a string", `query ($r: Boolean) { attack(id: "attack:none") { claims(includeRetracted: $r) { totalCount } } }`, map[string]any{"r": "true"}, "r"},
		{"an enum given as a number", `query ($t: [FacilityType!]) { facilities(filter: {types: $t}) { totalCount } }`, map[string]any{"t": []any{5}}, "t.0"},
		{"a Date given as a number", `query ($d: Date!) { day(date: $d) { attacks { totalCount } } }`, map[string]any{"d": 20161118}, "d"},
		{"an ID given as a boolean", `query ($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": true}, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := c.MustError(tc.query, tc.vars, resolvers.CodeBadUserInput, tc.field)
			if e.Extensions["field"] != tc.field {
				t.Errorf("extensions.field = %v, want %s (%s)", e.Extensions["field"], tc.field, e.Message)
			}
			if strings.Contains(e.Message, "int64") || strings.Contains(e.Message, "json.Number") || strings.Contains(e.Message, "float64") {
				t.Errorf("message %q names Go types", e.Message)
			}
		})
	}
	var places struct{ Places struct{ TotalCount int } }
	c.MustData(`{ places { totalCount } }`, nil, &places)
	if places.Places.TotalCount != 0 {
		t.Errorf("%d places were created from refused input", places.Places.TotalCount)
	}

	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		limit       string
		max         int
		field       string
	}{
		{"a long string variable inside an input", createPlace, map[string]any{"in": map[string]any{"name": "x", "kind": "CITY", "description": strings.Repeat("ب", 1001)}}, "maxStringLength", 1000, "in.description"},
		{"a long string literal", `{ attack(id: "attack:none") { claims(after: "` + strings.Repeat("a", 1001) + `") { totalCount } } }`, nil, "maxStringLength", 1000, "after"},
		{"a 200,000-character search", `query ($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": strings.Repeat("a", 200_000)}, "maxStringLength", 1000, "q"},
		{"a long ID literal", `{ facility(id: "facility:` + strings.Repeat("a", 300) + `") { id } }`, nil, "maxIDLength", resolvers.DefaultMaxIDLength, "id"},
		{"a long ID in a list variable", `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"facility:a", "facility:" + strings.Repeat("a", 300)}}, "maxIDLength", resolvers.DefaultMaxIDLength, "ids.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := c.mustOverLimit(tc.query, tc.vars, tc.limit, tc.max)
			if e.Extensions["field"] != tc.field {
				t.Errorf("extensions.field = %v, want %s", e.Extensions["field"], tc.field)
			}
		})
	}

	t.Run("values of the right type pass", func(t *testing.T) {
		c.mustRun(`query ($n: Int, $f: AttackFilter, $id: ID!) { attacks(first: $n, filter: $f) { totalCount } node(id: $id) { id } }`,
			map[string]any{"n": 2147483647 % 100, "f": map[string]any{"minKilled": 1000000}, "id": "facility:none"})
		c.mustRun(`{ attacks(filter: {minKilled: 1000000}) { totalCount } }`, nil)
		c.mustRun(`query ($lat: Float!) { nearby(latitude: $lat, longitude: 37, radiusMeters: 10) { totalCount } }`, map[string]any{"lat": 36})
	})
}

// TestDeadline_CoversParsingAndValidation sends a query to a server whose deadline has passed
// before the query is parsed: it stops there with TIMEOUT, without a round trip to Neo4j.
func TestDeadline_CoversParsingAndValidation(t *testing.T) {
	c := serve(t, neo4jtest.MustStore(t), func(gql *resolvers.Config, web *httpapi.Config) {
		gql.ReportRoundTrips = true
		web.QueryTimeout = time.Nanosecond
	})
	resp := c.Do(`{ attacks { totalCount } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != resolvers.CodeTimeout {
		t.Fatalf("errors %+v, want one TIMEOUT", resp.Errors)
	}
	if n, _ := resp.Extensions["dbRoundTrips"].(float64); n != 0 {
		t.Errorf("%v round trips, want none", n)
	}
	// Under application/graphql-response+json a request error has a 4xx or 5xx status: a deadline
	// that passed is the server's 504, not the client's 400.
	req, err := http.NewRequest(http.MethodPost, c.url+"/graphql", strings.NewReader(`{"query": "{ attacks { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("status %d under application/graphql-response+json, want 504", res.StatusCode)
	}
}
