package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
)

func TestPrintSummary_PerDatasetWithConflicts(t *testing.T) {
	s := neo4jstore.ImportSummary{
		Types: map[athar.EntityType]*neo4jstore.Counts{
			athar.TypeDataset: {Updated: 1},
			athar.TypeAttack:  {Updated: 1, Unchanged: 860, Withdrawn: 2},
			athar.TypeClaim:   {Unchanged: 861, Withdrawn: 2},
		},
		Datasets: []*neo4jstore.DatasetSummary{{
			DatasetID: "dataset:ucdp-ged", Release: "24.2",
			Counts: neo4jstore.Counts{Updated: 2, Unchanged: 1721, Withdrawn: 4},
			Conflicts: []neo4jstore.CurationConflict{{RecordID: "attack:ucdp-ged-214797", Field: "title",
				DatasetValue: `"Air strike (revised)"`, CuratedValue: `"Air strike on Al-Quds hospital"`}},
			Inconsistent: 3,
			Matches:      map[string]int{"NAME": 2, "CREATED": 1},
		}},
	}
	var out bytes.Buffer
	printSummary(&out, s, false, 1500*time.Millisecond)
	got := out.String()
	for _, want := range []string{
		"label       created  updated  unchanged  withdrawn",
		"Attack            0        1        860          2",
		"total             0        2       1721          4",
		"dataset:ucdp-ged                0        2       1721          4          1             3  NAME 2, CREATED 1",
		`  attack:ucdp-ged-214797 title: dataset "Air strike (revised)", curated "Air strike on Al-Quds hospital"`,
		"imported in 1.5s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "(curated)") {
		t.Errorf("summary lists curated records the import did not hold:\n%s", got)
	}
}
