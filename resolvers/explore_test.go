package resolvers_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

type attackPage struct {
	Attacks struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID   string
			Date struct{ Start string }
		}
	}
}

func (p attackPage) ids() []string {
	var out []string
	for _, n := range p.Attacks.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func TestAttacks_PagesAndOrders(t *testing.T) {
	c := MustServer(t, true)
	var all attackPage
	c.MustData(`{ attacks(first: 100) { totalCount nodes { id date { start } } } }`, nil, &all)
	if all.Attacks.TotalCount != 15 || len(all.Attacks.Nodes) != 15 {
		t.Fatalf("totalCount %d, nodes %d; want 15", all.Attacks.TotalCount, len(all.Attacks.Nodes))
	}
	if first := all.Attacks.Nodes[0].ID; first != "attack:ain-jalout-school-2013-08-06" {
		t.Errorf("oldest first: got %s", first)
	}
	t.Run("pages follow each other without gaps or repeats", func(t *testing.T) {
		var got []string
		var after *string
		for pages := 0; pages < 10; pages++ {
			var p attackPage
			c.MustData(`query ($after: String) { attacks(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`,
				map[string]any{"after": after}, &p)
			got = append(got, p.ids()...)
			if !p.Attacks.PageInfo.HasNextPage {
				break
			}
			after = p.Attacks.PageInfo.EndCursor
		}
		if !slices.Equal(got, all.ids()) {
			t.Errorf("paged: %v\nwhole: %v", got, all.ids())
		}
	})
	t.Run("newest first and deadliest first", func(t *testing.T) {
		var desc attackPage
		c.MustData(`{ attacks(first: 100, orderBy: {field: DATE, direction: DESC}) { nodes { id } } }`, nil, &desc)
		rev := slices.Clone(all.ids())
		slices.Reverse(rev)
		if desc.ids()[len(rev)-1] != rev[len(rev)-1] || len(desc.ids()) != len(rev) {
			t.Errorf("DATE_DESC ends with %s, want %s", desc.ids()[len(rev)-1], rev[len(rev)-1])
		}
		var killed struct {
			Attacks struct {
				Nodes []struct {
					ID         string
					Casualties struct{ Killed struct{ High *int } }
				}
			}
		}
		c.MustData(`{ attacks(first: 3, orderBy: {field: KILLED, direction: DESC}) { nodes { id casualties { killed { high } } } } }`, nil, &killed)
		ns := killed.Attacks.Nodes
		for i := 1; i < len(ns); i++ {
			if ns[i].Casualties.Killed.High == nil || *ns[i].Casualties.Killed.High > *ns[i-1].Casualties.Killed.High {
				t.Errorf("KILLED_DESC out of order at %d: %+v", i, ns)
			}
		}
		c.MustData(`{ attacks(first: 100, orderBy: {field: KILLED, direction: ASC}) { nodes { id casualties { killed { high } } } } }`, nil, &killed)
		ns = killed.Attacks.Nodes
		high := func(i int) int {
			if h := ns[i].Casualties.Killed.High; h != nil {
				return *h
			}
			return -1
		}
		for i := 1; i < len(ns); i++ {
			if high(i) < high(i-1) {
				t.Errorf("KILLED ascending out of order at %d: %d after %d", i, high(i), high(i-1))
			}
		}
		if len(ns) < 10 || high(0) != -1 || high(len(ns)-1) < 100 {
			t.Errorf("KILLED ascending: %d attacks from %d to %d", len(ns), high(0), high(len(ns)-1))
		}
	})
	t.Run("a bad cursor or page size names the argument", func(t *testing.T) {
		c.MustError(`{ attacks(after: "garbage") { totalCount } }`, nil, "BAD_USER_INPUT", "after")
		c.MustError(`{ attacks(first: 1000) { totalCount } }`, nil, "BAD_USER_INPUT", "first")
	})
}

func TestAttacks_Filters(t *testing.T) {
	c := MustServer(t, true)
	cases := []struct {
		name   string
		filter string
		want   []string // must be among the results
		not    []string // must not be
		count  int      // when > 0, the exact total
	}{
		{"facility", `{facilityIds: ["facility:ain-jalout-school"]}`, []string{"attack:ain-jalout-school-2013-08-06", "attack:ain-jalout-school-2014-04-30", "attack:ain-jalout-school-al-quds-hospital-2016-04-27"}, nil, 3},
		{"date range overlaps", `{dateRange: {from: "2014-01-01", to: "2014-12-31"}}`, []string{"attack:ain-jalout-school-2014-04-30"}, nil, 1},
		{"facility type", `{facilityTypes: [BLOOD_BANK]}`, []string{"attack:eastern-aleppo-central-blood-bank-2016-11"}, nil, 1},
		{"place includes the places inside it", `{placeIds: ["place:aleppo"]}`, []string{"attack:ain-jalout-school-2013-08-06", "attack:al-shaar-barrel-bombs-2016-11-16"}, []string{"attack:khan-al-shih-unrwa-school-2016"}, 0},
		{"actor includes its forces", `{actorIds: ["actor:syrian-government"]}`, []string{"attack:ain-jalout-school-2013-08-06", "attack:ain-jalout-school-2014-04-30"}, nil, 0},
		{"a denial is not an attribution", `{actorIds: ["actor:russia"], facilityIds: ["facility:ain-jalout-school"]}`, nil, []string{"attack:ain-jalout-school-al-quds-hospital-2016-04-27"}, 0},
		{"weapon", `{weapons: [BARREL_BOMB]}`, []string{"attack:ain-jalout-school-2014-04-30", "attack:al-shaar-barrel-bombs-2016-11-16"}, []string{"attack:ain-jalout-school-2013-08-06"}, 0},
		{"minimum killed", `{minKilled: 30, facilityIds: ["facility:ain-jalout-school"]}`, []string{"attack:ain-jalout-school-2014-04-30"}, []string{"attack:ain-jalout-school-2013-08-06"}, 0},
		{"source", `{sourceIds: ["source:ain-jalout-2014-article"]}`, []string{"attack:ain-jalout-school-2014-04-30"}, nil, 1},
		{"text in a quote, misspelt", `{text: "Imprnt of Hope"}`, []string{"attack:ain-jalout-school-2014-04-30"}, nil, 0},
		{"filters combine with AND", `{weapons: [BARREL_BOMB], dateRange: {to: "2015-01-01"}}`, []string{"attack:ain-jalout-school-2014-04-30"}, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p attackPage
			c.MustData(fmt.Sprintf(`{ attacks(first: 100, filter: %s) { totalCount nodes { id } } }`, tc.filter), nil, &p)
			ids := p.ids()
			for _, w := range tc.want {
				if !slices.Contains(ids, w) {
					t.Errorf("%s missing from %v", w, ids)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(ids, n) {
					t.Errorf("%s should not match; got %v", n, ids)
				}
			}
			if tc.count > 0 && p.Attacks.TotalCount != tc.count {
				t.Errorf("totalCount %d, want %d (%v)", p.Attacks.TotalCount, tc.count, ids)
			}
			if p.Attacks.TotalCount != len(ids) {
				t.Errorf("totalCount %d but %d nodes", p.Attacks.TotalCount, len(ids))
			}
		})
	}
	c.MustError(`{ attacks(filter: {dateRange: {from: "2015-01-01", to: "2014-01-01"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.dateRange.to")
	c.MustError(`{ attacks(filter: {near: {latitude: 95, longitude: 0, radiusMeters: 10}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.near.latitude")
}

func TestSearch_ToleratesSpellings(t *testing.T) {
	c := MustServer(t, true)
	type edge struct {
		Score float64
		Node  struct {
			Typename string `json:"__typename"`
			ID       string `json:"id"`
			Quote    string
		}
	}
	for _, q := range []string{"Ain Jalout", "Jaloot", "Ain Jalut", "عين جالوت"} {
		var got struct {
			Search struct{ Edges []edge }
		}
		c.MustData(`query ($q: String!) { search(query: $q, types: [FACILITY]) { edges { score node { __typename id } } } }`, map[string]any{"q": q}, &got)
		e := got.Search.Edges
		if len(e) == 0 || e[0].Node.ID != "facility:ain-jalout-school" || e[0].Node.Typename != "Facility" || e[0].Score <= 0 {
			t.Errorf("search %q: %+v, want Ain Jalout school first", q, e)
		}
	}
	var quotes struct {
		Search struct{ Edges []edge }
	}
	c.MustData(`{ search(query: "blood on corridor walls", types: [CLAIM]) { edges { node { ... on Claim { quote } } } } }`, nil, &quotes)
	if e := quotes.Search.Edges; len(e) == 0 || !strings.Contains(e[0].Node.Quote, "corridor walls") {
		t.Errorf("quote search: %+v", quotes.Search)
	}
	c.MustError(`{ search(query: "  ") { totalCount } }`, nil, "BAD_USER_INPUT", "query")
}

// Search is a connection: its pages follow each other without a gap or a repeat, best first, and
// totalCount counts every hit.
func TestSearch_Pages(t *testing.T) {
	c := MustServer(t, true)
	type page struct {
		Search struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       *string
			}
			Edges []struct {
				Cursor string
				Score  float64
				Node   struct{ ID string }
			}
		}
	}
	const query = `query ($after: String) { search(query: "Aleppo", first: 3, after: $after) {
	  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor score node { id } } } }`
	var all []string
	var last float64
	seen := map[string]bool{}
	var after any
	for i := 0; ; i++ {
		var p page
		c.MustData(query, map[string]any{"after": after}, &p)
		s := p.Search
		if s.PageInfo.HasPreviousPage != (i > 0) || (len(s.Edges) > 0 && *s.PageInfo.StartCursor != s.Edges[0].Cursor) {
			t.Errorf("page %d: pageInfo %+v", i, s.PageInfo)
		}
		for _, e := range s.Edges {
			if seen[e.Node.ID] || (len(all) > 0 && e.Score > last) {
				t.Errorf("page %d: %s repeats or is ranked above the hit before it", i, e.Node.ID)
			}
			seen[e.Node.ID], last = true, e.Score
			all = append(all, e.Node.ID)
		}
		if !s.PageInfo.HasNextPage {
			if len(all) != s.TotalCount || len(all) < 4 {
				t.Errorf("%d hits over the pages, totalCount %d", len(all), s.TotalCount)
			}
			break
		}
		after = *s.PageInfo.EndCursor
		if i > 50 {
			t.Fatal("the pages do not end")
		}
	}
	c.MustError(`{ search(query: "Aleppo", after: "bm90IGEgY3Vyc29y") { totalCount } }`, nil, "BAD_USER_INPUT", "after")
}

func TestTimeline_AndTimeTree(t *testing.T) {
	c := MustServer(t, true)
	var tl struct {
		Timeline []struct {
			Start, End                     string
			Attacks, KilledLow, KilledHigh int
		}
	}
	c.MustData(`{ timeline(interval: YEAR, filter: {facilityIds: ["facility:ain-jalout-school"]}) { start end attacks killedLow killedHigh } }`, nil, &tl)
	if len(tl.Timeline) != 3 || tl.Timeline[0].Start != "2013-01-01" || tl.Timeline[1].End != "2014-12-31" || tl.Timeline[1].Attacks != 1 || tl.Timeline[1].KilledHigh != 35 {
		t.Errorf("timeline = %+v", tl.Timeline)
	}
	var tree struct {
		Day struct {
			Date    string
			Month   struct{ Month int }
			Attacks conn[struct {
				ID      string
				SameDay conn[struct{ ID string }]
			}]
		}
		Year struct {
			Attacks conn[struct{ ID string }]
			Months  []struct{ Month int }
		}
	}
	c.MustData(`{ day(date: "2016-11-16") { date month { month } attacks { nodes { id sameDay { nodes { id } } } } }
	  year(year: 2016) { attacks { nodes { id } } months { month } } }`, nil, &tree)
	var two struct {
		Year struct{ Attacks conn[struct{ ID string }] }
	}
	c.MustData(`{ year(year: 2016) { attacks(first: 2) { nodes { id } } } }`, nil, &two)
	if len(two.Year.Attacks) != 2 || two.Year.Attacks[0].ID != tree.Year.Attacks[0].ID {
		t.Errorf("the first two attacks of 2016: %+v", two.Year.Attacks)
	}
	if tree.Day.Month.Month != 11 || len(tree.Day.Attacks) < 2 {
		t.Fatalf("16 November 2016: %+v", tree.Day)
	}
	for _, a := range tree.Day.Attacks {
		if len(a.SameDay) != len(tree.Day.Attacks)-1 {
			t.Errorf("%s has %d same-day attacks, want %d", a.ID, len(a.SameDay), len(tree.Day.Attacks)-1)
		}
	}
	if len(tree.Year.Attacks) < 10 || len(tree.Year.Months) == 0 {
		t.Errorf("2016: %d attacks in %d months", len(tree.Year.Attacks), len(tree.Year.Months))
	}
}

func TestRepeatedlyTargeted(t *testing.T) {
	c := MustServer(t, true)
	var got struct {
		Twice, Window, Tight conn[struct {
			Facility        struct{ ID string }
			Attacks         []struct{ ID string }
			AttacksInWindow int
		}]
	}
	c.MustData(`{ twice: repeatedlyTargeted { nodes { facility { id } attacks { id } attacksInWindow } }
	  window: repeatedlyTargeted(withinDays: 365) { nodes { facility { id } attacksInWindow } }
	  tight: repeatedlyTargeted(minAttacks: 3, withinDays: 365) { nodes { facility { id } } } }`, nil, &got)
	if len(got.Twice) != 1 || got.Twice[0].Facility.ID != "facility:ain-jalout-school" || len(got.Twice[0].Attacks) != 3 {
		t.Errorf("hit at least twice: %+v", got.Twice)
	}
	if len(got.Window) != 1 || got.Window[0].AttacksInWindow != 2 {
		t.Errorf("twice within a year: %+v (2013-08-06 and 2014-04-30 are 267 days apart)", got.Window)
	}
	if len(got.Tight) != 0 {
		t.Errorf("three times within a year: %+v, want none", got.Tight)
	}
}

// MustGeoFixture adds two facilities 80 m apart and an attack on one, with coordinates (the seed has
// none: its texts give none).
func MustGeoFixture(t *testing.T, c *client) {
	t.Helper()
	c.MustMutate(`mutation {
	  a: createFacility(input: {id: "facility:geo-school", name: "Geo school", type: SCHOOL, location: {latitude: 36.2000, longitude: 37.1500, precision: EXACT}}) { facility { id } userErrors { code } }
	  b: createFacility(input: {id: "facility:geo-barracks", name: "Geo barracks", type: MILITARY_SITE, location: {latitude: 36.2007, longitude: 37.1502, precision: APPROXIMATE}}) { facility { id } userErrors { code } }
	  c: createFacility(input: {id: "facility:geo-far", name: "Far clinic", type: CLINIC, location: {latitude: 36.3, longitude: 37.3, precision: EXACT}}) { facility { id } userErrors { code } }
	  d: createAttack(input: {id: "attack:geo", title: "Geo attack", date: {start: "2015-03-02"}, facilityIds: ["facility:geo-school"]}) { attack { id } userErrors { code } }
	}`, nil, &struct{}{})
}

func TestNearby_AndMaps(t *testing.T) {
	c := MustServer(t, true)
	MustGeoFixture(t, c)
	var got struct {
		Facility struct {
			Nearby conn[struct {
				Facility       struct{ ID string }
				DistanceMeters float64
			}]
		}
		Nearby conn[struct{ Facility struct{ ID string } }]
	}
	c.MustData(`{ facility(id: "facility:geo-school") { nearby(radiusMeters: 100, types: [MILITARY_SITE]) { nodes { facility { id } distanceMeters } } }
	  nearby(latitude: 36.2, longitude: 37.15, radiusMeters: 1000) { nodes { facility { id } } } }`, nil, &got)
	if n := got.Facility.Nearby; len(n) != 1 || n[0].Facility.ID != "facility:geo-barracks" || n[0].DistanceMeters < 60 || n[0].DistanceMeters > 100 {
		t.Errorf("military site within 100 m: %+v", n)
	}
	if len(got.Nearby) != 2 || got.Nearby[0].Facility.ID != "facility:geo-school" {
		t.Errorf("nearby the point: %+v", got.Nearby)
	}
	var near attackPage
	c.MustData(`{ attacks(filter: {near: {latitude: 36.2, longitude: 37.15, radiusMeters: 50}}) { totalCount nodes { id } } }`, nil, &near)
	if ids := near.ids(); len(ids) != 1 || ids[0] != "attack:geo" {
		t.Errorf("attacks near the point: %v", ids)
	}

	var geo struct {
		AttacksGeoJSON struct {
			Type     string
			Omitted  int
			Features []struct {
				ID       string
				Geometry struct {
					Type        string
					Coordinates []float64
				}
			}
		}
	}
	c.MustData(`{ attacksGeoJSON }`, nil, &geo)
	g := geo.AttacksGeoJSON
	if g.Type != "FeatureCollection" || len(g.Features) != 12 || g.Omitted != 4 {
		t.Errorf("GeoJSON: %+v (want the one attack with a point and the 11 seed attacks at or inside a gazetteer point (data/seed/README.md) drawn, the other 4 counted as omitted)", g)
	}
}

func TestGraph_ForNetworkViews(t *testing.T) {
	c := MustServer(t, true)
	type graph struct {
		Nodes     []struct{ ID, Label, Name string }
		Edges     []struct{ ID, Source, Target, Type string }
		Truncated bool
	}
	var got struct{ Whole, Cut graph }
	c.MustData(`{ whole: graph(ids: ["facility:ain-jalout-school"], depth: 2) { nodes { id label name } edges { id source target type } truncated }
	  cut: graph(ids: ["facility:ain-jalout-school"], depth: 2, limit: 4) { nodes { id label name } edges { id source target type } truncated } }`, nil, &got)
	for name, g := range map[string]graph{"whole": got.Whole, "cut": got.Cut} {
		ids := map[string]bool{}
		for _, n := range g.Nodes {
			ids[n.ID] = true
			if n.Label == "" || n.Name == "" {
				t.Errorf("%s: node without label or name: %+v", name, n)
			}
		}
		for _, e := range g.Edges {
			if !ids[e.Source] || !ids[e.Target] {
				t.Errorf("%s: edge %s has an end outside nodes", name, e.ID)
			}
		}
	}
	if got.Whole.Truncated || len(got.Whole.Nodes) < 10 {
		t.Errorf("whole: %d nodes, truncated %v", len(got.Whole.Nodes), got.Whole.Truncated)
	}
	if !got.Cut.Truncated || len(got.Cut.Nodes) != 4 {
		t.Errorf("cut: %d nodes, truncated %v; want 4 and true", len(got.Cut.Nodes), got.Cut.Truncated)
	}
}

func TestQueryCost_IsLimited(t *testing.T) {
	c := MustServer(t, false)
	e := c.MustError(`{ attacks(first: 100) { nodes { claims(first: 100) { nodes { names { namedIn(first: 100) { nodes { attack { claims { nodes { id } } } } } } } } } } }`, nil, "BAD_USER_INPUT", "")
	if e.Extensions["limit"] != "complexityLimit" || !strings.Contains(e.Message, "cost") {
		t.Errorf("error %+v does not say why", e)
	}
	t.Run("a huge first cannot overflow the count", func(t *testing.T) {
		huge := "4611686018427387904"
		q := `{ nearby(latitude: 0, longitude: 0, radiusMeters: 10, first: ` + huge + `) { nodes { facility { nearby(radiusMeters: 10, first: ` + huge +
			`) { nodes { facility { nearby(radiusMeters: 10, first: ` + huge + `) { nodes { distanceMeters } } } } } } } } }`
		c.MustError(q, nil, "BAD_USER_INPUT", "first")
	})
	t.Run("first is bounded on every list that takes it", func(t *testing.T) {
		c.MustError(`{ nearby(latitude: 0, longitude: 0, radiusMeters: 10, first: 500) { totalCount } }`, nil, "BAD_USER_INPUT", "first")
		var empty struct {
			Attacks struct {
				Nodes []struct{ ID string }
			}
		}
		c.MustData(`{ attacks(first: 0) { nodes { id } } }`, nil, &empty)
		if len(empty.Attacks.Nodes) != 0 {
			t.Errorf("first: 0 gave %d attacks", len(empty.Attacks.Nodes))
		}
	})
	t.Run("a cursor of another order is refused as bad input", func(t *testing.T) {
		var p attackPage
		MustGeoFixture(t, c)
		c.MustError(`{ facility(id: "facility:geo-school") { attacks(first: 5000) { nodes { id } } } }`, nil, "BAD_USER_INPUT", "first")
		c.MustData(`{ attacks(first: 1, orderBy: {field: KILLED, direction: DESC}) { pageInfo { endCursor } nodes { id } } }`, nil, &p)
		c.MustError(`query ($a: String) { attacks(after: $a) { totalCount } }`, map[string]any{"a": p.Attacks.PageInfo.EndCursor}, "BAD_USER_INPUT", "after")
	})
}

// The round trips a request costs are bounded by its depth, not by how many items it returns.
func TestRoundTrips_DoNotGrowWithItems(t *testing.T) {
	MustServer(t, true)
	c := newClientRoundTrips(t, neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database))
	query := `query ($n: Int) { attacks(first: $n) { totalCount nodes { id title date { start }
	  facilities { name place { name partOf { name } } attacks { nodes { id } } nearby(radiusMeters: 500) { nodes { distanceMeters } } }
	  claims { nodes { quote source { title publishedBy { name } } claimedBy { name } names { name } } }
	  casualties { killed { low high independentSources } } attributions { actor { name } sources { title } } } } }`
	trips := func(n int) (int, int) {
		resp := c.Do(query, map[string]any{"n": n})
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var data attackPage
		_ = json.Unmarshal(resp.Data, &data)
		rt, _ := resp.Extensions["dbRoundTrips"].(float64)
		return int(rt), len(data.Attacks.Nodes)
	}
	// Loads of one loader at different depths of the tree may or may not share a batch, depending
	// on timing; the fewest of a few runs shows the structure.
	fewest := func(n int) (int, int) {
		best, items := 0, 0
		for range 3 {
			rt, got := trips(n)
			if best == 0 || rt < best {
				best = rt
			}
			items = got
		}
		return best, items
	}
	few, nFew := fewest(2)
	many, nMany := fewest(15)
	if nMany-nFew < 10 {
		t.Fatalf("%d items then %d: the test needs more items in the second", nFew, nMany)
	}
	if few == 0 || many > few+2 {
		t.Errorf("%d round trips for %d attacks, %d for %d: they grow with the items", few, nFew, many, nMany)
	}
	t.Logf("round trips: %d for %d attacks, %d for %d", few, nFew, many, nMany)
}

func TestTimeline_NeverPutsAMonthOnItsFirstDay(t *testing.T) {
	c := MustServer(t, true)
	var got struct {
		Timeline []struct {
			Start, End string
			Attacks    int
		}
	}
	c.MustData(`{ timeline(interval: DAY, filter: {dateRange: {from: "2016-11-01", to: "2016-11-30"}}) { start end attacks } }`, nil, &got)
	var wholeMonth, day16 bool
	for _, b := range got.Timeline {
		if b.Start == "2016-11-01" && b.End == "2016-11-01" {
			t.Errorf("a bucket on 1 November 2016: %+v (the Azaz car bomb is known only to the month)", b)
		}
		wholeMonth = wholeMonth || (b.Start == "2016-11-01" && b.End == "2016-11-30")
		// The umbrella report of that day and its three parts count as the three parts.
		day16 = day16 || (b.Start == "2016-11-16" && b.End == "2016-11-16" && b.Attacks == 3)
	}
	if !wholeMonth || !day16 {
		t.Errorf("timeline by day of November 2016: %+v", got.Timeline)
	}
}

// A list inside an entity is a connection too: its pages follow each other in its order without a
// gap or a repeat, say where they stand, and count the whole list.
func TestLists_InsideEntitiesPage(t *testing.T) {
	c := MustServer(t, true)
	type page struct {
		Year struct {
			Attacks struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       *string
				}
				Edges []struct {
					Cursor string
					Node   struct{ ID string }
				}
			}
		}
	}
	const query = `query ($after: String) { year(year: 2016) { attacks(first: 3, after: $after) {
	  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } }`
	var whole struct {
		Year struct{ Attacks conn[struct{ ID string }] }
	}
	c.MustData(`{ year(year: 2016) { attacks { nodes { id } } } }`, nil, &whole)
	var ids []string
	var after any
	for i := 0; i < 20; i++ {
		var p page
		c.MustData(query, map[string]any{"after": after}, &p)
		a := p.Year.Attacks
		if a.TotalCount != len(whole.Year.Attacks) || a.PageInfo.HasPreviousPage != (i > 0) || len(a.Edges) > 3 {
			t.Fatalf("page %d: total %d of %d, pageInfo %+v, %d edges", i, a.TotalCount, len(whole.Year.Attacks), a.PageInfo, len(a.Edges))
		}
		for _, e := range a.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !a.PageInfo.HasNextPage {
			break
		}
		after = *a.PageInfo.EndCursor
	}
	for i, a := range whole.Year.Attacks {
		if i >= len(ids) || ids[i] != a.ID {
			t.Fatalf("the pages give %v, the whole list %v", ids, whole.Year.Attacks)
		}
	}
	if len(ids) != len(whole.Year.Attacks) || len(ids) < 7 {
		t.Errorf("%d attacks over the pages, %d in the list", len(ids), len(whole.Year.Attacks))
	}
	c.MustError(`{ year(year: 2016) { attacks(after: "bm9wZQ") { totalCount } } }`, nil, "BAD_USER_INPUT", "after")
	var none struct {
		Attack struct {
			Claims struct {
				TotalCount int
				Nodes      []struct{ ID string }
				PageInfo   struct{ HasNextPage bool }
			}
		}
	}
	c.MustData(`{ attack(id: "attack:ain-jalout-school-2014-04-30") { claims(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } } }`, nil, &none)
	if cl := none.Attack.Claims; len(cl.Nodes) != 0 || cl.TotalCount == 0 || !cl.PageInfo.HasNextPage {
		t.Errorf("first: 0 of an attack's claims: %+v", cl)
	}
}

// What a hostile or careless client sends is refused clearly, before it costs the database: a
// forged position in a list, a search of any length, a query whose cost its ids and pages multiply,
// a claim retracted twice, a count no attack has.
func TestHostileInput_IsRefusedClearly(t *testing.T) {
	c := MustServer(t, true)
	forged := func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }
	for _, cursor := range []string{forged(`{"l":"Source.claims","o":9223372036854775807}`), forged(`{"l":"Source.claims"}`),
		forged(`{"l":"Source.claims","o":-5}`)} {
		c.MustError(`query ($a: String) { source(id: "source:aleppo-bombing-live-blog") { claims(first: 2, after: $a) { totalCount } } }`,
			map[string]any{"a": cursor}, "BAD_USER_INPUT", "after")
	}
	long := strings.Repeat("a", athar.MaxSearchText+1)
	c.MustError(`query ($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": long}, "BAD_USER_INPUT", "query")
	c.MustError(`query ($q: String!) { attacks(filter: {text: $q}) { totalCount } }`, map[string]any{"q": long}, "BAD_USER_INPUT", "filter.text")

	ids := make([]string, 100)
	for i := range ids {
		ids[i] = "source:aleppo-bombing-live-blog"
	}
	c.MustError(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Source { claims(first: 100) { nodes { attack {
	  claims(first: 100) { nodes { id } } } } } } } }`, map[string]any{"ids": ids}, "BAD_USER_INPUT", "")

	const retract = `mutation ($r: String!) { retractClaim(input: {id: "claim:ain-jalout-2014-killed-amc", reason: $r}) {
	  claim { retracted { reason } } userErrors { field code message } } }`
	var first struct {
		RetractClaim struct {
			Claim struct{ Retracted struct{ Reason string } }
		}
	}
	c.MustMutate(retract, map[string]any{"r": "misread"}, &first)
	c.MustUserError(retract, map[string]any{"r": "second thoughts"}, "CONFLICT", "input", "id")
	var after struct {
		Claim struct{ Retracted struct{ Reason string } }
	}
	c.MustData(`{ claim(id: "claim:ain-jalout-2014-killed-amc") { retracted { reason } } }`, nil, &after)
	if after.Claim.Retracted.Reason != "misread" {
		t.Errorf("the first retraction was replaced: %+v", after.Claim.Retracted)
	}

	c.MustUserError(`mutation { addClaim(input: {attackId: "attack:ain-jalout-school-2014-04-30", sourceId: "source:ain-jalout-2014-article",
	  kind: CASUALTIES, text: "t", quote: "q", killed: {low: 2147483647}}) { claim { id } userErrors { field code message } } }`,
		nil, "INVALID", "input", "killed", "low")
}

// The attacks of a repeated target selected for their ids alone are not read again: the query that
// found them gave their ids. Selected for more, they are read; both answer the same ids.
func TestRepeatedlyTargeted_IDsOnlyReadsNoAttacks(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := newClientRoundTrips(t, store)
	type answer struct {
		RepeatedlyTargeted conn[struct {
			Attacks []struct {
				ID       string
				Typename string `json:"__typename"`
				Title    string
			}
		}]
	}
	var ids, titles answer
	idsResp := c.Do(`{ repeatedlyTargeted { nodes { attacks { id __typename ... on Node { id } } } } }`, nil)
	titlesResp := c.Do(`{ repeatedlyTargeted { nodes { attacks { id title } } } }`, nil)
	for _, r := range []struct {
		resp gqlResponse
		into *answer
	}{{idsResp, &ids}, {titlesResp, &titles}} {
		if len(r.resp.Errors) > 0 {
			t.Fatal(r.resp.Errors)
		}
		if err := json.Unmarshal(r.resp.Data, r.into); err != nil {
			t.Fatal(err)
		}
	}
	if len(ids.RepeatedlyTargeted) != 1 || len(ids.RepeatedlyTargeted[0].Attacks) != 3 || len(titles.RepeatedlyTargeted) != 1 {
		t.Fatalf("ids only: %+v; with titles: %+v", ids, titles)
	}
	for i, a := range ids.RepeatedlyTargeted[0].Attacks {
		want := titles.RepeatedlyTargeted[0].Attacks[i]
		if a.ID != want.ID || a.Typename != "Attack" || want.Title == "" {
			t.Errorf("attack %d: %+v, read whole: %+v", i, a, want)
		}
	}
	idTrips, _ := idsResp.Extensions["dbRoundTrips"].(float64)
	titleTrips, _ := titlesResp.Extensions["dbRoundTrips"].(float64)
	if idTrips != 1 || titleTrips != 2 {
		t.Errorf("round trips: %v for the ids, %v with the titles; want 1 and 2", idTrips, titleTrips)
	}
}

// The facilities and attacks of a page of repeated targets are read in one batch each, however many
// targets the page has, even with no batching window for loads to meet in.
func TestRepeatedlyTargeted_OneBatchForAllTargets(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := serve(t, store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ReportRoundTrips, gql.BatchWait = true, time.Nanosecond
	})
	for i := range 3 {
		c.MustMutate(fmt.Sprintf(`mutation {
		  f: createFacility(input: {id: "facility:hit-%[1]d", name: "Clinic %[1]d", type: CLINIC}) { facility { id } userErrors { message } }
		  a: createAttack(input: {id: "attack:hit-%[1]d-a", title: "First strike on clinic %[1]d", date: {start: "2015-0%[2]d-01"}, facilityIds: ["facility:hit-%[1]d"]}) { attack { id } userErrors { message } }
		  b: createAttack(input: {id: "attack:hit-%[1]d-b", title: "Second strike on clinic %[1]d", date: {start: "2015-0%[2]d-20"}, facilityIds: ["facility:hit-%[1]d"]}) { attack { id } userErrors { message } } }`, i, i+1), nil, &struct{}{})
	}
	resp := c.Do(`{ repeatedlyTargeted { nodes { facility { name } attacks { title } } edges { node { facility { id } } } } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatal(resp.Errors)
	}
	var got struct {
		RepeatedlyTargeted conn[struct {
			Facility struct{ Name string }
			Attacks  []struct{ Title string }
		}]
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.RepeatedlyTargeted) != 4 {
		t.Fatalf("%d targets, want the seed's school and three clinics: %s", len(got.RepeatedlyTargeted), resp.Data)
	}
	for _, n := range got.RepeatedlyTargeted {
		if n.Facility.Name == "" || len(n.Attacks) < 2 || n.Attacks[0].Title == "" {
			t.Errorf("a target read incompletely: %+v", n)
		}
	}
	if trips, _ := resp.Extensions["dbRoundTrips"].(float64); trips != 3 {
		t.Errorf("%v round trips, want 3: the targets, their facilities, their attacks", trips)
	}
}

// A network view costs one round trip per hop but the second, the first two hops read with the
// nodes they start from; a start named twice or naming nothing changes nothing.
func TestGraph_OneRoundTripPerHop(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := newClientRoundTrips(t, store)
	const q = `query ($ids: [ID!]!, $depth: Int) { graph(ids: $ids, depth: $depth, limit: 300) { nodes { id label name } edges { id source target type } truncated } }`
	school := "facility:ain-jalout-school"
	for depth, trips := range []float64{1, 1, 1, 2} {
		one := c.Do(q, map[string]any{"ids": []string{school}, "depth": depth})
		messy := c.Do(q, map[string]any{"ids": []string{school, "attack:none", school}, "depth": depth})
		if len(one.Errors) > 0 || len(messy.Errors) > 0 {
			t.Fatalf("depth %d: %+v %+v", depth, one.Errors, messy.Errors)
		}
		if !bytes.Equal(canonical(t, one.Data), canonical(t, messy.Data)) {
			t.Errorf("depth %d: a repeated and an unknown start change the graph:\n%s\n%s", depth, one.Data, messy.Data)
		}
		if got, _ := one.Extensions["dbRoundTrips"].(float64); got != trips {
			t.Errorf("depth %d: %v round trips, want %v", depth, got, trips)
		}
		if depth > 0 && !strings.Contains(string(one.Data), "TARGETED") {
			t.Errorf("depth %d: no attack on the school: %s", depth, one.Data)
		}
		if strings.Contains(string(one.Data), `"truncated":true`) {
			t.Errorf("depth %d: truncated: the walk stopped before its last hop", depth)
		}
	}
}
