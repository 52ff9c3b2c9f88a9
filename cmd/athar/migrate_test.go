package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/neo4jtest"
)

// mustFreshDatabase empties the test database of data, migration records, constraints and indexes
// (all but Neo4j's own lookup indexes), as if no Athar had used it.
func mustFreshDatabase(t *testing.T) {
	t.Helper()
	neo4jtest.Wipe(t)
	q := func(query string) []*neo4j.Record {
		t.Helper()
		res, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), query, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return res.Records
	}
	for _, rec := range q("SHOW CONSTRAINTS YIELD name RETURN name") {
		name, _ := rec.Get("name")
		q("DROP CONSTRAINT `" + name.(string) + "` IF EXISTS")
	}
	for _, rec := range q("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name") {
		name, _ := rec.Get("name")
		q("DROP INDEX `" + name.(string) + "` IF EXISTS")
	}
}

func TestMigrate_CLI(t *testing.T) {
	mustFreshDatabase(t)
	ctx := context.Background()
	migrate := func(t *testing.T, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, append(append([]string{"migrate"}, args...), dbArgs(t)...), &out, &errOut); code != 0 {
			t.Fatalf("migrate %v exited %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	// rows returns the lines of a status table after its header.
	rows := func(t *testing.T, table string) []string {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
		if !regexp.MustCompile(`^version +name +applied at$`).MatchString(lines[0]) {
			t.Fatalf("table header %q", lines[0])
		}
		return lines[1:]
	}

	t.Run("status of a fresh database: every migration pending", func(t *testing.T) {
		out := migrate(t, "--status")
		rs := rows(t, out)
		if len(rs) == 0 || !regexp.MustCompile(`^1 +initial schema +pending$`).MatchString(rs[0]) {
			t.Errorf("status:\n%s", out)
		}
		for _, r := range rs {
			if !strings.HasSuffix(r, " pending") {
				t.Errorf("not pending on a fresh database: %q", r)
			}
		}
		if n := neo4jtest.Count(t, "SHOW CONSTRAINTS YIELD name RETURN count(*) AS n", nil); n != 0 {
			t.Errorf("--status created %d constraints; it must change nothing", n)
		}
	})
	t.Run("migrate applies them", func(t *testing.T) {
		out := migrate(t)
		if !regexp.MustCompile(`(?m)^1 +initial schema +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(out) || !strings.Contains(out, "migration(s) applied") {
			t.Errorf("migrate:\n%s", out)
		}
	})
	t.Run("status lists them applied, with the time", func(t *testing.T) {
		out := migrate(t, "--status")
		applied := regexp.MustCompile(`^\d+ +.+ +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
		for _, r := range rows(t, out) {
			if !applied.MatchString(r) {
				t.Errorf("not applied: %q", r)
			}
		}
	})
	t.Run("migrate again applies nothing", func(t *testing.T) {
		if out := migrate(t); out != "nothing to apply: the database is up to date\n" {
			t.Errorf("second migrate:\n%s", out)
		}
	})
	t.Run("a migration of a newer Athar is listed and refused", func(t *testing.T) {
		exec := func(query string) {
			t.Helper()
			if _, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), query, nil, neo4j.EagerResultTransformer,
				neo4j.ExecuteQueryWithDatabase(neo4jtest.Database)); err != nil {
				t.Fatal(err)
			}
		}
		exec("CREATE (:AtharMigration {version: 1000, name: 'from the future', appliedAt: datetime()})")
		defer exec("MATCH (m:AtharMigration {version: 1000}) DELETE m")
		out := migrate(t, "--status")
		if !regexp.MustCompile(`(?m)^1000 +from the future +\S+Z +unknown to this Athar$`).MatchString(out) ||
			!strings.HasSuffix(out, "1 migration(s) applied by a newer Athar: this one will not migrate the database\n") {
			t.Errorf("status:\n%s", out)
		}
		var errOut bytes.Buffer
		if code := run(ctx, append([]string{"migrate"}, dbArgs(t)...), io.Discard, &errOut); code != 1 ||
			!strings.Contains(errOut.String(), "migration 1000 (from the future)") {
			t.Errorf("migrate exited %d: %s", code, errOut.String())
		}
	})
}

func TestUsage_ListsMigrate(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, &out); code != 0 {
		t.Fatalf("help exited %d", code)
	}
	if !strings.Contains(out.String(), "athar migrate      apply") || !strings.Contains(out.String(), "--status") {
		t.Errorf("usage does not list athar migrate:\n%s", out.String())
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "extra"}, &out, &errOut); code != 2 {
		t.Errorf("migrate with an argument exited %d, want 2", code)
	}
}
