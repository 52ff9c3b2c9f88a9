package bench

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestGenerate_IsAValidBundleOfTheSizeAsked(t *testing.T) {
	size := DefaultSize.Scaled(0.002)
	b := Generate(size, 7)
	if len(b.Records) != size.Records() {
		t.Errorf("%d records, want %d", len(b.Records), size.Records())
	}
	problems, unresolved := b.Validate()
	for _, p := range problems[:min(5, len(problems))] {
		t.Error(p)
	}
	for _, r := range unresolved[:min(5, len(unresolved))] {
		t.Errorf("%s: %q is not in the bundle", r.Field, r.ID)
	}
	again := Generate(size, 7)
	if again.Records[len(again.Records)-1].Entity.EntityID() != b.Records[len(b.Records)-1].Entity.EntityID() {
		t.Error("the same seed gave another graph")
	}
}

func TestMix_QueriesAreValidAgainstTheSchema(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, q := range Mix {
		if _, errs := gqlparser.LoadQuery(schema, q.GraphQL); len(errs) > 0 {
			t.Errorf("%s: %v", q.Name, errs)
		}
		if q.Vars(r, DefaultSize) == nil || q.FloorParams(q.Vars(r, DefaultSize)) == nil {
			t.Errorf("%s: no variables or floor parameters", q.Name)
		}
	}
}

// TestMix_FloorsRunOnNeo4j runs every hand-written floor on the seeded database, so that a floor
// that Neo4j refuses is found by the tests, not by a run of athar bench.
func TestMix_FloorsRunOnNeo4j(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	r := rand.New(rand.NewPCG(1, 2))
	for _, q := range Mix {
		if _, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), q.Floor, q.FloorParams(q.Vars(r, DefaultSize)),
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database)); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
}
