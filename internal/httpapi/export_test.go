package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// MustGeoFixture adds two facilities 80 m apart and an attack on one, with coordinates (the seed
// has none: its texts give none).
func MustGeoFixture(t *testing.T, store *neo4jstore.Store) {
	t.Helper()
	date, err := athar.ParseDate("2015-03-02", "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range []athar.Entity{
		&athar.Facility{ID: "facility:geo-school", Name: "Geo school", Type: "SCHOOL", Location: &athar.Location{Latitude: 36.2000, Longitude: 37.1500, Precision: "EXACT"}},
		&athar.Facility{ID: "facility:geo-barracks", Name: "Geo barracks", Type: "MILITARY_SITE", Location: &athar.Location{Latitude: 36.2007, Longitude: 37.1502, Precision: "APPROXIMATE"}},
		&athar.Attack{ID: "attack:geo", Title: "Geo attack", Date: date, FacilityIDs: []string{"facility:geo-school"}},
	} {
		if _, err := store.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExport_Endpoints(t *testing.T) {
	store := MustStore(t, true)
	MustGeoFixture(t, store)
	url := MustServer(t, store, nil)

	t.Run("CSV", func(t *testing.T) {
		resp, body := MustGet(t, url+"/export/attacks.csv?facilityId=facility:ain-jalout-school,facility:geo-school", nil)
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][0] != "id" || rows[1][0] != "attack:ain-jalout-school-2013-08-06" {
			t.Fatalf("CSV rows: %v", rows)
		}
		// The dates, figures and places come from the store as it keeps them.
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		got := rows[1]
		if got[col["date_start"]] != "2013-08-06" || got[col["date_end"]] != "2013-08-06" || got[col["date_precision"]] != "DAY" {
			t.Errorf("the 2013 attack's date in the CSV: %v", got)
		}
		found := false
		for _, row := range rows[1:] {
			if row[col["id"]] == "attack:geo" {
				found = true
				if row[col["date_start"]] != "2015-03-02" || row[col["latitude"]] != "36.2" || row[col["location_precision"]] != "EXACT" {
					t.Errorf("the geo attack in the CSV: %v", row)
				}
			}
		}
		if !found {
			t.Errorf("no geo attack in the CSV: %v", rows)
		}
		for k, want := range map[string]string{"Content-Type": "text/csv; charset=utf-8",
			"Content-Disposition": `attachment; filename="attacks.csv"`} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
	})
	t.Run("GeoJSON", func(t *testing.T) {
		resp, body := MustGet(t, url+"/export/attacks.geojson?near=36.2,37.15,50", nil)
		var fc struct {
			Features []struct {
				Properties struct{ DateStart, DatePrecision, Date string }
			}
		}
		if err := json.Unmarshal(body, &fc); err != nil || len(fc.Features) != 1 || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("GeoJSON export: %v %v %s", err, fc, resp.Header.Get("Content-Type"))
		}
		if p := fc.Features[0].Properties; p.DateStart != "2015-03-02" || p.DatePrecision != "DAY" || p.Date != "2015-03-02" {
			t.Errorf("the geo attack's date in GeoJSON: %+v", p)
		}
		// Curated attacks belong to no dataset: filtering by one leaves them out, and none is withdrawn.
		_, none := MustGet(t, url+"/export/attacks.geojson?near=36.2,37.15,50&datasetId=dataset:ucdp-ged", nil)
		_, current := MustGet(t, url+"/export/attacks.geojson?near=36.2,37.15,50&withdrawn=false", nil)
		var a, b struct{ Features []any }
		if json.Unmarshal(none, &a) != nil || json.Unmarshal(current, &b) != nil || len(a.Features) != 0 || len(b.Features) != 1 {
			t.Errorf("datasetId and withdrawn: %s / %s", none, current)
		}
	})
	t.Run("a bad parameter is named, with status 400", func(t *testing.T) {
		for query, param := range map[string]string{
			"from=2014-13-01": "from", "to=yesterday": "to", "near=36.2,37.15": "near", "minKilled=many": "minKilled",
			"near=95,0,10": "near.latitude", "from=2015-01-01&to=2014-01-01": "to", "facilityType=SCHOOL,PLANET": "facilityType",
			"weapon=SPOON": "weapon", "attackType=TEA": "attackType", "minKilled=-1": "minKilled",
			"withdrawn=maybe": "withdrawn", "withdrawn=true&withdrawn=false": "withdrawn",
		} {
			resp, body := MustGet(t, url+"/export/attacks.csv?"+query, nil)
			var problem struct{ Error, Parameter string }
			_ = json.Unmarshal(body, &problem)
			if resp.StatusCode != http.StatusBadRequest || problem.Parameter != param || problem.Error == "" {
				t.Errorf("%s: %d %+v, want 400 naming %s", query, resp.StatusCode, problem, param)
			}
		}
	})
}
