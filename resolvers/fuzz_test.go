package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// FuzzGraphQLRequest sends query texts and variables through Athar's whole HTTP handler over the
// seeded database: no request may panic, run past the request's deadline, or fail as anything but
// the client's mistake (never a 5xx status, never INTERNAL, never a Go type's name or a Cypher text
// in a coded error's message).
//
// As a test it runs the seeds below; to search further:
//
//	go test ./resolvers/ -run '^$' -fuzz FuzzGraphQLRequest -fuzztime 10m
func FuzzGraphQLRequest(f *testing.F) {
	introspection, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		f.Fatal(err)
	}
	var fragments strings.Builder
	fragments.WriteString("query { ...F40 }\n")
	fragments.WriteString(`fragment F1 on Query { search(query: "a") { totalCount } }` + "\n")
	for i := 2; i <= 40; i++ {
		fmt.Fprintf(&fragments, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	seeds := []struct{ query, vars string }{
		{string(introspection), `{}`},
		{fragments.String(), `{}`},
		{`{ facility(id: "facility:ain-jalout-school") { name attacks { nodes { id claims { nodes { quote } } } } } }`, `{}`},
		{`query ($n: Int) { attacks(first: $n) { totalCount } }`, `{"n": 3000000000}`},
		{`query ($n: Int) { attacks(first: $n) { totalCount } }`, `{"n": "5"}`},
		{`query ($n: Int) { attacks(first: $n) { totalCount } }`, `{"n": 1e400}`},
		{`query ($f: AttackFilter) { attacks(filter: $f) { totalCount } }`, `{"f": {"minKilled": -1, "text": "مدرسة"}}`},
		{`query ($f: AttackFilter) { attacks(filter: $f) { totalCount } }`, `{"f": [[[[{}]]]]}`},
		{`mutation ($in: CreatePlaceInput!) { createPlace(input: $in) { place { id } userErrors { field } } }`, `{"in": {"name": 5, "kind": "CITY"}}`},
		{`mutation ($in: CreatePlaceInput!) { createPlace(input: $in) { place { id } userErrors { field } } }`, `{"in": {"name": "x", "kind": "CITY", "location": {"latitude": 1e308, "longitude": -1e308, "precision": "EXACT"}}}`},
		{`query ($q: String!) { search(query: $q) { totalCount nodes { id } } }`, `{"q": "\u0000' RETURN 1 //"}`},
		{`{ nodes(ids: ["facility:a", "", ":", "x:y:z"]) { id } }`, `{}`},
		{`{ graph(ids: ["facility:ain-jalout-school"], depth: 3, limit: 2000) { nodes { id } } }`, `{}`},
		{`{ attacks(filter: {minKilled: 3000000000}) { totalCount } }`, `{}`},
		{`{ a: __typename b: __typename ... on Query { a: __typename } }`, `{}`},
		{`{ ...A } fragment A on Query { ...A }`, `{}`},
		{`{ timeline(interval: YEAR) { start attacks killedLow killedHigh } }`, `{}`},
		{`{ day(date: "2016-02-30") { attacks { totalCount } } }`, `{}`},
		{strings.Repeat("{", 500), `{}`},
		{`{ __type(name: "Query") { fields { name } } }`, `null`},
		{`"""` + strings.Repeat(`\"""`, 50) + `"""`, `[]`},
		{`query ($b: Boolean!) { attack(id: "x") @include(if: $b) { id } }`, `{"b": "yes"}`},
	}
	for _, s := range seeds {
		f.Add(s.query, s.vars)
	}
	store := neo4jtest.MustStore(f)
	neo4jtest.MustSeed(f, store)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler := httpapi.NewServer(httpapi.Config{
		GraphQL: resolvers.NewGraphQLHandler(resolvers.Config{
			Reader: store, Curator: store, Explorer: store, Changes: store, Accounts: store, Remover: store, Logger: logger, Introspection: true,
		}),
		Explorer: store, Pinger: store, Logger: logger, QueryTimeout: 20 * time.Second,
	})
	f.Fuzz(func(t *testing.T, query, vars string) {
		body, err := json.Marshal(map[string]any{"query": query, "variables": json.RawMessage(validJSON(vars))})
		if err != nil {
			t.Skip()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			handler.ServeHTTP(rec, req)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatalf("no answer in a minute to\n%q\nvariables %q", query, vars)
		}
		if rec.Code >= 500 {
			t.Fatalf("status %d to %q: %s", rec.Code, query, rec.Body)
		}
		var resp gqlResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("answer is not JSON (%v): %s", err, rec.Body)
		}
		for _, e := range resp.Errors {
			if e.Extensions["code"] == resolvers.CodeInternal {
				t.Errorf("INTERNAL error %+v to\n%q\nvariables %q", e, query, vars)
			}
			if e.Extensions["code"] == nil {
				// The transport's own answer to a body it cannot decode (no code): the
				// GraphQL-over-HTTP handling, not the request reader, words it.
				continue
			}
			for _, leak := range []string{"json.Number", "float64", "int64", "map[string]", "neo4j.", "MATCH ", "goroutine"} {
				if strings.Contains(e.Message, leak) {
					t.Errorf("message %q carries %q, to %q", e.Message, leak, query)
				}
			}
		}
	})
}

// validJSON returns s when it is JSON, and null otherwise: the fuzzer's variables are JSON texts.
func validJSON(s string) string {
	if json.Valid([]byte(s)) {
		return s
	}
	return "null"
}
