package resolvers_test

import "testing"

// BenchmarkFacility_AttacksAcrossTheYears measures the deep evidence tree of the seed's Ain Jalout
// school through the whole HTTP server and the embedded Neo4j: every attack, every claim with its
// source and actors, the casualty summaries and the attributions.
func BenchmarkFacility_AttacksAcrossTheYears(b *testing.B) {
	c := MustServer(b, true)
	vars := map[string]any{"id": "facility:ain-jalout-school"}
	for range 20 { // warm the database's query plans
		c.Do(ainJaloutQuery, vars)
	}
	b.ReportAllocs()
	for b.Loop() {
		if resp := c.Do(ainJaloutQuery, vars); len(resp.Errors) > 0 {
			b.Fatal(resp.Errors)
		}
	}
}
