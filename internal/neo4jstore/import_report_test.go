package neo4jstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// Import reports a file's problems of reading, its records' problems and its references to ids
// that neither it nor the database holds, all in one run, and writes nothing; a reference to a
// record of the database is not one of them.
func TestImport_ReportsEveryKindOfProblemInOnePass(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, &athar.Bundle{Records: []athar.Record{{Entity: &athar.Place{ID: "place:in-db", Name: "In DB", Kind: "CITY"}, Where: "place:in-db"}}}, neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := athar.ReadBundle(strings.NewReader(`{"format":"athar-bundle","version":2}
{"record":"attack","id":"attack:x","title":"X","date":{"start":"2014-02-30"},"location":{"latitude":"36.2","longitude":37.1,"precision":"EXACT"},"colour":"red","placeIds":["place:in-db","place:nowhere"]}
`))
	if err == nil || b == nil {
		t.Fatalf("reading: %v, want the bundle and its problems", err)
	}
	_, err = s.Import(ctx, b, neo4jstore.ImportOptions{DryRun: true})
	var ps athar.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	want := []string{
		"line 2 (attack:x).location.latitude: is a JSON string, want a number",
		"line 2 (attack:x).colour: is not a field of an attack (see docs/bundle-format.md)",
		`line 2 (attack:x).date.start: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)`,
		`line 2 (attack:x).placeIds[1]: no place has the id "place:nowhere"`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if n := neo4jtest.Count(t, "MATCH (a:Attack) RETURN count(a) AS n", nil); n != 0 {
		t.Errorf("%d attacks written by an invalid import", n)
	}
}

// Past the limit, Import keeps the first problems and counts the rest, unknown references too.
func TestImport_ProblemLimit(t *testing.T) {
	s := MustStore(t)
	var in strings.Builder
	in.WriteString(`{"format":"athar-bundle","version":2}` + "\n")
	for i := range 30 {
		fmt.Fprintf(&in, `{"record":"facility","id":"facility:f%d","name":"F","type":"SCHOOL","placeId":"place:missing-%d"}`+"\n", i, i)
	}
	b, err := athar.ReadBundleWith(strings.NewReader(in.String()), athar.ReadOptions{MaxProblems: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Import(context.Background(), b, neo4jstore.ImportOptions{})
	var report *athar.Report
	if !errors.As(err, &report) || len(report.Problems) != 5 || report.More != 25 {
		t.Fatalf("err = %v, want a report of 5 problems and 25 more", err)
	}
	if report.Problems[0].Error() != `line 2 (facility:f0).placeId: no place has the id "place:missing-0"` {
		t.Errorf("first problem %q", report.Problems[0].Error())
	}
}
