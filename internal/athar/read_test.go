package athar_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/athar/athartest"
)

const header = `{"format":"athar-bundle","version":2}`

// problemList returns the problems as "field: message" lines, for exact comparison.
func problemList(ps athar.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

func refList(refs []athar.Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Field+" -> "+r.ID)
	}
	return out
}

// checkExactly reads in, checks the bundle and compares every problem (reading and checking
// together, in order) and every reference left for the database with the lists wanted.
func checkExactly(t *testing.T, in string, opts athar.ReadOptions, wantProblems, wantRefs []string) *athar.Bundle {
	t.Helper()
	b, err := athar.ReadBundleWith(strings.NewReader(in), opts)
	if b == nil {
		t.Fatalf("no bundle: %v", err)
	}
	if (err != nil) != (len(b.ReadProblems.Problems) > 0) {
		t.Errorf("error %v with %d problems of reading", err, len(b.ReadProblems.Problems))
	}
	report, refs := b.Check()
	if got := problemList(report.Problems); !slices.Equal(got, wantProblems) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(wantProblems, "\n  "))
	}
	if got := refList(refs); !slices.Equal(got, wantRefs) {
		t.Errorf("references left for the database: %q, want %q", got, wantRefs)
	}
	return b
}

func TestReadBundle_EveryProblemInOnePass(t *testing.T) {
	records := "dataset, place, actor, facility, source, event, attack, claim"
	for _, c := range []struct {
		name     string
		in       string
		opts     athar.ReadOptions
		problems []string
		refs     []string
	}{
		{
			name: "a type error hides neither the record's other problems nor other records'",
			in: `{"format":"athar-bundle","version":2,"attacks":[
{"id":"attack:a","title":"A","date":{"start":"2014-02-30"},"location":{"latitude":"36.2","longitude":37.1,"precision":"EXACT"},"colour":"red","facilityIds":["facility:x",3]},
{"id":"attack:b","title":7,"date":{"start":2014},"summary":"S"}]}`,
			problems: []string{
				"attacks[0].location.latitude: is a JSON string, want a number",
				"attacks[0].colour: is not a field of an attack (see docs/bundle-format.md)",
				"attacks[0].facilityIds[1]: is a JSON number, want a string",
				"attacks[1].title: is a JSON number, want a string",
				"attacks[1].date.start: is a JSON number, want a string",
				`attacks[0].date.start: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)`,
			},
			refs: []string{"attacks[0].facilityIds[0] -> facility:x"},
		},
		{
			name: "unknown keys at their real path, nested ones too",
			in: `{"format":"athar-bundle","version":2,
"attacks":[{"id":"attack:a","title":"A","date":{"start":"2014","day":3},"location":{"latitude":36.2,"longitude":37.1,"precision":"EXACT","foo":1}}],
"claims":[{"id":"claim:a","attackId":"attack:a","sourceId":"source:s","kind":"CASUALTIES","text":"t","quote":"q","killed":{"low":1,"lo":2},"retracted":{"reason":"r","why":1}}]}`,
			problems: []string{
				"attacks[0].date.day: is not a field of a date (start, end, note)",
				"attacks[0].location.foo: is not a field of a location (latitude, longitude, precision)",
				"claims[0].killed.lo: is not a field of a count (low, best, high, min, max)",
				"claims[0].retracted.why: is not a field of a retraction (reason)",
			},
			refs: []string{"claims[0].sourceId -> source:s"},
		},
		{
			name: "keys given twice, at the top, in a record and in a value",
			in: `{"format":"athar-bundle","version":2,"version":1,
"places":[{"id":"place:a","name":"A","name":"B","kind":"CITY","location":{"latitude":1,"latitude":2,"longitude":3,"precision":"EXACT"}}],
"places":[{"id":"place:b","name":"B","kind":"CITY"}]}`,
			problems: []string{
				"version: is given twice: a bundle gives each of its members once",
				"places: is given twice: a bundle gives each of its members once",
				"places[0].name: is given twice: a record gives each field once",
				"places[0].location.latitude: is given twice: a location gives each field once",
			},
		},
		{
			name: "a byte-order mark before JSON",
			in:   "\xef\xbb\xbf" + `{"format":"athar-bundle","version":2,"places":[{"id":"place:a","name":"A","kind":"CITY"}]}`,
		},
		{
			name: "a byte-order mark before NDJSON",
			in:   "\xef\xbb\xbf" + header + "\n" + `{"record":"place","id":"place:a","name":"A","kind":"CITY"}` + "\n",
		},
		{
			name: "text after a JSON bundle is reported, not read as NDJSON",
			in: `{"format":"athar-bundle","version":2,"places":[{"id":"place:a","name":"A","kind":"CITY"}]}
{"record":"place","id":"place:b","name":"B","kind":"CITY"}`,
			problems: []string{
				"line 2: is text after the end of the bundle (column 1): a JSON bundle is one object, and NDJSON puts its header alone on the first line",
			},
		},
		{
			name: "text after a JSON bundle on its own line",
			in:   header + ` xyz`,
			problems: []string{
				"line 1: is text after the end of the bundle (column 39): a JSON bundle is one object, and NDJSON puts its header alone on the first line",
			},
		},
		{
			name: "NDJSON problems name the line and the record's id",
			in: header + "\n" +
				`{"record":"attack","id":"attack:x","title":"X","date":{"start":"2014-02-30"},"placeIds":["place:nowhere"]}` + "\n" +
				`{"record":"attack","title":"Y","date":{"start":"2014"},"colour":"red"}` + "\n",
			problems: []string{
				"line 3.colour: is not a field of an attack (see docs/bundle-format.md)",
				`line 2 (attack:x).date.start: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)`,
				"line 3.id: is required",
			},
			refs: []string{"line 2 (attack:x).placeIds[0] -> place:nowhere"},
		},
		{
			name: "NDJSON lines that are no record, and records that cannot be read whose ids still count",
			in: header + "\n" +
				"null\n" +
				"[1]\n" +
				`{"record":"place","id":"place:a","name":"A","kind":"CITY"} {"x":1}` + "\n" +
				`{"record":"place","id":"place:b","name":"B","kind":"CITY",` + "\n" +
				`{"record":"planet","id":"place:c"}` + "\n" +
				`{"id":"place:d"}` + "\n" +
				`{"record":7}` + "\n" +
				"nonsense\n" +
				`{"record":"place","record":"place","id":"place:e","name":"E","kind":"CITY","partOf":"place:b"}` + "\n" +
				`{"record":"facility","id":"facility:f","name":"F","type":"SCHOOL","placeId":"place:c"}` + "\n" +
				`{"record":"event","id":"event:g","name":"G","kind":"SIEGE","placeIds":["place:a","place:d","place:zz"]}` + "\n",
			problems: []string{
				"line 2: is null; want a record {\"record\":\"place\",\"id\":...} (record types: " + records + ")",
				"line 3: is a JSON list; want a record {\"record\":\"place\",\"id\":...} (record types: " + records + ")",
				"line 4 (place:a): holds more than one JSON value (column 59): a line holds one record",
				"line 5 (place:b): is not JSON: the text ends inside a JSON value (is it cut short?)",
				`line 6 (place:c).record: "planet" is not a record type (` + records + ")",
				"line 7 (place:d).record: is required: the record's type (" + records + ")",
				"line 8.record: is a JSON number, want a string: the record's type (" + records + ")",
				"line 9: is not JSON: invalid character 'o' in literal null (expecting 'u') (column 2)",
				"line 10 (place:e).record: is given twice: a record gives each field once",
			},
			refs: []string{"line 12 (event:g).placeIds[2] -> place:zz"},
		},
		{
			name: "a line longer than the limit is reported with its number and the limit, and the next lines read",
			in:   header + "\n" + `{"record":"place","id":"place:a","name":"` + strings.Repeat("A", 100) + `","kind":"CITY"}` + "\n" + `{"record":"place","id":"place:b","name":"B","kind":"PLANET"}`,
			opts: athar.ReadOptions{MaxLineBytes: 100},
			problems: []string{
				"line 2: is 157 bytes long; a line holds one record, at most 100 bytes",
				`line 3 (place:b).kind: "PLANET" is not one of [COUNTRY GOVERNORATE DISTRICT CITY TOWN VILLAGE NEIGHBOURHOOD REGION]`,
			},
		},
		{
			name: "the header's problems, in either form",
			in:   `{"format":7,"version":"2","planets":[],"places":{},"attacks":[null,7]}`,
			problems: []string{
				"format: is a JSON number, want a string",
				"version: is a JSON string, want a whole number",
				"planets: is not a list of this format (see docs/bundle-format.md)",
				"places: is a JSON object, want a list of place records",
				"attacks[0]: is null, want an attack record",
				"attacks[1]: is a JSON number, want an attack record (an object)",
			},
		},
		{
			name: "an NDJSON header over two lines, with a member too many",
			in: `{"format":"athar-bundle","version":3,` + "\n" + `"mode":"x"}` + "\n" +
				`{"record":"place","id":"place:a","name":"A","kind":"CITY"}`,
			problems: []string{
				`line 1.mode: is not a member of the header {"format":"athar-bundle","version":2}`,
				"line 1.version: is 3; this Athar reads versions 1 to 2",
			},
		},
		{
			name:     "a syntax error names its line and column",
			in:       `{"format":"athar-bundle","version":2,"places":[` + "\n" + `{"id":"place:b" "name":"B"}]}`,
			problems: []string{`line 2: is not JSON: invalid character '"' after object key:value pair (column 17)`},
		},
		{
			name:     "a file cut short",
			in:       `{"format":"athar-bundle","version":2,"places":[{"id":"place:a"`,
			problems: []string{"line 1: is not JSON: the text ends inside a JSON value (is it cut short?)"},
		},
		{
			name:     "an empty file",
			in:       "\xef\xbb\xbf \n",
			problems: []string{`not a JSON bundle: the file is empty; want a bundle {"format":"athar-bundle","version":2,...}`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkExactly(t, c.in, c.opts, c.problems, c.refs)
		})
	}
}

// A file with many bad records keeps only the first problems, and says how many more there were:
// neither reading nor checking holds them all.
func TestReadBundle_ProblemCap(t *testing.T) {
	var in strings.Builder
	in.WriteString(header + "\n")
	const n = 5000
	for i := range n {
		fmt.Fprintf(&in, `{"record":"place","id":"place:p%d","name":7,"kind":"CITY","colour":"red"}`+"\n", i)
	}
	b, err := athar.ReadBundleWith(strings.NewReader(in.String()), athar.ReadOptions{MaxProblems: 10})
	if len(b.Records) != n || len(b.ReadProblems.Problems) != 10 || b.ReadProblems.More != 2*n-10 {
		t.Fatalf("%d records, %d problems kept and %d more; want %d, 10 and %d", len(b.Records), len(b.ReadProblems.Problems), b.ReadProblems.More, n, 2*n-10)
	}
	var report *athar.Report
	if !errors.As(err, &report) {
		t.Fatalf("err = %T, want a *Report", err)
	}
	var ps athar.Problems
	if !errors.As(err, &ps) || len(ps) != 10 || ps[0].Error() != "line 2 (place:p0).name: is a JSON number, want a string" {
		t.Errorf("the kept problems are not found in the error: %v", ps)
	}
	if !strings.HasSuffix(err.Error(), "\n… and 9990 more problem(s), not listed: only the first 10 are kept") {
		t.Errorf("the error does not say how many more: %q", err.Error()[len(err.Error())-120:])
	}
	// Check goes on counting: the records' own problems (the names not read are not checked again)
	// add nothing here, and a duplicate id adds one.
	in.WriteString(`{"record":"place","id":"place:p0","name":"Again","kind":"CITY"}` + "\n")
	b, _ = athar.ReadBundleWith(strings.NewReader(in.String()), athar.ReadOptions{MaxProblems: 10})
	checked, _ := b.Check()
	if len(checked.Problems) != 10 || checked.More != 2*n-10+1 || checked.Len() != 2*n+1 {
		t.Errorf("checked: %d kept, %d more; want 10 and %d", len(checked.Problems), checked.More, 2*n-10+1)
	}
}

// Reading, in both forms, keeps the records that could be read, whatever the others' problems, and
// Validate (Check without a limit) reports the same problems as Check.
func TestReadBundle_KeepsWhatItCouldRead(t *testing.T) {
	b, err := athar.ReadBundle(strings.NewReader(header + "\n" +
		`{"record":"place","id":"place:a","name":"A","kind":"CITY","location":{"latitude":"north"}}` + "\n" +
		`{"record":"place","id":"place:b","name":"B","kind":"CITY","partOf":"place:a"}` + "\n"))
	if err == nil || len(b.Records) != 2 {
		t.Fatalf("err %v, %d records; want a problem and both records", err, len(b.Records))
	}
	problems, refs := b.Validate()
	report, refs2 := b.Check()
	if !slices.Equal(problemList(problems), problemList(report.Problems)) || len(refs) != 0 || len(refs2) != 0 {
		t.Errorf("Validate %v %v, Check %v %v", problems, refs, report.Problems, refs2)
	}
	if want := []string{"line 2 (place:a).location.latitude: is a JSON string, want a number"}; !slices.Equal(problemList(problems), want) {
		t.Errorf("problems %q, want %q", problemList(problems), want)
	}
}

// Every described field, filled (athartest.Graph), is read back by the field-by-field reader as it
// was written, in either form.
func TestReadBundle_EveryFieldRoundTrips(t *testing.T) {
	full, plain := athartest.Graph(true)
	b := &athar.Bundle{}
	for _, e := range append(full, plain...) {
		athar.Normalize(e)
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	b.Sort()
	for _, ndjson := range []bool{false, true} {
		var buf bytes.Buffer
		if err := b.Write(&buf, ndjson); err != nil {
			t.Fatal(err)
		}
		read, err := athar.ReadBundle(&buf)
		if err != nil {
			t.Fatalf("ndjson %v: %v", ndjson, err)
		}
		if len(read.Records) != len(b.Records) {
			t.Fatalf("ndjson %v: %d records, want %d", ndjson, len(read.Records), len(b.Records))
		}
		for i, r := range read.Records {
			got, _ := json.Marshal(r.Entity)
			want, _ := json.Marshal(b.Records[i].Entity)
			if !bytes.Equal(got, want) {
				t.Errorf("ndjson %v: %s read back as\n%s\nwant\n%s", ndjson, r.Where, got, want)
			}
		}
	}
}
