package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// floorDraws is how many draws of each query's variables the floors are checked on.
const floorDraws = 8

// TestMix_FloorsAnswerAsAtharDoes loads a small generated graph and, for each query of the mix and
// several draws of its variables, compares Athar's answer over HTTP with the floor's records,
// reduced to what both must agree on (ids in order, totals, figures): a floor that answers another
// question, or by other rules, would make its time mean nothing. Each query must also give a
// non-empty answer for some draw, so that the comparison is not of two empty answers.
func TestMix_FloorsAnswerAsAtharDoes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	store := neo4jtest.MustStore(t)
	size := DefaultSize.Scaled(0.003)
	if _, err := store.Import(ctx, Generate(size, 5), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{
		GraphQL:  resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Logger: quiet}),
		Explorer: store, Pinger: store, QueryTimeout: time.Minute, Logger: quiet,
	}))
	defer srv.Close()
	for i, q := range Mix {
		t.Run(q.Name, func(t *testing.T) {
			answered := false
			for draw := range floorDraws {
				vars := q.Vars(rand.New(rand.NewPCG(uint64(i), uint64(draw))), size)
				if near, ok := nearAFacility(t, ctx, q, draw); ok {
					vars = near
				}
				data := graphQLData(t, srv.URL+"/graphql", q.GraphQL, vars)
				res, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), q.Floor, q.FloorParams(vars), neo4j.EagerResultTransformer,
					neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
				if err != nil {
					t.Fatalf("floor: %v", err)
				}
				want, got := q.Answer(data), q.FloorAnswer(res.Records)
				if got != want {
					t.Errorf("variables %v: the floor answers\n%s\nwhere Athar answers\n%s\n(first difference at line %d)", vars, got, want, firstDifference(got, want))
				}
				answered = answered || !emptyAnswer(want)
			}
			if !answered {
				t.Errorf("no draw of %d gave a non-empty answer: the comparison proves nothing", floorDraws)
			}
		})
	}
}

// nearAFacility gives the query of facilities near a point, whose random points miss the few
// facilities of a small graph, a point 300 m or so off a facility of its own (the draw-th by id).
func nearAFacility(t *testing.T, ctx context.Context, q Query, draw int) (map[string]any, bool) {
	if !strings.Contains(q.GraphQL, "nearby(") {
		return nil, false
	}
	res, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), `MATCH (f:Facility) WHERE f.location IS NOT NULL
RETURN f.location AS p ORDER BY f.id SKIP $draw LIMIT 1`, map[string]any{"draw": int64(draw)}, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
	if err != nil || len(res.Records) == 0 {
		t.Fatalf("no facility with a location: %v", err)
	}
	p := col(res.Records[0], "p").(neo4j.Point2D)
	return map[string]any{"lat": p.Y + 0.002, "lon": p.X + 0.002}, true
}

// emptyAnswer reports whether an essence says there is nothing: no lines, no items, a total of 0.
func emptyAnswer(s string) bool {
	switch s {
	case "", "[]", "0", "total 0", "truncated":
		return true
	}
	return false
}

func firstDifference(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// graphQLData posts a query and returns its data, failing the test on any error.
func graphQLData(t *testing.T, url, query string, vars map[string]any) any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   any
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	if len(out.Errors) > 0 {
		t.Fatalf("variables %v: %s", vars, out.Errors[0].Message)
	}
	return out.Data
}
