package formats_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/formats"
)

func TestReadACLED_Sample(t *testing.T) {
	res := MustRead(t, "acled", sample("acled-sample.csv"), formats.Options{})
	if res.Rows != 21 || res.Events != 19 || res.Skipped != 2 || res.Inconsistent != 0 {
		t.Errorf("rows %d, events %d, skipped %d, inconsistent %d; want 21, 19, 2, 0", res.Rows, res.Events, res.Skipped, res.Inconsistent)
	}
	ds := res.Dataset
	if ds.ID != "dataset:acled" || !strings.Contains(ds.Licence, "Terms of Use") || !strings.Contains(ds.Citation, "Raleigh") {
		t.Errorf("dataset %+v", ds)
	}
	// The release is the day of the latest timestamp, 1618426500 (2021-04-14 18:55 UTC).
	if ds.Release != "2021-04-14" {
		t.Errorf("release %q, want 2021-04-14", ds.Release)
	}
	if has(res, "attack:acled-syr1342") || has(res, "attack:acled-syr1370") {
		t.Error("a protest or an agreement became an attack")
	}

	t.Run("the attack on Ain Jalout school", func(t *testing.T) {
		a := find[*athar.Attack](t, res, "attack:acled-syr1043")
		if a.Title != "Air/drone strike in Aleppo - Ansari" || a.ExternalID != "SYR1043" || a.DatasetID != "dataset:acled" {
			t.Errorf("attack %q %q %q", a.Title, a.ExternalID, a.DatasetID)
		}
		if s, _ := a.Date.Format(); s != "2014-04-30" || a.Date.Precision != athar.PrecisionDay {
			t.Errorf("date %+v", a.Date)
		}
		if a.Location == nil || a.Location.Latitude != 36.179 || a.Location.Longitude != 37.1419 || a.Location.Precision != "SETTLEMENT" {
			t.Errorf("location %+v", a.Location)
		}
		if !slices.Equal(a.AttackTypes, []athar.AttackType{"AIRSTRIKE"}) || len(a.Weapons) != 0 {
			t.Errorf("types %v, weapons %v", a.AttackTypes, a.Weapons)
		}
		wantPlace := "place:acled-syria-aleppo-jebel-saman-jebel-saman-aleppo-aleppo-ansari"
		if !slices.Equal(a.PlaceIDs, []string{wantPlace}) {
			t.Fatalf("places %v", a.PlaceIDs)
		}
		q := find[*athar.Place](t, res, wantPlace)
		if q.Name != "Ansari" || q.Kind != "NEIGHBOURHOOD" || !slices.Equal(q.Aliases, []string{"Aleppo - Ansari"}) {
			t.Errorf("neighbourhood %+v", q)
		}
		city := find[*athar.Place](t, res, q.PartOf)
		if city.Name != "Aleppo" || city.Kind != "CITY" {
			t.Errorf("city %+v", city)
		}
		sub := find[*athar.Place](t, res, city.PartOf)
		dist := find[*athar.Place](t, res, sub.PartOf)
		gov := find[*athar.Place](t, res, dist.PartOf)
		country := find[*athar.Place](t, res, gov.PartOf)
		if sub.Kind != "REGION" || dist.Kind != "DISTRICT" || dist.Name != "Jebel Saman" || gov.Kind != "GOVERNORATE" || gov.Name != "Aleppo" ||
			country.ID != "place:acled-syria" || country.Kind != "COUNTRY" {
			t.Errorf("tree %+v %+v %+v %+v", sub, dist, gov, country)
		}

		c := find[*athar.Claim](t, res, "claim:acled-syr1043-casualties")
		if *c.Killed.Low != 22 || *c.Killed.Best != 22 || c.Killed.High != nil {
			t.Errorf("killed %+v", c.Killed)
		}
		if !strings.HasPrefix(c.Quote, "On 30 April 2014, regime aircraft struck Ain Jalout school") || c.ExternalID != "SYR1043-casualties" {
			t.Errorf("claim %+v", c)
		}
		if c.Text != "ACLED gives 22 fatalities, its conservative estimate (the lowest figure its sources report)." {
			t.Errorf("text %q", c.Text)
		}
		p := find[*athar.Claim](t, res, "claim:acled-syr1043-perpetrator")
		if !slices.Equal(p.Names, []string{"actor:acled-military-forces-of-syria-2000"}) || p.Quote != c.Quote {
			t.Errorf("perpetrator %+v", p)
		}
		s := find[*athar.Source](t, res, "source:acled-syr1043")
		if s.Title != "ACLED event SYR1043" || s.Kind != "DATASET_RECORD" || !strings.Contains(s.Description, "source: SOHR; Aleppo Media Center; source_scale: National-Local") {
			t.Errorf("source %+v", s)
		}
	})

	t.Run("actors", func(t *testing.T) {
		if a := find[*athar.Actor](t, res, "actor:acled-military-forces-of-syria-2000"); a.Kind != "STATE_FORCE" || a.ExternalID != "Military Forces of Syria (2000-)" {
			t.Errorf("actor %+v", a)
		}
		if a := find[*athar.Actor](t, res, "actor:acled-opposition-rebels-syria"); a.Kind != "ARMED_GROUP" {
			t.Errorf("actor %+v", a)
		}
		// Russia's forces in Syria are external forces (inter 8); associated actors take the
		// kind of the actor they go with.
		if a := find[*athar.Actor](t, res, "actor:acled-military-forces-of-russia-2000"); a.Kind != "OTHER" {
			t.Errorf("actor %+v", a)
		}
		for _, id := range []string{"actor:acled-civilians-syria", "actor:acled-health-workers-syria", "actor:acled-teachers-syria", "actor:acled-protesters-syria"} {
			if has(res, id) {
				t.Errorf("%s became an actor", id)
			}
		}
	})

	t.Run("chemical weapon, chlorine named in the notes", func(t *testing.T) {
		a := find[*athar.Attack](t, res, "attack:acled-syr1102")
		if !slices.Equal(a.Weapons, []athar.Weapon{"CHLORINE"}) || len(a.AttackTypes) != 0 {
			t.Errorf("weapons %v, types %v", a.Weapons, a.AttackTypes)
		}
		w := find[*athar.Claim](t, res, "claim:acled-syr1102-weapon")
		if w.Kind != "WEAPON" || !slices.Equal(w.Weapons, []athar.Weapon{"CHLORINE"}) || w.Text != "ACLED codes a chemical weapon; its notes name chlorine." {
			t.Errorf("claim %+v", w)
		}
	})

	t.Run("precisions", func(t *testing.T) {
		for _, c := range []struct {
			id         string
			precision  athar.LocationPrecision
			start, end string
			date       athar.DatePrecision
		}{
			{"syr1160", "SETTLEMENT", "2015-09-12", "2015-09-18", athar.PrecisionRange},
			{"syr1277", "GOVERNORATE", "2016-06", "", athar.PrecisionMonth},
			{"syr1290", "NEAR", "2016-08-06", "", athar.PrecisionDay},
		} {
			a := find[*athar.Attack](t, res, "attack:acled-"+c.id)
			s, e := a.Date.Format()
			if a.Location == nil || a.Location.Precision != c.precision || s != c.start || e != c.end || a.Date.Precision != c.date {
				t.Errorf("%s: location %+v, date %s %s %s", c.id, a.Location, s, e, a.Date.Precision)
			}
		}
		if a := find[*athar.Attack](t, res, "attack:acled-syr1160"); !strings.HasPrefix(a.Date.Note, "ACLED time_precision 2") {
			t.Errorf("note %q", a.Date.Note)
		}
		// A battle names no perpetrator; a shelling is SHELLING.
		if has(res, "claim:acled-syr1290-perpetrator") {
			t.Error("a battle became an accusation")
		}
		if a := find[*athar.Attack](t, res, "attack:acled-syr1160"); !slices.Equal(a.AttackTypes, []athar.AttackType{"SHELLING"}) {
			t.Errorf("types %v", a.AttackTypes)
		}
	})
}

func TestReadACLED_ByteOrderMarkAndActorTypesAsNames(t *testing.T) {
	res := MustRead(t, "acled", "testdata/acled-bom-text-codes.csv", formats.Options{Release: "2024-06-30"})
	if res.Events != 3 || res.Dataset.Release != "2024-06-30" {
		t.Fatalf("events %d, release %s", res.Events, res.Dataset.Release)
	}
	// event_date as "30 April 2014", inter1 as "State forces", inter2 as "Civilians".
	a := find[*athar.Attack](t, res, "attack:acled-syr1043")
	if s, _ := a.Date.Format(); s != "2014-04-30" {
		t.Errorf("date %s", s)
	}
	if ac := find[*athar.Actor](t, res, "actor:acled-military-forces-of-syria-2000"); ac.Kind != "STATE_FORCE" {
		t.Errorf("actor %+v", ac)
	}
	if has(res, "actor:acled-civilians-syria") {
		t.Error("civilians became an actor")
	}
}

func TestReadACLED_Problems(t *testing.T) {
	header := "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,country,latitude,longitude,geo_precision,fatalities,notes,timestamp\n"
	ps := ReadErr(t, "acled", header+
		"SYR1,2014-04-30,1,Battles,Armed clash,Military Forces of Syria (2000-),1,Syria,36.2,37.1,1,3,Clash.,1618421212\n"+
		"SYR2,2014-13-30,4,Battles,Armed clash,Military Forces of Syria (2000-),9,Syria,36.2,,4,three,Clash.,yesterday\n"+
		"SYR3,2014-04-30,1,Parades,Other,Military Forces of Syria (2000-),1,Syria,36.2,37.1,1,0,,1618421212\n"+
		"SYR1,2014-04-30,1,Battles,Armed clash,Military Forces of Syria (2000-),1,Syria,36.2,37.1,1,3,Clash.,1618421212\n")
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.Error()
	}
	want := []string{
		`row 3 (id SYR2).timestamp: "yesterday" is not a Unix time in seconds`,
		`row 3 (id SYR2).event_date: "2014-13-30" is not a date (want YYYY-MM-DD, such as 2014-04-30, or 30 April 2014)`,
		`row 3 (id SYR2).geo_precision: 4 is not one of the codes 1, 2, 3`,
		`row 3 (id SYR2).inter1: "9" is not one of ACLED's actor types (1 to 8, or State forces, Rebel group, Political militia, Identity militia, Rioters, Protesters, Civilians, External/Other forces)`,
		`row 3 (id SYR2).fatalities: "three" is not a whole number`,
		`row 4 (id SYR3).event_type: "Parades" is not one of ACLED's event types (Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, Strategic developments)`,
		`row 5 (id SYR1).event_id_cnty: is also the id of row 2`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ps = ReadErr(t, "acled", "event_id_cnty,event_date,notes\n")
	if len(ps) != 1 || ps[0].Field != "acled" || !strings.Contains(ps[0].Message, "lacks the required columns time_precision, event_type, sub_event_type, actor1, country, latitude, longitude, geo_precision, fatalities") {
		t.Errorf("%v", ps)
	}
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"ucdp-ged", "acled"} {
		if f, err := formats.Lookup(name); err != nil || f.Name != name || f.Read == nil {
			t.Errorf("Lookup(%q) = %+v, %v", name, f, err)
		}
	}
	_, err := formats.Lookup("gtd")
	if athar.ErrorCode(err) != athar.EINVALID || !strings.Contains(err.Error(), "ucdp-ged, acled") {
		t.Errorf("Lookup(gtd): %v", err)
	}
}
