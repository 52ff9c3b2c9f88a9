package resolvers_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// searchHit is one edge of a search as a client reads it.
type searchHit struct {
	Score float64
	Node  struct{ ID string }
}

// MustSearch returns the hits of a search, best first.
func (c *client) MustSearch(query string, types ...string) []searchHit {
	c.tb.Helper()
	var got struct{ Search struct{ Edges []searchHit } }
	c.MustData(`query ($q: String!, $types: [EntityType!]) { search(query: $q, types: $types, first: 20) { edges { score node { id } } } }`,
		map[string]any{"q": query, "types": types}, &got)
	return got.Search.Edges
}

func hitIDs(hits []searchHit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Node.ID
	}
	return ids
}

// Arabic as people type it finds what is stored however it was written, and what is stored with
// harakat finds itself.
func TestSearch_FoldsArabicAsPeopleWriteIt(t *testing.T) {
	c := MustServer(t, true)
	var created struct {
		CreateFacility struct{ Facility struct{ ID, Name string } }
	}
	c.MustMutate(`mutation { createFacility(input: {name: "مَدْرَسَةُ النُّورِ", type: SCHOOL, placeId: "place:aleppo"}) {
	  facility { id name } userErrors { field code message } } }`, nil, &created)
	school := created.CreateFacility.Facility
	if school.Name != "مَدْرَسَةُ النُّورِ" {
		t.Errorf("the name is stored as %q, not as given", school.Name)
	}
	for _, q := range []string{"مدرسة النور", "مَدْرَسَةُ النُّورِ", "مدرسه النور", "مـدرسـة الـنور", "النور"} {
		if hits := c.MustSearch(q); len(hits) == 0 || hits[0].Node.ID != school.ID {
			t.Errorf("search %q: %v, want %s first", q, hitIDs(hits), school.ID)
		}
	}
	for _, q := range []string{"عَيْن جالوت", "عين جالوت", "مَدْرَسَة عَيْن جَالُوت", "AIN JALOÛT"} {
		if hits := c.MustSearch(q, "FACILITY"); len(hits) == 0 || hits[0].Node.ID != "facility:ain-jalout-school" {
			t.Errorf("search %q: %v, want Ain Jalout school first", q, hitIDs(hits))
		}
	}
	// Transliterations with and without the apostrophes of ʿayn and hamza.
	for q, want := range map[string]string{"Shaar": "place:al-shaar", "al-Shaʿar": "place:al-shaar", "A'zaz": "place:azaz", "Aʿzaz": "place:azaz"} {
		if hits := c.MustSearch(q, "PLACE"); len(hits) == 0 || hits[0].Node.ID != want {
			t.Errorf("search %q: %v, want %s first", q, hitIDs(hits), want)
		}
	}
	var filtered struct {
		Facilities struct{ Nodes []struct{ ID string } }
	}
	c.MustData(`{ facilities(filter: {text: "مدرسة النور"}) { nodes { id } } }`, nil, &filtered)
	if n := filtered.Facilities.Nodes; len(n) != 1 || n[0].ID != school.ID {
		t.Errorf("facilities filtered by text: %+v", n)
	}

	// The exports take the same filter (the attacks' titles and claims are in English).
	resp, err := http.Get(c.url + "/export/attacks.csv?text=" + url.QueryEscape("ÀIN  JALOÛT"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK || len(rows) != 4 {
		t.Errorf("export with accents in text: status %d, %d rows (%v), want a header and the 3 attacks on the school", resp.StatusCode, len(rows), err)
	}
}

// Exact matches come first: a name that is the query, then an alias that is, then names that
// start with it, then names only near it.
func TestSearch_ExactMatchesFirst(t *testing.T) {
	c := MustServer(t, true)
	hits := c.MustSearch("UN")
	ids := hitIDs(hits)
	if len(ids) == 0 || ids[0] != "actor:united-nations" || hits[0].Score < 2 || hits[0].Score >= 3 {
		t.Fatalf("UN: %v (first score %v), want the United Nations first, by its alias", ids, hits)
	}
	for _, prefixed := range []string{"actor:unicef", "actor:unrwa"} {
		i := strings.Index(strings.Join(ids, " "), prefixed)
		if i < 0 {
			t.Errorf("UN: %v lacks %s", ids, prefixed)
		}
	}
	// An abbreviation written with dots is the same abbreviation.
	if hits := c.MustSearch("U.N."); len(hits) == 0 || hits[0].Node.ID != "actor:united-nations" {
		t.Errorf("U.N.: %v, want the United Nations first", hitIDs(hits))
	}
	if hits := c.MustSearch("unicef"); len(hits) == 0 || hits[0].Node.ID != "actor:unicef" || hits[0].Score < 3 {
		t.Errorf("unicef: %+v, want UNICEF first, by its name", hits)
	}

	// An alias that is the query ranks above a name only near it, however often that one occurs.
	var made struct {
		CreatePlace    struct{ Place struct{ ID string } }
		CreateFacility struct{ Facility struct{ ID string } }
	}
	c.MustMutate(`mutation {
	  createPlace(input: {name: "Nour", kind: NEIGHBOURHOOD, description: "Nour, called Nour or Nouri"}) { place { id } userErrors { message } }
	  createFacility(input: {name: "Al-Amal Hospital", type: HOSPITAL,
	    aliases: ["Al-Amal Hospital of the eastern districts health directorate", "Amal field hospital in the old city", "Noor"]}) {
	    facility { id } userErrors { message } }
	}`, nil, &made)
	hits = c.MustSearch("Noor")
	if len(hits) < 2 || hits[0].Node.ID != made.CreateFacility.Facility.ID || !containsID(hits, made.CreatePlace.Place.ID) {
		t.Errorf("Noor: %+v, want the hospital (alias Noor) first and the place Nour after it", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("Noor: hit %d scores %v above the one before it (%v)", i, hits[i].Score, hits[i-1].Score)
		}
	}
}

func containsID(hits []searchHit, id string) bool {
	for _, h := range hits {
		if h.Node.ID == id {
			return true
		}
	}
	return false
}

// A search's own limits: refused clearly, naming the argument; Lucene syntax is read as spaces.
func TestSearch_Limits(t *testing.T) {
	c := MustServer(t, true)
	thirteen := strings.TrimSpace(strings.Repeat("word ", 13))
	for _, q := range []string{thirteen, "***", `"" ~ ? \`} {
		c.MustError(`query ($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": q}, "BAD_USER_INPUT", "query")
		c.MustError(`query ($q: String!) { attacks(filter: {text: $q}) { totalCount } }`, map[string]any{"q": q}, "BAD_USER_INPUT", "filter.text")
		c.MustError(`query ($q: String!) { facilities(filter: {text: $q}) { totalCount } }`, map[string]any{"q": q}, "BAD_USER_INPUT", "filter.text")
	}
	// The exports hold their text parameter to the same limits.
	resp, err := http.Get(c.url + "/export/attacks.geojson?text=" + url.QueryEscape(thirteen))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error, Parameter string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusBadRequest ||
		body.Parameter != "text" || !strings.Contains(body.Error, "at most 12") {
		t.Errorf("export with 13 words: %d %+v (%v), want 400 naming text", resp.StatusCode, body, err)
	}
	for _, q := range []string{`Ain* Jalout~`, `"Ain Jalout"`, `/Ain/ (Jalout)^ ~ *`, `[Ain} {Jalout] \ && ||`, `+Ain -Jalout?`} {
		if hits := c.MustSearch(q, "FACILITY"); len(hits) == 0 || hits[0].Node.ID != "facility:ain-jalout-school" {
			t.Errorf("search %q: %v, want Ain Jalout school first, the syntax read as spaces", q, hitIDs(hits))
		}
	}
}

// Creating a place, actor or facility that exists under the same name (folded), kind and parent is
// refused, naming the one that exists, unless the caller lists it in distinctFrom.
func TestCreate_DuplicateIsRefused(t *testing.T) {
	c := MustServer(t, true)
	const create = `mutation ($name: String!, $distinct: [ID!]) {
	  createFacility(input: {name: $name, type: SCHOOL, placeId: "place:aleppo", distinctFrom: $distinct}) {
	    facility { id } userErrors { field code message } } }`
	var first struct {
		CreateFacility struct{ Facility struct{ ID string } }
	}
	c.MustMutate(create, map[string]any{"name": "مَدْرَسَةُ النُّورِ"}, &first)
	id := first.CreateFacility.Facility.ID
	e := c.MustUserError(create, map[string]any{"name": "مدرسة النور"}, "CONFLICT", "input", "name")
	if !strings.Contains(e.Message, id) || !strings.Contains(e.Message, "distinctFrom") {
		t.Errorf("the conflict says %q, want it to name %s and distinctFrom", e.Message, id)
	}
	c.MustUserError(create, map[string]any{"name": "مدرسة النور", "distinct": []string{"place:aleppo"}}, "INVALID", "input", "distinctFrom", "0")
	var second struct {
		CreateFacility struct{ Facility struct{ ID string } }
	}
	c.MustMutate(create, map[string]any{"name": "مدرسة النور", "distinct": []string{id}}, &second)
	if second.CreateFacility.Facility.ID == id || second.CreateFacility.Facility.ID == "" {
		t.Errorf("with distinctFrom: %+v", second)
	}
	// A third is a duplicate of both, and must name both to be created.
	e = c.MustUserError(create, map[string]any{"name": "مدرسة النور", "distinct": []string{id}}, "CONFLICT", "input", "name")
	if !strings.Contains(e.Message, second.CreateFacility.Facility.ID) {
		t.Errorf("the conflict says %q, want it to name %s", e.Message, second.CreateFacility.Facility.ID)
	}
	// Places and actors too: the seed's Aleppo is a city in Aleppo governorate.
	c.MustUserError(`mutation { createPlace(input: {name: "ALEPPO", kind: CITY, partOf: "place:aleppo-governorate"}) {
	  place { id } userErrors { field code message } } }`, nil, "CONFLICT", "input", "name")
	c.MustUserError(`mutation { createFacility(input: {name: "AL-QUDS, Hospital", type: HOSPITAL, placeId: "place:aleppo"}) {
	  facility { id } userErrors { field code message } } }`, nil, "CONFLICT", "input", "name")
	c.MustUserError(`mutation { createActor(input: {name: "united nations", kind: UN_BODY}) {
	  actor { id } userErrors { field code message } } }`, nil, "CONFLICT", "input", "name")
	var other struct {
		CreatePlace struct{ Place struct{ ID string } }
	}
	c.MustMutate(`mutation { createPlace(input: {name: "Aleppo", kind: NEIGHBOURHOOD, partOf: "place:aleppo"}) {
	  place { id } userErrors { field code message } } }`, nil, &other)
}
