package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// quiet drops the request log of the servers the tests measure.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestLoadMix_QueriesAreValidAgainstTheSchema(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	for _, op := range loadMix {
		if op.path != "" {
			continue
		}
		if _, errs := gqlparser.LoadQuery(schema, op.query); len(errs) > 0 {
			t.Errorf("%s: %v", op.name, errs)
		}
	}
}

// loadIterations bounds the concurrent test: each client sends this many requests.
const loadIterations = 12

// Every kind of query the README shows, among them graph(depth: 2) over the facility whose attack
// and claims the other clients are editing, while they edit: nothing may fail. A read that meets a
// node deleted or changed under it (Neo4j reads committed data at each step) must not panic, and
// writes on the same attack must not fail as busy. Run it under the race detector with
//
//	go test -race ./internal/bench/ -run TestLoad_EveryQueryWhileOthersEdit
func TestLoad_EveryQueryWhileOthersEdit(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{
		GraphQL:  resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Logger: quiet}),
		Explorer: store, Pinger: store, QueryTimeout: time.Minute, Logger: quiet,
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := Load(ctx, LoadOptions{URL: srv.URL, Clients: 8, Requests: loadIterations, WriteShare: 0.4, Seed: 3, RunID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() > 0 {
		t.Errorf("%d requests failed:\n%s", rep.Failed(), LoadTable(rep))
	}
	if got, want := rep.Reads.Requests+rep.Writes.Requests, 8*loadIterations; got != want {
		t.Errorf("%d requests measured, want %d", got, want)
	}
	for _, op := range loadMix {
		if rep.ByOperation[op.name].Requests == 0 {
			t.Errorf("%s never ran:\n%s", op.name, LoadTable(rep))
		}
	}
}
