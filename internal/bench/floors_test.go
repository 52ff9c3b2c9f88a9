package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
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

// TestRun_ReportsEachConcurrencyAndWhereTheTimeGoes runs two queries of the mix at 1 and 2 clients
// on a small generated graph: every level is measured for Athar and the floor, Neo4j's own
// statistics account for the queries each request sent (as many as the server counted) and for
// their execution time, and the first request after the plan cache was cleared paid for planning.
func TestRun_ReportsEachConcurrencyAndWhereTheTimeGoes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	store := neo4jtest.MustStore(t)
	size := DefaultSize.Scaled(0.002)
	if _, err := store.Import(ctx, Generate(size, 3), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{
		GraphQL: resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Logger: quiet,
			ReportRoundTrips: true}),
		Explorer: store, Pinger: store, QueryTimeout: time.Minute, Logger: quiet,
	}))
	defer srv.Close()
	wanted := []string{"facility with attacks and claims", "count of attacks over most of the years"}
	rep, err := Run(ctx, Options{URL: srv.URL + "/graphql", Driver: neo4jtest.Driver(t), Database: neo4jtest.Database, Size: size,
		Clients: []int{1, 2}, Requests: 6, Warmup: 2, Seed: 1, Only: func(name string) bool { return slices.Contains(wanted, name) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(wanted) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(wanted))
	}
	if rep.RoundTrip <= 0 {
		t.Errorf("a bare round trip took %v", rep.RoundTrip)
	}
	for _, r := range rep.Results {
		if len(r.Levels) != 2 || r.Levels[0].Clients != 1 || r.Levels[1].Clients != 2 {
			t.Fatalf("%s: levels %+v, want 1 and 2 clients", r.Query, r.Levels)
		}
		for _, lv := range r.Levels {
			for side, s := range map[string]Stats{"Athar": lv.Athar, "floor": lv.Floor} {
				if s.Requests != 6 || s.Errors != 0 || s.P50 <= 0 || s.P95 < s.P50 || s.Mean <= 0 {
					t.Errorf("%s, %d clients, %s: %+v (%s%s)", r.Query, lv.Clients, side, s, lv.FirstErrorMsg, lv.FloorErrorMsg)
				}
				if s.Neo4j <= 0 || s.Neo4j > s.Mean*time.Duration(lv.Clients)*4 {
					t.Errorf("%s, %d clients, %s: Neo4j's time %v per request of %v", r.Query, lv.Clients, side, s.Neo4j, s.Mean)
				}
			}
			if lv.Floor.Queries != 1 {
				t.Errorf("%s: Neo4j counted %.2f queries per floor request, want 1", r.Query, lv.Floor.Queries)
			}
			if lv.Athar.RoundTrips < 1 || lv.Athar.Queries != lv.Athar.RoundTrips {
				t.Errorf("%s: Neo4j counted %.2f queries per request, the server %.2f round trips", r.Query, lv.Athar.Queries, lv.Athar.RoundTrips)
			}
		}
		if r.Cold.AtharPlanning <= 0 || r.Cold.FloorPlanning <= 0 || r.Cold.AtharQueries < 1 {
			t.Errorf("%s: the first request after clearing the plan cache: %+v", r.Query, r.Cold)
		}
		if r.Cold.FloorPlanning < r.Levels[0].Floor.Planning {
			t.Errorf("%s: planning the floor afresh took %v, less than a cached plan's %v", r.Query, r.Cold.FloorPlanning, r.Levels[0].Floor.Planning)
		}
	}
	table := Table(rep)
	for _, want := range []string{"1 client:", "2 clients:", "Where the time goes, 1 client", "count of attacks over most of the years"} {
		if !strings.Contains(table, want) {
			t.Errorf("the report has no %q:\n%s", want, table)
		}
	}
}
