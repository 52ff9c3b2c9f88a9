package bench

import (
	"testing"
	"time"
)

// A phase's totals are those of the queries it ran, less what ran before, without the bench's own
// calls to Neo4j's collector and plan cache.
func TestStats_PhaseTotalsLeaveTheBenchsOwnCallsOut(t *testing.T) {
	before := dbSnapshot{
		"MATCH (a:Attack) RETURN a": {Queries: 2, Compile: 3 * time.Millisecond, Execute: 10 * time.Millisecond},
	}
	after := dbSnapshot{
		"MATCH (a:Attack) RETURN a":         {Queries: 5, Compile: 4 * time.Millisecond, Execute: 25 * time.Millisecond},
		"UNWIND $ids AS id RETURN id":       {Queries: 3, Compile: 90 * time.Millisecond, Execute: 6 * time.Millisecond},
		"CALL db.stats.retrieve('QUERIES')": {Queries: 1, Compile: time.Millisecond, Execute: time.Second},
		"  CALL db.clearQueryCaches()":      {Queries: 1, Compile: time.Millisecond, Execute: time.Second},
	}
	got := after.since(before)
	want := dbTotals{Queries: 6, Compile: 91 * time.Millisecond, Execute: 21 * time.Millisecond}
	if got != want {
		t.Errorf("since = %+v, want %+v", got, want)
	}
	if all := after.since(nil); all.Queries != 8 {
		t.Errorf("since(nil) counted %d queries, want 8", all.Queries)
	}
}
