// Package fuzz_test fuzzes the URL query parser of the plain-HTTP exports. It stands apart from
// httpapi's own tests because their TestMain starts Neo4j, which every fuzzing worker process
// would then start again; the parser needs no database.
//
// Run longer with:
//
//	go test ./internal/httpapi/fuzz -run '^$' -fuzz FuzzParseExportQuery -fuzztime 5m
package fuzz_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
	"github.com/athar-project/athar/internal/httpapi"
)

// FuzzParseExportQuery reads any URL query as each export format would: it never panics, and
// every rejection is a 400 naming a parameter of the query with a message free of Go's words. An
// accepted filter holds to the domain's bounds.
func FuzzParseExportQuery(f *testing.F) {
	for _, seed := range []string{
		"", "facilityType=SCHOOL", "facilityTypes=SCHOOL", "from=2014-01-01&to=2016-12-31", "from=9999-01-01",
		"to=1899-12-31", "from=2014-02-30", "from=2016-01-01&to=2014-01-01", "minKilled=3000000000", "minKilled=-1",
		"minKilled=1000000", "minKilled=99999999999999999999999", "minKilled=0x10", "near=36.2,37.15,2000",
		"near=NaN,NaN,NaN", "near=1e400,0,1", "near=36.2,37.15", "near=,,", "near=36,37,0", "near=-90,-180,1000000",
		"facilityId=facility:a,facility:b&facilityId=facility:c", "placeId=,,,", "weapon=SPOON&attackType=TEA",
		"text=" + strings.Repeat("عين", 200), "text=%00%ff", "excel=true", "excel=maybe", "excel", "from=1&from=2",
		"%zz=1", "a=1&b=2&c=3", "FACILITYTYPE=SCHOOL", "sourceId=source:x&actorId=actor:y&placeId=place:z",
		"from=2014-01-01T00:00:00Z", "to=+2014-01-01", "near=36.2;37.15;10", "a;b=1", "facilityId=" + strings.Repeat("facility:a,", 101),
		"weapon=" + strings.Repeat("SPOON,", 500), strings.Repeat("x=1&", 10_001), strings.Repeat("unknown", 20) + "=1",
	} {
		f.Add(seed)
	}
	csv, err := export.Lookup("csv")
	if err != nil {
		f.Fatal(err)
	}
	geojson, err := export.Lookup("geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, malformed := url.ParseQuery(raw)
		for _, format := range []export.Format{csv, geojson} {
			filter, _, err := httpapi.ParseExportQuery(raw, format)
			if malformed != nil {
				if err == nil || athar.ErrorCode(err) != athar.EINVALID {
					t.Fatalf("%q is not well formed (%v), yet read: %v", raw, malformed, err)
				}
				continue
			}
			if err != nil {
				checkRejection(t, q, err)
				continue
			}
			if filter.MinKilled != nil && (*filter.MinKilled < 0 || *filter.MinKilled > athar.MaxCount) {
				t.Errorf("%q: minKilled %d accepted", raw, *filter.MinKilled)
			}
			for _, d := range []struct {
				name string
				y    int
				zero bool
			}{{"from", filter.Dates.From.Year(), filter.Dates.From.IsZero()}, {"to", filter.Dates.To.Year(), filter.Dates.To.IsZero()}} {
				if !d.zero && (d.y < athar.MinYear || d.y > athar.MaxYear()) {
					t.Errorf("%q: %s in the year %d accepted", raw, d.name, d.y)
				}
			}
		}
	})
}

// sentCut reports whether field is a parameter of q cut short for its length, as the parser names
// a parameter too long to repeat whole.
func sentCut(q url.Values, field string) bool {
	prefix, cut := strings.CutSuffix(field, "…")
	if !cut {
		return false
	}
	for name := range q {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// goWords are fragments of Go's own error texts and type names that no client may see.
var goWords = []string{"strconv.", "parsing time", "json:", "map[", "[]string", "*athar", "interface {", "runtime error", "invalid syntax"}

func checkRejection(t *testing.T, q url.Values, err error) {
	t.Helper()
	if code := athar.ErrorCode(err); httpapi.StatusCode(code) != http.StatusBadRequest {
		t.Fatalf("%v: code %s, want a client error (400)", q, code)
	}
	var ps athar.Problems
	var e *athar.Error
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &e):
		ps = athar.Problems{e}
	default:
		t.Fatalf("%v: %T is neither a problem nor problems", q, err)
	}
	for _, p := range ps {
		name, _, _ := strings.Cut(p.Field, ".")
		_, sent := q[p.Field]
		if _, prefix := q[name]; !sent && !prefix && !sentCut(q, p.Field) {
			t.Errorf("%v: problem %q names %q, not a parameter of the query", q, p.Message, p.Field)
		}
		if p.Message == "" {
			t.Errorf("%v: a problem with %s has no message", q, p.Field)
		}
		for _, w := range goWords {
			if strings.Contains(p.Message, w) {
				t.Errorf("%v: message %q carries Go's words (%q)", q, p.Message, w)
			}
		}
	}
}
