package resolvers_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/formats"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// incidentBundle is a small graph of one incident in two datasets and a curated case, with planted
// candidates around it. Coordinates are near Aleppo: 0.001° of latitude is about 111 m.
//
//   - attack:cur-school-strike, curated: 2014-04-30 at facility:test-school (36.200, 37.150), 20-25
//     killed (source:cur-report).
//   - attack:cur-school-strike-2, curated, the same day and school: never its candidate (its own
//     "dataset"), and its own candidate list is the datasets' records.
//   - attack:ucdp-ged-1: the same day, 1.67 km north, 18-30 killed: agrees.
//   - attack:ucdp-ged-2: a day later, 0.56 km north, 3 killed: disagrees.
//   - attack:ucdp-ged-3: the same day, 44 km north: no candidate.
//   - attack:ucdp-ged-4: the same day, no point, no place, no facility, but its title names the
//     school.
//   - attack:acled-1: the same day, at the school itself (no point of its own), no figures.
//   - attack:cur-market and attack:acled-2: 2016-01-01, both in place:test-city (a CITY with a
//     centre), the market also in place:test-gov; attack:acled-3 the same day only in place:test-gov
//     (a GOVERNORATE with no point): too broad to suggest one incident; attack:acled-4 the same day
//     in place:test-quarter, a neighbourhood of the city with no point: inside the market's city.
//   - attack:acled-5, dated only to 2014, at the school: its year spans the whole window (found
//     through the time tree). attack:acled-6, of the same year, in the quarter: shares nothing with
//     the school.
const incidentBundle = `{
  "format": "athar-bundle", "version": 2,
  "places": [
    {"id": "place:test-gov", "name": "Test Governorate", "kind": "GOVERNORATE"},
    {"id": "place:test-city", "name": "Test City", "kind": "CITY", "partOf": "place:test-gov",
     "location": {"latitude": 36.3, "longitude": 37.3, "precision": "CENTROID"}},
    {"id": "place:test-quarter", "name": "Test Quarter", "kind": "NEIGHBOURHOOD", "partOf": "place:test-city"}
  ],
  "facilities": [
    {"id": "facility:test-school", "name": "Test School", "type": "SCHOOL",
     "location": {"latitude": 36.2, "longitude": 37.15, "precision": "EXACT"}}
  ],
  "actors": [
    {"id": "actor:test-forces", "name": "Test Forces", "kind": "STATE_FORCE"}
  ],
  "sources": [
    {"id": "source:cur-report", "title": "A curated report", "kind": "NGO_REPORT"},
    {"id": "source:cur-repeat", "title": "A report repeating it", "kind": "NEWS", "cites": ["source:cur-report"]},
    {"id": "source:ucdp-ged-1", "title": "UCDP GED 1", "kind": "DATASET_RECORD", "datasetId": "dataset:ucdp-ged", "externalId": "1"},
    {"id": "source:ucdp-ged-2", "title": "UCDP GED 2", "kind": "DATASET_RECORD", "datasetId": "dataset:ucdp-ged", "externalId": "2"}
  ],
  "attacks": [
    {"id": "attack:cur-school-strike", "title": "Strike on the test school", "date": {"start": "2014-04-30"},
     "facilityIds": ["facility:test-school"]},
    {"id": "attack:cur-school-strike-2", "title": "Second strike on the test school", "date": {"start": "2014-04-30"},
     "facilityIds": ["facility:test-school"]},
    {"id": "attack:ucdp-ged-1", "title": "UCDP 1", "date": {"start": "2014-04-30"}, "datasetId": "dataset:ucdp-ged", "externalId": "1",
     "location": {"latitude": 36.215, "longitude": 37.15, "precision": "EXACT"}},
    {"id": "attack:ucdp-ged-2", "title": "UCDP 2", "date": {"start": "2014-05-01"}, "datasetId": "dataset:ucdp-ged", "externalId": "2",
     "location": {"latitude": 36.205, "longitude": 37.15, "precision": "EXACT"}},
    {"id": "attack:ucdp-ged-3", "title": "UCDP 3", "date": {"start": "2014-04-30"}, "datasetId": "dataset:ucdp-ged", "externalId": "3",
     "location": {"latitude": 36.6, "longitude": 37.15, "precision": "EXACT"}},
    {"id": "attack:ucdp-ged-4", "title": "Air strike on the Test School, Test City", "date": {"start": "2014-04-30"}, "datasetId": "dataset:ucdp-ged", "externalId": "4"},
    {"id": "attack:acled-1", "title": "ACLED 1", "date": {"start": "2014-04-30"}, "datasetId": "dataset:acled", "externalId": "SYR1",
     "facilityIds": ["facility:test-school"]},
    {"id": "attack:cur-market", "title": "Strike on the test market", "date": {"start": "2016-01-01"},
     "placeIds": ["place:test-city", "place:test-gov"]},
    {"id": "attack:acled-2", "title": "ACLED 2", "date": {"start": "2016-01-01"}, "datasetId": "dataset:acled", "externalId": "SYR2",
     "placeIds": ["place:test-city"]},
    {"id": "attack:acled-3", "title": "ACLED 3", "date": {"start": "2016-01-01"}, "datasetId": "dataset:acled", "externalId": "SYR3",
     "placeIds": ["place:test-gov"]},
    {"id": "attack:acled-4", "title": "ACLED 4", "date": {"start": "2016-01-01"}, "datasetId": "dataset:acled", "externalId": "SYR4",
     "placeIds": ["place:test-quarter"]},
    {"id": "attack:acled-5", "title": "ACLED 5", "date": {"start": "2014"}, "datasetId": "dataset:acled", "externalId": "SYR5",
     "facilityIds": ["facility:test-school"]},
    {"id": "attack:acled-6", "title": "ACLED 6", "date": {"start": "2014"}, "datasetId": "dataset:acled", "externalId": "SYR6",
     "placeIds": ["place:test-quarter"]}
  ],
  "claims": [
    {"id": "claim:cur-school-killed", "attackId": "attack:cur-school-strike", "sourceId": "source:cur-report", "kind": "CASUALTIES",
     "text": "20 to 25 killed.", "quote": "between 20 and 25 people were killed", "killed": {"low": 20, "high": 25}},
    {"id": "claim:cur-school-repeat", "attackId": "attack:cur-school-strike", "sourceId": "source:cur-repeat", "kind": "CASUALTIES",
     "text": "25 killed.", "quote": "25 killed", "killed": {"low": 25, "high": 25}},
    {"id": "claim:ucdp-ged-1", "attackId": "attack:ucdp-ged-1", "sourceId": "source:ucdp-ged-1", "kind": "CASUALTIES",
     "datasetId": "dataset:ucdp-ged", "externalId": "1",
     "text": "18 to 30 killed.", "quote": "low 18, best 22, high 30", "killed": {"low": 18, "best": 22, "high": 30}},
    {"id": "claim:cur-report-on-ucdp-1", "attackId": "attack:ucdp-ged-1", "sourceId": "source:cur-report", "kind": "CASUALTIES",
     "text": "22 killed.", "quote": "22 were killed", "killed": {"low": 22, "high": 22}},
    {"id": "claim:ucdp-ged-1-perpetrator", "attackId": "attack:ucdp-ged-1", "sourceId": "source:ucdp-ged-1", "kind": "PERPETRATOR",
     "datasetId": "dataset:ucdp-ged", "externalId": "1-perpetrator", "names": ["actor:test-forces"],
     "text": "One-sided violence by Test Forces.", "quote": "side_a: Test Forces"},
    {"id": "claim:cur-school-denial", "attackId": "attack:cur-school-strike", "sourceId": "source:cur-report", "kind": "PERPETRATOR",
     "stance": "DENIES", "names": ["actor:test-forces"],
     "text": "The forces deny striking the school.", "quote": "the army denied any strike on the school"},
    {"id": "claim:ucdp-ged-2", "attackId": "attack:ucdp-ged-2", "sourceId": "source:ucdp-ged-2", "kind": "CASUALTIES",
     "datasetId": "dataset:ucdp-ged", "externalId": "2",
     "text": "3 killed.", "quote": "low 3, best 3, high 3", "killed": {"low": 3, "best": 3, "high": 3}}
  ]
}`

// mustIncidentServer returns a client of a server over incidentBundle.
func mustIncidentServer(t *testing.T) (*client, *neo4jstore.Store) {
	t.Helper()
	store := neo4jtest.MustStore(t)
	// The datasets are created through the API's path, the records imported as a bundle.
	for _, d := range []*athar.Dataset{{ID: "dataset:ucdp-ged", Name: "UCDP GED (test)"}, {ID: "dataset:acled", Name: "ACLED (test)"}} {
		if _, err := athar.Create(context.Background(), athar.Curator(store), d); err != nil {
			t.Fatal(err)
		}
	}
	b, err := athar.ReadBundle(strings.NewReader(incidentBundle))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(context.Background(), b, neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return newClient(t, store), store
}

type candidate struct {
	Attack         struct{ ID string }
	Score          float64
	DistanceMeters *float64
	DaysApart      int
	Reasons        []string
	AlreadyLinked  bool
}

const duplicatesQuery = `query ($id: ID!, $days: Int, $meters: Float) {
  possibleDuplicates(attackId: $id, withinDays: $days, withinMeters: $meters) {
    attack { id } score distanceMeters daysApart reasons alreadyLinked
  }
}`

func duplicates(c *client, id string, vars map[string]any) []candidate {
	c.tb.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["id"] = id
	var got struct{ PossibleDuplicates []candidate }
	c.MustData(duplicatesQuery, vars, &got)
	return got.PossibleDuplicates
}

func candidateIDs(cs []candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Attack.ID
	}
	return out
}

func TestPossibleDuplicates_RanksThePlantedMatches(t *testing.T) {
	c, store := mustIncidentServer(t)
	got := duplicates(c, "attack:cur-school-strike", nil)
	want := []string{"attack:acled-1", "attack:acled-5", "attack:ucdp-ged-1", "attack:ucdp-ged-4", "attack:ucdp-ged-2"}
	if !slices.Equal(candidateIDs(got), want) {
		t.Fatalf("candidates %v, want %v (the far one and the curated one left out)", candidateIDs(got), want)
	}
	reasons := map[string][]string{
		// The curated attack's title ("Strike on the test school") also names the school they share.
		"attack:acled-1":    {"SAME_DAY", "WITHIN_DISTANCE", "SAME_FACILITY", "NAMES_FACILITY"},
		"attack:acled-5":    {"SAME_DAY", "WITHIN_DISTANCE", "SAME_FACILITY", "NAMES_FACILITY"},
		"attack:ucdp-ged-1": {"SAME_DAY", "WITHIN_DISTANCE", "CASUALTIES_AGREE"},
		"attack:ucdp-ged-2": {"WITHIN_DAYS", "WITHIN_DISTANCE", "CASUALTIES_DISAGREE"},
		"attack:ucdp-ged-4": {"SAME_DAY", "NAMES_FACILITY"},
	}
	for _, g := range got {
		if !slices.Equal(g.Reasons, reasons[g.Attack.ID]) {
			t.Errorf("%s: reasons %v, want %v", g.Attack.ID, g.Reasons, reasons[g.Attack.ID])
		}
		if g.AlreadyLinked {
			t.Errorf("%s: alreadyLinked before any link", g.Attack.ID)
		}
	}
	// The school is the acled record's mapped point: 0 m, the full score but for its unknown figures.
	if g := got[0]; g.DistanceMeters == nil || *g.DistanceMeters > 1 || g.Score != 0.925 || g.DaysApart != 0 {
		t.Errorf("acled-1: %+v, want distance 0, score 0.925", g)
	}
	// 0.015° north is 1,668 m: 0.3 + 0.3 × (1 − 1668/5000) + 0.15.
	if g := got[2]; g.DistanceMeters == nil || math.Abs(*g.DistanceMeters-1668) > 5 || math.Abs(g.Score-0.65) > 0.002 {
		t.Errorf("ucdp-ged-1: %+v, want about 1,668 m and a score of 0.65", g)
	}
	// Named in the title only: 0.3 + 0.25 + 0.075.
	if g := got[3]; g.Score != 0.625 || g.DistanceMeters != nil {
		t.Errorf("ucdp-ged-4: %+v, want a score of 0.625 and no distance", g)
	}
	if g := got[4]; g.DaysApart != 1 || math.Abs(g.Score-0.417) > 0.002 {
		t.Errorf("ucdp-ged-2: %+v, want a day apart and a score of about 0.417", g)
	}

	t.Run("round trips do not grow with the candidates or their groups", func(t *testing.T) {
		rc := newClientRoundTrips(t, store)
		resp := rc.Do(`{ possibleDuplicates(attackId: "attack:cur-school-strike") { score attack { id title incidentCasualties { killed { low } } } } }`, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		// The facts; the candidates; their groups; their claims; the citations of those claims' sources.
		if rt, _ := resp.Extensions["dbRoundTrips"].(float64); rt < 2 || rt > 5 {
			t.Errorf("%v round trips for five candidates and their figures, want 2 to 5", rt)
		}
	})
	t.Run("withinDays 0 leaves out the record a day later", func(t *testing.T) {
		got := duplicates(c, "attack:cur-school-strike", map[string]any{"days": 0})
		if slices.Contains(candidateIDs(got), "attack:ucdp-ged-2") || len(got) != 4 {
			t.Errorf("candidates %v", candidateIDs(got))
		}
	})
	t.Run("a wider distance takes in the far record", func(t *testing.T) {
		got := duplicates(c, "attack:cur-school-strike", map[string]any{"meters": 50000})
		if !slices.Contains(candidateIDs(got), "attack:ucdp-ged-3") {
			t.Errorf("candidates %v, want ucdp-ged-3 within 50 km", candidateIDs(got))
		}
	})
	t.Run("a dataset record's candidates are curated attacks and other datasets' records", func(t *testing.T) {
		got := candidateIDs(duplicates(c, "attack:ucdp-ged-1", nil))
		want := []string{"attack:acled-1", "attack:acled-5", "attack:cur-school-strike", "attack:cur-school-strike-2"}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("candidates %v, want %v: no record of its own dataset", got, want)
		}
	})
	t.Run("a shared city counts, and a quarter inside it; a shared governorate does not", func(t *testing.T) {
		got := duplicates(c, "attack:cur-market", nil)
		if !slices.Equal(candidateIDs(got), []string{"attack:acled-2", "attack:acled-4"}) {
			t.Fatalf("candidates %v, want acled-2 and acled-4", candidateIDs(got))
		}
		// acled-2 maps to the city's centre as the market does: 0.3 + 0.3 + 0.125 + 0.075.
		if !slices.Equal(got[0].Reasons, []string{"SAME_DAY", "WITHIN_DISTANCE", "SAME_PLACE"}) || got[0].Score != 0.8 {
			t.Errorf("acled-2: %+v", got[0])
		}
		// acled-4 has no point: 0.3 + 0.125 + 0.075.
		if !slices.Equal(got[1].Reasons, []string{"SAME_DAY", "SAME_PLACE"}) || got[1].Score != 0.5 || got[1].DistanceMeters != nil {
			t.Errorf("acled-4: %+v", got[1])
		}
	})
	t.Run("bad arguments are named", func(t *testing.T) {
		q := func(args string) string {
			return `{ possibleDuplicates(` + args + `) { score } }`
		}
		c.MustError(q(`attackId: "attack:cur-school-strike", withinDays: 367`), nil, "BAD_USER_INPUT", "withinDays")
		c.MustError(q(`attackId: "attack:cur-school-strike", withinDays: -1`), nil, "BAD_USER_INPUT", "withinDays")
		c.MustError(q(`attackId: "attack:cur-school-strike", withinMeters: 0`), nil, "BAD_USER_INPUT", "withinMeters")
		c.MustError(q(`attackId: "attack:cur-school-strike", withinMeters: 100001`), nil, "BAD_USER_INPUT", "withinMeters")
		c.MustError(q(`attackId: "attack:cur-school-strike", first: 0`), nil, "BAD_USER_INPUT", "first")
		c.MustError(q(`attackId: "attack:cur-school-strike", first: 101`), nil, "BAD_USER_INPUT", "first")
		c.MustError(q(`attackId: "facility:test-school"`), nil, "BAD_USER_INPUT", "attackId")
		c.MustError(q(`attackId: "attack:nothing-here"`), nil, "NOT_FOUND", "attackId")
	})
}

type linkPayload struct {
	LinkSameIncident struct {
		Attacks    []struct{ ID string }
		UserErrors []userError
	}
}

type unlinkPayload struct {
	UnlinkSameIncident struct {
		Attack     *struct{ ID string }
		Remaining  []struct{ ID string }
		UserErrors []userError
	}
}

const (
	linkMutation   = `mutation ($ids: [ID!]!, $note: String) { linkSameIncident(input: {attackIds: $ids, note: $note, clientMutationId: "l"}) { clientMutationId attacks { id } userErrors { field code message } } }`
	unlinkMutation = `mutation ($id: ID!) { unlinkSameIncident(input: {attackId: $id}) { attack { id } remaining { id } userErrors { field code message } } }`
)

func ids(xs []struct{ ID string }) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}

// sameIncident reads an attack's group and its group's figures.
type sameIncidentResult struct {
	Attack struct {
		SameIncident       []struct{ ID string }
		IncidentNote       *string
		IncidentLinkedAt   *string
		Casualties         struct{ Killed figure }
		IncidentCasualties struct{ Killed figure }
	}
}

func sameIncident(c *client, id string) sameIncidentResult {
	c.tb.Helper()
	var got sameIncidentResult
	c.MustData(`query ($id: ID!) { attack(id: $id) {
	  sameIncident { id } incidentNote incidentLinkedAt
	  casualties { killed { low high claims sources independentSources } }
	  incidentCasualties { killed { low high claims sources independentSources } } } }`, map[string]any{"id": id}, &got)
	return got
}

func TestLinkSameIncident_GroupsAreTransitiveAndUndone(t *testing.T) {
	c, store := mustIncidentServer(t)
	var l linkPayload
	c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:cur-school-strike", "attack:ucdp-ged-1"}, "note": "same school, same day"}, &l)
	if got := ids(l.LinkSameIncident.Attacks); !slices.Equal(got, []string{"attack:cur-school-strike", "attack:ucdp-ged-1"}) {
		t.Fatalf("group %v", got)
	}
	c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:ucdp-ged-1", "attack:acled-1"}}, &l)
	whole := []string{"attack:acled-1", "attack:cur-school-strike", "attack:ucdp-ged-1"}
	if got := ids(l.LinkSameIncident.Attacks); !slices.Equal(got, whole) {
		t.Fatalf("linking B-C after A-B: group %v, want %v", got, whole)
	}
	for _, id := range whole {
		got := ids(sameIncident(c, id).Attack.SameIncident)
		want := slices.DeleteFunc(slices.Clone(whole), func(x string) bool { return x == id })
		if !slices.Equal(got, want) {
			t.Errorf("%s.sameIncident = %v, want %v", id, got, want)
		}
	}
	first := sameIncident(c, "attack:cur-school-strike").Attack
	if first.IncidentNote == nil || *first.IncidentNote != "same school, same day" || first.IncidentLinkedAt == nil {
		t.Errorf("the first link's note and time: %v %v", first.IncidentNote, first.IncidentLinkedAt)
	}
	if n := sameIncident(c, "attack:acled-1").Attack.IncidentNote; n != nil {
		t.Errorf("a link without a note: note %q", *n)
	}

	t.Run("a group survives the import of its records again", func(t *testing.T) {
		b, err := athar.ReadBundle(strings.NewReader(incidentBundle))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Import(context.Background(), b, neo4jstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := ids(sameIncident(c, "attack:acled-1").Attack.SameIncident); !slices.Equal(got, []string{"attack:cur-school-strike", "attack:ucdp-ged-1"}) {
			t.Errorf("after the import: acled-1.sameIncident = %v", got)
		}
	})

	t.Run("candidates already in the group are marked", func(t *testing.T) {
		for _, g := range duplicates(c, "attack:cur-school-strike", nil) {
			if want := slices.Contains(whole, g.Attack.ID); g.AlreadyLinked != want {
				t.Errorf("%s: alreadyLinked %v, want %v", g.Attack.ID, g.AlreadyLinked, want)
			}
		}
	})

	t.Run("round trips do not grow with the group", func(t *testing.T) {
		rc := newClientRoundTrips(t, store)
		q := `query ($id: ID!) { attack(id: $id) { sameIncident { id } incidentCasualties { killed { low } } incidentAttributions { actor { id } } } }`
		for _, id := range []string{"attack:ucdp-ged-2", "attack:cur-school-strike"} { // in no group; in a group of three
			resp := rc.Do(q, map[string]any{"id": id})
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			// The attack; its group; the group's claims; the citations of their sources; the actor.
			if rt, _ := resp.Extensions["dbRoundTrips"].(float64); rt > 6 {
				t.Errorf("%s: %v round trips, want at most 6 whatever the size of its group", id, rt)
			}
		}
	})

	t.Run("the group's figures count each source once", func(t *testing.T) {
		got := sameIncident(c, "attack:cur-school-strike").Attack
		// Its own: 20-25 and 25, from the report and the one repeating it (not independent).
		own := figure{Low: ptr(20), High: ptr(25), Claims: 2, Sources: 2, IndependentSources: 1}
		// The group adds UCDP's 18-30 and the same report's 22 on the UCDP record: the report is
		// one source however many records it backs.
		group := figure{Low: ptr(18), High: ptr(30), Claims: 4, Sources: 3, IndependentSources: 2}
		if !sameFigure(got.Casualties.Killed, own) {
			t.Errorf("casualties.killed %s, want %s", show(got.Casualties.Killed), show(own))
		}
		if !sameFigure(got.IncidentCasualties.Killed, group) {
			t.Errorf("incidentCasualties.killed %s, want %s", show(got.IncidentCasualties.Killed), show(group))
		}
		alone := sameIncident(c, "attack:ucdp-ged-2").Attack
		if !sameFigure(alone.IncidentCasualties.Killed, alone.Casualties.Killed) {
			t.Errorf("an attack in no group: incidentCasualties %s, casualties %s", show(alone.IncidentCasualties.Killed), show(alone.Casualties.Killed))
		}
	})

	t.Run("the group's attributions gather every record's claims", func(t *testing.T) {
		var got struct {
			Attack struct {
				Attributions, IncidentAttributions []struct {
					Actor              struct{ ID string }
					Asserting, Denying []struct{ ID string }
				}
			}
		}
		c.MustData(`{ attack(id: "attack:cur-school-strike") {
		  attributions { actor { id } asserting { id } denying { id } }
		  incidentAttributions { actor { id } asserting { id } denying { id } } } }`, nil, &got)
		own, group := got.Attack.Attributions, got.Attack.IncidentAttributions
		if len(own) != 1 || len(own[0].Asserting) != 0 || !slices.Equal(ids(own[0].Denying), []string{"claim:cur-school-denial"}) {
			t.Errorf("attributions %+v, want the denial alone", own)
		}
		if len(group) != 1 || group[0].Actor.ID != "actor:test-forces" ||
			!slices.Equal(ids(group[0].Asserting), []string{"claim:ucdp-ged-1-perpetrator"}) ||
			!slices.Equal(ids(group[0].Denying), []string{"claim:cur-school-denial"}) {
			t.Errorf("incidentAttributions %+v, want UCDP's attribution beside the denial", group)
		}
	})

	t.Run("unlinking takes one attack out, and a group of one is dissolved", func(t *testing.T) {
		var u unlinkPayload
		c.MustMutate(unlinkMutation, map[string]any{"id": "attack:acled-1"}, &u)
		if got := ids(u.UnlinkSameIncident.Remaining); u.UnlinkSameIncident.Attack == nil || !slices.Equal(got, []string{"attack:cur-school-strike", "attack:ucdp-ged-1"}) {
			t.Errorf("remaining %v", got)
		}
		if got := sameIncident(c, "attack:acled-1").Attack.SameIncident; len(got) != 0 {
			t.Errorf("acled-1 still in a group: %v", got)
		}
		if got := ids(sameIncident(c, "attack:cur-school-strike").Attack.SameIncident); !slices.Equal(got, []string{"attack:ucdp-ged-1"}) {
			t.Errorf("cur-school-strike.sameIncident = %v", got)
		}
		c.MustMutate(unlinkMutation, map[string]any{"id": "attack:ucdp-ged-1"}, &u)
		if len(u.UnlinkSameIncident.Remaining) != 0 {
			t.Errorf("remaining %v, want none: the group is dissolved", ids(u.UnlinkSameIncident.Remaining))
		}
		if got := sameIncident(c, "attack:cur-school-strike").Attack.SameIncident; len(got) != 0 {
			t.Errorf("a group of one left: %v", got)
		}
		if n := neo4jtest.Count(t, "MATCH (i:Incident) RETURN count(i) AS n", nil); n != 0 {
			t.Errorf("%d incident nodes left", n)
		}
		c.MustMutate(unlinkMutation, map[string]any{"id": "attack:ucdp-ged-1"}, &u) // in no group: nothing to do
	})

	t.Run("merging two groups keeps every member", func(t *testing.T) {
		c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:cur-school-strike", "attack:ucdp-ged-1"}}, &l)
		c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:acled-1", "attack:ucdp-ged-2"}}, &l)
		c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:ucdp-ged-2", "attack:cur-school-strike"}}, &l)
		want := []string{"attack:acled-1", "attack:cur-school-strike", "attack:ucdp-ged-1", "attack:ucdp-ged-2"}
		if got := ids(l.LinkSameIncident.Attacks); !slices.Equal(got, want) {
			t.Errorf("group %v, want %v", got, want)
		}
		if n := neo4jtest.Count(t, "MATCH (i:Incident) RETURN count(i) AS n", nil); n != 1 {
			t.Errorf("%d incident nodes, want 1", n)
		}
	})

	t.Run("bad input is named and nothing is written", func(t *testing.T) {
		before := neo4jtest.Count(t, "MATCH ()-[r:SAME_INCIDENT]->() RETURN count(r) AS n", nil)
		c.MustUserError(linkMutation, map[string]any{"ids": []string{"attack:cur-market"}}, "INVALID", "input", "attackIds")
		c.MustUserError(linkMutation, map[string]any{"ids": []string{"attack:cur-market", "attack:nothing-here"}}, "NOT_FOUND", "input", "attackIds", "1")
		c.MustUserError(linkMutation, map[string]any{"ids": []string{"attack:cur-market", "attack:cur-market"}}, "INVALID", "input", "attackIds", "1")
		c.MustUserError(linkMutation, map[string]any{"ids": []string{"attack:cur-market", "place:test-city"}}, "INVALID", "input", "attackIds", "1")
		c.MustUserError(unlinkMutation, map[string]any{"id": "attack:nothing-here"}, "NOT_FOUND", "input", "attackId")
		if after := neo4jtest.Count(t, "MATCH ()-[r:SAME_INCIDENT]->() RETURN count(r) AS n", nil); after != before {
			t.Errorf("links %d before, %d after refused mutations", before, after)
		}
	})
}

type overlapResult struct {
	DatasetOverlap struct {
		Matched, Confirmed, Total int
		Unmatched                 struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
}

const overlapQuery = `query ($a: ID!, $b: ID!, $filter: AttackFilter) {
  datasetOverlap(a: $a, b: $b, filter: $filter) { matched confirmed total unmatched { totalCount nodes { id } } }
}`

func TestDatasetOverlap_CountsMatchesAndListsTheRest(t *testing.T) {
	c, _ := mustIncidentServer(t)
	overlap := func(filter map[string]any) overlapResult {
		t.Helper()
		var got overlapResult
		c.MustData(overlapQuery, map[string]any{"a": "dataset:ucdp-ged", "b": "dataset:acled", "filter": filter}, &got)
		return got
	}
	got := overlap(nil).DatasetOverlap
	// ucdp-ged-1 and -2 have acled-1 as a candidate (a day apart at most, within 5 km), -4 names its
	// school; -3 is 44 km off.
	if got.Total != 4 || got.Matched != 3 || got.Confirmed != 0 || !slices.Equal(ids(got.Unmatched.Nodes), []string{"attack:ucdp-ged-3"}) || got.Unmatched.TotalCount != 1 {
		t.Errorf("overlap %+v", got)
	}
	var l linkPayload
	c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:ucdp-ged-3", "attack:acled-2"}}, &l)
	got = overlap(nil).DatasetOverlap
	if got.Total != 4 || got.Matched != 4 || got.Confirmed != 1 || len(got.Unmatched.Nodes) != 0 {
		t.Errorf("after linking ucdp-ged-3 with acled-2: %+v", got)
	}
	got = overlap(map[string]any{"dateRange": map[string]any{"from": "2014-04-30", "to": "2014-04-30"}}).DatasetOverlap
	if got.Total != 3 || got.Matched != 3 || got.Confirmed != 1 {
		t.Errorf("filtered to 2014-04-30: %+v", got)
	}
	var back overlapResult
	c.MustData(overlapQuery, map[string]any{"a": "dataset:acled", "b": "dataset:ucdp-ged"}, &back)
	if o := back.DatasetOverlap; o.Total != 6 || o.Matched != 3 || !slices.Equal(ids(o.Unmatched.Nodes), []string{"attack:acled-6", "attack:acled-3", "attack:acled-4"}) {
		t.Errorf("acled in ucdp: %+v", o)
	}

	t.Run("bad arguments are named", func(t *testing.T) {
		c.MustError(overlapQuery, map[string]any{"a": "dataset:acled", "b": "dataset:acled"}, "BAD_USER_INPUT", "b")
		c.MustError(overlapQuery, map[string]any{"a": "dataset:acled", "b": "dataset:nothing"}, "NOT_FOUND", "b")
		c.MustError(overlapQuery, map[string]any{"a": "attack:acled-1", "b": "dataset:acled"}, "BAD_USER_INPUT", "a")
	})
}

func ptr(v int) *int { return &v }

func sameFigure(a, b figure) bool {
	eq := func(x, y *int) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return eq(a.Low, b.Low) && eq(a.High, b.High) && a.Claims == b.Claims && a.Sources == b.Sources && a.IndependentSources == b.IndependentSources
}

func show(f figure) string {
	return fmt.Sprintf("{%v..%v claims %d sources %d independent %d}", deref(f.Low), deref(f.High), f.Claims, f.Sources, f.IndependentSources)
}

// Links made at the same time over overlapping attacks end in one group: each link takes turns on
// the incident lock, so none merges a group another is changing.
func TestLinkSameIncident_ConcurrentLinksMakeOneGroup(t *testing.T) {
	c, _ := mustIncidentServer(t)
	chain := []string{"attack:cur-school-strike", "attack:ucdp-ged-1", "attack:acled-1", "attack:ucdp-ged-2",
		"attack:acled-5", "attack:ucdp-ged-3", "attack:acled-2", "attack:cur-market"}
	errs := make(chan string, len(chain))
	done := make(chan struct{})
	for i := 1; i < len(chain); i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			resp := c.Do(linkMutation, map[string]any{"ids": []string{chain[i-1], chain[i]}})
			if len(resp.Errors) > 0 || strings.Contains(string(resp.Data), `"userErrors":[{`) {
				errs <- fmt.Sprintf("link %d: %+v %s", i, resp.Errors, resp.Data)
			}
		}()
	}
	for i := 1; i < len(chain); i++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	want := slices.Sorted(slices.Values(chain[1:]))
	if got := ids(sameIncident(c, chain[0]).Attack.SameIncident); !slices.Equal(got, want) {
		t.Errorf("after concurrent links: %v, want %v", got, want)
	}
	if n := neo4jtest.Count(t, "MATCH (i:Incident) RETURN count(i) AS n", nil); n != 1 {
		t.Errorf("%d incident nodes, want 1", n)
	}
}

// mustSamplesServer returns a client of a server over the seed and the UCDP GED and ACLED sample
// files, imported as `athar import --format` does.
func mustSamplesServer(t *testing.T) *client {
	t.Helper()
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	for format, file := range map[string]string{"ucdp-ged": "ucdp-ged-sample.csv", "acled": "acled-sample.csv"} {
		f, err := formats.Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(filepath.Join("..", "data", "samples", file))
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.Read(in, formats.Options{FileName: file})
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Import(context.Background(), res.Bundle, neo4jstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return newClient(t, store)
}

// The seed's strike on Ain Jalout school of 30 April 2014 is in both samples; the seed has no
// coordinates and the datasets' places are their own, so the records are found by the school their
// words name. Linked, the three answer one group, as the README shows.
func TestPossibleDuplicates_TheSeedsStrikeInBothSamples(t *testing.T) {
	c := mustSamplesServer(t)
	got := duplicates(c, "attack:ain-jalout-school-2014-04-30", nil)
	// Both, in either order: their ranks turn on how near each record's point is to Aleppo's centre,
	// where the seed's attack is mapped (TestPossibleDuplicates_RanksThePlantedMatches tests ranking).
	want := []string{"attack:acled-syr1043", "attack:ucdp-ged-214797"}
	if !slices.Equal(slices.Sorted(slices.Values(candidateIDs(got))), want) {
		t.Fatalf("candidates %v, want %v", candidateIDs(got), want)
	}
	for _, g := range got {
		t.Logf("%s: score %v, reasons %v", g.Attack.ID, g.Score, g.Reasons)
		if !slices.Contains(g.Reasons, "NAMES_FACILITY") || !slices.Contains(g.Reasons, "SAME_DAY") {
			t.Errorf("%s: reasons %v, want SAME_DAY and NAMES_FACILITY", g.Attack.ID, g.Reasons)
		}
	}
	// The two datasets find each other by their coordinates.
	if got := duplicates(c, "attack:ucdp-ged-214797", nil); !slices.Contains(candidateIDs(got), "attack:acled-syr1043") {
		t.Errorf("the UCDP record's candidates %v lack the ACLED record", candidateIDs(got))
	}
	var l linkPayload
	c.MustMutate(linkMutation, map[string]any{"ids": []string{"attack:ain-jalout-school-2014-04-30", "attack:ucdp-ged-214797", "attack:acled-syr1043"},
		"note": "Same day, same school in al-Ansari: the air strike on the children's exhibition."}, &l)
	if len(l.LinkSameIncident.Attacks) != 3 {
		t.Fatalf("group %v", ids(l.LinkSameIncident.Attacks))
	}
	group := sameIncident(c, "attack:ain-jalout-school-2014-04-30").Attack
	own, all := group.Casualties.Killed, group.IncidentCasualties.Killed
	if all.Sources <= own.Sources || all.Claims <= own.Claims || all.Low == nil || all.High == nil {
		t.Errorf("the group's killed %s, the attack's own %s: want the datasets' sources added", show(all), show(own))
	}
	var overlap overlapResult
	c.MustData(overlapQuery, map[string]any{"a": "dataset:ucdp-ged", "b": "dataset:acled"}, &overlap)
	if o := overlap.DatasetOverlap; o.Confirmed != 1 || o.Matched < o.Confirmed || o.Total < o.Matched || o.Total != o.Matched+o.Unmatched.TotalCount {
		t.Errorf("UCDP GED in ACLED: %+v", o)
	}
}
