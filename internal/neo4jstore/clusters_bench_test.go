package neo4jstore_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/bench"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// BenchmarkAttackClusters measures the map's clusters (Store.AttackClusters) over athar bench's
// graph at the scale ATHAR_BENCH_CLUSTERS_SCALE gives (0.01 unless set; at 1, 100,000 attacks
// around cities in a 5° × 6° box, most at their facilities' points): all of them at the zoom of a
// map of Syria (6), at a city's zoom (10), and a facility type's at 6.
func BenchmarkAttackClusters(b *testing.B) {
	scale := 0.01
	if v := os.Getenv("ATHAR_BENCH_CLUSTERS_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			b.Fatalf("ATHAR_BENCH_CLUSTERS_SCALE=%q: give a positive number", v)
		}
		scale = f
	}
	s := neo4jtest.MustStore(b)
	ctx := context.Background()
	if _, err := s.Import(ctx, bench.Generate(bench.DefaultSize.Scaled(scale), 1), neo4jstore.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	syria := athar.BBox{South: 32.3, West: 35.7, North: 37.3, East: 42.4}
	city := athar.BBox{South: 34.5, West: 37.5, North: 35.0, East: 38.2}
	for _, c := range []struct {
		name string
		f    athar.AttackFilter
		box  athar.BBox
		zoom int
	}{
		{"all/zoom6", athar.AttackFilter{}, syria, 6},
		{"all/zoom10", athar.AttackFilter{}, city, 10},
		{"schools/zoom6", athar.AttackFilter{FacilityTypes: []athar.FacilityType{"SCHOOL"}}, syria, 6},
	} {
		b.Run(c.name, func(b *testing.B) {
			attacks := 0
			for b.Loop() {
				cs, err := s.AttackClusters(ctx, c.f, c.box, c.zoom)
				if err != nil {
					b.Fatal(err)
				}
				attacks = 0
				for _, x := range cs {
					attacks += x.Count
				}
			}
			b.ReportMetric(float64(attacks), "attacks")
		})
	}
}
