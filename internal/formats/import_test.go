package formats_test

import (
	"context"
	"os"
	"testing"

	"github.com/athar-project/athar/internal/formats"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// TestImport_SamplesBesideTheSeed imports both sample files through the import path into the
// embedded Neo4j beside the curated seed, reads their attacks on Ain Jalout school back, and
// imports them again: nothing changes.
func TestImport_SamplesBesideTheSeed(t *testing.T) {
	ctx := context.Background()
	s := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, s)
	ucdp := MustRead(t, "ucdp-ged", sample("ucdp-ged-sample.csv"), formats.Options{})
	acled := MustRead(t, "acled", sample("acled-sample.csv"), formats.Options{})
	for _, res := range []*formats.Result{ucdp, acled} {
		sum, err := s.Import(ctx, res.Bundle, neo4jstore.ImportOptions{})
		if err != nil {
			t.Fatalf("importing %s: %v", res.Dataset.ID, err)
		}
		if got := sum.Total().Created; got != len(res.Bundle.Records) {
			t.Errorf("%s: created %d, want every one of its %d records", res.Dataset.ID, got, len(res.Bundle.Records))
		}
	}

	attacks, err := s.AttacksByID(ctx, []string{"attack:ucdp-ged-214797", "attack:acled-syr1043", "attack:ain-jalout-school-2014-04-30"})
	if err != nil {
		t.Fatal(err)
	}
	if len(attacks) != 3 || attacks[0] == nil || attacks[1] == nil || attacks[2] == nil {
		t.Fatalf("attacks %v", attacks)
	}
	u, a := attacks[0], attacks[1]
	if u.DatasetID != "dataset:ucdp-ged" || u.ExternalID != "214797" || u.Location == nil ||
		u.Location.Latitude != 36.1787 || u.Location.Precision != "EXACT" {
		t.Errorf("UCDP attack read back: %+v, location %+v", u, u.Location)
	}
	if a.DatasetID != "dataset:acled" || a.ExternalID != "SYR1043" || a.Location == nil || a.Location.Precision != "SETTLEMENT" ||
		len(a.AttackTypes) != 1 || a.AttackTypes[0] != "AIRSTRIKE" {
		t.Errorf("ACLED attack read back: %+v, location %+v", a, a.Location)
	}
	if attacks[2].DatasetID != "" {
		t.Errorf("the seed's attack belongs to %s", attacks[2].DatasetID)
	}
	claims, err := s.ClaimsByID(ctx, []string{"claim:ucdp-ged-220355-casualties"})
	if err != nil || len(claims) != 1 || claims[0] == nil {
		t.Fatalf("claims %v, %v", claims, err)
	}
	if k := claims[0].Killed; k == nil || *k.Low != 8 || *k.High != 5 || !claims[0].Inconsistent() {
		t.Errorf("inconsistent claim read back: %+v", k)
	}
	claims, err = s.ClaimsByID(ctx, []string{"claim:acled-syr1102-weapon"})
	if err != nil || len(claims) != 1 || claims[0] == nil {
		t.Fatalf("claims %v, %v", claims, err)
	}
	if c := claims[0]; c.DatasetID != "dataset:acled" || len(c.Weapons) != 1 || c.Weapons[0] != "CHLORINE" || c.Quote == "" {
		t.Errorf("ACLED's weapon claim read back: %+v", c)
	}

	for _, res := range []*formats.Result{ucdp, acled} {
		sum, err := s.Import(ctx, res.Bundle, neo4jstore.ImportOptions{})
		if err != nil {
			t.Fatalf("importing %s again: %v", res.Dataset.ID, err)
		}
		if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 {
			t.Errorf("%s imported again: %+v, want every record unchanged", res.Dataset.ID, tot)
		}
	}
}
