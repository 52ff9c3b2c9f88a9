package neo4jstore_test

import (
	"context"
	"testing"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// mappedDisagreements counts the attacks whose kept mapped point (mapPoint, mapPrecision, mapFrom)
// is not what the rule works out now.
func mappedDisagreements(tb testing.TB) int64 {
	tb.Helper()
	return neo4jtest.Count(tb, "MATCH (a:Attack)\n"+neo4jstore.MappedLocationRule("a", "loc")+`
WITH a, loc WHERE NOT (
  (loc IS NULL AND a.mapPoint IS NULL AND a.mapPrecision IS NULL AND a.mapFrom IS NULL) OR
  (loc.p = a.mapPoint AND loc.precision = a.mapPrecision AND loc.from = a.mapFrom))
RETURN count(a) AS n`, nil)
}

// Every write that can move an attack on a map keeps its mapped point: imports, the attack's own
// location, facilities and places, a facility's location or place, and a place's location or
// parent, set, changed or removed.
func TestMappedPoint_KeptOnEveryWritePath(t *testing.T) {
	s := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, s)
	ctx := context.Background()
	check := func(step string, from athar.LocationOrigin, want bool) {
		t.Helper()
		if n := mappedDisagreements(t); n != 0 {
			t.Fatalf("%s: %d attacks' kept points differ from the rule", step, n)
		}
		n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:map-test'}) WHERE a.mapFrom = $from RETURN count(a) AS n", map[string]any{"from": string(from)})
		if (n == 1) != want {
			t.Fatalf("%s: the test attack mapped from %s: %v, want %v", step, from, n == 1, want)
		}
	}
	if n := neo4jtest.Count(t, "MATCH (a:Attack) WHERE a.mapPoint IS NOT NULL RETURN count(a) AS n", nil); n == 0 {
		t.Fatal("the seed import kept no attack's point")
	}
	loc := func(lat, lon float64) *athar.Location {
		return &athar.Location{Latitude: lat, Longitude: lon, Precision: "EXACT"}
	}
	must := func(_ athar.Entity, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Create(ctx, &athar.Place{ID: "place:map-a", Name: "Map A", Kind: "CITY", Location: loc(36.1, 37.1)}))
	must(s.Create(ctx, &athar.Place{ID: "place:map-b", Name: "Map B", Kind: "CITY"}))
	must(s.Create(ctx, &athar.Facility{ID: "facility:map-f", Name: "Map F", Type: "SCHOOL", PlaceID: "place:map-b"}))
	must(s.Create(ctx, &athar.Facility{ID: "facility:map-g", Name: "Map G", Type: "HOSPITAL", PlaceID: "place:map-b", Location: loc(36.3, 37.3)}))
	day, err := athar.ParseDate("2016-11-16", "", "")
	if err != nil {
		t.Fatal(err)
	}
	must(s.Create(ctx, &athar.Attack{ID: "attack:map-test", Title: "Map test", Date: day,
		FacilityIDs: []string{"facility:map-f"}, PlaceIDs: []string{"place:map-a", "place:map-b"}}))
	check("an attack in a located place, on a facility without a point", athar.FromPlace, true)

	update := func(step string, typ athar.EntityType, id string, change func(athar.Entity)) {
		t.Helper()
		if _, err := s.Update(ctx, typ, id, func(e athar.Entity) error { change(e); return nil }); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	update("facility located", athar.TypeFacility, "facility:map-f", func(e athar.Entity) { e.(*athar.Facility).Location = loc(36.2, 37.2) })
	check("its facility got a point", athar.FromFacility, true)
	update("facility moved", athar.TypeFacility, "facility:map-f", func(e athar.Entity) { e.(*athar.Facility).Location = loc(36.25, 37.25) })
	check("its facility moved", athar.FromFacility, true)
	update("facility unlocated", athar.TypeFacility, "facility:map-f", func(e athar.Entity) { e.(*athar.Facility).Location = nil })
	check("its facility lost its point", athar.FromPlace, true)
	update("second facility", athar.TypeAttack, "attack:map-test", func(e athar.Entity) {
		e.(*athar.Attack).FacilityIDs = []string{"facility:map-f", "facility:map-g"}
	})
	check("a located facility added", athar.FromFacility, true)
	update("facilities removed", athar.TypeAttack, "attack:map-test", func(e athar.Entity) { e.(*athar.Attack).FacilityIDs = nil })
	check("its facilities removed", athar.FromPlace, true)
	update("place unlocated", athar.TypePlace, "place:map-a", func(e athar.Entity) { e.(*athar.Place).Location = nil })
	check("its place lost its point", athar.FromPlace, false)
	update("other place located", athar.TypePlace, "place:map-b", func(e athar.Entity) { e.(*athar.Place).Location = loc(35.9, 36.9) })
	check("its other place got one", athar.FromPlace, true)
	update("places removed", athar.TypeAttack, "attack:map-test", func(e athar.Entity) { e.(*athar.Attack).PlaceIDs = nil })
	check("its places removed", athar.FromPlace, false)
	// Enclosing places: a place inside a located one, and a facility in it.
	must(s.Create(ctx, &athar.Place{ID: "place:map-c", Name: "Map C", Kind: "NEIGHBOURHOOD"}))
	update("attack in an unlocated place", athar.TypeAttack, "attack:map-test", func(e athar.Entity) {
		e.(*athar.Attack).PlaceIDs = []string{"place:map-c"}
	})
	check("its place inside nothing located", athar.FromEnclosingPlace, false)
	must(s.Create(ctx, &athar.Place{ID: "place:map-d", Name: "Map D", Kind: "CITY"}))
	update("place's parent named", athar.TypePlace, "place:map-c", func(e athar.Entity) { e.(*athar.Place).PartOf = "place:map-d" })
	check("its place's parent has no point", athar.FromEnclosingPlace, false)
	update("parent located", athar.TypePlace, "place:map-d", func(e athar.Entity) { e.(*athar.Place).Location = loc(36.5, 37.5) })
	check("its place's parent got a point", athar.FromEnclosingPlace, true)
	if n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:map-test'}) WHERE a.mapPrecision = 'SETTLEMENT' RETURN count(a) AS n", nil); n != 1 {
		t.Error("a city's centre standing for a place inside it is not at SETTLEMENT precision")
	}
	update("parent unnamed", athar.TypePlace, "place:map-c", func(e athar.Entity) { e.(*athar.Place).PartOf = "" })
	check("its place left the located one", athar.FromEnclosingPlace, false)
	update("parent again", athar.TypePlace, "place:map-c", func(e athar.Entity) { e.(*athar.Place).PartOf = "place:map-d" })
	update("attack on a facility in a place", athar.TypeAttack, "attack:map-test", func(e athar.Entity) {
		e.(*athar.Attack).PlaceIDs = nil
		e.(*athar.Attack).FacilityIDs = []string{"facility:map-f"}
	})
	check("its facility's own place has a point", athar.FromEnclosingPlace, true)
	update("facility moved", athar.TypeFacility, "facility:map-f", func(e athar.Entity) { e.(*athar.Facility).PlaceID = "place:map-c" })
	check("its facility moved into a place inside a located one", athar.FromEnclosingPlace, true)
	if n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:map-test'}), (d:Place {id: 'place:map-d'}) WHERE a.mapPoint = d.location RETURN count(a) AS n", nil); n != 1 {
		t.Error("the attack is not at the centre of the place that holds its facility's")
	}
	update("parent unlocated", athar.TypePlace, "place:map-d", func(e athar.Entity) { e.(*athar.Place).Location = nil })
	check("that place lost its point", athar.FromEnclosingPlace, false)

	update("own point", athar.TypeAttack, "attack:map-test", func(e athar.Entity) { e.(*athar.Attack).Location = loc(36.0, 37.0) })
	check("its own point", athar.FromAttack, true)

	// The seed again, changed: an import that moves the points of places.
	b, err := seed.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Records {
		if p, ok := r.Entity.(*athar.Place); ok && p.Location != nil {
			p.Location.Latitude += 0.01
		}
	}
	if _, err := s.Import(ctx, b, neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	check("an import moved the seed's places", athar.FromAttack, true)
}
