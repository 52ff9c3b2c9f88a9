package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestImport_DatasetFormats(t *testing.T) {
	ctx := context.Background()
	t.Run("a sample file of each format, validated against the database", func(t *testing.T) {
		neo4jtest.Wipe(t)
		for _, c := range []struct{ format, file, read string }{
			{"ucdp-ged", "ucdp-ged-sample.csv", "dataset:ucdp-ged (release 24.1): 23 rows, 23 events, 0 skipped, 1 with inconsistent figures"},
			{"acled", "acled-sample.csv", "dataset:acled (release 2021-04-14): 21 rows, 19 events, 2 skipped, 0 with inconsistent figures"},
		} {
			var out, errOut bytes.Buffer
			args := append([]string{"import", "--dry-run", "--format", c.format}, dbArgs(t)...)
			if c.format == "ucdp-ged" {
				args = append(args, "--release", "24.1")
			}
			if code := run(ctx, append(args, filepath.Join("..", "..", "data", "samples", c.file)), &out, &errOut); code != 0 {
				t.Fatalf("%s: exit %d: %s", c.format, code, errOut.String())
			}
			if !strings.Contains(out.String(), c.read) || !strings.Contains(out.String(), "validated (dry run, nothing written)") {
				t.Errorf("%s: output:\n%s", c.format, out.String())
			}
		}
		if n := neo4jtest.Count(t, "MATCH (a:Attack) RETURN count(a) AS n", nil); n != 0 {
			t.Errorf("%d attacks after a dry run", n)
		}
	})
	t.Run("both samples written, the second time changing nothing; standard input read with -", func(t *testing.T) {
		neo4jtest.Wipe(t)
		var firstDone time.Time
		for round := range 2 {
			for _, c := range []struct{ format, file string }{{"ucdp-ged", "ucdp-ged-sample.csv"}, {"acled", "acled-sample.csv"}} {
				var out, errOut bytes.Buffer
				args := append(append([]string{"import", "--format", c.format}, dbArgs(t)...), filepath.Join("..", "..", "data", "samples", c.file))
				if c.format == "acled" {
					// The same file through standard input.
					f, err := os.Open(args[len(args)-1])
					if err != nil {
						t.Fatal(err)
					}
					stdin := os.Stdin
					os.Stdin = f
					t.Cleanup(func() { os.Stdin = stdin; f.Close() })
					args[len(args)-1] = "-"
				}
				if code := run(ctx, args, &out, &errOut); code != 0 {
					t.Fatalf("%s: exit %d: %s", c.format, code, errOut.String())
				}
				if !strings.Contains(out.String(), "dataset:"+c.format+" (release") {
					t.Errorf("%s: output:\n%s", c.format, out.String())
				}
			}
			if n := neo4jtest.Count(t, "MATCH (a:Attack) RETURN count(a) AS n", nil); n != 23+19 {
				t.Errorf("%d attacks, want the 23 of UCDP's sample and the 19 of ACLED's", n)
			}
			if round == 0 {
				firstDone = time.Now().UTC()
			} else if n := neo4jtest.Count(t, "MATCH (n) WHERE n.updatedAt > $t RETURN count(n) AS n", map[string]any{"t": firstDone}); n != 0 {
				t.Errorf("importing the samples again changed %d nodes", n)
			}
		}
	})
	t.Run("the file's problems, each with its row and id, before any database", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "ged.csv")
		text := "id,type_of_violence,side_a,side_b,date_start,date_end,where_prec,latitude,longitude,country,best,low,high\n" +
			"1,3,Government of Syria,Civilians,2014-04-30,2014-04-30,1,abc,37.1,Syria,5,3,9\n" +
			"2,3,Government of Syria,Civilians,2014-04-31,2014-04-31,1,36.2,37.1,Syria,5,3,9\n"
		if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		// No database is named: the problems are found before one would be started.
		if code := run(ctx, []string{"import", "--format", "ucdp-ged", "--data-dir", t.TempDir(), bad}, &out, &errOut); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{`row 2 (id 1).latitude: "abc" is not a number`, `row 3 (id 2).date_start: "2014-04-31" is not a date that exists`} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
			}
		}
	})
	t.Run("flags that do not fit", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--format", "gtd", "x.csv"}, `--format: "gtd" is not a dataset format (ucdp-ged, acled)`},
			{[]string{"--release", "24.1", "x.json"}, "--release and --dataset apply to a dataset format"},
			{[]string{"--format", "acled", "--dataset", "ACLED!", "x.csv"}, "not a dataset slug"},
		} {
			file := filepath.Join(t.TempDir(), c.args[len(c.args)-1])
			if err := os.WriteFile(file, []byte("event_id_cnty\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"import", "--data-dir", t.TempDir()}, c.args[:len(c.args)-1]...), file)
			var out, errOut bytes.Buffer
			if code := run(ctx, args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, errOut.String(), c.want)
			}
		}
	})
}
