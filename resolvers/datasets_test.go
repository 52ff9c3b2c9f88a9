package resolvers_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

func mustDate(tb testing.TB, start string) athar.Date {
	tb.Helper()
	d, err := athar.ParseDate(start, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// datasetGraph imports, beside the seed, a dataset of three attacks near Aleppo and one far away,
// located only by their own points (no facility), with claims giving UCDP's three estimates.
func datasetGraph(tb testing.TB) *neo4jstore.Store {
	tb.Helper()
	store := neo4jtest.MustStore(tb)
	neo4jtest.MustSeed(tb, store)
	ds := "dataset:ucdp-ged"
	at := func(lat, lon float64, prec athar.LocationPrecision) *athar.Location {
		return &athar.Location{Latitude: lat, Longitude: lon, Precision: prec}
	}
	es := []athar.Entity{
		&athar.Dataset{ID: ds, Name: "UCDP Georeferenced Event Dataset", Publisher: "Uppsala Conflict Data Program",
			Release: "24.1", Licence: "CC BY 4.0", URL: "https://ucdp.uu.se/downloads/"},
		&athar.Source{ID: "source:ucdp-ged-1", Title: "UCDP GED event 1", Kind: "DATASET_RECORD", DatasetID: ds, ExternalID: "1"},
		// 1.5 km from Aleppo's centre (36.2021 N, 37.1343 E).
		&athar.Attack{ID: "attack:ucdp-ged-1", Title: "Air strike, Aleppo", Date: mustDate(tb, "2016-11-16"),
			Location: at(36.2156, 37.1343, "EXACT"), DatasetID: ds, ExternalID: "1"},
		&athar.Attack{ID: "attack:ucdp-ged-2", Title: "Shelling, Aleppo", Date: mustDate(tb, "2016-11-17"),
			Location: at(36.19, 37.15, "NEAR"), DatasetID: ds, ExternalID: "2"},
		// Damascus: far from Aleppo.
		&athar.Attack{ID: "attack:ucdp-ged-3", Title: "Air strike, Damascus", Date: mustDate(tb, "2016-11-16"),
			Location: at(33.5138, 36.2765, "SETTLEMENT"), DatasetID: ds, ExternalID: "3", WithdrawnIn: "24.1"},
		// A low above its high, kept as the dataset gives it.
		&athar.Claim{ID: "claim:ucdp-ged-1-casualties", AttackID: "attack:ucdp-ged-1", SourceID: "source:ucdp-ged-1",
			Kind: athar.ClaimCasualties, Text: "UCDP GED gives 5 deaths (low 9, high 3)", Quote: "best=5 low=9 high=3",
			Killed: &athar.Range{Low: ptr(9), Best: ptr(5), High: ptr(3)}, CiviliansKilled: &athar.Range{Best: ptr(4)},
			DatasetID: ds, ExternalID: "1"},
	}
	b := &athar.Bundle{}
	for _, e := range es {
		athar.Normalize(e)
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	b.Sort()
	if _, err := store.Import(context.Background(), b, neo4jstore.ImportOptions{}); err != nil {
		tb.Fatal(err)
	}
	return store
}

func TestDatasets_Query(t *testing.T) {
	c := newClient(t, datasetGraph(t))
	var got struct {
		Datasets struct {
			TotalCount int
			Nodes      []struct {
				ID, Name, Release, Licence string
				ImportedAt                 *string
				Counts                     struct{ Attacks, WithdrawnAttacks, Claims, Sources int }
				Attacks                    struct {
					TotalCount int
					Nodes      []struct {
						ID, ExternalID string
						Withdrawn      bool
						WithdrawnIn    *string
						Dataset        struct{ ID string }
					}
				}
			}
		}
	}
	c.MustData(`{ datasets { totalCount nodes { id name release licence importedAt
		counts { attacks withdrawnAttacks claims sources }
		attacks(first: 10) { totalCount nodes { id externalId withdrawn withdrawnIn dataset { id } } } } } }`, nil, &got)
	if got.Datasets.TotalCount != 1 || len(got.Datasets.Nodes) != 1 {
		t.Fatalf("datasets: %+v", got.Datasets)
	}
	d := got.Datasets.Nodes[0]
	if d.ID != "dataset:ucdp-ged" || d.Release != "24.1" || d.Licence != "CC BY 4.0" {
		t.Errorf("dataset: %+v", d)
	}
	if d.Counts.Attacks != 3 || d.Counts.WithdrawnAttacks != 1 || d.Counts.Claims != 1 || d.Counts.Sources != 1 {
		t.Errorf("counts: %+v", d.Counts)
	}
	if d.Attacks.TotalCount != 3 || len(d.Attacks.Nodes) != 3 {
		t.Fatalf("attacks: %+v", d.Attacks)
	}
	for _, a := range d.Attacks.Nodes {
		withdrawn := a.ID == "attack:ucdp-ged-3"
		if a.Dataset.ID != "dataset:ucdp-ged" || a.ExternalID == "" || a.Withdrawn != withdrawn || (a.WithdrawnIn != nil) != withdrawn {
			t.Errorf("attack %+v", a)
		}
	}

	t.Run("curated records have no dataset", func(t *testing.T) {
		var a struct {
			Attack struct {
				Dataset    *struct{ ID string }
				ExternalID *string
				Withdrawn  bool
			}
		}
		c.MustData(`{ attack(id: "attack:ain-jalout-school-2014-04-30") { dataset { id } externalId withdrawn } }`, nil, &a)
		if a.Attack.Dataset != nil || a.Attack.ExternalID != nil || a.Attack.Withdrawn {
			t.Errorf("curated attack: %+v", a.Attack)
		}
	})

	t.Run("datasetIds and withdrawn filter", func(t *testing.T) {
		var p attackPage
		c.MustData(`{ attacks(first: 100, filter: {datasetIds: ["dataset:ucdp-ged"], withdrawn: false}) { totalCount nodes { id } } }`, nil, &p)
		if got, want := p.ids(), []string{"attack:ucdp-ged-1", "attack:ucdp-ged-2"}; !slices.Equal(got, want) || p.Attacks.TotalCount != 2 {
			t.Errorf("current attacks of the dataset: %v (total %d), want %v", got, p.Attacks.TotalCount, want)
		}
	})

	t.Run("inconsistent figures are kept and marked, and the dataset's estimate is given", func(t *testing.T) {
		var a struct {
			Attack struct {
				Casualties struct {
					Killed struct {
						Low, High        *int
						DatasetEstimates []struct {
							Dataset         struct{ ID string }
							Claim           struct{ ID string }
							Low, Best, High *int
						}
					}
				}
				Claims struct {
					Nodes []struct {
						Inconsistent    bool
						Killed          struct{ Low, Best, High *int }
						CiviliansKilled struct{ Best *int }
					}
				}
			}
		}
		c.MustData(`{ attack(id: "attack:ucdp-ged-1") {
			casualties { killed { low high datasetEstimates { dataset { id } claim { id } low best high } } }
			claims { nodes { inconsistent killed { low best high } civiliansKilled { best } } } } }`, nil, &a)
		k := a.Attack.Casualties.Killed
		if k.Low == nil || *k.Low != 3 || k.High == nil || *k.High != 9 {
			t.Errorf("killed range %v..%v, want 3..9", k.Low, k.High)
		}
		if len(k.DatasetEstimates) != 1 || k.DatasetEstimates[0].Dataset.ID != "dataset:ucdp-ged" ||
			k.DatasetEstimates[0].Claim.ID != "claim:ucdp-ged-1-casualties" || *k.DatasetEstimates[0].Best != 5 {
			t.Errorf("dataset estimates: %+v", k.DatasetEstimates)
		}
		if n := a.Attack.Claims.Nodes; len(n) != 1 || !n[0].Inconsistent || *n[0].Killed.Low != 9 || *n[0].CiviliansKilled.Best != 4 {
			t.Errorf("claims: %+v", n)
		}
	})
}

func TestNear_UsesTheAttacksOwnPointFirst(t *testing.T) {
	c := newClient(t, datasetGraph(t))
	// Within 5 km of Aleppo's centre: the two dataset attacks by their own points, and the seed's
	// attacks whose facility or place has a point there: the three at Ain Jalout school, by
	// Aleppo's, from the gazetteer (data/seed/README.md).
	var p struct {
		Attacks struct {
			TotalCount int
			Nodes      []struct {
				ID             string
				MappedLocation *struct {
					From     string
					Location struct {
						Latitude  float64
						Precision string
					}
				}
			}
		}
	}
	c.MustData(`{ attacks(first: 100, filter: {near: {latitude: 36.2021, longitude: 37.1343, radiusMeters: 5000}}) {
		totalCount nodes { id mappedLocation { from location { latitude precision } } } } }`, nil, &p)
	var ids []string
	for _, n := range p.Attacks.Nodes {
		ids = append(ids, n.ID)
		seed := strings.HasPrefix(n.ID, "attack:ain-jalout-school-")
		inside := strings.HasPrefix(n.ID, "attack:eastern-aleppo-") || strings.HasPrefix(n.ID, "attack:al-shaar-")
		switch {
		case n.MappedLocation == nil:
			t.Errorf("%s: no mapped location", n.ID)
		case seed && (n.MappedLocation.From != "PLACE" || n.MappedLocation.Location.Precision != "CENTROID"):
			t.Errorf("%s: mapped location %+v, want its place's centre", n.ID, n.MappedLocation)
		case inside && (n.MappedLocation.From != "ENCLOSING_PLACE" || n.MappedLocation.Location.Precision != "SETTLEMENT"):
			t.Errorf("%s: mapped location %+v, want the centre of the city its place is in", n.ID, n.MappedLocation)
		case !seed && !inside && n.MappedLocation.From != "ATTACK":
			t.Errorf("%s: mapped location %+v, want the attack's own", n.ID, n.MappedLocation)
		}
	}
	// The six attacks of eastern Aleppo (and al-Shaar, inside it) are drawn at Aleppo's centre
	// too, as in Aleppo (data/seed/README.md).
	if want := []string{"attack:ain-jalout-school-2013-08-06", "attack:ain-jalout-school-2014-04-30",
		"attack:ain-jalout-school-al-quds-hospital-2016-04-27", "attack:eastern-aleppo-bombing-2016-09-19-to-10-18",
		"attack:eastern-aleppo-medical-facilities-2016-11", "attack:eastern-aleppo-central-blood-bank-2016-11",
		"attack:al-shaar-barrel-bombs-2016-11-16", "attack:eastern-aleppo-barrel-bombs-2016-11-16",
		"attack:eastern-aleppo-home-2016-11-17", "attack:ucdp-ged-1", "attack:ucdp-ged-2"}; !slices.Equal(ids, want) || p.Attacks.TotalCount != 11 {
		t.Fatalf("near Aleppo: %v (total %d), want %v", ids, p.Attacks.TotalCount, want)
	}

	t.Run("a facility's point, then a place's, for attacks without their own", func(t *testing.T) {
		// Give the 2014 attack's facility a point 1 km from the centre, and the 2013 attack's
		// place (al-Ansari, shared with the facility) none: both attacks on the school are then found
		// by the facility's point. A place-only attack is found by its place's.
		mustOK := func(q string) {
			t.Helper()
			var out map[string]struct{ UserErrors []struct{ Message string } }
			c.MustData(q, nil, &out)
			for _, v := range out {
				if len(v.UserErrors) > 0 {
					t.Fatalf("%s: %+v", q, v.UserErrors)
				}
			}
		}
		mustOK(`mutation { updateFacility(input: {id: "facility:ain-jalout-school", location: {latitude: 36.2111, longitude: 37.1343, precision: EXACT}}) { userErrors { message } } }`)
		mustOK(`mutation { updatePlace(input: {id: "place:batabo", location: {latitude: 36.1951, longitude: 37.1343, precision: CENTROID}}) { userErrors { message } } }`)
		var q struct {
			Attacks struct {
				Nodes []struct {
					ID             string
					MappedLocation struct{ From string }
				}
			}
		}
		c.MustData(`{ attacks(first: 100, filter: {near: {latitude: 36.2021, longitude: 37.1343, radiusMeters: 5000}}) {
			nodes { id mappedLocation { from } } } }`, nil, &q)
		from := map[string]string{}
		for _, n := range q.Attacks.Nodes {
			from[n.ID] = n.MappedLocation.From
		}
		want := map[string]string{"attack:ucdp-ged-1": "ATTACK", "attack:ucdp-ged-2": "ATTACK",
			"attack:ain-jalout-school-2013-08-06": "FACILITY", "attack:ain-jalout-school-2014-04-30": "FACILITY",
			"attack:ain-jalout-school-al-quds-hospital-2016-04-27": "FACILITY", "attack:batabo-airstrikes-2016-11-16": "PLACE"}
		for _, id := range []string{"attack:eastern-aleppo-bombing-2016-09-19-to-10-18", "attack:eastern-aleppo-medical-facilities-2016-11",
			"attack:eastern-aleppo-central-blood-bank-2016-11", "attack:al-shaar-barrel-bombs-2016-11-16",
			"attack:eastern-aleppo-barrel-bombs-2016-11-16", "attack:eastern-aleppo-home-2016-11-17"} {
			want[id] = "ENCLOSING_PLACE" // at Aleppo's centre, the city their places are in
		}
		if g, w := mustJSON(t, from), mustJSON(t, want); string(g) != string(w) {
			t.Errorf("near Aleppo, by origin:\n got %s\nwant %s", g, w)
		}
		var geo struct{ AttacksGeoJSON json.RawMessage }
		c.MustData(`{ attacksGeoJSON(filter: {near: {latitude: 36.2021, longitude: 37.1343, radiusMeters: 5000}}) }`, nil, &geo)
		var fc struct {
			Features []struct {
				ID         string
				Properties struct{ LocationFrom string }
			}
		}
		if err := json.Unmarshal(geo.AttacksGeoJSON, &fc); err != nil {
			t.Fatal(err)
		}
		if len(fc.Features) != len(want) {
			t.Errorf("GeoJSON has %d features, want %d", len(fc.Features), len(want))
		}
		for _, f := range fc.Features {
			if f.Properties.LocationFrom != want[f.ID] {
				t.Errorf("GeoJSON %s: locationFrom %q, want %q", f.ID, f.Properties.LocationFrom, want[f.ID])
			}
		}
	})
}

func TestTimeline_CountsEachDeathOnce(t *testing.T) {
	c := MustServer(t, true)
	// The seed's umbrella report of 16 November 2016 (at least 116 killed across Syria) and its
	// three parts: one attack and 116 deaths that day, not four and more.
	var got struct {
		Timeline []struct {
			Start, End                     string
			Attacks, KilledLow, KilledHigh int
		}
		Attack struct {
			Parts struct {
				TotalCount int
				Nodes      []struct {
					ID        string
					Aggregate struct{ ID string }
				}
			}
		}
	}
	c.MustData(`{ timeline(interval: DAY, filter: {dateRange: {from: "2016-11-16", to: "2016-11-16"}}) { start end attacks killedLow killedHigh }
		attack(id: "attack:syria-bombing-2016-11-16") { parts { totalCount nodes { id aggregate { id } } } } }`, nil, &got)
	if got.Attack.Parts.TotalCount != 3 {
		t.Errorf("parts: %+v", got.Attack.Parts)
	}
	for _, p := range got.Attack.Parts.Nodes {
		if p.Aggregate.ID != "attack:syria-bombing-2016-11-16" {
			t.Errorf("%s: aggregate %q", p.ID, p.Aggregate.ID)
		}
	}
	var day *struct {
		Start, End                     string
		Attacks, KilledLow, KilledHigh int
	}
	for i := range got.Timeline {
		if got.Timeline[i].Start == "2016-11-16" && got.Timeline[i].End == "2016-11-16" {
			day = &got.Timeline[i]
		}
	}
	if day == nil {
		t.Fatalf("no bucket for 16 November 2016: %+v", got.Timeline)
	}
	if day.Attacks != 3 || day.KilledLow != 116 || day.KilledHigh != 116 {
		t.Errorf("16 November 2016: %d attacks, killed %d..%d; want the 3 parts and 116 once", day.Attacks, day.KilledLow, day.KilledHigh)
	}
}

func TestAggregates_PartsLieWithinTheirDates(t *testing.T) {
	c := MustServer(t, true)
	var out struct {
		CreateAttack struct {
			Attack     *struct{ ID string }
			UserErrors []struct {
				Field []string
				Code  string
			}
		}
	}
	c.MustData(`mutation { createAttack(input: {title: "A part a year later", date: {start: "2017-11-16"}, aggregateId: "attack:syria-bombing-2016-11-16"}) {
		attack { id } userErrors { field code } } }`, nil, &out)
	if out.CreateAttack.Attack != nil || len(out.CreateAttack.UserErrors) != 1 ||
		strings.Join(out.CreateAttack.UserErrors[0].Field, ".") != "input.aggregateId" {
		t.Errorf("a part outside its aggregate's dates: %+v", out.CreateAttack)
	}
	var upd struct {
		UpdateAttack struct {
			UserErrors []struct{ Field []string }
		}
	}
	c.MustData(`mutation { updateAttack(input: {id: "attack:syria-bombing-2016-11-16", date: {start: "2016-11-17"}}) { userErrors { field } } }`, nil, &upd)
	if len(upd.UpdateAttack.UserErrors) != 1 || strings.Join(upd.UpdateAttack.UserErrors[0].Field, ".") != "input.date" {
		t.Errorf("an aggregate moved off its parts' day: %+v", upd.UpdateAttack)
	}
	c.MustData(`mutation { createAttack(input: {title: "A part that day", date: {start: "2016-11-16"}, aggregateId: "attack:syria-bombing-2016-11-16"}) {
		attack { id } userErrors { field code } } }`, nil, &out)
	if out.CreateAttack.Attack == nil || len(out.CreateAttack.UserErrors) != 0 {
		t.Errorf("a part within its aggregate's dates: %+v", out.CreateAttack)
	}
}

func TestTimeline_CountsALinkedIncidentOnce(t *testing.T) {
	c := newClient(t, datasetGraph(t))
	day := func() (attacks, low, high int) {
		t.Helper()
		var got struct {
			Timeline []struct {
				Start, End                     string
				Attacks, KilledLow, KilledHigh int
			}
		}
		c.MustData(`{ timeline(interval: DAY, filter: {dateRange: {from: "2016-11-16", to: "2016-11-16"}}) { start end attacks killedLow killedHigh } }`, nil, &got)
		for _, b := range got.Timeline {
			if b.Start == "2016-11-16" && b.End == "2016-11-16" {
				return b.Attacks, b.KilledLow, b.KilledHigh
			}
		}
		t.Fatalf("no bucket for 16 November 2016: %+v", got.Timeline)
		return
	}
	// The umbrella's three parts and UCDP's air strike on Aleppo (3 to 9 killed): four attacks,
	// the umbrella's 116 and the strike's figures once each.
	if a, low, high := day(); a != 4 || low != 119 || high != 125 {
		t.Fatalf("before linking: %d attacks, %d..%d killed; want 4, 119..125", a, low, high)
	}
	var link struct {
		LinkSameIncident struct{ UserErrors []struct{ Message string } }
	}
	c.MustData(`mutation { linkSameIncident(input: {attackIds: ["attack:ucdp-ged-1", "attack:eastern-aleppo-barrel-bombs-2016-11-16"],
		note: "The same barrel bombing."}) { userErrors { message } } }`, nil, &link)
	if len(link.LinkSameIncident.UserErrors) > 0 {
		t.Fatal(link.LinkSameIncident.UserErrors)
	}
	// Linked, the strike and the barrel bombing are one incident: three attacks, deaths unchanged.
	if a, low, high := day(); a != 3 || low != 119 || high != 125 {
		t.Errorf("after linking: %d attacks, %d..%d killed; want 3, 119..125", a, low, high)
	}
}
