package neo4jstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// graphHops walks, by plain queries a hop at a time, what Graph's breadth-first walk reaches from
// starts when nothing truncates it: the ids of the nodes and of the links ("source|TYPE|target").
// Weapons, attack types, months and years are reached and not walked through.
func graphHops(t *testing.T, starts []string, depth int) (nodes, links []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range starts {
		seen[id] = true
	}
	frontier := starts
	linked := map[string]bool{}
	for hop := 0; hop < depth && len(frontier) > 0; hop++ {
		res, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), `UNWIND $ids AS from
MATCH (n:Entity {id: from})-[r]-(m:Entity)
RETURN from, type(r) AS rel, startNode(r) = n AS out, m.id AS id,
  any(l IN labels(m) WHERE l IN ['Weapon', 'AttackType', 'Month', 'Year']) AS hub`,
			map[string]any{"ids": frontier}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
		if err != nil {
			t.Fatal(err)
		}
		var next []string
		for _, rec := range res.Records {
			m := rec.AsMap()
			from, rel, id := m["from"].(string), m["rel"].(string), m["id"].(string)
			if !seen[id] {
				seen[id] = true
				if !m["hub"].(bool) {
					next = append(next, id)
				}
			}
			src, dst := from, id
			if !m["out"].(bool) {
				src, dst = dst, src
			}
			linked[src+"|"+rel+"|"+dst] = true
		}
		frontier = next
	}
	for id := range seen {
		nodes = append(nodes, id)
	}
	for l := range linked {
		links = append(links, l)
	}
	slices.Sort(nodes)
	slices.Sort(links)
	return nodes, links
}

// Graph reads its first two hops in one query: what it reaches, two and three hops deep, is what a
// walk a hop at a time reaches; and when the first hop fills the graph, the walk stops there.
func TestGraph_FirstTwoHopsInOneQuery(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	for _, starts := range [][]string{{"facility:ain-jalout-school"}, {"attack:ain-jalout-school-2014-04-30"}, {"place:aleppo", "actor:syrian-government"}} {
		for _, depth := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%v depth %d", starts, depth), func(t *testing.T) {
				g, err := s.Graph(ctx, starts, depth, 100_000)
				if err != nil {
					t.Fatal(err)
				}
				if g.Truncated {
					t.Fatalf("truncated at %d nodes", len(g.Nodes))
				}
				var nodes, links []string
				for _, n := range g.Nodes {
					nodes = append(nodes, n.EntityID)
				}
				for _, e := range g.Edges {
					links = append(links, e.ID)
				}
				slices.Sort(nodes)
				slices.Sort(links)
				wantNodes, wantLinks := graphHops(t, starts, depth)
				if !slices.Equal(nodes, wantNodes) || !slices.Equal(links, wantLinks) {
					t.Errorf("nodes %d, links %d; a hop at a time: nodes %d, links %d\n%v\n%v", len(nodes), len(links), len(wantNodes), len(wantLinks), nodes, wantNodes)
				}
				if depth >= 2 && len(wantNodes) <= len(mustGraph(t, s, starts, 1).Nodes) {
					t.Errorf("the second hop reaches nothing more than the first: the case shows nothing")
				}
			})
		}
	}
	// A first hop that fills the graph: the graph is truncated at its limit, with no node of the
	// second hop.
	one := mustGraph(t, s, []string{"place:aleppo"}, 1)
	limit := len(one.Nodes) - 1
	g, err := s.Graph(ctx, []string{"place:aleppo"}, 2, limit)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Truncated || len(g.Nodes) != limit {
		t.Errorf("a graph of %d nodes at a limit of %d: truncated %v", len(g.Nodes), limit, g.Truncated)
	}
	for _, n := range g.Nodes {
		if !slices.ContainsFunc(one.Nodes, func(m athar.GraphNode) bool { return m.EntityID == n.EntityID }) {
			t.Errorf("%s is two hops away, past a full first hop", n.EntityID)
		}
	}
}

func mustGraph(t *testing.T, s interface {
	Graph(context.Context, []string, int, int) (*athar.Graph, error)
}, starts []string, depth int) *athar.Graph {
	t.Helper()
	g, err := s.Graph(context.Background(), starts, depth, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
