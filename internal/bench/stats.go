package bench

import (
	"context"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Neo4j's own account of the queries it ran comes from its data collector (the QUERIES section of
// the db.stats procedures, in Community Edition too): per query text, how many times it ran
// (invocationCount) and, averaged over those runs, the microseconds it spent compiling
// (compileTimeInUs: parsing and planning, or finding the plan in the plan cache) and executing
// (executionTimeInUs: from the start of execution until the result was consumed). It holds the
// most recent runs only (collectorCapacity of them, all texts together), and db.stats.clear
// empties it only while it is stopped, so the bench restarts it empty before each phase and reads
// the phase's totals (count × average) at its end.

// collectorCapacity is how many runs Neo4j's data collector holds (its setting
// data_collector.max_recent_query_count, 8192 by default); a phase that ran more is not counted.
const collectorCapacity = 8192

// dbTotals is what Neo4j spent on the queries of a phase: how many ran, and their compile and
// execution time summed.
type dbTotals struct {
	Queries          int64
	Compile, Execute time.Duration
}

// dbSnapshot is the collector's totals per query text at one moment.
type dbSnapshot map[string]dbTotals

// ownQueries are the texts of the bench's own calls, left out of every phase's totals.
var ownQueries = []string{"CALL db.stats.", "CALL db.clearQueryCaches()"}

// restartCollector empties Neo4j's data collector of queries and starts it again (for a week at
// most), so that what it holds next is the phase that follows.
func restartCollector(ctx context.Context, d neo4j.DriverWithContext, database string) error {
	_ = runCypher(ctx, d, database, "CALL db.stats.stop('QUERIES')", nil) // fails when it is not collecting
	if err := runCypher(ctx, d, database, "CALL db.stats.clear('QUERIES')", nil); err != nil {
		return err
	}
	return runCypher(ctx, d, database, "CALL db.stats.collect('QUERIES', {durationSeconds: $seconds})",
		map[string]any{"seconds": int64((7 * 24 * time.Hour).Seconds())})
}

// stopCollector stops the data collector and drops what it kept.
func stopCollector(ctx context.Context, d neo4j.DriverWithContext, database string) {
	_ = runCypher(ctx, d, database, "CALL db.stats.stop('QUERIES')", nil)
	_ = runCypher(ctx, d, database, "CALL db.stats.clear('QUERIES')", nil)
}

// phase reads what the collector holds since restartCollector, the bench's own calls left out;
// ok is false when the phase ran more queries than the collector holds.
func phase(ctx context.Context, d neo4j.DriverWithContext, database string) (t dbTotals, ok bool, err error) {
	snap, err := snapshot(ctx, d, database)
	if err != nil {
		return dbTotals{}, false, err
	}
	all := snap.since(nil)
	t = all
	for q, n := range snap {
		if own(q) {
			all.Queries += n.Queries
		}
	}
	return t, all.Queries < collectorCapacity, nil
}

// snapshot reads the collector's totals per query text.
func snapshot(ctx context.Context, d neo4j.DriverWithContext, database string) (dbSnapshot, error) {
	res, err := neo4j.ExecuteQuery(ctx, d, `CALL db.stats.retrieve('QUERIES') YIELD data
RETURN data.query AS query, data.invocationSummary AS summary`, nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(database))
	if err != nil {
		return nil, err
	}
	out := dbSnapshot{}
	for _, rec := range res.Records {
		m := rec.AsMap()
		q, _ := m["query"].(string)
		s, _ := m["summary"].(map[string]any)
		n := int64(number(s["invocationCount"]))
		avg := func(key string) time.Duration {
			part, _ := s[key].(map[string]any)
			return time.Duration(number(part["avg"]) * float64(n) * float64(time.Microsecond))
		}
		t := out[q]
		t.Queries += n
		t.Compile += avg("compileTimeInUs")
		t.Execute += avg("executionTimeInUs")
		out[q] = t
	}
	return out, nil
}

// since returns what ran between before and s, the bench's own calls left out.
func (s dbSnapshot) since(before dbSnapshot) dbTotals {
	var out dbTotals
	for q, t := range s {
		if own(q) {
			continue
		}
		b := before[q]
		out.Queries += t.Queries - b.Queries
		out.Compile += t.Compile - b.Compile
		out.Execute += t.Execute - b.Execute
	}
	return out
}

func own(query string) bool {
	for _, p := range ownQueries {
		if strings.HasPrefix(strings.TrimSpace(query), p) {
			return true
		}
	}
	return false
}

// number reads an integer or a float the driver returns.
func number(v any) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}

// runCypher runs one query and drops its records. Like Athar's reads, it skips the driver's
// bookmark manager, whose wait is no part of a query's cost.
func runCypher(ctx context.Context, d neo4j.DriverWithContext, database, query string, params map[string]any) error {
	_, err := neo4j.ExecuteQuery(ctx, d, query, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database),
		neo4j.ExecuteQueryWithReadersRouting(), neo4j.ExecuteQueryWithoutBookmarkManager())
	return err
}
