package resolvers_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// walkTrees are requests whose tree of entity fields is read in one query, with the round trips
// each costs: one for the tree (with the page, and the count of a page of attacks, for a root
// list), plus one per field no walk covers (Facility.nearby).
var walkTrees = []struct {
	name  string
	query string
	vars  map[string]any
	trips int
}{
	{"the evidence tree of a facility", `query ($id: ID!) { facility(id: $id) { name attacks(first: 20) { totalCount nodes { id title date { start precision }
  claims(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { kind quote source { title publishedBy { name } cites { title } } killed { low high } } }
  casualties { killed { low high sources independentSources } } } } } }`, map[string]any{"id": "facility:ain-jalout-school"}, 1},
	{"two levels of connections, edges and fragments", `query ($id: ID!) { place(id: $id) { name parts(first: 3) { edges { cursor node { ...P } } }
  attacks(first: 5) { totalCount edges { node { id facilities { name place { name } } claims(first: 2, kinds: [CASUALTIES]) { nodes { id source { title claims(first: 3) { totalCount nodes { id } } } } } } } } } }
  fragment P on Place { id name attacks(first: 2) { nodes { id attributions { actor { name } sources { title } } } } facilities(first: 2) { nodes { name } } }`,
		map[string]any{"id": "place:aleppo"}, 2}, // the sources' claims: a list under a list read whole (an attack's claims) loads for the page
	{"a page of a list and its tree", `{ attacks(first: 10) { totalCount nodes { id title facilities { name operatedBy { name } }
  places { name partOf { name } } sources { title } attributions { actor { name } } casualties { killed { low high independentSources } }
  aggregate { id title } parts(first: 5) { nodes { id } } dataset { id } } } }`, nil, 1},
	{"the same type through a walk and through other fields", `query ($id: ID!) { facility(id: $id) { attacks(first: 5) { nodes { id claims { nodes { attack { id title
  sameDay(first: 2) { nodes { title places { name } aggregate { id } } } } names { name } } } } } } }`, map[string]any{"id": "facility:al-quds-hospital-aleppo"}, 2},
	{"a page of places without a count", `{ places(first: 5) { edges { node { name partOf { name } attacks(first: 2) { nodes { id title } } } } } }`, nil, 1},
	{"a node by id, through a fragment", `query ($id: ID!) { node(id: $id) { id ... on Attack { title claims { nodes { kind source { title } } } casualties { killed { low high } } } } }`,
		map[string]any{"id": "attack:ain-jalout-school-2014-04-30"}, 1},
	{"nodes of two types", `{ nodes(ids: ["attack:ain-jalout-school-2014-04-30", "facility:ain-jalout-school", "place:nowhere"]) { id ... on Attack { facilities { name } }
  ... on Facility { attacks(first: 3) { nodes { title claims(first: 2) { nodes { quote } } } } } } }`, nil, 4}, // a walk per type, the place, and whether a merge removed the place that names nothing
	{"an actor and what it said", `query ($id: ID!) { actor(id: $id) { name statements(first: 5) { nodes { kind attack { title } source { title } } }
  namedIn(first: 5) { totalCount nodes { kind attack { title facilities { name } } } } published(first: 5) { nodes { title } } } }`,
		map[string]any{"id": "actor:aleppo-media-center"}, 1},
	{"a page after a cursor, with a date range", `query ($id: ID!, $after: String) { facility(id: $id) { attacks(first: 1, after: $after, dateRange: {from: "2014-01-01"}) { totalCount pageInfo { hasNextPage } nodes { id claims { nodes { id } } } }
  nearby(radiusMeters: 2000) { nodes { distanceMeters } } } }`, map[string]any{"id": "facility:ain-jalout-school", "after": "after"}, 2},
}

// A tree of entity fields costs one round trip, and answers exactly what reading it level by level
// through the loaders answers.
func TestRoundTrips_TreeInOneQuery(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	walking := newClientRoundTrips(t, store)
	levels := serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ReportRoundTrips, gql.LevelByLevel, gql.BatchWait = true, true, 25*time.Millisecond
	})
	var first struct {
		Facility struct {
			Attacks struct{ PageInfo struct{ EndCursor string } }
		}
	}
	walking.MustData(`{ facility(id: "facility:ain-jalout-school") { attacks(first: 1, dateRange: {from: "2014-01-01"}) { pageInfo { endCursor } } } }`, nil, &first)
	for _, tc := range walkTrees {
		t.Run(tc.name, func(t *testing.T) {
			if tc.vars["after"] != nil {
				tc.vars["after"] = first.Facility.Attacks.PageInfo.EndCursor
			}
			got, want := walking.Do(tc.query, tc.vars), levels.Do(tc.query, tc.vars)
			if len(got.Errors) > 0 || len(want.Errors) > 0 {
				t.Fatalf("errors: %+v / level by level: %+v", got.Errors, want.Errors)
			}
			if !bytes.Equal(canonical(t, got.Data), canonical(t, want.Data)) {
				t.Errorf("the tree read in one query differs:\n%s\nlevel by level:\n%s", got.Data, want.Data)
			}
			if len(got.Data) < 80 {
				t.Errorf("the answer is nearly empty, the case proves nothing: %s", got.Data)
			}
			trips, _ := got.Extensions["dbRoundTrips"].(float64)
			levelTrips, _ := want.Extensions["dbRoundTrips"].(float64)
			if int(trips) != tc.trips {
				t.Errorf("%v round trips, want %d (level by level: %v)", trips, tc.trips, levelTrips)
			}
		})
	}
}

// The round trips of a deep tree do not grow with its items: a page of many attacks, each with its
// claims, their sources and what those cite, costs one query, and each list under the attacks'
// claims (read whole, so a list under them is left to the loaders, which read it for the page's
// items) one more: the sources' citers, the attributed actors' members.
func TestRoundTrips_DeepTreeOverManyItems(t *testing.T) {
	MustServer(t, true)
	c := newClientRoundTrips(t, neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database))
	query := `query ($n: Int) { attacks(first: $n) { nodes { id facilities { name place { name partOf { name } } attacks(first: 3) { nodes { id claims { nodes { id } } } } }
	  claims { nodes { quote source { title publishedBy { name } cites { title } citedBy(first: 2) { nodes { title } } } claimedBy { name } names { name } } }
	  casualties { killed { low high independentSources } } attributions { actor { name members(first: 2) { nodes { name } } } sources { title } } } } }`
	for _, n := range []int{1, 3, 15} {
		resp := c.Do(query, map[string]any{"n": n})
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var data attackPage
		_ = json.Unmarshal(resp.Data, &data)
		if len(data.Attacks.Nodes) != n {
			t.Fatalf("%d attacks, want %d", len(data.Attacks.Nodes), n)
		}
		if trips, _ := resp.Extensions["dbRoundTrips"].(float64); trips != 3 {
			t.Errorf("%d attacks: %v round trips, want 3 (the page with its tree, the citers, the members)", n, trips)
		}
	}
}

// canonical re-encodes JSON with its keys sorted, so that two answers compare by content.
func canonical(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A walk takes at most Config.WalkMaxSteps steps: the fields of the steps beyond load level by
// level, and the answer is the same.
func TestRoundTrips_WalkMaxSteps(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	tc := walkTrees[0]
	var answers [][]byte
	var trips []float64
	for _, steps := range []int{-1, 1, 2, 0} {
		c := serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) {
			gql.ReportRoundTrips, gql.BatchWait, gql.WalkMaxSteps = true, 25*time.Millisecond, steps
		})
		resp := c.Do(tc.query, tc.vars)
		if len(resp.Errors) > 0 {
			t.Fatalf("walk of at most %d steps: %+v", steps, resp.Errors)
		}
		rt, _ := resp.Extensions["dbRoundTrips"].(float64)
		answers, trips = append(answers, canonical(t, resp.Data)), append(trips, rt)
	}
	for i := 1; i < len(answers); i++ {
		if !bytes.Equal(answers[i], answers[0]) {
			t.Errorf("answer %d differs from level by level", i)
		}
	}
	// Level by level, then 1 and 2 steps (the rest by the loaders), then the default (one query).
	if !(trips[0] > trips[1] && trips[1] > trips[2] && trips[2] > trips[3] && trips[3] == 1) {
		t.Errorf("round trips %v: want fewer with each step allowed, and 1 by default", trips)
	}
}

// A page of attacks of which only the count is asked reads the count alone, in one round trip, and
// counts what a page with its items counts; a cursor is still checked.
func TestRoundTrips_CountAlone(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := newClientRoundTrips(t, store)
	type counted struct {
		Attacks struct {
			TotalCount int
			Typename   string `json:"__typename"`
			Nodes      []struct{ ID string }
		}
	}
	for _, filter := range []string{`{}`, `{dateRange: {from: "2014-01-01"}}`, `{facilityTypes: [SCHOOL]}`, `{text: "barrel"}`} {
		alone := c.Do(`{ attacks(filter: `+filter+`) { totalCount __typename } }`, nil)
		paged := c.Do(`{ attacks(first: 100, filter: `+filter+`) { totalCount nodes { id } } }`, nil)
		var a, p counted
		for _, r := range []struct {
			resp gqlResponse
			into *counted
		}{{alone, &a}, {paged, &p}} {
			if len(r.resp.Errors) > 0 {
				t.Fatalf("%s: %+v", filter, r.resp.Errors)
			}
			if err := json.Unmarshal(r.resp.Data, r.into); err != nil {
				t.Fatal(err)
			}
		}
		if a.Attacks.TotalCount != p.Attacks.TotalCount || p.Attacks.TotalCount != len(p.Attacks.Nodes) || a.Attacks.Typename != "AttackConnection" {
			t.Errorf("%s: the count alone %+v, with the page %+v", filter, a.Attacks, p.Attacks)
		}
		if trips, _ := alone.Extensions["dbRoundTrips"].(float64); trips != 1 {
			t.Errorf("%s: %v round trips for the count alone, want 1", filter, trips)
		}
	}
	var all counted
	c.MustData(`{ attacks { totalCount } }`, nil, &all)
	if all.Attacks.TotalCount < 3 {
		t.Errorf("every attack: %d, the seed has more", all.Attacks.TotalCount)
	}
	c.MustError(`{ attacks(after: "nonsense") { totalCount } }`, nil, "BAD_USER_INPUT", "after")
}

// A search reads its hits, whatever their types, in its one query.
func TestRoundTrips_SearchInOneQuery(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := newClientRoundTrips(t, store)
	resp := c.Do(`{ search(query: "Aleppo", first: 20) { edges { score node { __typename id ... on Place { name } ... on Attack { title date { start } }
	  ... on Facility { name } ... on Source { title } ... on Claim { quote } ... on Actor { name } ... on Event { name } } } } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatal(resp.Errors)
	}
	var got struct {
		Search struct {
			Edges []struct {
				Score float64
				Node  map[string]any
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, e := range got.Search.Edges {
		typ, _ := e.Node["__typename"].(string)
		types[typ] = true
		named := false
		for _, k := range []string{"name", "title", "quote"} {
			if v, _ := e.Node[k].(string); v != "" {
				named = true
			}
		}
		if !named || e.Score <= 0 {
			t.Errorf("a hit read without its fields: %+v", e)
		}
	}
	if len(types) < 2 {
		t.Errorf("hits of %v only: the case proves little", types)
	}
	if trips, _ := resp.Extensions["dbRoundTrips"].(float64); trips != 1 {
		t.Errorf("%v round trips, want 1", trips)
	}
}

// A casualty summary reads what its sources cite only when independentSources is asked for, the one
// figure that depends on it; either way the tree is one round trip and the figures are the same.
func TestRoundTrips_CasualtiesReadCitationsOnlyForIndependence(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := newClientRoundTrips(t, store)
	const a = "attack:ain-jalout-school-2014-04-30"
	type summary struct {
		Attack struct {
			Casualties struct {
				Killed struct {
					Low, High          *int
					Sources            int
					IndependentSources *int
				}
			}
		}
	}
	var plain, independent summary
	for _, tc := range []struct {
		query string
		into  *summary
	}{
		{`query ($a: ID!) { attack(id: $a) { casualties { killed { low high sources } } } }`, &plain},
		{`query ($a: ID!) { attack(id: $a) { casualties { killed { low high sources ...I } } } } fragment I on FigureSummary { independentSources }`, &independent},
	} {
		resp := c.Do(tc.query, map[string]any{"a": a})
		if len(resp.Errors) > 0 {
			t.Fatal(resp.Errors)
		}
		if err := json.Unmarshal(resp.Data, tc.into); err != nil {
			t.Fatal(err)
		}
		if trips, _ := resp.Extensions["dbRoundTrips"].(float64); trips != 1 {
			t.Errorf("%s: %v round trips, want 1", tc.query, trips)
		}
	}
	p, i := plain.Attack.Casualties.Killed, independent.Attack.Casualties.Killed
	if p.Low == nil || p.High == nil || i.Low == nil || *p.Low != *i.Low || *p.High != *i.High || p.Sources != i.Sources || p.IndependentSources != nil {
		t.Errorf("figures differ: %+v and %+v", p, i)
	}
	if i.IndependentSources == nil || *i.IndependentSources < 1 || *i.IndependentSources > i.Sources || i.Sources < 2 {
		t.Errorf("independent sources %v of %d", i.IndependentSources, i.Sources)
	}
}
