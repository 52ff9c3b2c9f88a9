package bench

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
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
