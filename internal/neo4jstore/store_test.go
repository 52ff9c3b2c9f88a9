package neo4jstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// MustStore returns a store over an emptied, migrated database.
func MustStore(tb testing.TB) *neo4jstore.Store { return neo4jtest.MustStore(tb) }

// MustSeed loads the curated seed data.
func MustSeed(tb testing.TB, s *neo4jstore.Store) { neo4jtest.MustSeed(tb, s) }

func code(err error) string { return athar.ErrorCode(err) }

func field(err error) string {
	var e *athar.Error
	var ps athar.Problems
	switch {
	case errors.As(err, &ps):
		return ps[0].Field
	case errors.As(err, &e):
		return e.Field
	}
	return ""
}

func TestCreate(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	place := &athar.Place{ID: "place:aleppo", Name: "Aleppo", Kind: "CITY"}
	if _, err := s.Create(ctx, place); err != nil {
		t.Fatal(err)
	}
	t.Run("round trip with links and timestamps", func(t *testing.T) {
		f := &athar.Facility{ID: "facility:school", Name: " School ", Aliases: []string{"Madrasa", "Madrasa"}, Type: "SCHOOL",
			PlaceID: "place:aleppo", Location: &athar.Location{Latitude: 36.2, Longitude: 37.1, Precision: "APPROXIMATE"}}
		got, err := s.Create(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		g := got.(*athar.Facility)
		if g.Name != "School" || len(g.Aliases) != 1 || g.PlaceID != "place:aleppo" || g.Location == nil || g.Location.Latitude != 36.2 {
			t.Errorf("stored facility = %+v", g)
		}
		if g.CreatedAt.IsZero() || g.UpdatedAt.IsZero() {
			t.Errorf("timestamps not set: %+v", g.Timestamps)
		}
	})
	t.Run("existing id is a conflict", func(t *testing.T) {
		_, err := s.Create(ctx, &athar.Place{ID: "place:aleppo", Name: "Again", Kind: "CITY"})
		if code(err) != athar.ECONFLICT || field(err) != "id" {
			t.Errorf("err = %v (code %s, field %s), want conflict on id", err, code(err), field(err))
		}
	})
	t.Run("unknown reference names the field and writes nothing", func(t *testing.T) {
		_, err := s.Create(ctx, &athar.Facility{ID: "facility:x", Name: "X", Type: "SCHOOL", PlaceID: "place:nowhere"})
		if code(err) != athar.EINVALID || field(err) != "placeId" {
			t.Errorf("err = %v (field %q), want invalid placeId", err, field(err))
		}
		if n := neo4jtest.Count(t, "MATCH (f:Facility {id: 'facility:x'}) RETURN count(f) AS n", nil); n != 0 {
			t.Errorf("facility written despite the error")
		}
	})
	t.Run("invalid fields are all reported", func(t *testing.T) {
		_, err := s.Create(ctx, &athar.Facility{ID: "facility:y", Name: "", Type: "CASTLE"})
		var ps athar.Problems
		if !errors.As(err, &ps) || len(ps) != 2 {
			t.Fatalf("err = %v, want two problems", err)
		}
		if ps[0].Field != "name" || ps[1].Field != "type" {
			t.Errorf("fields = %s, %s; want name, type", ps[0].Field, ps[1].Field)
		}
	})
}

func TestUpdate(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	for _, p := range []*athar.Place{
		{ID: "place:syria", Name: "Syria", Kind: "COUNTRY"},
		{ID: "place:aleppo", Name: "Aleppo", Kind: "CITY", PartOf: "place:syria"},
	} {
		if _, err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("unknown id", func(t *testing.T) {
		_, err := s.Update(ctx, athar.TypePlace, "place:atlantis", func(athar.Entity) error { return nil })
		if code(err) != athar.ENOTFOUND {
			t.Errorf("err = %v, want not found", err)
		}
	})
	t.Run("changes what it is told and keeps createdAt", func(t *testing.T) {
		before, _ := s.PlacesByID(ctx, []string{"place:aleppo"})
		time.Sleep(5 * time.Millisecond)
		got, err := s.Update(ctx, athar.TypePlace, "place:aleppo", func(e athar.Entity) error {
			e.(*athar.Place).Aliases = []string{"حلب", "Halab"}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p := got.(*athar.Place)
		if len(p.Aliases) != 2 || p.PartOf != "place:syria" {
			t.Errorf("updated place = %+v", p)
		}
		b := before[0]
		if !p.CreatedAt.Equal(b.CreatedAt) || !p.UpdatedAt.After(b.UpdatedAt) {
			t.Errorf("timestamps: created %v -> %v, updated %v -> %v", b.CreatedAt, p.CreatedAt, b.UpdatedAt, p.UpdatedAt)
		}
	})
	t.Run("a cycle of places is refused and nothing changes", func(t *testing.T) {
		_, err := s.Update(ctx, athar.TypePlace, "place:syria", func(e athar.Entity) error {
			e.(*athar.Place).PartOf = "place:aleppo"
			return nil
		})
		if code(err) != athar.EINVALID || field(err) != "partOf" {
			t.Errorf("err = %v, want invalid partOf", err)
		}
		if n := neo4jtest.Count(t, "MATCH (:Place {id: 'place:syria'})-[r:PART_OF]->() RETURN count(r) AS n", nil); n != 0 {
			t.Errorf("the cycle was written")
		}
	})
	t.Run("the id cannot change", func(t *testing.T) {
		_, err := s.Update(ctx, athar.TypePlace, "place:aleppo", func(e athar.Entity) error {
			e.(*athar.Place).ID = "place:halab"
			return nil
		})
		if code(err) != athar.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})
}

func TestDates_TimeTree(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	mustDate := func(start, end string) athar.Date {
		d, err := athar.ParseDate(start, end, "")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	attacks := []*athar.Attack{
		{ID: "attack:day", Title: "Day", Date: mustDate("2014-04-30", ""), Weapons: []athar.Weapon{"MORTAR"}, AttackTypes: []athar.AttackType{"SHELLING"}},
		{ID: "attack:month", Title: "Month", Date: mustDate("2016-04", "")},
		{ID: "attack:range", Title: "Range", Date: mustDate("2016-11-14", "2016-11-20")},
	}
	for _, a := range attacks {
		if _, err := s.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]string{"attack:day": "day:2014-04-30", "attack:month": "month:2016-04", "attack:range": "month:2016-11"} {
		if n := neo4jtest.Count(t, "MATCH (:Attack {id: $a})-[:ON]->(t:TimeNode {id: $t}) RETURN count(t) AS n", map[string]any{"a": id, "t": want}); n != 1 {
			t.Errorf("%s is not ON %s", id, want)
		}
	}
	if n := neo4jtest.Count(t, "MATCH (:Day {id: 'day:2014-04-30'})-[:IN]->(:Month {id: 'month:2014-04'})-[:IN]->(:Year {id: 'year:2014'}) RETURN count(*) AS n", nil); n != 1 {
		t.Errorf("time tree for 2014-04-30 missing")
	}
	if n := neo4jtest.Count(t, "MATCH (n) WHERE NOT n:AtharMigration AND (n.createdAt IS NULL OR n.updatedAt IS NULL) RETURN count(n) AS n", nil); n != 0 {
		t.Errorf("%d nodes without createdAt or updatedAt", n)
	}
	got, err := s.AttacksByID(ctx, []string{"attack:month"})
	if err != nil || len(got) != 1 {
		t.Fatal(err)
	}
	d := got[0].Date
	if d.Precision != athar.PrecisionMonth || d.Start.Format(time.DateOnly) != "2016-04-01" || d.End.Format(time.DateOnly) != "2016-04-30" {
		t.Errorf("month date read back as %+v", d)
	}
	ids, err := s.AttacksOnFacilities(ctx, nil, athar.DateRange{}, athar.All)
	if err != nil || len(ids) != 0 {
		t.Errorf("no facilities: %v %v", ids, err)
	}
}

func TestImport_Seed(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	b, err := seed.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Import(ctx, b, neo4jstore.ImportOptions{BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	if got := first.Total(); got.Created != len(b.Records) || got.Updated != 0 || got.Unchanged != 0 {
		t.Errorf("first import: %+v, want %d created", got, len(b.Records))
	}
	t.Run("importing again changes nothing", func(t *testing.T) {
		before := neo4jtest.Count(t, "MATCH (n) WHERE n.updatedAt IS NOT NULL RETURN max(n.updatedAt).epochMillis AS n", nil)
		again, err := s.Import(ctx, b, neo4jstore.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := again.Total(); got.Unchanged != len(b.Records) || got.Created+got.Updated != 0 {
			t.Errorf("second import: %+v, want all unchanged", got)
		}
		after := neo4jtest.Count(t, "MATCH (n) WHERE n.updatedAt IS NOT NULL RETURN max(n.updatedAt).epochMillis AS n", nil)
		if before != after {
			t.Errorf("updatedAt moved on an unchanged import")
		}
	})
	t.Run("export, import, export is identical", func(t *testing.T) {
		var first, second bytes.Buffer
		exported, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := exported.Write(&first, false); err != nil {
			t.Fatal(err)
		}
		reread, err := athar.ReadBundle(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := s.Import(ctx, reread, neo4jstore.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := sum.Total(); got.Unchanged != len(b.Records) {
			t.Errorf("re-import of the export: %+v, want all unchanged", got)
		}
		again, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := again.Write(&second, false); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("exports differ")
		}
		var nd bytes.Buffer
		if err := again.Write(&nd, true); err != nil {
			t.Fatal(err)
		}
		fromND, err := athar.ReadBundle(&nd)
		if err != nil {
			t.Fatalf("reading the NDJSON export: %v", err)
		}
		if len(fromND.Records) != len(b.Records) {
			t.Errorf("NDJSON export has %d records, want %d", len(fromND.Records), len(b.Records))
		}
	})
	t.Run("a changed record is updated, the rest unchanged", func(t *testing.T) {
		changed := `{"format":"athar-bundle","version":1,"places":[{"id":"place:aleppo","name":"Aleppo","kind":"CITY","aliases":["Halab"]}]}`
		cb, err := athar.ReadBundle(strings.NewReader(changed))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := s.Import(ctx, cb, neo4jstore.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c := sum.Types[athar.TypePlace]; c.Updated != 1 {
			t.Errorf("place counts %+v, want 1 updated", c)
		}
		if n := neo4jtest.Count(t, "MATCH (p:Place {id: 'place:aleppo'}) WHERE p.aliases = ['Halab'] RETURN count(p) AS n", nil); n != 1 {
			t.Errorf("aliases not replaced")
		}
	})
}

func TestImport_ValidationWritesNothing(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	bad := `{"format":"athar-bundle","version":1,
"places":[{"id":"place:a","name":"A","kind":"CITY"},{"id":"place:b","name":"","kind":"PLANET"}],
"attacks":[{"id":"attack:x","title":"X","date":{"start":"2014-02-30"},"facilityIds":["facility:missing"]}],
"claims":[{"id":"claim:c","attackId":"attack:x","sourceId":"source:nowhere","kind":"CASUALTIES","text":"t","quote":"q","killed":{"min":-5,"max":2}}]}`
	b, err := athar.ReadBundle(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Import(ctx, b, neo4jstore.ImportOptions{})
	var ps athar.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	want := []string{"places[1].name", "places[1].kind", "attacks[0].date.start", "attacks[0].facilityIds[0]",
		"claims[0].killed.low", "claims[0].sourceId"}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || p.Field == w
		}
		if !found {
			t.Errorf("no problem reported at %s; got %v", w, ps)
		}
	}
	if n := neo4jtest.Count(t, "MATCH (n) WHERE NOT n:AtharMigration AND NOT n:"+neo4jtest.MarkerLabel+" RETURN count(n) AS n", nil); n != 0 {
		t.Errorf("%d nodes written by an invalid import", n)
	}
}

func TestImport_InterruptedThenCompleted(t *testing.T) {
	s := MustStore(t)
	b, err := seed.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	batches, committed := 0, 0
	_, err = s.Import(ctx, b, neo4jstore.ImportOptions{BatchSize: 10, Progress: func(done, total int) {
		batches++
		if batches == 3 {
			committed = done
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("the interrupted import reported success")
	}
	written := neo4jtest.Count(t, "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:TimeNode AND NOT n:Change RETURN count(n) AS n", nil)
	if written != int64(committed) || committed == 0 {
		t.Errorf("%d entities after 3 batches holding %d records: a batch was half-written", written, committed)
	}
	// Each committed batch wrote its one change record, and no other did.
	if n := neo4jtest.Count(t, "MATCH (c:Change {action: 'IMPORT'}) RETURN count(c) AS n", nil); n != 3 {
		t.Errorf("%d import change records after 3 committed batches, want 3", n)
	}
	sum, err := s.Import(context.Background(), b, neo4jstore.ImportOptions{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Total(); got.Unchanged != committed || got.Created != len(b.Records)-committed {
		t.Errorf("completing run: %+v, want %d unchanged and the rest created", got, committed)
	}
}

func TestNeighbours_Order(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	got, err := s.AttacksOnFacilities(ctx, []string{"facility:ain-jalout-school"}, athar.DateRange{}, athar.All)
	if err != nil {
		t.Fatal(err)
	}
	ids := entityIDs(got["facility:ain-jalout-school"].Items)
	want := []string{"attack:ain-jalout-school-2013-08-06", "attack:ain-jalout-school-2014-04-30"}
	if len(ids) < 3 || ids[0] != want[0] || ids[1] != want[1] {
		t.Errorf("attacks of Ain Jalout = %v, want %v then 2016", ids, want)
	}
	from, _ := time.Parse(time.DateOnly, "2014-01-01")
	to, _ := time.Parse(time.DateOnly, "2014-12-31")
	got, err = s.AttacksOnFacilities(ctx, []string{"facility:ain-jalout-school"}, athar.DateRange{From: from, To: to}, athar.All)
	if err != nil {
		t.Fatal(err)
	}
	if ids := entityIDs(got["facility:ain-jalout-school"].Items); len(ids) != 1 || ids[0] != want[1] {
		t.Errorf("attacks in 2014 = %v, want only %s", ids, want[1])
	}
}

func entityIDs[T athar.Entity](es []T) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.EntityID()
	}
	return out
}

// The killed figures kept on each attack for indexes follow the domain's rule, also after a claim
// is retracted or moves to another attack.
func TestDerivedKilledFigures_FollowTheDomain(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		res, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), "MATCH (a:Attack) RETURN a.id AS id, a.killedLow AS low, a.killedHigh AS high",
			nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range res.Records {
			id, _ := rec.Get("id")
			low, _ := rec.Get("low")
			high, _ := rec.Get("high")
			claims, err := s.ClaimsAboutAttacks(ctx, []string{id.(string)}, athar.All)
			if err != nil {
				t.Fatal(err)
			}
			cs := claims[id.(string)].Items
			k := athar.SummarizeCasualties(cs, nil).Killed
			if !sameInt(k.Low, low) || !sameInt(k.High, high) {
				t.Errorf("%s: %s stores %v..%v, the domain says %v..%v", when, id, low, high, deref(k.Low), deref(k.High))
			}
		}
	}
	check("after the import")
	if _, err := s.Update(ctx, athar.TypeClaim, "claim:ain-jalout-2014-killed-profile", func(e athar.Entity) error {
		return e.(*athar.Claim).Retract("test")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, athar.TypeClaim, "claim:ain-jalout-2014-killed-amc", func(e athar.Entity) error {
		e.(*athar.Claim).AttackID = "attack:ain-jalout-school-2013-08-06"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check("after a retraction and a move")
	if n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:ain-jalout-school-2013-08-06'}) WHERE a.killedLow = 26 RETURN count(a) AS n", nil); n != 1 {
		t.Error("the attack a claim moved to did not take its figure")
	}
}

func sameInt(p *int, v any) bool {
	n, ok := v.(int64)
	if p == nil {
		return !ok
	}
	return ok && int(n) == *p
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestImport_KeepsRetractions(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	const id = "claim:ain-jalout-2014-killed-profile"
	if _, err := s.Update(ctx, athar.TypeClaim, id, func(e athar.Entity) error { return e.(*athar.Claim).Retract("misread") }); err != nil {
		t.Fatal(err)
	}
	MustSeed(t, s)
	got, err := s.ClaimsByID(ctx, []string{id})
	if err != nil || len(got) != 1 {
		t.Fatal(err)
	}
	if r := got[0].Retracted; r == nil || r.Reason != "misread" || r.At.IsZero() {
		t.Errorf("re-importing the seed withdrew the retraction: %+v", r)
	}
}

func TestCreate_ConcurrentSameIDConflicts(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := s.Create(ctx, &athar.Place{ID: "place:race", Name: fmt.Sprintf("Racer %d", i), Kind: "CITY"})
			errs <- err
		}()
	}
	ok := 0
	for range 4 {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case code(err) != athar.ECONFLICT:
			t.Errorf("err = %v, want a conflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates of one id succeeded, want 1", ok)
	}
}

func TestUpdate_ConcurrentPatchesBothApply(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, &athar.Attack{ID: "attack:x", Title: "X", Date: athar.Date{}}); err == nil {
		t.Fatal("an attack without a date was accepted")
	}
	d, _ := athar.ParseDate("2014", "", "")
	if _, err := s.Create(ctx, &athar.Attack{ID: "attack:x", Title: "X", Date: d}); err != nil {
		t.Fatal(err)
	}
	weapons := []athar.Weapon{"MORTAR", "MISSILE", "ROCKET", "ARTILLERY", "BARREL_BOMB", "CAR_BOMB"}
	errs := make(chan error, len(weapons))
	for _, w := range weapons {
		go func() {
			_, err := s.Update(ctx, athar.TypeAttack, "attack:x", func(e athar.Entity) error {
				a := e.(*athar.Attack)
				a.Weapons = append(a.Weapons, w)
				return nil
			})
			errs <- err
		}()
	}
	for range weapons {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.AttacksByID(ctx, []string{"attack:x"})
	if n := len(got[0].Weapons); n != len(weapons) {
		t.Errorf("%d weapons after %d concurrent additions: updates were lost", n, len(weapons))
	}
}
