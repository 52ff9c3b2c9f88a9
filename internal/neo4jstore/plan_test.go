package neo4jstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// operators returns the names of a plan's operators, depth first.
func operators(p neo4j.Plan) []string {
	out := []string{p.Operator()}
	for _, c := range p.Children() {
		out = append(out, operators(c)...)
	}
	return out
}

// mustPlan EXPLAINs a query and returns its operators.
func mustPlan(t *testing.T, query string, params map[string]any) []string {
	t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), "EXPLAIN "+query, params,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
	if err != nil {
		t.Fatalf("EXPLAIN: %v\n%s", err, query)
	}
	return operators(res.Summary.Plan())
}

func scans(ops []string) bool {
	for _, op := range ops {
		if strings.Contains(op, "NodeByLabelScan") || strings.Contains(op, "AllNodesScan") {
			return true
		}
	}
	return false
}

func assertIndexed(t *testing.T, ops []string, query string) {
	t.Helper()
	if scans(ops) {
		t.Errorf("the plan scans a label where an index should serve: %v\n%s", ops, query)
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
			q, params := neo4jstore.AttacksQuery(f)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
	lists := map[string]struct {
		label string
		f     athar.EntityFilter
	}{
		"facilities by type":  {athar.LabelFacility, athar.EntityFilter{Kinds: []string{"SCHOOL"}}},
		"facilities in place": {athar.LabelFacility, athar.EntityFilter{PlaceIDs: []string{"place:aleppo"}}},
		"facilities near":     {athar.LabelFacility, athar.EntityFilter{Near: &athar.Near{Latitude: 36.2, Longitude: 37.15, RadiusMeters: 500}}},
		"facilities by text":  {athar.LabelFacility, athar.EntityFilter{Text: "school"}},
		"actors by kind":      {athar.LabelActor, athar.EntityFilter{Kinds: []string{"NGO"}}},
		"sources by kind":     {athar.LabelSource, athar.EntityFilter{Kinds: []string{"NEWS"}}},
		"places within":       {athar.LabelPlace, athar.EntityFilter{Within: "place:syria"}},
		"places by kind":      {athar.LabelPlace, athar.EntityFilter{Kinds: []string{"CITY"}}},
	}
	for name, l := range lists {
		t.Run(name, func(t *testing.T) {
			q, params := neo4jstore.EntityListQuery(l.label, l.f)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
}
