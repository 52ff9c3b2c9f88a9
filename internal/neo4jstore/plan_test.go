package neo4jstore_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// mustPlan EXPLAINs a query and returns the names of its operators, one per line.
func mustPlan(t *testing.T, query string, params map[string]any) string {
	t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), "EXPLAIN "+query, params,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
	if err != nil {
		t.Fatalf("EXPLAIN: %v\n%s", err, query)
	}
	// The driver's Plan.Children() returns every child as a copy of the last one (it takes the
	// address of its loop variable, under the Go 1.18 semantics of its module), so the tree is read
	// from the plan the driver decoded, by reflection.
	var ops []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		ops = append(ops, v.FieldByName("Operator").String())
		children := v.FieldByName("Children")
		for i := 0; i < children.Len(); i++ {
			walk(children.Index(i))
		}
	}
	walk(reflect.ValueOf(res.Summary.Plan()).Elem().FieldByName("plan"))
	if len(ops) < 2 {
		t.Fatalf("EXPLAIN gave no plan: %v", ops)
	}
	return strings.Join(ops, "\n")
}

// scans tells whether a plan reads every node of a label (NodeByLabelScan, or the
// Intersection/Union/Subtraction form a label expression such as :Attack&ReadPublic plans) or of
// the graph.
func scans(plan string) bool {
	return strings.Contains(plan, "NodeByLabelScan") || strings.Contains(plan, "NodeByLabelsScan") || strings.Contains(plan, "AllNodesScan")
}

func assertIndexed(t *testing.T, plan, query string) {
	t.Helper()
	if scans(plan) {
		t.Errorf("the plan scans a label where an index should serve:\n%s\n%s", plan, query)
	}
}

// Every filter the API offers starts from an index, not from a scan of every node of a label.
func TestPlans_FiltersUseIndexes(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	if q := "MATCH (a:Attack) WHERE a.damage = $d RETURN a"; !scans(mustPlan(t, q, map[string]any{"d": "x"})) {
		t.Fatalf("the check does not see the label scan of an unindexed property")
	}
	n := 5
	day := func(v string) time.Time { d, _ := time.Parse(time.DateOnly, v); return d }
	attackFilters := map[string]athar.AttackFilter{
		"dateRange.from": {Dates: athar.DateRange{From: day("2014-01-01")}},
		"dateRange.to":   {Dates: athar.DateRange{To: day("2014-01-01")}},
		"facilityIds":    {FacilityIDs: []string{"facility:ain-jalout-school"}},
		"facilityTypes":  {FacilityTypes: []athar.FacilityType{"SCHOOL"}},
		"placeIds":       {PlaceIDs: []string{"place:aleppo"}},
		"actorIds":       {ActorIDs: []string{"actor:syrian-government"}},
		"attackTypes":    {AttackTypes: []athar.AttackType{"AIRSTRIKE"}},
		"weapons":        {Weapons: []athar.Weapon{"BARREL_BOMB"}},
		"near":           {Near: &athar.Near{Latitude: 36.2, Longitude: 37.15, RadiusMeters: 500}},
		"minKilled":      {MinKilled: &n},
		"sourceIds":      {SourceIDs: []string{"source:ain-jalout-2014-article"}},
		"text":           {Text: "Jalout"},
		"all combined":   {Weapons: []athar.Weapon{"BARREL_BOMB"}, Dates: athar.DateRange{From: day("2014-01-01")}, MinKilled: &n, PlaceIDs: []string{"place:aleppo"}},
	}
	for name, f := range attackFilters {
		t.Run("attacks "+name, func(t *testing.T) {
			q, params := neo4jstore.AttacksQuery(f, athar.OrderDateAsc)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	for _, order := range []athar.AttackOrder{athar.OrderDateAsc, athar.OrderDateDesc, athar.OrderKilledDesc} {
		t.Run("every attack, "+string(order), func(t *testing.T) {
			q, params := neo4jstore.AttacksQuery(athar.AttackFilter{}, order)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	// A reader cleared below confidential reads the figures and the search of their level, which
	// have indexes of their own (migration 6).
	public := athar.WithPrincipal(context.Background(), athar.AnonymousReader, "")
	for name, f := range map[string]athar.AttackFilter{"minKilled": {MinKilled: &n}, "text": {Text: "Jalout"}} {
		t.Run("attacks "+name+" as a public reader", func(t *testing.T) {
			q, params := neo4jstore.AttacksQueryAs(public, f, athar.OrderDateAsc)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	// A count of every attack, or of those over most of the years, as every reader: from the count
	// store less what the reader may not see (migration 9), never a read of every attack.
	for _, reader := range []context.Context{public, context.Background()} {
		for _, f := range []athar.AttackFilter{{}, {Dates: athar.DateRange{From: day("2011-01-01"), To: day("2024-12-31")}}, {Dates: athar.DateRange{From: day("2012-01-01")}}} {
			t.Run("count of attacks by dates", func(t *testing.T) {
				q, params := neo4jstore.CountAttacksQueryAs(reader, f)
				plan := mustPlan(t, q, params)
				assertIndexed(t, plan, q)
				if !strings.Contains(plan, "NodeCountFromCountStore") {
					t.Errorf("a count over most attacks does not read the count store:\n%s\n%s", plan, q)
				}
			})
		}
	}
	t.Run("every attack, KILLED_DESC as a public reader", func(t *testing.T) {
		q, params := neo4jstore.AttacksQueryAs(public, athar.AttackFilter{}, athar.OrderKilledDesc)
		assertIndexed(t, mustPlan(t, q, params), q)
	})
	for _, label := range []athar.EntityType{athar.TypeFacility, athar.TypeActor, athar.TypeSource, athar.TypePlace} {
		t.Run("every "+string(label), func(t *testing.T) {
			q, params := neo4jstore.EntityListQuery(label, athar.EntityFilter{})
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	lists := map[string]struct {
		label athar.EntityType
		f     athar.EntityFilter
	}{
		"facilities by type":  {athar.TypeFacility, athar.EntityFilter{Kinds: []string{"SCHOOL"}}},
		"facilities in place": {athar.TypeFacility, athar.EntityFilter{PlaceIDs: []string{"place:aleppo"}}},
		"facilities near":     {athar.TypeFacility, athar.EntityFilter{Near: &athar.Near{Latitude: 36.2, Longitude: 37.15, RadiusMeters: 500}}},
		"facilities by text":  {athar.TypeFacility, athar.EntityFilter{Text: "school"}},
		"actors by kind":      {athar.TypeActor, athar.EntityFilter{Kinds: []string{"NGO"}}},
		"sources by kind":     {athar.TypeSource, athar.EntityFilter{Kinds: []string{"NEWS"}}},
		"places within":       {athar.TypePlace, athar.EntityFilter{Within: "place:syria"}},
		"places by kind":      {athar.TypePlace, athar.EntityFilter{Kinds: []string{"CITY"}}},
	}
	for name, l := range lists {
		t.Run(name, func(t *testing.T) {
			q, params := neo4jstore.EntityListQuery(l.label, l.f)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	for _, e := range []athar.Entity{
		&athar.Facility{Name: "مدرسة النور", Type: "SCHOOL", PlaceID: "place:aleppo"},
		&athar.Place{Name: "Aleppo", Kind: "CITY"},
		&athar.Actor{Name: "UN", Kind: "UN_BODY", PartOf: "actor:x"},
	} {
		t.Run("duplicates of a "+string(e.EntityType()), func(t *testing.T) {
			q, params := neo4jstore.DuplicatesQuery(e)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
}
