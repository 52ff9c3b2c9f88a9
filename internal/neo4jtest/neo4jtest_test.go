package neo4jtest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// unreachableURI is what a user might have exported for athar serve: if the helper honoured it,
// no test here could connect.
const unreachableURI = "bolt://127.0.0.1:1"

func TestMain(m *testing.M) {
	os.Setenv("NEO4J_URI", unreachableURI)
	os.Setenv("NEO4J_DATABASE", "users-own")
	os.Exit(Run(m))
}

func TestRun_IgnoresTheUsersDatabase(t *testing.T) {
	if URI == unreachableURI {
		t.Fatalf("the tests use NEO4J_URI %s", URI)
	}
	for _, name := range userVariables {
		if v, ok := os.LookupEnv(name); ok {
			t.Errorf("%s=%q is still in the environment of the commands under test", name, v)
		}
	}
	if n := Count(t, "RETURN 1 AS n", nil); n != 1 {
		t.Errorf("the test database answered %d", n)
	}
}

func TestTargetFrom(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	got := TargetFrom(env(map[string]string{"NEO4J_URI": "bolt://prod:7687", "NEO4J_USER": "admin", "NEO4J_PASSWORD": "secret"}))
	if got != (Target{}) {
		t.Errorf("with only NEO4J_* set: %+v, want the embedded Neo4j", got)
	}
	got = TargetFrom(env(map[string]string{"NEO4J_URI": "bolt://prod:7687", EnvURI: "bolt://test:7687", EnvPassword: "pw"}))
	if want := (Target{URI: "bolt://test:7687", User: "neo4j", Password: "pw"}); got != want {
		t.Errorf("with %s set: %+v, want %+v", EnvURI, got, want)
	}
}

func TestClaim_RefusesADatabaseWithDataAndNoMarker(t *testing.T) {
	ctx := context.Background()
	d := Driver(t)
	q := func(query string) {
		t.Helper()
		if _, err := neo4j.ExecuteQuery(ctx, d, query, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(Database)); err != nil {
			t.Fatal(err)
		}
	}
	Wipe(t)
	if n := Count(t, "MATCH (m:"+MarkerLabel+") RETURN count(m) AS n", nil); n != 1 {
		t.Fatalf("%d markers after Run, want 1", n)
	}
	if err := Claim(ctx, d, Database); err != nil {
		t.Fatalf("a marked database: %v", err)
	}

	// A user's database: data and no marker.
	q("MATCH (m:" + MarkerLabel + ") DELETE m")
	q("CREATE (:Facility:Entity {id: 'facility:users-own'})")
	t.Cleanup(func() {
		q("MATCH (n) DETACH DELETE n")
		if err := Claim(ctx, d, Database); err != nil {
			t.Error(err)
		}
	})
	if err := Claim(ctx, d, Database); !errors.Is(err, ErrNotATestDatabase) {
		t.Fatalf("a database with data and no marker: %v, want ErrNotATestDatabase", err)
	}
	if n := Count(t, "MATCH (n:Facility {id: 'facility:users-own'}) RETURN count(n) AS n", nil); n != 1 {
		t.Errorf("the refused database lost its data: %d nodes", n)
	}
	if n := Count(t, "MATCH (m:"+MarkerLabel+") RETURN count(m) AS n", nil); n != 0 {
		t.Errorf("the refused database was marked")
	}

	// An empty database becomes the tests' own.
	q("MATCH (n) DETACH DELETE n")
	if err := Claim(ctx, d, Database); err != nil {
		t.Fatalf("an empty database: %v", err)
	}
	if n := Count(t, "MATCH (m:"+MarkerLabel+") RETURN count(m) AS n", nil); n != 1 {
		t.Errorf("%d markers after claiming an empty database, want 1", n)
	}
}
