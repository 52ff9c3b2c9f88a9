package resolvers_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/resolvers"
)

const clustersQuery = `query ($bbox: BBoxInput!, $zoom: Int!, $filter: AttackFilter) {
  attackClusters(bbox: $bbox, zoom: $zoom, filter: $filter) { count latitude longitude killedHigh exact attackId }
}`

type cluster struct {
	Count               int
	Latitude, Longitude float64
	KilledHigh, Exact   int
	AttackID            *string
}

// syria is a box around Syria.
var syria = map[string]any{"south": 32.0, "west": 35.5, "north": 37.5, "east": 42.5}

// mappedAttacks reads every attack the filter matches with its mapped point and high killed figure,
// through the attacks list: what the clusters must add up to.
func mappedAttacks(t *testing.T, c *client, filter map[string]any) []mapped {
	t.Helper()
	var p struct {
		Attacks struct {
			Nodes []struct {
				ID             string
				Casualties     struct{ Killed struct{ High *int } }
				MappedLocation *struct {
					Location struct {
						Latitude, Longitude float64
						Precision           string
					}
				}
			}
		}
	}
	c.MustData(`query ($filter: AttackFilter) { attacks(filter: $filter, first: 100) { nodes { id
		casualties { killed { high } } mappedLocation { location { latitude longitude precision } } } } }`, map[string]any{"filter": filter}, &p)
	var out []mapped
	for _, n := range p.Attacks.Nodes {
		if n.MappedLocation == nil {
			continue
		}
		l := n.MappedLocation.Location
		m := mapped{id: n.ID, lat: l.Latitude, lon: l.Longitude, exact: l.Precision == "EXACT"}
		if n.Casualties.Killed.High != nil {
			m.killed = *n.Casualties.Killed.High
		}
		out = append(out, m)
	}
	return out
}

type mapped struct {
	id       string
	lat, lon float64
	killed   int
	exact    bool
}

// expectClusters groups the mapped attacks in the box by the grid of zoom, as the API documents it.
func expectClusters(attacks []mapped, box map[string]any, zoom int) map[[2]int]cluster {
	size := 360 / math.Exp2(float64(zoom+2))
	out := map[[2]int]cluster{}
	for _, a := range attacks {
		if a.lat < box["south"].(float64) || a.lat > box["north"].(float64) || a.lon < box["west"].(float64) || a.lon > box["east"].(float64) {
			continue
		}
		k := [2]int{int(math.Floor(a.lon / size)), int(math.Floor(a.lat / size))}
		c := out[k]
		c.Latitude = (c.Latitude*float64(c.Count) + a.lat) / float64(c.Count+1)
		c.Longitude = (c.Longitude*float64(c.Count) + a.lon) / float64(c.Count+1)
		c.Count++
		c.KilledHigh += a.killed
		if a.exact {
			c.Exact++
		}
		id := a.id
		c.AttackID = &id
		out[k] = c
	}
	for k, c := range out {
		if c.Count > 1 {
			c.AttackID = nil
			out[k] = c
		}
	}
	return out
}

func mustClusters(t *testing.T, c *client, box map[string]any, zoom int, filter map[string]any) []cluster {
	t.Helper()
	var got struct{ AttackClusters []cluster }
	c.MustData(clustersQuery, map[string]any{"bbox": box, "zoom": zoom, "filter": filter}, &got)
	return got.AttackClusters
}

// sameClusters compares the clusters the API gave with those expected, as sets.
func sameClusters(t *testing.T, what string, got []cluster, want map[[2]int]cluster) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d clusters %+v, want %d %+v", what, len(got), got, len(want), want)
		return
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, w := range want {
		i := slices.IndexFunc(got, func(g cluster) bool { return near(g.Latitude, w.Latitude) && near(g.Longitude, w.Longitude) })
		if i < 0 {
			t.Errorf("%s: no cluster at %v, %v: %+v", what, w.Latitude, w.Longitude, got)
			continue
		}
		g := got[i]
		if g.Count != w.Count || g.KilledHigh != w.KilledHigh || g.Exact != w.Exact || (g.AttackID == nil) != (w.AttackID == nil) ||
			(g.AttackID != nil && *g.AttackID != *w.AttackID) {
			t.Errorf("%s: cluster %+v, want %+v", what, g, w)
		}
	}
}

// TestAttackClusters_GroupTheMappedAttacksByTheGridOfTheZoom checks the clusters of the seed and
// a dataset's attacks (datasetGraph) against the attacks list's mapped points grouped by the
// documented grid: at zoom 3 the north of Syria is one cell and Damascus another; at zoom 9 the
// points around Aleppo fall apart; a filter and a box narrow them.
func TestAttackClusters_GroupTheMappedAttacksByTheGridOfTheZoom(t *testing.T) {
	c := newClient(t, datasetGraph(t))
	all := mappedAttacks(t, c, nil)
	if len(all) != 14 {
		t.Fatalf("%d attacks mapped, want the seed's 11 (data/seed/README.md) and the dataset's 3", len(all))
	}
	for _, zoom := range []int{3, 6, 9} {
		sameClusters(t, fmt.Sprintf("Syria at zoom %d", zoom), mustClusters(t, c, syria, zoom, nil), expectClusters(all, syria, zoom))
	}
	three := mustClusters(t, c, syria, 3, nil)
	if len(three) != 2 {
		t.Errorf("zoom 3: %+v, want the north and Damascus", three)
	}

	schools := map[string]any{"facilityTypes": []string{"SCHOOL"}}
	got := mustClusters(t, c, syria, 3, schools)
	sameClusters(t, "schools", got, expectClusters(mappedAttacks(t, c, schools), syria, 3))
	if len(got) != 1 || got[0].Count != 4 || got[0].AttackID != nil || got[0].KilledHigh < 35 {
		t.Errorf("schools: %+v, want Ain Jalout's three attacks and al-Shaar's at Aleppo, 35 killed at most in 2014", got)
	}

	// A text is looked up first, and each attack's point worked out after.
	text := map[string]any{"text": "Ain Jalout"}
	got = mustClusters(t, c, syria, 9, text)
	sameClusters(t, "Ain Jalout", got, expectClusters(mappedAttacks(t, c, text), syria, 9))
	if n := len(got); n == 0 || got[0].Count < 3 {
		t.Errorf("Ain Jalout: %+v, want its three attacks at Aleppo", got)
	}

	damascus := map[string]any{"south": 33.4, "west": 36.2, "north": 33.6, "east": 36.4}
	got = mustClusters(t, c, damascus, 10, nil)
	if len(got) != 1 || got[0].Count != 1 || got[0].AttackID == nil || *got[0].AttackID != "attack:ucdp-ged-3" {
		t.Errorf("around Damascus: %+v, want the dataset's attack alone", got)
	}
	if got := mustClusters(t, c, map[string]any{"south": 0.0, "west": 0.0, "north": 1.0, "east": 1.0}, 10, nil); len(got) != 0 {
		t.Errorf("an empty box: %+v", got)
	}
}

func TestAttackClusters_RefuseABadBoxNamingTheField(t *testing.T) {
	c := MustServer(t, false)
	for _, tc := range []struct {
		box   map[string]any
		zoom  int
		field string
	}{
		{map[string]any{"south": 37.0, "west": 35.0, "north": 36.0, "east": 42.0}, 6, "bbox.north"},
		{map[string]any{"south": 32.0, "west": 42.0, "north": 37.0, "east": 35.0}, 6, "bbox.east"},
		{map[string]any{"south": -91.0, "west": 35.0, "north": 37.0, "east": 42.0}, 6, "bbox.south"},
		{syria, 23, "zoom"},
		{syria, -1, "zoom"},
		{syria, 10, "bbox"}, // 5,103 cells of 10 km
	} {
		c.MustError(clustersQuery, map[string]any{"bbox": tc.box, "zoom": tc.zoom}, "BAD_USER_INPUT", tc.field)
	}
	c.MustError(clustersQuery, map[string]any{"bbox": syria, "zoom": 6, "filter": map[string]any{"minKilled": -1}}, "BAD_USER_INPUT", "filter.minKilled")
}

// TestAttackClusters_CostTheCellsOfTheirBox checks that the cost limit counts a clusters field as
// the cells its box spans at its zoom, at most 4,096 (it refuses more), plus its round trip.
func TestAttackClusters_CostTheCellsOfTheirBox(t *testing.T) {
	rt := resolvers.DefaultRoundTripCost
	q := `query ($zoom: Int!, $bbox: BBoxInput!) { attackClusters(bbox: $bbox, zoom: $zoom) { count attackId } }`
	cells := athar.ClusterCells(athar.BBox{South: 32, West: 35.5, North: 37.5, East: 42.5}, 9)
	if cells < 100 || cells > athar.MaxClusterCells {
		t.Fatalf("Syria spans %d cells at zoom 9", cells)
	}
	search := resolvers.DefaultSearchCost // it reads every mapped attack in its box, as a lookup does
	if got, want := costOf(t, q, map[string]any{"zoom": 9, "bbox": syria}), 1+cells*2+rt+search; got != want {
		t.Errorf("Syria at zoom 9 costs %d, want %d", got, want)
	}
	world := map[string]any{"south": -90, "west": -180, "north": 90, "east": 180}
	if got, want := costOf(t, q, map[string]any{"zoom": 12, "bbox": world}), 1+athar.MaxClusterCells*2+rt+search; got != want {
		t.Errorf("the world at zoom 12 costs %d, want %d (its cells counted up to 4,096)", got, want)
	}
	// Many aliases of the whole world at zoom 0, each a handful of cells but each reading every
	// mapped attack, are over the limit.
	var aliases strings.Builder
	for i := range 30 {
		fmt.Fprintf(&aliases, "c%d: attackClusters(bbox: {south: -90, west: -180, north: 90, east: 180}, zoom: 0) { count } ", i)
	}
	if got := costOf(t, "{ "+aliases.String()+"}", nil); got <= resolvers.DefaultComplexityLimit {
		t.Errorf("30 views of the whole world cost %d, within the limit of %d", got, resolvers.DefaultComplexityLimit)
	}
}

// An attack on several located facilities is mapped at the first of them by id, once: it is in the
// clusters of a box that holds that facility, whatever else the box holds, and in no other; an
// attack's own location comes before its facilities'.
func TestAttackClusters_AnAttackOnSeveralFacilitiesCountsOnce(t *testing.T) {
	c := newClient(t, datasetGraph(t))
	var out struct{}
	c.MustMutate(`mutation {
	  a: createFacility(input: {id: "facility:cl-a", name: "Clinic A", type: CLINIC, location: {latitude: 35.10, longitude: 38.10, precision: EXACT}}) { facility { id } userErrors { message } }
	  b: createFacility(input: {id: "facility:cl-b", name: "Clinic B", type: CLINIC, location: {latitude: 35.12, longitude: 38.12, precision: APPROXIMATE}}) { facility { id } userErrors { message } }
	  c: createFacility(input: {id: "facility:cl-c", name: "Clinic C", type: CLINIC, location: {latitude: 35.90, longitude: 38.90, precision: EXACT}}) { facility { id } userErrors { message } }
	  both: createAttack(input: {id: "attack:cl-both", title: "Strike on two clinics", date: {start: "2015-05-01"}, facilityIds: ["facility:cl-b", "facility:cl-a"]}) { attack { id } userErrors { message } }
	  apart: createAttack(input: {id: "attack:cl-apart", title: "Strike on clinics far apart", date: {start: "2015-05-02"}, facilityIds: ["facility:cl-c", "facility:cl-a"]}) { attack { id } userErrors { message } }
	  own: createAttack(input: {id: "attack:cl-own", title: "Strike beside clinic C", date: {start: "2015-05-03"}, facilityIds: ["facility:cl-a"], location: {latitude: 35.91, longitude: 38.91, precision: EXACT}}) { attack { id } userErrors { message } }
	}`, nil, &out)
	near := map[string]any{"south": 35.0, "west": 38.0, "north": 35.2, "east": 38.2} // A and B
	far := map[string]any{"south": 35.8, "west": 38.8, "north": 36.0, "east": 39.0}  // C
	count := func(cs []cluster) (n, exact int) {
		for _, c := range cs {
			n += c.Count
			exact += c.Exact
		}
		return n, exact
	}
	// Near A and B: both attacks on clinic A (the first by id of each), once each, at A's exact point.
	if n, exact := count(mustClusters(t, c, near, 6, nil)); n != 2 || exact != 2 {
		t.Errorf("near clinics A and B: %d attacks (%d exact), want the two whose first clinic is A", n, exact)
	}
	// Near C: only the attack with its own location there; the one on C and A is mapped at A.
	got := mustClusters(t, c, far, 12, nil)
	if n, _ := count(got); n != 1 || got[0].AttackID == nil || *got[0].AttackID != "attack:cl-own" {
		t.Errorf("near clinic C: %+v, want the attack with its own location alone", got)
	}
	all := mappedAttacks(t, c, map[string]any{"facilityTypes": []string{"CLINIC"}})
	sameClusters(t, "the clinics", mustClusters(t, c, syria, 9, map[string]any{"facilityTypes": []string{"CLINIC"}}), expectClusters(all, syria, 9))
}
