package neo4jstore_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// bundleOf returns a bundle of es, normalized, each record placed by its id.
func bundleOf(es ...athar.Entity) *athar.Bundle {
	b := &athar.Bundle{}
	for _, e := range es {
		athar.Normalize(e)
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	return b
}

// Imports of one release that run at once create each record once: a batch that finds its new
// records created by the other import meanwhile fails on the unique constraint and is written again,
// classified anew, and none of its links is made twice.
func TestImport_ConcurrentImportsCreateEachRecordOnce(t *testing.T) {
	s := MustStore(t)
	events := make([]event, 60)
	for i := range events {
		n := strconv.Itoa(i + 1)
		events[i] = event{ext: n, title: "Event " + n, summary: "Shelling, event " + n, killed: i % 7}
	}
	b := release("ucdp-ged", "24.1", "Aleppo", "Government of Syria", events...)
	const imports = 3
	sums := make([]neo4jstore.ImportSummary, imports)
	errs := make([]error, imports)
	var wg sync.WaitGroup
	for i := range imports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = s.Import(context.Background(), b, neo4jstore.ImportOptions{BatchSize: 10})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("import %d: %v", i, err)
		}
	}
	for _, typ := range []athar.EntityType{athar.TypeSource, athar.TypeAttack, athar.TypeClaim} {
		created := 0
		for i, sum := range sums {
			c := sum.Types[typ]
			created += c.Created
			if got := c.Created + c.Updated + c.Unchanged; got != len(events) {
				t.Errorf("import %d: %s created+updated+unchanged = %d, want %d", i, typ, got, len(events))
			}
		}
		if created != len(events) {
			t.Errorf("%s created %d times over %d imports, want %d: once each", typ, created, imports, len(events))
		}
		if n := neo4jtest.Count(t, "MATCH (n:"+string(typ)+") RETURN count(n) AS n", nil); n != int64(len(events)) {
			t.Errorf("%d %s nodes, want %d", n, typ, len(events))
		}
	}
	if n := neo4jtest.Count(t, `MATCH (c:Claim) WITH c, COUNT { (c)-[:ABOUT]->() } AS about, COUNT { (c)-[:IN_DATASET]->() } AS ds,
  COUNT { (c)-[:SIDE_A]->() } AS side WHERE about <> 1 OR ds <> 1 OR side <> 1 RETURN count(c) AS n`, nil); n != 0 {
		t.Errorf("%d claims without exactly one link of each kind", n)
	}
	if n := neo4jtest.Count(t, "MATCH (n) WHERE (n:Source OR n:Attack OR n:Claim) AND n.contentHash IS NULL RETURN count(n) AS n", nil); n != 0 {
		t.Errorf("%d records left without their content hash", n)
	}
	again := mustImport(t, s, b, neo4jstore.ImportOptions{})
	if got := again.Total(); got.Created != 0 || got.Updated != 0 {
		t.Errorf("importing again = %+v, want everything unchanged", got)
	}
}

// New records are created with what the rest of the write path would give them: an attack that no
// claim is about yet has no figures and sorts last (killedSort -1), as refreshAttacksQuery leaves it;
// an aggregate created with its parts in one batch counts only what exceeds them.
func TestImport_NewAttacksAndAggregates(t *testing.T) {
	s := MustStore(t)
	day := mustDate(t, "2016-11-20")
	src := &athar.Source{ID: "source:report", Title: "Report", Kind: "NGO_REPORT"}
	agg := &athar.Attack{ID: "attack:campaign", Title: "Campaign", Date: mustDate(t, "2016-11")}
	part := &athar.Attack{ID: "attack:strike", Title: "Strike", Date: day, AggregateID: agg.ID}
	lone := &athar.Attack{ID: "attack:lone", Title: "Lone", Date: day}
	figure := func(id, attack string, low, high int) *athar.Claim {
		return &athar.Claim{ID: id, AttackID: attack, SourceID: src.ID, Kind: "CASUALTIES", Text: "killed", Quote: "killed",
			Killed: &athar.Range{Low: &low, High: &high}}
	}
	// The part comes first in the bundle: the batch puts its aggregate first.
	mustImport(t, s, bundleOf(src, part, agg, lone, figure("claim:campaign", agg.ID, 30, 40), figure("claim:strike", part.ID, 10, 12)),
		neo4jstore.ImportOptions{})
	for _, c := range []struct {
		id, want string
	}{
		{"attack:lone", "a.killedSort = -1 AND a.killedLow IS NULL AND a.killedHigh IS NULL AND a.killedCountedLow IS NULL"},
		{"attack:strike", "a.killedLow = 10 AND a.killedHigh = 12 AND a.killedCountedLow = 10 AND a.killedCountedHigh = 12"},
		{"attack:campaign", "a.killedLow = 30 AND a.killedHigh = 40 AND a.killedCountedLow = 20 AND a.killedCountedHigh = 28"},
	} {
		if n := neo4jtest.Count(t, "MATCH (a:Attack {id: $id}) WHERE "+c.want+" RETURN count(a) AS n", map[string]any{"id": c.id}); n != 1 {
			t.Errorf("%s: want %s", c.id, c.want)
		}
	}

	t.Run("a new aggregate that leaves out its new part is refused", func(t *testing.T) {
		s := MustStore(t)
		late := &athar.Attack{ID: "attack:late", Title: "Late", Date: mustDate(t, "2016-12-02"), AggregateID: "attack:nov"}
		nov := &athar.Attack{ID: "attack:nov", Title: "November", Date: mustDate(t, "2016-11")}
		_, err := s.Import(context.Background(), bundleOf(late, nov), neo4jstore.ImportOptions{})
		if code(err) != athar.EINVALID || field(err) != "date" {
			t.Fatalf("err = %v (code %s, field %s), want invalid date", err, code(err), field(err))
		}
		if n := neo4jtest.Count(t, "MATCH (a:Attack) RETURN count(a) AS n", nil); n != 0 {
			t.Errorf("%d attacks written by a refused batch", n)
		}
	})
}

// Sources that cite each other, in batches of one, are written first without the link to the one
// not yet written, then completed: every link made once, every content hash set, and the same
// bundle again changes nothing.
func TestImport_LinksToLaterBatchesAreCompleted(t *testing.T) {
	s := MustStore(t)
	a := &athar.Source{ID: "source:a", Title: "A", Kind: "NEWS", Cites: []string{"source:b"}}
	b := &athar.Source{ID: "source:b", Title: "B", Kind: "NEWS", Cites: []string{"source:a", "source:c"}}
	c := &athar.Source{ID: "source:c", Title: "C", Kind: "NEWS"}
	bundle := bundleOf(a, b, c)
	first := mustImport(t, s, bundle, neo4jstore.ImportOptions{BatchSize: 1})
	if got := first.Types[athar.TypeSource].Created; got != 3 {
		t.Errorf("created %d sources, want 3", got)
	}
	if n := neo4jtest.Count(t, "MATCH (:Source)-[r:CITES]->(:Source) RETURN count(r) AS n", nil); n != 3 {
		t.Errorf("%d CITES links, want 3", n)
	}
	if n := neo4jtest.Count(t, "MATCH (n:Source) WHERE n.contentHash IS NULL RETURN count(n) AS n", nil); n != 0 {
		t.Errorf("%d sources left incomplete", n)
	}
	if again := mustImport(t, s, bundle, neo4jstore.ImportOptions{BatchSize: 1}); again.Total().Unchanged != 3 {
		t.Errorf("importing again = %+v, want 3 unchanged", again.Total())
	}
	// A changed file drops a link and keeps the others.
	b2 := &athar.Source{ID: "source:b", Title: "B", Kind: "NEWS", Cites: []string{"source:c"}}
	mustImport(t, s, bundleOf(a, b2, c), neo4jstore.ImportOptions{})
	if n := neo4jtest.Count(t, "MATCH (:Source {id: 'source:b'})-[r:CITES]->(t) RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("source:b has %d CITES links, want 1 (to source:c)", n)
	}
}
