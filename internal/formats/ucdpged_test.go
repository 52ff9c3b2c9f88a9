package formats_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/formats"
)

// sample is a file of data/samples.
func sample(name string) string { return filepath.Join("..", "..", "data", "samples", name) }

// MustRead reads a file in the given format, failing the test on any error.
func MustRead(tb testing.TB, format, path string, opts formats.Options) *formats.Result {
	tb.Helper()
	f, err := formats.Lookup(format)
	if err != nil {
		tb.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer file.Close()
	if opts.FileName == "" {
		opts.FileName = filepath.Base(path)
	}
	res, err := f.Read(file, opts)
	if err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	if problems, _ := res.Bundle.Validate(); len(problems) > 0 {
		tb.Fatalf("%s does not validate:\n%v", path, problems)
	}
	return res
}

// ReadErr reads text in the given format and returns its problems.
func ReadErr(tb testing.TB, format, text string) athar.Problems {
	tb.Helper()
	f, err := formats.Lookup(format)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.Read(strings.NewReader(text), formats.Options{})
	if err == nil {
		tb.Fatalf("%s read without error", format)
	}
	var ps athar.Problems
	var e *athar.Error
	switch {
	case errors.As(err, &ps):
		return ps
	case errors.As(err, &e):
		return athar.Problems{e}
	}
	tb.Fatalf("error %v is not a problem of the file", err)
	return nil
}

// find returns the record of the given id.
func find[T athar.Entity](tb testing.TB, res *formats.Result, id string) T {
	tb.Helper()
	for _, r := range res.Bundle.Records {
		if r.Entity.EntityID() == id {
			if e, ok := r.Entity.(T); ok {
				return e
			}
		}
	}
	var zero T
	tb.Fatalf("no record %s", id)
	return zero
}

func has(res *formats.Result, id string) bool {
	return slices.ContainsFunc(res.Bundle.Records, func(r athar.Record) bool { return r.Entity.EntityID() == id })
}

func TestReadUCDPGED_Sample(t *testing.T) {
	res := MustRead(t, "ucdp-ged", sample("ucdp-ged-sample.csv"), formats.Options{})
	if res.Rows != 23 || res.Events != 23 || res.Skipped != 0 {
		t.Errorf("rows %d, events %d, skipped %d; want 23, 23, 0", res.Rows, res.Events, res.Skipped)
	}
	if res.Inconsistent != 1 {
		t.Errorf("inconsistent %d, want 1 (event 220355, low 8 above high 5)", res.Inconsistent)
	}
	ds := res.Dataset
	if ds.ID != "dataset:ucdp-ged" || ds.Licence == "" || !strings.Contains(ds.Citation, "Sundberg") || ds.Publisher == "" || ds.URL == "" {
		t.Errorf("dataset %+v", ds)
	}
	if ds.Release != "" {
		t.Errorf("release %q from a file without a version, want none", ds.Release)
	}
	if first := res.Bundle.Records[0].Entity; first.EntityID() != "dataset:ucdp-ged" {
		t.Errorf("first record %s, want the dataset", first.EntityID())
	}
	for _, r := range res.Bundle.Records {
		if _, ok := r.Entity.(*athar.Dataset); ok {
			continue
		}
		d := athar.DescriptionOf(r.Entity)
		if d.Field("datasetId").Text(r.Entity) != "dataset:ucdp-ged" || d.Field("externalId").Text(r.Entity) == "" {
			t.Errorf("%s (%s) lacks its dataset or external id", r.Entity.EntityID(), r.Where)
		}
	}

	t.Run("the attack on Ain Jalout school", func(t *testing.T) {
		a := find[*athar.Attack](t, res, "attack:ucdp-ged-214797")
		if a.ExternalID != "214797" || a.Title != "Aleppo city, Ansari neighbourhood, Ain Jalout school" {
			t.Errorf("attack %q %q", a.ExternalID, a.Title)
		}
		if s, e := a.Date.Format(); s != "2014-04-30" || e != "" || a.Date.Precision != athar.PrecisionDay || a.Date.Note != "" {
			t.Errorf("date %s %s %s %q", s, e, a.Date.Precision, a.Date.Note)
		}
		if a.Location == nil || a.Location.Latitude != 36.1787 || a.Location.Longitude != 37.1425 || a.Location.Precision != "EXACT" {
			t.Errorf("location %+v", a.Location)
		}
		if !slices.Equal(a.PlaceIDs, []string{"place:ucdp-ged-syria-aleppo-governorate-jabal-saman-district"}) {
			t.Errorf("places %v", a.PlaceIDs)
		}
		if !slices.Equal(a.PartOfEventIDs, []string{"event:ucdp-ged-conflict-1023", "event:ucdp-ged-dyad-1023"}) {
			t.Errorf("part of %v", a.PartOfEventIDs)
		}
		if len(a.Weapons) != 0 || len(a.AttackTypes) != 0 {
			t.Errorf("weapons %v, attack types %v: GED codes neither", a.Weapons, a.AttackTypes)
		}
		c := find[*athar.Claim](t, res, "claim:ucdp-ged-214797-casualties")
		if *c.Killed.Low != 19 || *c.Killed.Best != 25 || *c.Killed.High != 35 || *c.CiviliansKilled.Best != 25 {
			t.Errorf("killed %+v, civilians %+v", c.Killed, c.CiviliansKilled)
		}
		if c.SideA != "actor:ucdp-ged-117" || c.SideB != "" || c.SourceID != "source:ucdp-ged-214797" || c.ExternalID != "214797-casualties" {
			t.Errorf("claim %+v", c)
		}
		if c.Text != "UCDP GED gives 25 deaths (low 19, high 35), 25 of them civilians; 0 of Government of Syria (side A), 0 of Civilians (side B), 0 unknown." {
			t.Errorf("text %q", c.Text)
		}
		if !strings.HasPrefix(c.Quote, "Air strike on Aleppo school kills at least 19, many of them children;Children among") || !strings.Contains(c.Quote, "\nAgence France Presse,2014-04-30,") {
			t.Errorf("quote %q", c.Quote)
		}
		p := find[*athar.Claim](t, res, "claim:ucdp-ged-214797-perpetrator")
		if p.Kind != athar.ClaimPerpetrator || !slices.Equal(p.Names, []string{"actor:ucdp-ged-117"}) || p.Quote != c.Quote {
			t.Errorf("perpetrator %+v", p)
		}
		s := find[*athar.Source](t, res, "source:ucdp-ged-214797")
		if s.Kind != "DATASET_RECORD" || s.Title != "UCDP GED event 214797" || len(s.PublishedBy) != 0 ||
			!strings.Contains(s.Description, "source_office: AFP;Reuters;Aleppo Media Center") {
			t.Errorf("source %+v", s)
		}
	})

	t.Run("places, actors and events", func(t *testing.T) {
		gov := find[*athar.Place](t, res, "place:ucdp-ged-syria-aleppo-governorate")
		if gov.Name != "Aleppo" || gov.Kind != "GOVERNORATE" || gov.PartOf != "place:ucdp-ged-syria" || gov.ExternalID != "Syria > Aleppo governorate" {
			t.Errorf("governorate %+v", gov)
		}
		dist := find[*athar.Place](t, res, "place:ucdp-ged-syria-aleppo-governorate-jabal-saman-district")
		if dist.Name != "Jabal Saman" || dist.Kind != "DISTRICT" || dist.PartOf != gov.ID {
			t.Errorf("district %+v", dist)
		}
		if c := find[*athar.Place](t, res, "place:ucdp-ged-syria"); c.Kind != "COUNTRY" || c.PartOf != "" {
			t.Errorf("country %+v", c)
		}
		if a := find[*athar.Actor](t, res, "actor:ucdp-ged-117"); a.Name != "Government of Syria" || a.Kind != "GOVERNMENT" || a.ExternalID != "117" {
			t.Errorf("actor %+v", a)
		}
		if a := find[*athar.Actor](t, res, "actor:ucdp-ged-234"); a.Name != "IS" || a.Kind != "ARMED_GROUP" {
			t.Errorf("actor %+v", a)
		}
		if has(res, "actor:ucdp-ged-1") {
			t.Error("civilians became an actor")
		}
		e := find[*athar.Event](t, res, "event:ucdp-ged-conflict-299")
		if e.Kind != "CONFLICT" || e.Name != "Syria: Government" || e.ExternalID != "conflict-299" {
			t.Errorf("conflict %+v", e)
		}
		if d := find[*athar.Event](t, res, "event:ucdp-ged-dyad-411"); d.Kind != "DYAD" || d.Name != "Government of Syria - Syrian insurgents" {
			t.Errorf("dyad %+v", d)
		}
	})

	t.Run("precisions", func(t *testing.T) {
		for _, c := range []struct {
			id         string
			precision  athar.LocationPrecision
			start, end string
			date       athar.DatePrecision
			note       string
		}{
			{"230219", "NEAR", "2016-08-06", "", athar.PrecisionDay, ""},
			{"214833", "EXACT", "2014-07-20", "2014-07-22", athar.PrecisionRange, "UCDP GED date_prec 2: the day is not known, but the event took place within a period of 2 to 6 days"},
			{"220402", "DISTRICT", "2015-10-01", "2015-10-07", athar.PrecisionRange, "UCDP GED date_prec 3: only the week is known"},
			{"220477", "GOVERNORATE", "2015-11", "", athar.PrecisionMonth, "UCDP GED date_prec 4: only the month is known, or a period of 8 to 30 days"},
			{"220588", "APPROXIMATE", "2015-12-03", "", athar.PrecisionDay, ""},
			{"220530", "COUNTRY", "2015", "", athar.PrecisionYear, "UCDP GED date_prec 5: only the year is known, or a period of more than a month and less than a year"},
			{"230560", "", "2016-10-11", "", athar.PrecisionDay, ""},
		} {
			a := find[*athar.Attack](t, res, "attack:ucdp-ged-"+c.id)
			var got athar.LocationPrecision
			if a.Location != nil {
				got = a.Location.Precision
			}
			s, e := a.Date.Format()
			if got != c.precision || s != c.start || e != c.end || a.Date.Precision != c.date || a.Date.Note != c.note {
				t.Errorf("%s: location %q, date %s %s %s %q; want %q, %s %s %s %q", c.id, got, s, e, a.Date.Precision, a.Date.Note,
					c.precision, c.start, c.end, c.date, c.note)
			}
		}
		// where_prec 7 and no admin units: the country is the deepest place.
		if a := find[*athar.Attack](t, res, "attack:ucdp-ged-230560"); !slices.Equal(a.PlaceIDs, []string{"place:ucdp-ged-syria"}) {
			t.Errorf("places %v", a.PlaceIDs)
		}
	})

	t.Run("figures that contradict each other are kept and marked", func(t *testing.T) {
		c := find[*athar.Claim](t, res, "claim:ucdp-ged-220355-casualties")
		if *c.Killed.Low != 8 || *c.Killed.Best != 6 || *c.Killed.High != 5 || !c.Inconsistent() {
			t.Errorf("killed %+v, inconsistent %v", c.Killed, c.Inconsistent())
		}
		if !strings.HasSuffix(c.Text, "The figures contradict each other as the dataset gives them.") {
			t.Errorf("text %q", c.Text)
		}
	})

	t.Run("state-based violence names no perpetrator", func(t *testing.T) {
		if has(res, "claim:ucdp-ged-230219-perpetrator") {
			t.Error("a battle became an accusation")
		}
		c := find[*athar.Claim](t, res, "claim:ucdp-ged-230219-casualties")
		if c.SideA != "actor:ucdp-ged-117" || c.SideB != "actor:ucdp-ged-1096" || *c.SideAKilled.Best != 15 || *c.SideBKilled.Best != 22 {
			t.Errorf("sides %+v", c)
		}
	})
}

func TestReadUCDPGED_Options(t *testing.T) {
	res := MustRead(t, "ucdp-ged", sample("ucdp-ged-sample.csv"), formats.Options{Dataset: "ucdp-ged-candidate", Release: "25.0.3"})
	if res.Dataset.ID != "dataset:ucdp-ged-candidate" || res.Dataset.Release != "25.0.3" ||
		res.Dataset.Name != "UCDP Georeferenced Event Dataset (GED) (ucdp-ged-candidate)" {
		t.Errorf("dataset %s release %s", res.Dataset.ID, res.Dataset.Release)
	}
	a := find[*athar.Attack](t, res, "attack:ucdp-ged-candidate-214797")
	if a.DatasetID != "dataset:ucdp-ged-candidate" || a.ExternalID != "214797" {
		t.Errorf("attack %s %s", a.DatasetID, a.ExternalID)
	}
	for name, want := range map[string]string{"GEDEvent_v24_1.csv": "24.1", "GEDEvent_v25_0_3.csv": "25.0.3", "ged.csv": ""} {
		res := MustRead(t, "ucdp-ged", sample("ucdp-ged-sample.csv"), formats.Options{FileName: name})
		if res.Dataset.Release != want {
			t.Errorf("release from %s: %q, want %q", name, res.Dataset.Release, want)
		}
	}
	_, err := formats.ReadUCDPGED(strings.NewReader("id\n"), formats.Options{Dataset: "UCDP GED!"})
	var e *athar.Error
	if !errors.As(err, &e) || e.Field != "dataset" {
		t.Errorf("a bad dataset slug: %v", err)
	}
}

func TestReadUCDPGED_ReorderedAndUnknownColumns(t *testing.T) {
	res := MustRead(t, "ucdp-ged", "testdata/ucdp-ged-reordered.csv", formats.Options{})
	if res.Events != 3 {
		t.Fatalf("events %d, want 3", res.Events)
	}
	a := find[*athar.Attack](t, res, "attack:ucdp-ged-214797")
	if a.Location == nil || a.Location.Latitude != 36.1787 || a.Title != "Aleppo city, Ansari neighbourhood, Ain Jalout school" {
		t.Errorf("attack %+v", a)
	}
	// BEST in capitals is best; the missing optional columns leave their fields empty.
	c := find[*athar.Claim](t, res, "claim:ucdp-ged-214797-casualties")
	if *c.Killed.Best != 25 || c.CiviliansKilled != nil || len(a.PartOfEventIDs) != 0 {
		t.Errorf("killed %+v, civilians %+v, events %v", c.Killed, c.CiviliansKilled, a.PartOfEventIDs)
	}
	// Without source text, the quote is the figures as the file gives them.
	if c.Quote != "best: 25; low: 19; high: 35" {
		t.Errorf("quote %q", c.Quote)
	}
	if a.Date.Note != "" || a.Date.Precision != athar.PrecisionDay {
		t.Errorf("date %+v without date_prec", a.Date)
	}
	if got := find[*athar.Actor](t, res, "actor:ucdp-ged-name-government-of-syria"); got.ExternalID != "Government of Syria" {
		t.Errorf("actor without an id %+v", got)
	}
}

func TestReadUCDPGED_ByteOrderMarkAndCRLF(t *testing.T) {
	res := MustRead(t, "ucdp-ged", "testdata/ucdp-ged-bom-crlf.csv", formats.Options{})
	if res.Events != 2 {
		t.Fatalf("events %d, want 2", res.Events)
	}
	c := find[*athar.Claim](t, res, "claim:ucdp-ged-214797-casualties")
	// The quoted headline runs over two lines; its line end is kept as the file gives it.
	if !strings.HasPrefix(c.Quote, "Air strike on Aleppo school kills at least 19;\r\nChildren among dozens killed, \"An Imprint of Hope\" exhibition hit\n") &&
		!strings.HasPrefix(c.Quote, "Air strike on Aleppo school kills at least 19;\nChildren among dozens killed, \"An Imprint of Hope\" exhibition hit\n") {
		t.Errorf("quote %q", c.Quote)
	}
	if a := find[*athar.Attack](t, res, "attack:ucdp-ged-214810"); a.Date.Start.Format("2006-01-02") != "2014-06-12" {
		t.Errorf("second row's date %v", a.Date.Start)
	}
}

func TestReadUCDPGED_SemicolonsAndTabs(t *testing.T) {
	for _, sep := range []string{";", "\t"} {
		text := strings.Join([]string{"id", "type_of_violence", "side_a", "side_b", "date_start", "date_end", "where_prec", "latitude", "longitude", "country", "best", "low", "high", "where_description"}, sep) + "\n" +
			strings.Join([]string{"7", "3", "Government of Syria", "Civilians", "2014-04-30", "2014-04-30", "1", "36.2", "37.1", "Syria", "5", "3", "9", "\"Aleppo city, Ansari; school\""}, sep) + "\n"
		res, err := formats.ReadUCDPGED(strings.NewReader(text), formats.Options{})
		if err != nil {
			t.Fatalf("%q: %v", sep, err)
		}
		if a := find[*athar.Attack](t, res, "attack:ucdp-ged-7"); a.Title != "Aleppo city, Ansari; school" || a.Location == nil || a.Location.Longitude != 37.1 {
			t.Errorf("%q: attack %+v", sep, a)
		}
	}
}

func TestReadUCDPGED_Problems(t *testing.T) {
	header := "id,type_of_violence,side_a,side_b,date_start,date_end,where_prec,latitude,longitude,country,best,low,high,date_prec\n"
	t.Run("every problem of the file, each with its row and id", func(t *testing.T) {
		ps := ReadErr(t, "ucdp-ged", header+
			"1,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			"2,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,abc,37.1,Syria,5,3,9,1\n"+
			"3,4,Government of Syria,Civilians,2014-02-30,2014-02-30,9,36.2,37.1,Syria,x,3,-2,1\n"+
			"1,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			",3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			"6,3,Government of Syria,Civilians,2014-05-30,2014-05-01,1,36.2,237.1,Syria,5,3,9,8\n"+
			"7 b,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			"8,3,Government of Syria,Civilians,2014-04-30,2014-04-30,,36.2,37.1,Syria,5,3,9,1\n")
		got := make([]string, len(ps))
		for i, p := range ps {
			got[i] = p.Error()
		}
		want := []string{
			`row 3 (id 2).latitude: "abc" is not a number`,
			`row 4 (id 3).type_of_violence: 4 is not one of the codes 1, 2, 3`,
			`row 4 (id 3).date_start: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)`,
			`row 4 (id 3).date_end: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)`,
			`row 4 (id 3).where_prec: 9 is not one of the codes 1, 2, 3, 4, 5, 6, 7`,
			`row 4 (id 3).best: "x" is not a whole number`,
			`row 4 (id 3).high: -2 is negative: want a count`,
			`row 5 (id 1).id: is also the id of row 2`,
			`row 6.id: is empty: every GED event has an id`,
			`row 7 (id 6).date_prec: 8 is not one of the codes 1, 2, 3, 4, 5`,
			`row 7 (id 6).date_end: "2014-05-01" is before the start "2014-05-30"`,
			`row 7 (id 6).longitude: 237.1 is outside -180..180`,
			`row 8 (id 7 b).id: "7 b" is not a GED event id (letters, digits and hyphens)`,
			`row 9 (id 8).where_prec: is empty: a point needs its precision (1 to 7)`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("figures beyond the domain's bound", func(t *testing.T) {
		ps := ReadErr(t, "ucdp-ged", header+"1,3,Gov,Civilians,2014-04-30,2014-04-30,1.0,36.2,37.1,Syria,1000001,3,9,1e12\n")
		got := make([]string, len(ps))
		for i, p := range ps {
			got[i] = p.Error()
		}
		want := []string{`row 2 (id 1).date_prec: "1e12" is not a whole number`, `row 2 (id 1).best: 1000001 is above 1000000, the largest figure Athar records`}
		if !slices.Equal(got, want) {
			t.Errorf("problems %q, want %q", got, want)
		}
	})
	t.Run("a row with neither source text nor figures is quoted by its id", func(t *testing.T) {
		res, err := formats.ReadUCDPGED(strings.NewReader(header+"5,3,Gov,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,,,,1\n"), formats.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c := find[*athar.Claim](t, res, "claim:ucdp-ged-5-casualties"); c.Quote != "id: 5" || c.Killed != nil ||
			c.Text != "UCDP GED gives no death estimate for this event." {
			t.Errorf("claim %+v", c)
		}
	})
	t.Run("past the limit, problems are counted, not listed", func(t *testing.T) {
		text := header
		for i := range 5 {
			text += fmt.Sprintf("%d,3,Gov,Civilians,2014-04-30,2014-04-30,1,abc,37.1,Syria,5,3,9,1\n", i+1)
		}
		_, err := formats.ReadUCDPGED(strings.NewReader(text), formats.Options{MaxProblems: 2})
		var rep *athar.Report
		if !errors.As(err, &rep) || len(rep.Problems) != 2 || rep.More != 3 || rep.Problems[1].Error() != `row 3 (id 2).latitude: "abc" is not a number` {
			t.Errorf("%v", err)
		}
	})
	t.Run("an empty file", func(t *testing.T) {
		for _, text := range []string{"", "\xEF\xBB\xBF"} {
			ps := ReadErr(t, "ucdp-ged", text)
			if len(ps) != 1 || ps[0].Field != "ucdp-ged" || !strings.Contains(ps[0].Message, "the file is empty") ||
				!strings.Contains(ps[0].Message, "id, type_of_violence, side_a") {
				t.Errorf("%q: %v", text, ps)
			}
		}
	})
	t.Run("required columns missing, all named once", func(t *testing.T) {
		ps := ReadErr(t, "ucdp-ged", "id,side_a,side_b,date_start,date_end,where_prec,country,low,high,extra\n1,a,b,2014-01-01,2014-01-01,1,Syria,1,2,x\n")
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "lacks the required columns type_of_violence, latitude, longitude, best") {
			t.Errorf("%v", ps)
		}
	})
	t.Run("a row that is not CSV", func(t *testing.T) {
		ps := ReadErr(t, "ucdp-ged", header+
			"1,3,Gov,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			"2,3,\"Gov\"x,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9,1\n"+
			"3,3,Gov,Civilians,2014-04-30,2014-04-30,1,abc,37.1,Syria,5,3,9,1\n")
		if len(ps) != 2 || !strings.HasPrefix(ps[0].Error(), "row 3: cannot be read as CSV") ||
			ps[1].Error() != `row 4 (id 3).latitude: "abc" is not a number` {
			t.Errorf("%v", ps)
		}
	})
}
