package neo4jstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

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

// BenchmarkNeo4jCeiling_BareCreate writes the records of BenchmarkImport_DatasetRelease's release
// (48,004 records) with nothing but Neo4j's own work, over the same schema (migrations applied) and
// with the same properties (the description, its folded texts, the content hash, the record as the
// dataset gave it): per type, in batches of neo4jstore.DefaultBatchSize, one transaction of
// `UNWIND $rows AS r CREATE (n:Label:Entity) SET n = r` and, per kind of link,
// `UNWIND $pairs AS p MATCH (n:Label {id: p.n}) MATCH (t:Target {id: p.t}) CREATE (n)-[:REL]->(t)`
// (both found through the unique index on id, as the import's statements are: see seekID).
// No classification, no rules, no summaries: it is what an import through Bolt cannot beat on the
// machine it runs on, in records per second (docs/benchmarks.md).
//
//	go test ./internal/neo4jstore/ -run '^$' -bench BenchmarkNeo4jCeiling_BareCreate -benchtime 1x
func BenchmarkNeo4jCeiling_BareCreate(b *testing.B) {
	bundle := benchRelease()
	type pair = map[string]any
	type linkKind struct{ Rel, Target string }
	type batch struct {
		label string
		rows  []map[string]any
		links map[linkKind][]pair
	}
	var batches []*batch
	times := map[string]bool{}
	byType := map[athar.EntityType][]athar.Entity{}
	for _, r := range bundle.Records {
		byType[r.Entity.EntityType()] = append(byType[r.Entity.EntityType()], r.Entity)
	}
	now := time.Now().UTC()
	for _, t := range athar.EntityTypes {
		es := byType[t]
		for start := 0; start < len(es); start += neo4jstore.DefaultBatchSize {
			bt := &batch{links: map[linkKind][]pair{}}
			for _, e := range es[start:min(start+neo4jstore.DefaultBatchSize, len(es))] {
				label, props, links, err := neo4jstore.BareNode(e)
				if err != nil {
					b.Fatal(err)
				}
				raw, err := json.Marshal(e)
				if err != nil {
					b.Fatal(err)
				}
				props["datasetRecord"], props["datasetHash"] = string(raw), props["contentHash"]
				props["createdAt"], props["updatedAt"] = now, now
				bt.label = label
				bt.rows = append(bt.rows, props)
				for _, l := range links {
					key := linkKind{Rel: l.Rel, Target: l.Target}
					for _, id := range l.IDs {
						bt.links[key] = append(bt.links[key], pair{"n": e.EntityID(), "t": id})
						if l.Target == "TimeNode" {
							times[id] = true
						}
					}
				}
			}
			batches = append(batches, bt)
		}
	}
	ctx := context.Background()
	records := float64(len(bundle.Records))
	for b.Loop() {
		MustStore(b)
		session := neo4jtest.Driver(b).NewSession(ctx, neo4j.SessionConfig{DatabaseName: neo4jtest.Database})
		ids := make([]string, 0, len(times))
		for id := range times {
			ids = append(ids, id)
		}
		if _, err := session.Run(ctx, "UNWIND $ids AS id CREATE (:TimeNode:Entity {id: id})", map[string]any{"ids": ids}); err != nil {
			b.Fatal(err)
		}
		started := time.Now()
		for _, bt := range batches {
			_, err := neo4j.ExecuteWrite(ctx, session, func(tx neo4j.ManagedTransaction) (int, error) {
				res, err := tx.Run(ctx, fmt.Sprintf("UNWIND $rows AS r CREATE (n:%s:Entity) SET n = r", bt.label), map[string]any{"rows": bt.rows})
				if err == nil {
					_, err = res.Consume(ctx)
				}
				for l, pairs := range bt.links {
					if err != nil {
						break
					}
					res, err = tx.Run(ctx, fmt.Sprintf("UNWIND $pairs AS p MATCH (n:%[1]s {id: p.n}) USING INDEX n:%[1]s(id) "+
						"MATCH (t:%[2]s {id: p.t}) USING INDEX t:%[2]s(id) CREATE (n)-[:%[3]s]->(t)", bt.label, l.Target, l.Rel), map[string]any{"pairs": pairs})
					if err == nil {
						_, err = res.Consume(ctx)
					}
				}
				return len(bt.rows), err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(started)
		if err := session.Close(ctx); err != nil {
			b.Fatal(err)
		}
		if n := neo4jtest.Count(b, "MATCH (c:Claim)-[:ABOUT]->(:Attack) RETURN count(c) AS n", nil); n != int64(len(byType[athar.TypeClaim])) {
			b.Fatalf("%d claims linked to their attack, want %d", n, len(byType[athar.TypeClaim]))
		}
		b.ReportMetric(records/took.Seconds(), "records/s")
	}
}
