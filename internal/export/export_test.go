package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
)

func intp(n int) *int { return &n }

// MustFeatures returns two attacks: one located, with a title a spreadsheet would take for a
// formula; one known only to its month, with no point.
func MustFeatures(tb testing.TB) []athar.AttackFeature {
	tb.Helper()
	day, err := athar.ParseDate("2014-04-30", "", "")
	if err != nil {
		tb.Fatal(err)
	}
	month, err := athar.ParseDate("2016-11", "", "")
	if err != nil {
		tb.Fatal(err)
	}
	return []athar.AttackFeature{
		{ID: "attack:one", Title: "=HYPERLINK(\"x\")", Date: day, KilledLow: intp(26), KilledHigh: intp(35),
			Facilities: []string{"Ain Jalout school", "+annex"}, FacilityIDs: []string{"facility:a", "facility:b"}, Places: []string{"Aleppo"},
			Location: &athar.Location{Latitude: 36.2, Longitude: -3.75, Precision: "EXACT"}},
		{ID: "attack:two", Title: "Car bomb", Date: month},
	}
}

func TestLookup_ChoosesTheEncoderByName(t *testing.T) {
	var names []string
	for _, f := range export.Formats() {
		names = append(names, f.Name)
		got, err := export.Lookup(f.Name)
		if err != nil || got.Name != f.Name || got.ContentType == "" || got.FileName == "" || got.Encode == nil {
			t.Errorf("Lookup(%q) = %+v, %v", f.Name, got, err)
		}
	}
	if !slices.Equal(names, []string{"csv", "geojson"}) {
		t.Errorf("formats %v, want csv and geojson", names)
	}
	for _, name := range []string{"", "xlsx", "CSV", "attacks.csv"} {
		_, err := export.Lookup(name)
		if athar.ErrorCode(err) != athar.EINVALID {
			t.Errorf("Lookup(%q): %v, want an EINVALID error", name, err)
		}
		var e *athar.Error
		if !errors.As(err, &e) || e.Field != "format" {
			t.Errorf("Lookup(%q): %v does not name the field format", name, err)
		}
	}
}

func MustEncode(tb testing.TB, name string, features []athar.AttackFeature, truncated bool) []byte {
	tb.Helper()
	f, err := export.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, features, truncated); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(MustEncode(t, "csv", MustFeatures(t), false))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "title", "date_start", "date_end", "date_precision", "facilities", "facility_ids", "places",
			"killed_low", "killed_high", "latitude", "longitude", "location_precision"},
		{"attack:one", `'=HYPERLINK("x")`, "2014-04-30", "2014-04-30", "DAY", "Ain Jalout school; +annex", "facility:a; facility:b", "Aleppo",
			"26", "35", "36.2", "-3.75", "EXACT"},
		{"attack:two", "Car bomb", "2016-11-01", "2016-11-30", "MONTH", "", "", "", "", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if empty := MustEncode(t, "csv", nil, false); string(empty) != strings.Join(want[0], ",")+"\n" {
		t.Errorf("no attacks: %q, want the header alone", empty)
	}
}

func TestGeoJSON(t *testing.T) {
	var fc struct {
		Type      string
		Omitted   int
		Truncated bool
		Features  []struct {
			Type, ID string
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(MustEncode(t, "geojson", MustFeatures(t), true), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || fc.Omitted != 1 || !fc.Truncated || len(fc.Features) != 1 {
		t.Fatalf("collection: %+v, want the located attack drawn, the other omitted, truncated", fc)
	}
	f := fc.Features[0]
	if f.ID != "attack:one" || f.Geometry.Type != "Point" || !slices.Equal(f.Geometry.Coordinates, []float64{-3.75, 36.2}) {
		t.Errorf("feature %+v: want attack:one at [longitude, latitude]", f)
	}
	if f.Properties["title"] != `=HYPERLINK("x")` || f.Properties["date"] != "2014-04-30" || f.Properties["killedHigh"] != 35.0 {
		t.Errorf("properties %v", f.Properties)
	}
}
