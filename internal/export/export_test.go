package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
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
			Location: &athar.Location{Latitude: 36.2, Longitude: -3.75, Precision: "EXACT"}, LocationFrom: athar.FromFacility},
		{ID: "attack:two", Title: "Car bomb", Date: month, DatasetID: "dataset:acled", ExternalID: "=SYR1", WithdrawnIn: "2021-04-14"},
	}
}

func TestLookup_ChoosesTheEncoderByName(t *testing.T) {
	var names []string
	for _, f := range export.Formats() {
		names = append(names, f.Name)
		got, err := export.Lookup(f.Name)
		if err != nil || got.Name != f.Name || got.ContentType == "" || got.FileName == "" || got.NewEncoder == nil {
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

func MustEncode(tb testing.TB, name string, features []athar.AttackFeature, o export.Options) []byte {
	tb.Helper()
	f, err := export.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, features, o); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// MustEncodePages writes the features through the format's encoder one at a time, as an export
// streams its pages.
func MustEncodePages(tb testing.TB, name string, features []athar.AttackFeature, o export.Options) []byte {
	tb.Helper()
	f, err := export.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	enc := f.NewEncoder(&buf, o)
	for i := range features {
		if err := enc.Write(features[i : i+1]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(MustEncode(t, "csv", MustFeatures(t), export.Options{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "title", "date_start", "date_end", "date_precision", "facilities", "facility_ids", "places",
			"killed_low", "killed_high", "latitude", "longitude", "location_precision", "location_from", "dataset_id", "external_id", "withdrawn_in"},
		{"attack:one", `'=HYPERLINK("x")`, "2014-04-30", "2014-04-30", "DAY", "Ain Jalout school; +annex", "facility:a; facility:b", "Aleppo",
			"26", "35", "36.2", "-3.75", "EXACT", "FACILITY", "", "", ""},
		{"attack:two", "Car bomb", "2016-11-01", "2016-11-30", "MONTH", "", "", "", "", "", "", "", "", "", "dataset:acled", "'=SYR1", "2021-04-14"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if empty := MustEncode(t, "csv", nil, export.Options{}); string(empty) != strings.Join(want[0], ",")+"\n" {
		t.Errorf("no attacks: %q, want the header alone", empty)
	}
	if paged, whole := MustEncodePages(t, "csv", MustFeatures(t), export.Options{}), MustEncode(t, "csv", MustFeatures(t), export.Options{}); !bytes.Equal(paged, whole) {
		t.Errorf("written a row at a time:\n%s\nwant as written whole:\n%s", paged, whole)
	}
}

func TestCSV_Excel(t *testing.T) {
	features := MustFeatures(t)
	features[1].Title = "مدرسة عين جالوت\nsecond line"
	plain := MustEncode(t, "csv", features, export.Options{})
	excel := MustEncode(t, "csv", features, export.Options{Excel: true})
	body, ok := bytes.CutPrefix(excel, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("the Excel CSV does not begin with the UTF-8 byte-order mark: %q", excel[:min(10, len(excel))])
	}
	if bytes.HasPrefix(plain, []byte("\xef\xbb\xbf")) {
		t.Error("the plain CSV begins with a byte-order mark")
	}
	// Every line ends in CRLF, a line break inside a quoted field too (RFC 4180 2.6).
	if n, lf := bytes.Count(body, []byte("\r\n")), bytes.Count(body, []byte("\n")); n != 4 || lf != 4 {
		t.Errorf("%d CRLF of %d line ends, want 4 of 4 (a header, two records, one inside a field): %q", n, lf, body)
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) || bytes.Count(plain, []byte("\r")) != 0 {
		t.Errorf("line ends: excel %q, plain %q", body, plain)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 || rows[2][1] != features[1].Title {
		t.Fatalf("the Excel CSV read back: %q, %v; want the Arabic title whole", rows, err)
	}
	if empty := MustEncode(t, "csv", nil, export.Options{Excel: true}); !bytes.HasPrefix(empty, []byte("\xef\xbb\xbfid,")) || !bytes.HasSuffix(empty, []byte("\r\n")) {
		t.Errorf("no attacks, for Excel: %q, want the mark and the header", empty)
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
	streamed := MustEncodePages(t, "geojson", MustFeatures(t), export.Options{})
	if err := json.Unmarshal(streamed, &fc); err != nil {
		t.Fatalf("%v: %s", err, streamed)
	}
	if fc.Type != "FeatureCollection" || fc.Omitted != 1 || fc.Truncated || len(fc.Features) != 1 {
		t.Fatalf("collection: %+v, want the located attack drawn, the other omitted, not truncated", fc)
	}
	// The stream writes the object the GraphQL field returns whole.
	whole, err := json.Marshal(export.GeoJSON(MustFeatures(t), false))
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(whole, &a) != nil || json.Unmarshal(streamed, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("streamed:\n%s\nwant the object GeoJSON builds:\n%s", streamed, whole)
	}
	if cut := export.GeoJSON(MustFeatures(t), true); cut["truncated"] != true {
		t.Errorf("GeoJSON(truncated) says truncated %v", cut["truncated"])
	}
	var empty struct {
		Type     string
		Features []any
		Omitted  *int
	}
	if err := json.Unmarshal(MustEncode(t, "geojson", nil, export.Options{}), &empty); err != nil || empty.Type != "FeatureCollection" ||
		empty.Features == nil || len(empty.Features) != 0 || empty.Omitted == nil || *empty.Omitted != 0 {
		t.Errorf("no attacks: %+v, %v; want an empty collection", empty, err)
	}
	f := fc.Features[0]
	if f.ID != "attack:one" || f.Geometry.Type != "Point" || !slices.Equal(f.Geometry.Coordinates, []float64{-3.75, 36.2}) {
		t.Errorf("feature %+v: want attack:one at [longitude, latitude]", f)
	}
	if f.Properties["title"] != `=HYPERLINK("x")` || f.Properties["date"] != "2014-04-30" || f.Properties["killedHigh"] != 35.0 {
		t.Errorf("properties %v", f.Properties)
	}
}
