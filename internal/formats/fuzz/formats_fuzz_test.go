// Package fuzz_test fuzzes the dataset readers. It stands apart from the formats package's own
// tests because their TestMain starts Neo4j, which every fuzzing worker process would then start
// again; the readers need no database.
//
// Run longer with:
//
//	go test ./internal/formats/fuzz -run '^$' -fuzz FuzzReadUCDPGED -fuzztime 5m
package fuzz_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/formats"
)

// fuzzFormat reads any text in a format: it never panics; a refusal is a problem of the file
// naming a row or the format, in words free of Go's; a bundle read refers to nothing outside it,
// any problem its validation finds names a row, and its claims have quotes.
func fuzzFormat(f *testing.F, name string, seeds ...string) {
	format, err := formats.Lookup(name)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		res, err := format.Read(strings.NewReader(text), formats.Options{})
		if err != nil {
			var ps athar.Problems
			var e *athar.Error
			switch {
			case errors.As(err, &ps):
			case errors.As(err, &e):
				ps = athar.Problems{e}
			default:
				t.Fatalf("error %v is not a problem of the file", err)
			}
			for _, p := range ps {
				if p.Field == "" || !(p.Field == name || strings.HasPrefix(p.Field, "row ")) {
					t.Errorf("problem %q names neither a row nor the format", p.Error())
				}
				if strings.Contains(p.Message, "strconv") || strings.Contains(p.Message, "*csv") {
					t.Errorf("problem %q speaks Go", p.Error())
				}
			}
			return
		}
		problems, unresolved := res.Bundle.Validate()
		if len(unresolved) > 0 {
			t.Fatalf("a bundle read refers outside itself: %v", unresolved)
		}
		for _, p := range problems {
			if !strings.HasPrefix(p.Field, "row ") {
				t.Errorf("a problem of the bundle read names no row: %v", p)
			}
		}
		if res.Rows != res.Events+res.Skipped {
			t.Errorf("rows %d, events %d, skipped %d", res.Rows, res.Events, res.Skipped)
		}
		for _, r := range res.Bundle.Records {
			if c, ok := r.Entity.(*athar.Claim); ok && strings.TrimSpace(c.Quote) == "" {
				t.Errorf("%s has no quote", c.ID)
			}
		}
	})
}

func sampleLines(f *testing.F, name string, n int) string {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "data", "samples", name))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

func FuzzReadUCDPGED(f *testing.F) {
	header := "id,type_of_violence,side_a,side_b,date_start,date_end,where_prec,latitude,longitude,country,best,low,high\n"
	fuzzFormat(f, "ucdp-ged", sampleLines(f, "ucdp-ged-sample.csv", 3), "",
		header+"1,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,36.2,37.1,Syria,5,3,9\n",
		header+"1,1,عين جالوت,\"b\nc\",2014-04-30 00:00:00.000,2014-05-30,5,-90,180,سوريا,5,9,3\n",
		"\xEF\xBB\xBF"+header+"x,9,,,2014-13-01,,8,abc,,,-1,1.5,\n")
}

func FuzzReadACLED(f *testing.F) {
	header := "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,location,latitude,longitude,geo_precision,fatalities,notes,civilian_targeting\n"
	fuzzFormat(f, "acled", sampleLines(f, "acled-sample.csv", 4), "",
		header+"SYR1,30 April 2014,2,Explosions/Remote violence,Chemical weapon,Military Forces of Syria (2000-),1,Civilians (Syria),7,Syria,Aleppo,Aleppo - Ansari,36.2,37.1,1,3,chlorine and sarin,Civilian targeting\n",
		header+"SYR2,2014-04-30,3,Protests,Peaceful protest,Protesters (Syria),6,,,Syria,,,36.2,37.1,3,0,,\n",
		header+"SYR3,2014-04-30,1,Battles,Armed clash,a; b,State forces,c,Rebel group,Syria, - ,x - ,1,2,2,1,,\n")
}
