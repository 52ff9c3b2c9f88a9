package resolvers

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/athar-project/athar/graph"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// exponentialFragments returns a document of n fragments, each spreading the one before twice:
// written out it selects 2^(n-1) search fields.
func exponentialFragments(n int) string {
	var b strings.Builder
	b.WriteString("query { ...F" + fmt.Sprint(n) + " }\n")
	b.WriteString(`fragment F1 on Query { search(query: "a") { totalCount } }` + "\n")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// documentFigures measures a document as the limits count it.
func documentFigures(t testing.TB, query string) (bytes, tokens int, counts documentCounts) {
	t.Helper()
	lex := lexer.New(&ast.Source{Input: query})
	for {
		tok, err := lex.ReadToken()
		if err != nil {
			t.Fatalf("%v in\n%s", err, query)
		}
		if tok.Kind == lexer.EOF {
			break
		}
		tokens++
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("%v in\n%s", err, query)
	}
	return len(query), tokens, countDocument(doc)
}

// TestCountDocument_FragmentsCountedOnceEach counts the fragments of a document whose fragments,
// written out, select 2^39 fields: each fragment is counted once (the counts are exact, and this
// test ends), and the limits refuse it by its fields.
func TestCountDocument_FragmentsCountedOnceEach(t *testing.T) {
	q := exponentialFragments(40)
	if len(q) > 2000 {
		t.Fatalf("the document is %d bytes, want a small one", len(q))
	}
	_, _, n := documentFigures(t, q)
	// Each copy of F1 has 2 fields; F40 holds 2^39 copies of it and 2^40-2 spreads, plus the one
	// of the operation.
	if want := 2 << 39; n.fields != want {
		t.Errorf("fields = %d, want %d", n.fields, want)
	}
	if want := 1 << 40; n.spreads != min(want-1, countCeiling) {
		t.Errorf("spreads = %d, want %d", n.spreads, want-1)
	}
	if n.depth != 2 {
		t.Errorf("depth = %d, want 2", n.depth)
	}
	l := Limits{}
	l.defaults()
	_, err := documentLimits{limits: l, depth: DefaultDepthLimit}.check(q)
	if err == nil || err.Extensions["limit"] != "maxFields" {
		t.Fatalf("error %v, want the fields limit", err)
	}

	t.Run("a cycle and an unknown fragment count nothing", func(t *testing.T) {
		_, _, n := documentFigures(t, `{ ...A ...Missing } fragment A on Query { a ...B } fragment B on Query { b ...A }`)
		if n.fields != 2 || n.spreads != 4 {
			t.Errorf("counts %+v, want 2 fields and 4 spreads", n)
		}
	})
	t.Run("counts saturate instead of overflowing", func(t *testing.T) {
		_, _, n := documentFigures(t, exponentialFragments(120))
		if n.fields != countCeiling || n.spreads != countCeiling {
			t.Errorf("counts %+v, want %d", n, countCeiling)
		}
	})
}

// BenchmarkDocumentLimits_ExponentialFragments measures how long the limits take to refuse the
// document of 40 fragments each spreading the one before twice.
func BenchmarkDocumentLimits_ExponentialFragments(b *testing.B) {
	q := exponentialFragments(40)
	l := Limits{}
	l.defaults()
	d := documentLimits{limits: l, depth: DefaultDepthLimit}
	for b.Loop() {
		if _, err := d.check(q); err == nil {
			b.Fatal("not refused")
		}
	}
}

// TestLimits_DefaultsLetEveryExampleRun measures the playground's schema query and every GraphQL
// example of the README as the limits count them, and checks that each is within the defaults with
// room to spare (at least twice over), as the defaults' documentation says.
func TestLimits_DefaultsLetEveryExampleRun(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	introspection, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{"playground schema query": string(introspection)}
	for i, ex := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		docs[fmt.Sprintf("README example %d", i+1)] = ex[1]
	}
	l := Limits{}
	l.defaults()
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	costs := newCostLimit(schema, DefaultComplexityLimit, DefaultRoundTripCost, DefaultSearchCost)
	var most struct{ bytes, tokens, fields, aliases, spreads, depth, cost int }
	for name, q := range docs {
		bytes, tokens, n := documentFigures(t, q)
		doc, errs := gqlparser.LoadQuery(schema, q)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		cost := costs.Cost(doc.Operations[0], nil)
		most.cost = max(most.cost, cost)
		t.Logf("%s: %d bytes, %d tokens, %d fields, %d aliases, %d spreads, depth %d, cost %d", name, bytes, tokens, n.fields, n.aliases, n.spreads, n.depth, cost)
		most.bytes, most.tokens = max(most.bytes, bytes), max(most.tokens, tokens)
		most.fields, most.aliases = max(most.fields, n.fields), max(most.aliases, n.aliases)
		most.spreads, most.depth = max(most.spreads, n.spreads), max(most.depth, n.depth)
	}
	for _, c := range []struct {
		name        string
		most, limit int
	}{
		{"bytes", most.bytes, l.MaxQueryBytes}, {"tokens", most.tokens, l.MaxTokens},
		{"fields", most.fields, l.MaxFields}, {"aliases", most.aliases, l.MaxAliases},
		{"fragment spreads", most.spreads, l.MaxFragmentSpreads}, {"depth", most.depth, DefaultDepthLimit},
		{"cost", most.cost, DefaultComplexityLimit},
	} {
		if c.most*2 > c.limit && c.name != "depth" && c.name != "cost" {
			t.Errorf("%s: the largest example has %d, the default limit is %d: less than twice over", c.name, c.most, c.limit)
		}
		if c.most > c.limit {
			t.Errorf("%s: the largest example has %d, over the default limit %d", c.name, c.most, c.limit)
		}
	}
}

// BenchmarkDocumentLimits_AliasedSearches measures how long the limits take to refuse 5,000 aliased
// searches (190 KB): the lexer stops at the first alias over the limit.
func BenchmarkDocumentLimits_AliasedSearches(b *testing.B) {
	var q strings.Builder
	q.WriteString("{ ")
	for i := range 5000 {
		fmt.Fprintf(&q, "s%d: search(query: \"a\") { totalCount } ", i)
	}
	q.WriteString("}")
	l := Limits{MaxQueryBytes: 1 << 20}
	l.defaults()
	d := documentLimits{limits: l, depth: DefaultDepthLimit}
	for b.Loop() {
		if _, err := d.check(q.String()); err == nil || err.Extensions["limit"] != "maxAliases" {
			b.Fatalf("refused by %v, want maxAliases", err)
		}
	}
}

// BenchmarkDocumentLimits_PlaygroundSchemaQuery measures the checks of a document that passes them:
// the playground's schema query, lexed, parsed and counted.
func BenchmarkDocumentLimits_PlaygroundSchemaQuery(b *testing.B) {
	q, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		b.Fatal(err)
	}
	l := Limits{}
	l.defaults()
	d := documentLimits{limits: l, depth: DefaultDepthLimit}
	for b.Loop() {
		if _, err := d.check(string(q)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryCost_READMEDeepestExample measures counting the cost of the README's deepest
// example once it is validated.
func BenchmarkQueryCost_READMEDeepestExample(b *testing.B) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, `{ facility(id: "facility:ain-jalout-school") { name attacks { nodes { id
	  claims { nodes { quote source { title publishedBy { name } } claimedBy { name } } }
	  casualties { killed { low high claims sources independentSources } }
	  attributions { actor { name } sources { title } } } } } }`)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	c := newCostLimit(schema, DefaultComplexityLimit, DefaultRoundTripCost, DefaultSearchCost)
	for b.Loop() {
		if c.Cost(doc.Operations[0], nil) == 0 {
			b.Fatal("no cost")
		}
	}
}
