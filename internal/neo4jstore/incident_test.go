package neo4jstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// The search for possible duplicates starts from the date indexes, the time tree and the attack's
// own links, never from a scan of every attack: once for one attack, and once per attack of a
// dataset in datasetOverlap.
func TestPlans_DuplicatesUseIndexes(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	r := athar.DefaultDuplicateRequest("attack:ain-jalout-school-2014-04-30")
	q, params := neo4jstore.DuplicateFactsQuery(r)
	plan := mustPlan(t, q, params)
	assertIndexed(t, plan, q)
	for _, index := range []string{"NodeIndexSeekByRange", "NodeUniqueIndexSeek"} {
		if !strings.Contains(plan, index) {
			t.Errorf("the plan has no %s:\n%s", index, plan)
		}
	}
	day, _ := time.Parse(time.DateOnly, "2014-01-01")
	for name, f := range map[string]athar.AttackFilter{
		"every attack":   {},
		"by date":        {Dates: athar.DateRange{From: day}},
		"by place":       {PlaceIDs: []string{"place:aleppo"}},
		"with a dataset": {DatasetIDs: []string{"dataset:a"}},
	} {
		t.Run("datasetOverlap, "+name, func(t *testing.T) {
			q, params := neo4jstore.DatasetOverlapQuery("dataset:a", "dataset:b", f)
			assertIndexed(t, mustPlan(t, q, params), q)
		})
	}
}
