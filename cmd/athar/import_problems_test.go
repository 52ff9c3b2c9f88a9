package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/neo4jtest"
)

// One run of import (and of import --dry-run) reports a value of the wrong type, an unknown field,
// a date that does not exist and a reference to an id neither the file nor the database holds, and
// writes nothing.
func TestImport_ReportsEveryProblemInOnePass(t *testing.T) {
	neo4jtest.Wipe(t)
	file := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(file, []byte("\xef\xbb\xbf"+`{"format":"athar-bundle","version":2}
{"record":"place","id":"place:aleppo","name":"Aleppo","kind":"CITY","location":{"latitude":"36.2","longitude":37.15,"precision":"CENTROID"}}
{"record":"attack","id":"attack:x","title":"X","date":{"start":"2014-02-30"},"placeIds":["place:aleppo","place:nowhere"],"colour":"red"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `athar: 4 problem(s); nothing was written:
  line 2 (place:aleppo).location.latitude: is a JSON string, want a number
  line 3 (attack:x).colour: is not a field of an attack (see docs/bundle-format.md)
  line 3 (attack:x).date.start: "2014-02-30" is not a date that exists (want YYYY, YYYY-MM or YYYY-MM-DD)
  line 3 (attack:x).placeIds[1]: no place has the id "place:nowhere"
`
	for _, dry := range []bool{false, true} {
		args := append([]string{"import"}, dbArgs(t)...)
		if dry {
			args = append(args, "--dry-run")
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(args, file), &out, &errOut); code != 1 {
			t.Errorf("dry run %v: exit %d, want 1", dry, code)
		}
		if errOut.String() != want {
			t.Errorf("dry run %v: stderr:\n%s\nwant:\n%s", dry, errOut.String(), want)
		}
		if n := neo4jtest.Count(t, "MATCH (n) WHERE n:Place OR n:Attack RETURN count(n) AS n", nil); n != 0 {
			t.Errorf("dry run %v: %d records written by an invalid import", dry, n)
		}
	}
}

// A file whose problems need no database (it refers only to its own records) is refused before any
// is started or reached: here none could be. Past --max-problems, the rest are counted.
func TestImport_FileProblemsWithoutADatabase(t *testing.T) {
	var in strings.Builder
	in.WriteString(`{"format":"athar-bundle","version":2}` + "\n")
	for i := range 30 {
		fmt.Fprintf(&in, `{"record":"place","id":"place:p%d","name":7,"kind":"CITY"}`+"\n", i)
	}
	file := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"import", "--neo4j-uri", "bolt://127.0.0.1:1", "--max-problems", "2", file}, &out, &errOut)
	want := `athar: 30 problem(s); nothing was written:
  line 2 (place:p0).name: is a JSON number, want a string
  line 3 (place:p1).name: is a JSON number, want a string
  … and 28 more problem(s), not listed: only the first 2 are kept (--max-problems)
`
	if code != 1 || errOut.String() != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errOut.String(), want)
	}
	// With references to look up and no database to look them up in, the file's problems are still
	// reported, after a line that says what could not be checked.
	withRef := filepath.Join(t.TempDir(), "ref.ndjson")
	if err := os.WriteFile(withRef, []byte(`{"format":"athar-bundle","version":2}
{"record":"facility","id":"facility:f","name":7,"type":"SCHOOL","placeId":"place:elsewhere"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	code = run(context.Background(), []string{"import", "--neo4j-uri", "bolt://127.0.0.1:1", withRef}, &out, &errOut)
	got := errOut.String()
	if code != 1 || !strings.HasPrefix(got, "athar: 1 reference(s) to records the file does not hold were not looked up: ") ||
		!strings.HasSuffix(got, "athar: 1 problem(s); nothing was written:\n  line 2 (facility:f).name: is a JSON number, want a string\n") {
		t.Errorf("exit %d, stderr:\n%s", code, got)
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"import", "--max-problems", "0", file}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "--max-problems (ATHAR_IMPORT_MAX_PROBLEMS) must be at least 1") {
		t.Errorf("--max-problems 0: exit %d, %q", code, errOut.String())
	}
}

// When standard error is no terminal, the import logs a plain line with its figures every
// --progress-interval, and none at the end, where the summary follows.
func TestImportProgress_PlainLines(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := start
	p := newProgress(&buf, false, logger, 100_000, 5*time.Second, func() time.Time { return clock })
	for _, step := range []struct {
		after time.Duration
		done  int
	}{
		{1 * time.Second, 10_000},  // too soon after the start: nothing
		{5 * time.Second, 20_000},  // a line: 4,000 records/s, 80,000 left: 20 s
		{6 * time.Second, 30_000},  // too soon after the last line
		{11 * time.Second, 25_000}, // a batch that finished after a later one: nothing
		{12 * time.Second, 60_000}, // a line: 5,000 records/s, 40,000 left: 8 s
		{30 * time.Second, 100_000},
	} {
		clock = start.Add(step.after)
		p.update(step.done, 100_000)
	}
	p.finish()
	want := `level=INFO msg=importing done=20000 total=100000 percent=20 records_per_second=4000 left=20s
level=INFO msg=importing done=60000 total=100000 percent=60 records_per_second=5000 left=8s
`
	if buf.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), want)
	}
	// An interval of 0 shows nothing, and costs nothing to call.
	var none *importProgress = newImportProgress(&buf, logger, 10, 0)
	none.update(5, 10)
	none.finish()
}

// On a terminal the progress is one line drawn by the progress bar: records done of the total and
// records/s, cleared at the end.
func TestImportProgress_Bar(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true, slog.Default(), 200, time.Second, time.Now)
	if s := buf.String(); !strings.Contains(s, "importing   0% |") || !strings.Contains(s, "(0/200, ") {
		t.Errorf("the bar is not drawn when the writing starts: %q", s)
	}
	time.Sleep(150 * time.Millisecond) // the bar redraws at most every 100 ms
	p.update(50, 200)
	if s := buf.String(); !strings.Contains(s, "importing  25% |") || !strings.Contains(s, "(50/200, ") || !strings.Contains(s, " records/s) [") {
		t.Errorf("bar: %q", s)
	}
	p.finish()
	if s := buf.String(); !strings.HasSuffix(s, "\r") {
		t.Errorf("the bar is not cleared at the end: %q", s[max(0, len(s)-40):])
	}
}

// The plain lines reach the command's log when standard error is no terminal.
func TestImport_LogsProgress(t *testing.T) {
	neo4jtest.Wipe(t)
	file := filepath.Join(t.TempDir(), "places.ndjson")
	if err := os.WriteFile(file, []byte(`{"format":"athar-bundle","version":2}
{"record":"place","id":"place:a","name":"A","kind":"CITY"}
{"record":"place","id":"place:b","name":"B","kind":"CITY"}
{"record":"place","id":"place:c","name":"C","kind":"CITY"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := append(append([]string{"import"}, dbArgs(t)...), "--log-level", "info", "--batch-size", "1", "--progress-interval", "1ns", file)
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if n := strings.Count(errOut.String(), "msg=importing"); n != 2 || !strings.Contains(errOut.String(), "done=2 total=3 percent=66 records_per_second=") {
		t.Errorf("%d progress lines, want 2 (after the first and second of 3 batches):\n%s", n, errOut.String())
	}
}
