package neo4jstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// incidentBenchAttacks is how many attacks each of the benchmark's two datasets has: about the
// size of a year of UCDP GED in Syria (16,566 events in 2016-2019).
const incidentBenchAttacks = 5000

// incidentBenchGraph loads two datasets of incidentBenchAttacks attacks each over two years, with
// points in a box of about 33 × 27 km (a city and its surroundings: about seven attacks a day in
// each dataset); two in five of the second's are the first's seen again, up to a day and a
// kilometre off. It returns the ids of the first's attacks.
func incidentBenchGraph(b *testing.B, s *neo4jstore.Store) []string {
	b.Helper()
	r := rand.New(rand.NewPCG(10, 6))
	bundle := &athar.Bundle{}
	add := func(e athar.Entity) {
		bundle.Records = append(bundle.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	add(&athar.Dataset{ID: "dataset:bench-a", Name: "Bench A"})
	add(&athar.Dataset{ID: "dataset:bench-b", Name: "Bench B"})
	first := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	type event struct {
		day      int
		lat, lon float64
	}
	attack := func(ds string, i int, e event) *athar.Attack {
		day := first.AddDate(0, 0, e.day).Format(time.DateOnly)
		d, err := athar.ParseDate(day, "", "")
		if err != nil {
			b.Fatal(err)
		}
		return &athar.Attack{ID: fmt.Sprintf("attack:%s-%d", ds, i), Title: fmt.Sprintf("%s %d", ds, i), Date: d,
			DatasetID: "dataset:" + ds, ExternalID: fmt.Sprint(i),
			Location: &athar.Location{Latitude: e.lat, Longitude: e.lon, Precision: "EXACT"}}
	}
	var ids []string
	var seen []event
	for i := 0; i < incidentBenchAttacks; i++ {
		e := event{day: r.IntN(730), lat: 36.05 + r.Float64()*0.3, lon: 37.0 + r.Float64()*0.3}
		seen = append(seen, e)
		a := attack("bench-a", i, e)
		ids = append(ids, a.ID)
		add(a)
	}
	for i := 0; i < incidentBenchAttacks; i++ {
		e := event{day: r.IntN(730), lat: 36.05 + r.Float64()*0.3, lon: 37.0 + r.Float64()*0.3}
		if i%5 < 2 {
			o := seen[r.IntN(len(seen))]
			e = event{day: max(0, o.day+r.IntN(3)-1), lat: o.lat + (r.Float64()-0.5)*0.01, lon: o.lon + (r.Float64()-0.5)*0.01}
		}
		add(attack("bench-b", i, e))
	}
	start := time.Now()
	if _, err := s.Import(context.Background(), bundle, neo4jstore.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d records in %s", len(bundle.Records), time.Since(start).Round(time.Millisecond))
	return ids
}

// BenchmarkIncidents measures possibleDuplicates (one query) and datasetOverlap (over a month of a
// dataset and over all of it) on incidentBenchGraph. Run it with
//
//	go test ./internal/neo4jstore/ -run '^$' -bench Incidents -benchtime 100x
func BenchmarkIncidents(b *testing.B) {
	s := MustStore(b)
	ids := incidentBenchGraph(b, s)
	ctx := context.Background()
	b.Run("possibleDuplicates", func(b *testing.B) {
		found := 0
		var took []time.Duration
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			r := athar.DefaultDuplicateRequest(ids[i*7%len(ids)])
			facts, err := s.DuplicateFacts(ctx, r)
			if err != nil {
				b.Fatal(err)
			}
			found += len(athar.RankDuplicates(r, facts))
			took = append(took, time.Since(start))
		}
		b.ReportMetric(float64(found)/float64(b.N), "candidates/op")
		reportMedian(b, took)
	})
	month := athar.AttackFilter{Dates: athar.DateRange{From: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2015, 6, 30, 0, 0, 0, 0, time.UTC)}}
	for name, f := range map[string]athar.AttackFilter{"datasetOverlap/month": month, "datasetOverlap/all": {}} {
		b.Run(name, func(b *testing.B) {
			var o *athar.DatasetOverlap
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				var err error
				if o, err = s.DatasetOverlap(ctx, "dataset:bench-a", "dataset:bench-b", f); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			reportMedian(b, took)
			b.ReportMetric(float64(o.Total), "attacks")
			b.ReportMetric(float64(o.Matched), "matched")
		})
	}
}

// reportMedian reports the median time of an operation, in milliseconds: on a machine shared with
// other work the mean follows the pauses of the others, the median what the query costs.
func reportMedian(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}
