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
// (executionTimeInUs: from the start of execution until the result was consumed). The collector
// keeps the first 100 runs of each text in detail but averages over every run, so the bench reads
// the averages before and after a phase and takes the difference of count × average.

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

// startCollector starts Neo4j's data collector on queries, afresh.
func startCollector(ctx context.Context, d neo4j.DriverWithContext, database string) error {
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
