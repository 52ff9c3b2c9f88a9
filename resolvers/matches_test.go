package resolvers_test

import (
	"context"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// datasetWithPlaces imports a release of dataset:ucdp-ged naming Syria and Aleppo governorate, and
// an attack in the governorate.
func datasetWithPlaces(tb testing.TB, s *neo4jstore.Store) {
	tb.Helper()
	day, err := athar.ParseDate("2016-11-20", "", "")
	if err != nil {
		tb.Fatal(err)
	}
	ds := "dataset:ucdp-ged"
	b := &athar.Bundle{}
	for _, e := range []athar.Entity{
		&athar.Dataset{ID: ds, Name: "UCDP GED", Release: "24.1"},
		&athar.Place{ID: "place:ucdp-ged-syria", Name: "Syria", Kind: "COUNTRY", DatasetID: ds, ExternalID: "Syria"},
		&athar.Place{ID: "place:ucdp-ged-aleppo", Name: "Aleppo governorate", Kind: "GOVERNORATE", PartOf: "place:ucdp-ged-syria", DatasetID: ds, ExternalID: "Aleppo governorate"},
		&athar.Actor{ID: "actor:ucdp-ged-syria", Name: "Government of Syria", Kind: "GOVERNMENT", DatasetID: ds, ExternalID: "Government of Syria"},
		&athar.Attack{ID: "attack:ucdp-ged-1", Title: "Air strike", Date: day, PlaceIDs: []string{"place:ucdp-ged-aleppo"}, DatasetID: ds, ExternalID: "1"},
	} {
		athar.Normalize(e)
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	b.Sort()
	if _, err := s.Import(context.Background(), b, neo4jstore.ImportOptions{}); err != nil {
		tb.Fatal(err)
	}
}

func TestDataset_MatchesAndTheirCorrection(t *testing.T) {
	store := neo4jtest.MustStore(t)
	datasetWithPlaces(t, store)
	if _, err := store.Create(context.Background(), &athar.Place{ID: "place:aleppo", Name: "Aleppo", Kind: "GOVERNORATE"}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, store)
	type match struct {
		RecordID, ExternalID, Name, Rule string
		Entity                           *struct{ ID, Name string }
	}
	var got struct {
		Dataset struct {
			Matches struct {
				TotalCount int
				Nodes      []match
			}
		}
	}
	const query = `query { dataset(id: "dataset:ucdp-ged") { matches(type: PLACE, first: 1) {
  totalCount nodes { recordId externalId name rule entity { id ... on Place { name } } } } } }`
	c.MustData(query, nil, &got)
	m := got.Dataset.Matches
	if m.TotalCount != 2 || len(m.Nodes) != 1 {
		t.Fatalf("matches = %+v, want the first of 2 places", m)
	}
	if n := m.Nodes[0]; n.RecordID != "place:ucdp-ged-aleppo" || n.Rule != "CREATED" || n.Name != "Aleppo governorate" ||
		n.Entity == nil || n.Entity.Name != "Aleppo governorate" {
		t.Errorf("first match = %+v", n)
	}

	const correct = `mutation ($entity: ID!) { correctMatch(input: {datasetId: "dataset:ucdp-ged", recordId: "place:ucdp-ged-aleppo", entityId: $entity, clientMutationId: "c1"}) {
  clientMutationId match { recordId rule entity { id } } userErrors { field code message } } }`
	var done struct {
		CorrectMatch struct {
			ClientMutationID string
			Match            match
		}
	}
	c.MustMutate(correct, map[string]any{"entity": "place:aleppo"}, &done)
	if m := done.CorrectMatch.Match; m.Rule != "CURATOR" || m.Entity == nil || m.Entity.ID != "place:aleppo" || done.CorrectMatch.ClientMutationID != "c1" {
		t.Errorf("corrected = %+v", done.CorrectMatch)
	}
	var attack struct {
		Attack struct{ Places []struct{ ID string } }
	}
	c.MustData(`query { attack(id: "attack:ucdp-ged-1") { places { id } } }`, nil, &attack)
	if ps := attack.Attack.Places; len(ps) != 1 || ps[0].ID != "place:aleppo" {
		t.Errorf("the attack's places = %+v, want the corrected place:aleppo", ps)
	}

	c.MustUserError(correct, map[string]any{"entity": "place:nowhere"}, "INVALID", "input", "entityId")
	c.MustUserError(correct, map[string]any{"entity": "actor:ucdp-ged-syria"}, "INVALID", "input", "entityId")
	c.MustUserError(`mutation { correctMatch(input: {datasetId: "dataset:ucdp-ged", recordId: "place:ucdp-ged-none", entityId: "place:aleppo"}) {
  match { recordId } userErrors { field code message } } }`, nil, "NOT_FOUND", "input", "recordId")
}
