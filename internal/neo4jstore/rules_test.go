package neo4jstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// TestRules_CypherFollowsTheDomain holds the Cypher forms of the domain's rules over claims equal to
// the Go ones on every case of a table: every claim kind, both stances, live and retracted. The
// killed figures kept on each attack (which back minKilled, KILLED_DESC and timelines) follow
// athar.SummarizeCasualties, and the claims the actor filter counts are those athar.Attributes
// accepts.
func TestRules_CypherFollowsTheDomain(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	b := &athar.Bundle{}
	add := func(e athar.Entity) { b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()}) }
	add(&athar.Source{ID: "source:s", Title: "S", Kind: "NEWS"})
	add(&athar.Actor{ID: "actor:x", Name: "X", Kind: "STATE_FORCE"})
	var claims []*athar.Claim
	i := 0
	for _, kind := range athar.ClaimKinds {
		for _, stance := range append([]athar.Stance{""}, athar.Stances...) { // "": a record that gives none
			for _, retracted := range []bool{false, true} {
				i++
				attack := fmt.Sprintf("attack:a%d", i)
				add(&athar.Attack{ID: attack, Title: attack, Date: mustDate(t, "2016-11-16")})
				low, high := i, i+10
				c := &athar.Claim{ID: fmt.Sprintf("claim:c%d", i), AttackID: attack, SourceID: "source:s", Kind: kind,
					Stance: stance, Text: "t", Quote: "q", Names: []string{"actor:x"}, Killed: &athar.Range{Low: &low, High: &high}}
				if retracted {
					c.Retracted = &athar.Retraction{Reason: "wrong"}
				}
				add(c)
				claims = append(claims, c)
			}
		}
	}
	b.Sort()
	if _, err := s.Import(ctx, b, neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	backs, attributing := neo4jstore.Rules("c")
	for name, rule := range map[string]struct {
		cypher string
		goRule func(*athar.Claim) bool
	}{
		"backs figures": {backs, (*athar.Claim).BacksFigures},
		"attributes":    {attributing, (*athar.Claim).Attributes},
	} {
		res, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), "MATCH (c:Claim) WHERE "+rule.cypher+" RETURN c.id AS id ORDER BY id",
			nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, r := range res.Records {
			id, _ := r.Get("id")
			got = append(got, id.(string))
		}
		for _, c := range claims {
			if rule.goRule(c) {
				want = append(want, c.ID)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: Cypher selects %v, the domain %v", name, got, want)
		}
	}
	for _, c := range claims {
		k := athar.SummarizeCasualties([]*athar.Claim{c}, nil).Killed
		n := neo4jtest.Count(t, "MATCH (a:Attack {id: $id}) WHERE coalesce(a.killedLow, -1) = coalesce($low, -1) AND coalesce(a.killedHigh, -1) = coalesce($high, -1) RETURN count(a) AS n",
			map[string]any{"id": c.AttackID, "low": intOrNil(k.Low), "high": intOrNil(k.High)})
		if n != 1 {
			t.Errorf("%s (%s %s retracted %v): the attack's kept figures are not %v..%v", c.ID, c.Kind, c.Stance, c.Retracted != nil, k.Low, k.High)
		}
	}
	attributed, err := s.CountAttacks(ctx, athar.AttackFilter{ActorIDs: []string{"actor:x"}})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range claims {
		if c.Attributes() {
			want++
		}
	}
	if attributed != want {
		t.Errorf("the actor filter finds %d attacks, the domain's rule %d", attributed, want)
	}
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func mustDate(tb testing.TB, s string) athar.Date {
	tb.Helper()
	d, err := athar.ParseDate(s, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
