package neo4jstore_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// TestTimeline_SumsSaturate fills one day with more attacks of the largest figure than a 32-bit
// Int can sum (2,148 of a million each pass 2,147,483,647): the bucket's sums saturate there
// rather than wrap around or fail.
func TestTimeline_SumsSaturate(t *testing.T) {
	store := neo4jtest.MustStore(t)
	const attacks = 2_200
	day := time.Date(2016, 11, 16, 0, 0, 0, 0, time.UTC)
	b := &athar.Bundle{Records: []athar.Record{{Where: "source", Entity: &athar.Source{ID: "source:toll", Title: "Toll", Kind: "NEWS"}}}}
	for i := range attacks {
		id := fmt.Sprintf("attack:toll-%04d", i)
		most := athar.MaxCount
		b.Records = append(b.Records,
			athar.Record{Where: id, Entity: &athar.Attack{ID: id, Title: id, Date: athar.Date{Start: day, End: day, Precision: athar.PrecisionDay}}},
			athar.Record{Where: id + " claim", Entity: &athar.Claim{ID: fmt.Sprintf("claim:toll-%04d", i), AttackID: id, SourceID: "source:toll",
				Kind: "CASUALTIES", Text: "t", Quote: "q", Killed: &athar.Range{Low: &most, High: &most}}})
	}
	for _, r := range b.Records {
		athar.Normalize(r.Entity)
	}
	b.Sort()
	ctx := context.Background()
	if _, err := store.Import(ctx, b, neo4jstore.ImportOptions{BatchSize: 5000}); err != nil {
		t.Fatal(err)
	}
	for _, interval := range []athar.TimelineInterval{athar.IntervalDay, athar.IntervalYear} {
		buckets, err := store.Timeline(ctx, athar.AttackFilter{}, interval)
		if err != nil {
			t.Fatal(err)
		}
		if len(buckets) != 1 {
			t.Fatalf("%s: %d buckets, want 1", interval, len(buckets))
		}
		got := buckets[0]
		if got.Attacks != attacks || got.AttacksWithFigures != attacks || got.KilledLow != math.MaxInt32 || got.KilledHigh != math.MaxInt32 {
			t.Errorf("%s: %+v, want %d attacks and the sums saturated at %d", interval, got, attacks, math.MaxInt32)
		}
	}
}

// TestPlans_ExportPagesUseIndexes checks that the page of an export after a cursor starts from an
// index, not from a scan of every attack, with and without a filter.
func TestPlans_ExportPagesUseIndexes(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	after := &athar.FeatureCursor{Start: time.Date(2014, 4, 30, 0, 0, 0, 0, time.UTC), ID: "attack:ain-jalout-school-2014-04-30"}
	for _, f := range []athar.AttackFilter{{}, {FacilityTypes: []athar.FacilityType{"SCHOOL"}}} {
		for _, cursor := range []*athar.FeatureCursor{nil, after} {
			q, params := neo4jstore.AttackFeaturesQuery(f, cursor)
			assertIndexed(t, mustPlan(t, q, params), q)
		}
	}
}
