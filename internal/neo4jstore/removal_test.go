package neo4jstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// removalGraph writes a small graph in which every entity type is linked both ways: a district in
// a city, a school there run by an actor, two sources (one citing the other, one published by an
// actor), an event, two attacks (one on the school during the event, grouped as one incident with
// the other), and claims about them read in the sources.
func removalGraph(t *testing.T, s *neo4jstore.Store) {
	t.Helper()
	ctx := context.Background()
	day := func(d string) athar.Date {
		v, err := athar.ParseDate(d, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ten, twenty, three := 10, 20, 3
	es := []athar.Entity{
		&athar.Place{ID: "place:city", Name: "City", Kind: "CITY"},
		&athar.Place{ID: "place:district", Name: "District", Kind: "DISTRICT", PartOf: "place:city"},
		&athar.Place{ID: "place:quarter", Name: "Quarter", Kind: "NEIGHBOURHOOD", PartOf: "place:district"},
		&athar.Actor{ID: "actor:army", Name: "Army", Aliases: []string{"The Army"}, Kind: "STATE_FORCE"},
		&athar.Actor{ID: "actor:ministry", Name: "Ministry", Kind: "GOVERNMENT"},
		&athar.Actor{ID: "actor:brigade", Name: "Brigade", Kind: "ARMED_GROUP", PartOf: "actor:army"},
		&athar.Facility{ID: "facility:school", Name: "School", Type: "SCHOOL", PlaceID: "place:district", OperatedBy: []string{"actor:ministry"}},
		&athar.Facility{ID: "facility:school-2", Name: "The School", Type: "SCHOOL", PlaceID: "place:quarter"},
		&athar.Source{ID: "source:report", Title: "Report", Kind: "NGO_REPORT", PublishedBy: []string{"actor:ministry"}},
		&athar.Source{ID: "source:article", Title: "Article", Kind: "NEWS", Cites: []string{"source:report"}},
		&athar.Event{ID: "event:market", Name: "Market", Kind: "GATHERING", PlaceIDs: []string{"place:district"}},
		&athar.Attack{ID: "attack:one", Title: "One", Date: day("2014-04-30"), Weapons: []athar.Weapon{"MISSILE"},
			FacilityIDs: []string{"facility:school"}, PlaceIDs: []string{"place:district"}, DuringEventIDs: []string{"event:market"}},
		&athar.Attack{ID: "attack:two", Title: "Two", Date: day("2014-04-30"), FacilityIDs: []string{"facility:school-2"}},
		&athar.Claim{ID: "claim:one-report", AttackID: "attack:one", SourceID: "source:report", Kind: "CASUALTIES", Text: "ten killed",
			Quote: "ten were killed", Killed: &athar.Range{Low: &ten, High: &ten}, ClaimedBy: "actor:ministry"},
		&athar.Claim{ID: "claim:one-article", AttackID: "attack:one", SourceID: "source:article", Kind: "CASUALTIES", Text: "twenty killed",
			Quote: "twenty were killed", Killed: &athar.Range{Low: &twenty, High: &twenty}},
		&athar.Claim{ID: "claim:two-report", AttackID: "attack:two", SourceID: "source:report", Kind: "PERPETRATOR", Text: "the army",
			Quote: "the army struck", Names: []string{"actor:army"}, Killed: &athar.Range{Low: &three, High: &three}},
	}
	for _, e := range es {
		if _, err := s.Create(ctx, e); err != nil {
			t.Fatalf("%s: %v", e.EntityID(), err)
		}
	}
	if _, err := s.LinkSameIncident(ctx, athar.LinkRequest{AttackIDs: []string{"attack:one", "attack:two"}, Note: "one strike"}); err != nil {
		t.Fatal(err)
	}
}

// relCount is the number of relationships of the node with the id, either way, of any node.
func relCount(t *testing.T, id string) int64 {
	t.Helper()
	return neo4jtest.Count(t, "MATCH (n {id: $id})-[r]-() RETURN count(r) AS n", map[string]any{"id": id})
}

// snapshot is what every id of the graph looks like: each entity as read, as JSON without its
// timestamps, and its number of relationships.
func snapshot(t *testing.T, s *neo4jstore.Store, ids []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	es, err := s.EntitiesByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		*e.Stamps() = athar.Timestamps{}
		b, _ := json.Marshal(e)
		out[e.EntityID()] = string(b)
	}
	for _, id := range ids {
		out[id+"#links"] = string(rune('0' + relCount(t, id)))
	}
	return out
}

var removalIDs = []string{"place:city", "place:district", "place:quarter", "actor:army", "actor:ministry", "actor:brigade",
	"facility:school", "facility:school-2", "source:report", "source:article", "event:market", "attack:one", "attack:two",
	"claim:one-report", "claim:one-article", "claim:two-report"}

func killedHigh(t *testing.T, attack string) int64 {
	t.Helper()
	return neo4jtest.Count(t, "MATCH (a:Attack {id: $id}) RETURN coalesce(a.killedHigh, -1) AS n", map[string]any{"id": attack})
}

func TestDelete_EveryTypeVanishesAndRestoreBringsItsLinksBack(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	want := snapshot(t, s, removalIDs)
	for _, id := range []string{"place:district", "actor:ministry", "facility:school", "source:report", "event:market", "attack:one", "claim:one-article"} {
		t.Run(id, func(t *testing.T) {
			typ := athar.TypeOfID(id)
			d, err := s.Delete(ctx, typ, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.ID != id || d.Type != typ || d.DeletedBy == "" || d.DeletedAt.IsZero() {
				t.Errorf("deleted = %+v", d)
			}
			gone := append([]string{id}, d.Cascaded...)
			es, err := s.EntitiesByID(ctx, gone)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 0 {
				t.Errorf("read after deletion: %d entities of %v", len(es), gone)
			}
			for _, g := range gone {
				if n := neo4jtest.Count(t, "MATCH (n:Entity {id: $id}) RETURN count(n) AS n", map[string]any{"id": g}); n != 0 {
					t.Errorf("%s still an :Entity", g)
				}
				if n := relCount(t, g); n != 0 {
					t.Errorf("%s keeps %d relationships", g, n)
				}
			}
			hits, err := s.Search(ctx, athar.SearchRequest{Query: d.Title, PageRequest: athar.PageRequest{First: 50}})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits.Items {
				if slices.Contains(gone, h.Entity.EntityID()) {
					t.Errorf("search %q finds deleted %s", d.Title, h.Entity.EntityID())
				}
			}
			if _, err := s.Delete(ctx, typ, id); code(err) != athar.ENOTFOUND {
				t.Errorf("second delete: %v, want not found", err)
			}
			r, err := s.Restore(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Entity.EntityID() != id || !slices.Equal(r.Cascaded, d.Cascaded) {
				t.Errorf("restored %s with %v, deleted with %v", r.Entity.EntityID(), r.Cascaded, d.Cascaded)
			}
			got := snapshot(t, s, removalIDs)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("after restore %s = %s, want %s", k, got[k], v)
				}
			}
			if killedHigh(t, "attack:one") != 20 {
				t.Errorf("attack:one's killedHigh = %d after restore, want 20", killedHigh(t, "attack:one"))
			}
		})
	}
}

func TestDelete_CascadeAndSummaries(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	d, err := s.Delete(ctx, athar.TypeSource, "source:article")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Cascaded, []string{"claim:one-article"}) {
		t.Errorf("cascaded = %v", d.Cascaded)
	}
	if got := killedHigh(t, "attack:one"); got != 10 {
		t.Errorf("killedHigh after deleting the source of the claim of 20 = %d, want 10", got)
	}
	if _, err := s.Restore(ctx, "claim:one-article"); code(err) != athar.EINVALID || field(err) != "id" {
		t.Errorf("restoring a claim deleted with its source alone: %v, want invalid id", err)
	}
	if _, err := s.Restore(ctx, "source:report"); code(err) != athar.EINVALID || field(err) != "id" {
		t.Errorf("restoring what is not deleted: %v, want invalid id", err)
	}
	if _, err := s.Restore(ctx, "place:nowhere"); code(err) != athar.ENOTFOUND {
		t.Errorf("restoring an unknown id: %v, want not found", err)
	}
	page, err := s.DeletedEntities(ctx, athar.PageRequest{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != "source:article" || page.Items[0].Title != "Article" || !slices.Equal(page.Items[0].Cascaded, d.Cascaded) {
		t.Errorf("deleted list = %+v", page.Items)
	}
	if _, err := s.Create(ctx, &athar.Source{ID: "source:article", Title: "Another", Kind: "NEWS"}); code(err) != athar.ECONFLICT || field(err) != "id" {
		t.Errorf("creating a deleted id: %v, want conflict on id", err)
	}
	if _, err := s.Restore(ctx, "source:article"); err != nil {
		t.Fatal(err)
	}
	if got := killedHigh(t, "attack:one"); got != 20 {
		t.Errorf("killedHigh after restoring = %d, want 20", got)
	}
	if page, _ := s.DeletedEntities(ctx, athar.PageRequest{First: 10}); len(page.Items) != 0 {
		t.Errorf("deleted list after restore = %+v", page.Items)
	}
}

func TestDelete_DatasetWithRecordsRefused(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &athar.Dataset{ID: "dataset:empty", Name: "Empty"}); err != nil {
		t.Fatal(err)
	}
	neo4jtest.Count(t, "CREATE (:Place:Entity {id: 'place:rec', name: 'Rec', kind: 'CITY'})-[:IN_DATASET]->(:Dataset:Entity {id: 'dataset:full', name: 'Full'}) RETURN 1 AS n", nil)
	if _, err := s.Delete(ctx, athar.TypeDataset, "dataset:full"); code(err) != athar.EINVALID || field(err) != "id" {
		t.Errorf("deleting a dataset with records: %v, want invalid id", err)
	}
	if _, err := s.Delete(ctx, athar.TypeDataset, "dataset:empty"); err != nil {
		t.Errorf("deleting an empty dataset: %v", err)
	}
}

// Links between two deleted entities come back whichever is restored first; claims whose attack
// and source were both deleted come back when both are.
func TestRestore_LinksBetweenDeletedEntitiesEitherOrder(t *testing.T) {
	for _, order := range [][]string{{"attack:one", "source:report"}, {"source:report", "attack:one"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			s := MustStore(t)
			ctx := context.Background()
			removalGraph(t, s)
			want := snapshot(t, s, removalIDs)
			if _, err := s.Delete(ctx, athar.TypeFacility, "facility:school"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Delete(ctx, athar.TypeAttack, "attack:one"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Delete(ctx, athar.TypeSource, "source:report"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Restore(ctx, order[0]); err != nil {
				t.Fatal(err)
			}
			if es, _ := s.ClaimsByID(ctx, []string{"claim:one-report"}); len(es) != 0 {
				t.Errorf("claim:one-report is back while %s is deleted", order[1])
			}
			if _, err := s.Restore(ctx, order[1]); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Restore(ctx, "facility:school"); err != nil {
				t.Fatal(err)
			}
			got := snapshot(t, s, removalIDs)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("after both restores %s = %s, want %s", k, got[k], v)
				}
			}
			if n := neo4jtest.Count(t, "MATCH (:Attack {id: 'attack:one'})-[:SAME_INCIDENT]->(g)<-[:SAME_INCIDENT]-(:Attack {id: 'attack:two'}) RETURN count(g) AS n", nil); n != 1 {
				t.Errorf("attack:one back in its incident group: %d groups shared, want 1", n)
			}
		})
	}
}

func TestMerge_MovesLinksAndAliasesResolve(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	if _, err := s.Create(ctx, &athar.Actor{ID: "actor:forces", Name: "Armed Forces", Kind: "STATE_FORCE"}); err != nil {
		t.Fatal(err)
	}
	kept, err := s.Merge(ctx, athar.TypeActor, "actor:forces", "actor:army")
	if err != nil {
		t.Fatal(err)
	}
	a := kept.(*athar.Actor)
	if !slices.Contains(a.Aliases, "Army") || !slices.Contains(a.Aliases, "The Army") {
		t.Errorf("kept aliases = %v, want remove's name and aliases", a.Aliases)
	}
	if n := neo4jtest.Count(t, "MATCH (:Claim {id: 'claim:two-report'})-[:NAMES]->(:Actor {id: 'actor:forces'}) RETURN count(*) AS n", nil); n != 1 {
		t.Errorf("claim names the kept actor %d times, want 1", n)
	}
	if n := neo4jtest.Count(t, "MATCH (:Actor {id: 'actor:brigade'})-[:PART_OF]->(:Actor {id: 'actor:forces'}) RETURN count(*) AS n", nil); n != 1 {
		t.Errorf("brigade part of the kept actor %d times, want 1", n)
	}
	if es, _ := s.ActorsByID(ctx, []string{"actor:army"}); len(es) != 0 {
		t.Errorf("removed actor still read")
	}
	aliases, err := s.Aliases(ctx, []string{"actor:army", "actor:forces"})
	if err != nil {
		t.Fatal(err)
	}
	if aliases["actor:army"] != "actor:forces" || len(aliases) != 1 {
		t.Errorf("aliases = %v", aliases)
	}
	// A chain: forces into ministry; army then resolves to ministry.
	if _, err := s.Merge(ctx, athar.TypeActor, "actor:ministry", "actor:forces"); err != nil {
		t.Fatal(err)
	}
	aliases, _ = s.Aliases(ctx, []string{"actor:army", "actor:forces"})
	if aliases["actor:army"] != "actor:ministry" || aliases["actor:forces"] != "actor:ministry" {
		t.Errorf("chained aliases = %v", aliases)
	}
	// The history of both sides shows the merge, once.
	for _, id := range []string{"actor:army", "actor:forces"} {
		h, err := s.History(ctx, id, athar.PageRequest{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		merges := 0
		for _, c := range h.Items {
			if c.Action == athar.ChangeMerge && c.EntityID == "actor:army" && c.OtherID == "actor:forces" && strings.Contains(c.After, `"removedName":"Army"`) {
				merges++
			}
		}
		if merges != 1 {
			t.Errorf("history of %s has %d records of the first merge, want 1", id, merges)
		}
	}
	if _, err := s.Restore(ctx, "actor:army"); code(err) != athar.EINVALID {
		t.Errorf("restoring a merged id: %v, want invalid", err)
	}
	if _, err := s.Create(ctx, &athar.Actor{ID: "actor:army", Name: "Army", Kind: "STATE_FORCE"}); code(err) != athar.ECONFLICT {
		t.Errorf("creating a merged id: %v, want conflict", err)
	}
}

func TestMerge_NoDuplicateLinks(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	// Both schools are hit by attack:one after this; merged, it hits the kept one once.
	if _, err := s.Update(ctx, athar.TypeAttack, "attack:one", func(e athar.Entity) error {
		e.(*athar.Attack).FacilityIDs = []string{"facility:school", "facility:school-2"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Merge(ctx, athar.TypeFacility, "facility:school", "facility:school-2"); err != nil {
		t.Fatal(err)
	}
	if n := neo4jtest.Count(t, "MATCH (:Attack {id: 'attack:one'})-[r:TARGETED]->(:Facility {id: 'facility:school'}) RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("attack:one hits the kept school %d times, want 1", n)
	}
	if n := neo4jtest.Count(t, "MATCH (:Attack {id: 'attack:two'})-[r:TARGETED]->(:Facility {id: 'facility:school'}) RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("attack:two hits the kept school %d times, want 1", n)
	}
	// The kept school has one place: its own, not the removed one's too.
	if n := neo4jtest.Count(t, "MATCH (:Facility {id: 'facility:school'})-[r:LOCATED_IN]->() RETURN count(r) AS n", nil); n != 1 {
		t.Errorf("the kept school is located in %d places, want 1", n)
	}
}

func TestMerge_Refused(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	for _, c := range []struct {
		name          string
		t             athar.EntityType
		keep, remove  string
		code, inField string
	}{
		{"place inside the removed one", athar.TypePlace, "place:quarter", "place:city", athar.EINVALID, "keep"},
		{"removed place inside the kept one", athar.TypePlace, "place:city", "place:quarter", athar.EINVALID, "remove"},
		{"actor part of the other", athar.TypeActor, "actor:army", "actor:brigade", athar.EINVALID, "remove"},
		{"source citing the other", athar.TypeSource, "source:report", "source:article", athar.EINVALID, "remove"},
		{"itself", athar.TypeActor, "actor:army", "actor:army", athar.EINVALID, "remove"},
		{"another type", athar.TypeActor, "actor:army", "place:city", athar.EINVALID, "remove"},
		{"unknown", athar.TypeActor, "actor:army", "actor:nobody", athar.ENOTFOUND, "remove"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := neo4jtest.Count(t, "MATCH (c:Change) RETURN count(c) AS n", nil)
			_, err := s.Merge(ctx, c.t, c.keep, c.remove)
			if code(err) != c.code || field(err) != c.inField {
				t.Errorf("err = %v (code %s, field %q), want %s on %s", err, code(err), field(err), c.code, c.inField)
			}
			if after := neo4jtest.Count(t, "MATCH (c:Change) RETURN count(c) AS n", nil); after != before {
				t.Errorf("a refused merge wrote %d change records", after-before)
			}
		})
	}
}

func TestRemoval_OneChangeRecordEach(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	count := func() int64 { return neo4jtest.Count(t, "MATCH (c:Change) RETURN count(c) AS n", nil) }
	for _, step := range []struct {
		name   string
		action string
		id     string
		run    func() error
	}{
		{"delete", athar.ChangeDelete, "attack:two", func() error { _, err := s.Delete(ctx, athar.TypeAttack, "attack:two"); return err }},
		{"restore", athar.ChangeRestore, "attack:two", func() error { _, err := s.Restore(ctx, "attack:two"); return err }},
		{"merge", athar.ChangeMerge, "place:quarter", func() error {
			_, err := s.Merge(ctx, athar.TypePlace, "place:city", "place:quarter")
			return err
		}},
	} {
		before := count()
		if err := step.run(); err == nil && step.name == "merge" {
			t.Fatalf("%s: a merge of a place into the city it is inside must be refused", step.name)
		} else if err != nil && step.name != "merge" {
			t.Fatal(err)
		}
		if step.name == "merge" {
			if count() != before {
				t.Errorf("refused merge wrote a record")
			}
			if err := func() error {
				_, err := s.Merge(ctx, athar.TypeFacility, "facility:school", "facility:school-2")
				return err
			}(); err != nil {
				t.Fatal(err)
			}
			step.id = "facility:school-2"
		}
		if got := count() - before; got != 1 {
			t.Errorf("%s wrote %d change records, want 1", step.name, got)
		}
		h, err := s.History(ctx, step.id, athar.PageRequest{First: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Items) != 1 || h.Items[0].Action != step.action {
			t.Errorf("%s: latest history of %s = %+v", step.name, step.id, h.Items)
		}
	}
	before := count()
	if _, err := s.Delete(ctx, athar.TypeAttack, "attack:nothing"); code(err) != athar.ENOTFOUND {
		t.Errorf("deleting nothing: %v", err)
	}
	if _, err := s.Restore(ctx, "attack:two"); code(err) != athar.EINVALID {
		t.Errorf("restoring a live attack: %v", err)
	}
	if count() != before {
		t.Errorf("failed deletion or restore wrote %d records", count()-before)
	}
}

// An import of a record whose id a deleted entity keeps leaves it deleted: a deletion is a
// curator's decision, as a retraction is.
func TestImport_LeavesDeletedRecordsDeleted(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	if _, err := s.Delete(ctx, athar.TypeEvent, "event:market"); err != nil {
		t.Fatal(err)
	}
	b := &athar.Bundle{Records: []athar.Record{{Where: "event", Entity: &athar.Event{ID: "event:market", Name: "Market again", Kind: "GATHERING"}}}}
	for _, r := range b.Records {
		athar.Normalize(r.Entity)
	}
	b.Sort()
	sum, err := s.Import(ctx, b, neo4jstore.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Types[athar.TypeEvent]; got == nil || got.Created != 0 || got.Updated != 0 {
		t.Errorf("import of a deleted event: %+v", got)
	}
	if n := neo4jtest.Count(t, "MATCH (n {id: 'event:market'}) RETURN count(n) AS n", nil); n != 1 {
		t.Errorf("%d nodes hold the deleted event's id after the import, want 1", n)
	}
	if es, _ := s.EventsByID(ctx, []string{"event:market"}); len(es) != 0 {
		t.Errorf("the import brought the deleted event back")
	}
	if _, err := s.Restore(ctx, "event:market"); err != nil {
		t.Fatal(err)
	}
	if es, _ := s.EventsByID(ctx, []string{"event:market"}); len(es) != 1 || es[0].Name != "Market" {
		t.Errorf("restored event: %+v", es)
	}
}

// A deletion that would record more links than the store's limit is refused, naming id, and
// writes nothing.
func TestDelete_MoreLinksThanTheLimitRefused(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	limited := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database).WithMaxDeleteLinks(3)
	before := neo4jtest.Count(t, "MATCH (c:Change) RETURN count(c) AS n", nil)
	if _, err := limited.Delete(ctx, athar.TypePlace, "place:district"); code(err) != athar.EINVALID || field(err) != "id" {
		t.Errorf("deleting a place of more links than the limit: %v, want invalid id", err)
	}
	if es, _ := s.PlacesByID(ctx, []string{"place:district"}); len(es) != 1 {
		t.Errorf("the refused deletion deleted the place")
	}
	if after := neo4jtest.Count(t, "MATCH (c:Change) RETURN count(c) AS n", nil); after != before {
		t.Errorf("a refused deletion wrote %d records", after-before)
	}
	if _, err := limited.Delete(ctx, athar.TypePlace, "place:city"); err != nil {
		t.Errorf("deleting a place within the limit: %v", err)
	}
}

// A filter by the ids of places, facilities, actors or sources reads an id a merge removed as the
// one it was merged into, in the list's own query, whether the filter starts the query (its
// index seek) or is checked on what another filter found, in counts, pages and entity lists.
func TestMerge_FiltersReadRemovedIDsInTheirOwnQuery(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	removalGraph(t, s)
	kept := map[string]string{"place:district": "place:town", "facility:school": "facility:academy",
		"source:report": "source:bulletin", "actor:army": "actor:forces"}
	for _, e := range []athar.Entity{
		&athar.Place{ID: "place:town", Name: "Town", Kind: "CITY"},
		&athar.Facility{ID: "facility:academy", Name: "Academy", Type: "SCHOOL"},
		&athar.Source{ID: "source:bulletin", Title: "Bulletin", Kind: "NGO_REPORT"},
		&athar.Actor{ID: "actor:forces", Name: "Armed Forces", Kind: "STATE_FORCE"},
	} {
		if _, err := s.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for remove, keep := range kept {
		if _, err := s.Merge(ctx, athar.TypeOfID(remove), keep, remove); err != nil {
			t.Fatalf("merge %s into %s: %v", remove, keep, err)
		}
	}
	swap := func(ids []string) []string {
		out := slices.Clone(ids)
		for i, id := range out {
			if k, ok := kept[id]; ok {
				out[i] = k
			}
		}
		return out
	}
	filters := map[string]athar.AttackFilter{
		"facilityIds":                  {FacilityIDs: []string{"facility:school"}},
		"placeIds":                     {PlaceIDs: []string{"place:nowhere", "place:district"}},
		"sourceIds":                    {SourceIDs: []string{"source:report"}},
		"actorIds":                     {ActorIDs: []string{"actor:army"}},
		"placeIds checked":             {FacilityIDs: []string{"facility:school", "facility:school-2"}, PlaceIDs: []string{"place:district"}},
		"actorIds checked":             {SourceIDs: []string{"source:report"}, ActorIDs: []string{"actor:army"}},
		"facilityIds after a text":     {Text: "killed", FacilityIDs: []string{"facility:school"}},
		"every id filter at once":      {FacilityIDs: []string{"facility:school-2"}, PlaceIDs: []string{"place:district"}, SourceIDs: []string{"source:report"}, ActorIDs: []string{"actor:army"}},
		"a removed id and another one": {PlaceIDs: []string{"place:district", "place:city"}},
	}
	for name, removed := range filters {
		t.Run(name, func(t *testing.T) {
			current := removed
			current.FacilityIDs, current.PlaceIDs = swap(removed.FacilityIDs), swap(removed.PlaceIDs)
			current.SourceIDs, current.ActorIDs = swap(removed.SourceIDs), swap(removed.ActorIDs)
			byRemoved, err := s.CountAttacks(ctx, removed)
			if err != nil {
				t.Fatal(err)
			}
			byKept, err := s.CountAttacks(ctx, current)
			if err != nil {
				t.Fatal(err)
			}
			if byRemoved != byKept || byKept == 0 {
				t.Errorf("counted %d attacks by the removed ids, %d by the kept ones (want the same, not 0)", byRemoved, byKept)
			}
			page, err := s.FindAttacks(ctx, removed, athar.OrderDateAsc, athar.PageRequest{First: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != byKept {
				t.Errorf("a page by the removed ids has %d attacks, want %d", len(page.Items), byKept)
			}
		})
	}
	facilities, err := s.FindFacilities(ctx, athar.EntityFilter{PlaceIDs: []string{"place:district"}}, athar.PageRequest{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(facilities.Items) != 2 {
		t.Errorf("facilities in the removed place: %d, want the two schools in it and in the quarter inside it", len(facilities.Items))
	}
}
