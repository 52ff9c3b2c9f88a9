package neo4jstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// What a user types never makes a query Lucene refuses: its syntax is read as spaces.
func TestLuceneQuery_LuceneAcceptsEveryText(t *testing.T) {
	MustStore(t)
	for _, text := range []string{
		`Ain Jalout`, `"unclosed`, `title:school`, `a AND OR NOT b`, `(((`, `)`, `[1 TO 5]`, `{a TO b}`,
		`/.*x.*/`, `a~`, `a~0.5`, `*`, `?`, `**a**`, `a^100000`, `\`, `\\"`, `&& || !`, `+-`, `un`, `u`,
		`مَدْرَسَةُ النُّورِ`, `ﷺ`, `🙂 x`, strings.Repeat("ab", 200), strings.Repeat("x ", 12),
		`AND`, `OR`, `NOT`, `TO`, `a:b:c`, `<script>`, "\x00\xff", `ﬁle`, `İ`,
	} {
		q := neo4jstore.LuceneQuery(text)
		recs := query(t, "CALL db.index.fulltext.queryNodes($index, $q) YIELD node RETURN count(node) AS n",
			map[string]any{"index": neo4jstore.SearchIndex, "q": q})
		if len(recs) != 1 {
			t.Errorf("%q: %d records", text, len(recs))
		}
	}
}

// Migration 3 folds the texts of a database that releases before it wrote, in batches, and moves
// the full-text index onto the folded copies.
func TestMigrate_FoldsTheTextsOfAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	MustSeed(t, s)
	// The graph as a release before migration 3 left it: no folded copies, the joined aliases, the
	// old index, and that migration not recorded.
	query(t, "MATCH (n:Entity) REMOVE n.nameFolded, n.aliasesFolded, n.aliasTextFolded, n.titleFolded, "+
		"n.summaryFolded, n.descriptionFolded, n.quoteFolded, n.textFolded", nil)
	query(t, "MATCH (n:Entity) WHERE n.aliases IS NOT NULL SET n.aliasText = reduce(s = '', a IN n.aliases | s + a + ' | ')", nil)
	query(t, "MATCH (m:AtharMigration {version: 3}) DELETE m", nil)
	query(t, "DROP INDEX "+neo4jstore.SearchIndex, nil)
	query(t, releaseSchema[len(releaseSchema)-1].statement, nil)
	query(t, "CALL db.awaitIndexes(300)", nil)
	if err := s.SetRefoldBatch(7); err != nil { // several batches of each type
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(applied); !slices.Equal(got, []int{3}) {
		t.Fatalf("applied %v, want [3]", got)
	}
	if n := neo4jtest.Count(t, `MATCH (n:Entity) WHERE (n.name IS NOT NULL AND n.nameFolded IS NULL AND NOT n:TimeNode AND NOT n:Weapon AND NOT n:AttackType)
	  OR (n.title IS NOT NULL AND n.titleFolded IS NULL) OR (n.quote IS NOT NULL AND n.quoteFolded IS NULL)
	  OR (n.aliases IS NOT NULL AND n.aliasesFolded IS NULL) OR n.aliasText IS NOT NULL RETURN count(n) AS n`, nil); n != 0 {
		t.Errorf("%d nodes lack a folded copy or keep aliasText", n)
	}
	if n := neo4jtest.Count(t, `MATCH (f:Facility {id: 'facility:ain-jalout-school'})
	  WHERE 'مدرسه عين جالوت' IN f.aliasesFolded AND f.nameFolded = 'ain jalout primary school' RETURN count(f) AS n`, nil); n != 1 {
		t.Error("the school's name and aliases are not folded")
	}
	if n := neo4jtest.Count(t, "SHOW INDEXES YIELD name WHERE name = 'search_text' RETURN count(*) AS n", nil); n != 0 {
		t.Error("the old index is still there")
	}
	page, err := s.Search(ctx, athar.SearchRequest{Query: "مَدْرَسَة عَيْن جالوت", PageRequest: athar.PageRequest{First: 1}})
	if err != nil || len(page.Items) != 1 || page.Items[0].Entity.EntityID() != "facility:ain-jalout-school" {
		t.Errorf("search after the migration: %+v, %v", page, err)
	}
	// The stored texts are as they were.
	got, err := s.FacilitiesByID(ctx, []string{"facility:ain-jalout-school"})
	if err != nil || len(got) != 1 || !slices.Contains(got[0].Aliases, "مدرسة عين جالوت") {
		t.Errorf("the school reads back as %+v (%v)", got, err)
	}
}

// A text filter of any list, and so of the exports, is folded as the index is.
func TestTextFilters_AreFolded(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	MustSeed(t, s)
	facilities, err := s.FindFacilities(ctx, athar.EntityFilter{Text: "مَدْرَسَةُ عَيْنِ جالوت"}, athar.PageRequest{First: 5})
	if err != nil || len(facilities.Items) == 0 || facilities.Items[0].ID != "facility:ain-jalout-school" {
		t.Errorf("facilities with harakat: %+v, %v", facilities, err)
	}
	attacks, err := s.FindAttacks(ctx, athar.AttackFilter{Text: "AIN JALOÛT"}, athar.OrderDateAsc, athar.PageRequest{First: 5})
	if err != nil || len(attacks.Items) != 3 {
		t.Errorf("attacks by a folded title: %d, %v", len(attacks.Items), err)
	}
}

// A place, actor or facility whose folded name, kind and parent an existing one has is refused,
// naming it, unless the caller lists it in distinctFrom; one of two concurrent creates of the
// same is refused.
func TestCreate_RefusesDuplicates(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	for _, p := range []*athar.Place{{ID: "place:aleppo", Name: "Aleppo", Kind: "CITY"}, {ID: "place:idlib", Name: "Idlib", Kind: "CITY"}} {
		if _, err := s.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.Create(ctx, &athar.Facility{ID: "facility:nour", Name: "مَدْرَسَةُ النُّورِ", Type: "SCHOOL", PlaceID: "place:aleppo"})
	if err != nil {
		t.Fatal(err)
	}
	school := func(id, name, typ, place string) *athar.Facility {
		return &athar.Facility{ID: id, Name: name, Type: athar.FacilityType(typ), PlaceID: place}
	}
	_, err = s.Create(ctx, school("facility:nour-2", "مدرسة النور", "SCHOOL", "place:aleppo"))
	var e *athar.Error
	if athar.ErrorCode(err) != athar.ECONFLICT || !errors.As(err, &e) || e.Field != "name" || !strings.Contains(e.Message, first.EntityID()) {
		t.Fatalf("the same school again: %v, want ECONFLICT on name naming %s", err, first.EntityID())
	}
	for _, other := range []*athar.Facility{
		school("facility:nour-idlib", "مدرسة النور", "SCHOOL", "place:idlib"),       // another place
		school("facility:nour-hospital", "مدرسة النور", "HOSPITAL", "place:aleppo"), // another type
		school("facility:nour-nowhere", "مدرسة النور", "SCHOOL", ""),                // no place
	} {
		if _, err := s.Create(ctx, other); err != nil {
			t.Errorf("%s: %v", other.ID, err)
		}
	}
	if _, err := s.Create(ctx, school("facility:nour-3", "مدرسة النور", "SCHOOL", ""), "facility:x"); athar.ErrorCode(err) != athar.ECONFLICT ||
		!strings.Contains(err.Error(), "facility:nour-nowhere") {
		t.Errorf("distinctFrom naming another: %v, want the duplicate without a place named", err)
	}
	if _, err := s.Create(ctx, school("facility:nour-4", "مدرسة النور", "SCHOOL", "place:aleppo"), first.EntityID()); err != nil {
		t.Errorf("with distinctFrom: %v", err)
	}
	if _, err := s.Create(ctx, school("facility:nour-5", "Nour", "SCHOOL", ""), "place:aleppo"); athar.ErrorCode(err) != athar.EINVALID ||
		!strings.Contains(err.Error(), "distinctFrom[0]") {
		t.Errorf("distinctFrom with a place's id: %v", err)
	}
	// Actors by kind and partOf.
	if _, err := s.Create(ctx, &athar.Actor{ID: "actor:un", Name: "United Nations", Kind: "UN_BODY"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, &athar.Actor{ID: "actor:un-2", Name: "UNITED  NATIONS", Kind: "UN_BODY"}); athar.ErrorCode(err) != athar.ECONFLICT {
		t.Errorf("the same actor again: %v", err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Create(ctx, &athar.Place{ID: fmt.Sprintf("place:twin-%d", i), Name: "Twin", Kind: "TOWN", PartOf: "place:aleppo"})
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch athar.ErrorCode(err) {
		case "":
			created++
		case athar.ECONFLICT:
		default:
			t.Errorf("a concurrent create: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d of 4 concurrent creates of one place succeeded, want 1", created)
	}
}
