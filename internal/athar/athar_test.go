package athar_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/athar-project/athar/internal/athar"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		start, end         string
		prec               athar.DatePrecision
		first, last, field string
	}{
		{"2014-04-30", "", athar.PrecisionDay, "2014-04-30", "2014-04-30", ""},
		{"2016-04", "", athar.PrecisionMonth, "2016-04-01", "2016-04-30", ""},
		{"2016-02", "", athar.PrecisionMonth, "2016-02-01", "2016-02-29", ""},
		{"2013", "", athar.PrecisionYear, "2013-01-01", "2013-12-31", ""},
		{"2016-11-14", "2016-11-20", athar.PrecisionRange, "2016-11-14", "2016-11-20", ""},
		{"2016-09", "2016-11", athar.PrecisionRange, "2016-09-01", "2016-11-30", ""},
		{"2014-02-30", "", "", "", "", "start"},
		{"30/04/2014", "", "", "", "", "start"},
		{"", "", "", "", "", "start"},
		{"2014-05", "2014-04-30", "", "", "", "end"},
	}
	for _, c := range cases {
		d, err := athar.ParseDate(c.start, c.end, "")
		if c.field != "" {
			var e *athar.Error
			if !errors.As(err, &e) || e.Field != c.field {
				t.Errorf("ParseDate(%q, %q) = %v, want an error on %s", c.start, c.end, err, c.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q, %q): %v", c.start, c.end, err)
			continue
		}
		if d.Precision != c.prec || d.Start.Format(time.DateOnly) != c.first || d.End.Format(time.DateOnly) != c.last {
			t.Errorf("ParseDate(%q, %q) = %s..%s %s, want %s..%s %s", c.start, c.end,
				d.Start.Format(time.DateOnly), d.End.Format(time.DateOnly), d.Precision, c.first, c.last, c.prec)
		}
		if s, e := d.Format(); c.prec != athar.PrecisionRange && (s != c.start || e != c.end) {
			t.Errorf("Format of %q..%q = %q..%q", c.start, c.end, s, e)
		}
	}
}

func TestDate_TimeTreeIDs(t *testing.T) {
	for _, c := range []struct {
		start, end string
		want       string
	}{
		{"2014-04-30", "", "year:2014 month:2014-04 day:2014-04-30"},
		{"2016-04", "", "year:2016 month:2016-04"},
		{"2013", "", "year:2013"},
		{"2016-11-14", "2016-11-20", "year:2016 month:2016-11"},
		{"2016-09", "2016-11", "year:2016"},
		{"2015-12", "2016-01", ""},
	} {
		d, err := athar.ParseDate(c.start, c.end, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(d.TimeTreeIDs(), " "); got != c.want {
			t.Errorf("%s..%s hangs from %q, want %q", c.start, c.end, got, c.want)
		}
	}
}

func n(v int) *int { return &v }

func TestSummarizeCasualties(t *testing.T) {
	claims := []*athar.Claim{
		{ID: "claim:a", SourceID: "source:profile", Killed: &athar.Range{High: n(35)}, ChildrenKilled: &athar.Range{Low: n(33), High: n(33)}},
		{ID: "claim:b", SourceID: "source:article", Killed: &athar.Range{Low: n(26)}},
		{ID: "claim:c", SourceID: "source:copy", Killed: &athar.Range{Low: n(25), High: n(25)}},
		{ID: "claim:d", SourceID: "source:wrong", Killed: &athar.Range{Low: n(400), High: n(400)}, Retracted: &athar.Retraction{Reason: "typo"}},
		{ID: "claim:e", SourceID: "source:denial", Stance: athar.Denies, Killed: &athar.Range{Low: n(0), High: n(0)}},
	}
	// source:copy only repeats the article.
	cites := athar.Citations{"source:copy": {"source:article"}}
	got := athar.SummarizeCasualties(claims, cites)
	k := got.Killed
	if k.Low == nil || *k.Low != 25 || k.High == nil || *k.High != 35 {
		t.Errorf("killed low..high = %v..%v, want 25..35 (the retracted 400 and the denial left out)", k.Low, k.High)
	}
	if k.Claims != 3 || k.Sources != 3 || k.IndependentSources != 2 {
		t.Errorf("killed claims %d sources %d independent %d, want 3, 3, 2", k.Claims, k.Sources, k.IndependentSources)
	}
	if c := got.ChildrenKilled; c.Low == nil || *c.Low != 33 || c.Sources != 1 {
		t.Errorf("children killed = %+v", c)
	}
	if i := got.Injured; i.Low != nil || i.Claims != 0 {
		t.Errorf("injured = %+v, want nothing", i)
	}
}

func TestAttributions(t *testing.T) {
	claims := []*athar.Claim{
		{ID: "claim:1", Kind: athar.ClaimPerpetrator, SourceID: "source:a", Names: []string{"actor:russia"}},
		{ID: "claim:2", Kind: athar.ClaimDenial, Stance: athar.Denies, SourceID: "source:a", Names: []string{"actor:russia"}},
		{ID: "claim:3", Kind: athar.ClaimPerpetrator, SourceID: "source:b", Names: []string{"actor:coalition"}},
		{ID: "claim:4", Kind: athar.ClaimPerpetrator, SourceID: "source:c", Names: []string{"actor:coalition"}, Retracted: &athar.Retraction{Reason: "x"}},
		{ID: "claim:5", Kind: "CASUALTIES", SourceID: "source:c", Names: []string{"actor:other"}},
	}
	got := athar.Attributions(claims)
	if len(got) != 2 {
		t.Fatalf("%d attributions, want 2 (Russia, Coalition)", len(got))
	}
	if r := got[0]; r.ActorID != "actor:russia" || len(r.Asserting) != 1 || len(r.Denying) != 1 {
		t.Errorf("Russia: %+v", r)
	}
	if c := got[1]; c.ActorID != "actor:coalition" || len(c.Asserting) != 1 || strings.Join(c.SourceIDs(), ",") != "source:b" {
		t.Errorf("Coalition: %+v", c)
	}
}

func TestReadBundle_ReportsEveryProblemWithItsPlace(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		_, err := athar.ReadBundle(strings.NewReader(`{"format":"athar-bundle","version":1,
"places":[{"id":"place:a","name":"A","kind":"CITY","nmae":"typo"}],
"attacks":[{"id":"attack:a","title":"A","date":{"start":"2014"}},{"id":"attack:b","title":7,"date":{"start":"2014"}}]}`))
		assertProblems(t, err, "places[0].nmae", "attacks[1].title")
	})
	t.Run("ndjson", func(t *testing.T) {
		_, err := athar.ReadBundle(strings.NewReader(`{"format":"athar-bundle","version":1}
{"record":"place","id":"place:a","name":"A","kind":"CITY"}
{"record":"planet","id":"planet:x"}

{"record":"facility","id":"facility:f","name":"F","type":"SCHOOL","colour":"red"}
`))
		assertProblems(t, err, "line 3 (planet:x).record", "line 5 (facility:f).colour")
	})
	t.Run("header", func(t *testing.T) {
		_, err := athar.ReadBundle(strings.NewReader(`{"format":"something-else","version":3}`))
		assertProblems(t, err, "format", "version")
	})
	t.Run("validate", func(t *testing.T) {
		b, err := athar.ReadBundle(strings.NewReader(`{"format":"athar-bundle","version":1,
"places":[{"id":"place:a","name":"A","kind":"CITY","partOf":"place:b"},{"id":"place:b","name":"B","kind":"CITY","partOf":"place:a"},
 {"id":"place:a","name":"Again","kind":"CITY"}],
"claims":[{"id":"claim:x","attackId":"attack:elsewhere","sourceId":"source:s","kind":"PERPETRATOR","text":"t","quote":"q"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		problems, unresolved := b.Validate()
		assertProblems(t, problems, "places[2].id", "places[0].partOf", "claims[0].names")
		if len(unresolved) != 2 {
			t.Errorf("unresolved = %+v, want attack:elsewhere and source:s", unresolved)
		}
	})
}

func assertProblems(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ps athar.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	for _, f := range fields {
		found := false
		for _, p := range ps {
			found = found || p.Field == f
		}
		if !found {
			t.Errorf("no problem at %s; got:\n%v", f, ps)
		}
	}
}

func TestNewID(t *testing.T) {
	id := athar.NewID(athar.TypeFacility, "Al Quds Hospital (Aleppo)")
	if !strings.HasPrefix(id, "facility:al-quds-hospital-aleppo-") {
		t.Errorf("NewID = %q", id)
	}
	var p athar.Problems
	athar.CheckID(&p, "id", athar.TypeFacility, id)
	if len(p) != 0 {
		t.Errorf("NewID made an invalid id %q: %v", id, p)
	}
	if id := athar.NewID(athar.TypePlace, "حلب"); !strings.HasPrefix(id, "place:") || len(id) < 8 {
		t.Errorf("NewID of an Arabic name = %q", id)
	}
}

// A name or title beyond MaxNameBytes is refused naming the field, before it reaches Neo4j's range
// indexes (which refuse values over 8 KiB with an error a client must not see); every entity that
// has one is checked, through Validate, which imports and mutations share.
func TestValidate_NamesFitTheIndexes(t *testing.T) {
	tooLong := strings.Repeat("ك", athar.MaxNameBytes/2+1) // 2 bytes a letter: one letter over
	longest := strings.Repeat("ك", athar.MaxNameBytes/2)
	entities := func(name string) []athar.Entity {
		return []athar.Entity{
			&athar.Place{ID: "place:x", Name: name, Kind: "CITY"},
			&athar.Facility{ID: "facility:x", Name: name, Type: "SCHOOL"},
			&athar.Actor{ID: "actor:x", Name: name, Kind: "ARMED_GROUP"},
			&athar.Source{ID: "source:x", Title: name, Kind: "NGO_REPORT"},
		}
	}
	for _, e := range entities(tooLong) {
		athar.Normalize(e)
		ps, _ := athar.Validate(e)
		found := false
		for _, p := range ps {
			found = found || (p.Field == "name" || p.Field == "title") && strings.Contains(p.Message, "at most 2000 bytes")
		}
		if !found {
			t.Errorf("%s with a %d-byte name: %v, want a problem on its name or title", e.EntityType(), len(tooLong), ps)
		}
	}
	for _, e := range entities(longest) {
		athar.Normalize(e)
		if ps, _ := athar.Validate(e); strings.Contains(ps.Error(), "at most") {
			t.Errorf("%s with a name of exactly %d bytes: %v", e.EntityType(), len(longest), ps)
		}
	}
}

// ClipMessage leaves short messages alone, cuts long quoted values to a glimpse on a rune boundary,
// and bounds the whole message and field paths.
func TestClipMessage(t *testing.T) {
	if got := athar.ClipMessage(`Value "FOO" does not exist in "FacilityType" enum.`); got != `Value "FOO" does not exist in "FacilityType" enum.` {
		t.Errorf("a short message was changed: %q", got)
	}
	long := strings.Repeat("ع", 50_000)
	for _, msg := range []string{`unknown key "` + long + `"`, `unknown key '` + long + `'`, `unterminated "` + long, long} {
		got := athar.ClipMessage(msg)
		if len(got) > 1100 || !utf8.ValidString(got) || !strings.Contains(got, "…") {
			t.Errorf("ClipMessage of %d bytes gave %d bytes (valid UTF-8 %v): %.80q", len(msg), len(got), utf8.ValidString(got), got)
		}
	}
	if got := athar.ClipMessage(`unknown key "` + long + `" in "f"`); !strings.HasSuffix(got, `…" in "f"`) {
		t.Errorf("the text after a clipped value was lost: %.120q", got)
	}
	// An apostrophe inside a word opens no quote: the message after it is kept whole.
	for _, msg := range []string{
		"history needs an account's token: send it as Authorization: Bearer <token>",
		"importing needs the token of an editor's account: send it as Authorization: Bearer <token>",
		"the Aleppo Media Center's count 'more than 25' is kept as given, and the school's name too",
		"مدرسة عين جالوت's pupils",
	} {
		if got := athar.ClipMessage(msg); got != msg {
			t.Errorf("ClipMessage(%q) = %q", msg, got)
		}
	}
	if got := athar.ClipMessage("value '" + long + "' refused"); len(got) > 1100 || !strings.HasSuffix(got, "…' refused") {
		t.Errorf("a quoted value after a space is still clipped: %.120q", got)
	}
	if got := athar.ClipField("f." + long); len(got) > 100 || !utf8.ValidString(got) {
		t.Errorf("ClipField gave %d bytes", len(got))
	}
}

// TestValidate_DatasetRules holds the rules records of datasets follow: an id in the dataset's
// namespace, an externalId with a datasetId, no NaN for a point, no credentials in a URL, and a
// figure whose low is above its high kept and marked rather than refused.
func TestValidate_DatasetRules(t *testing.T) {
	nan := math.NaN()
	low, high := 9, 3
	cases := []struct {
		name  string
		e     athar.Entity
		field string // "" when the entity is valid
	}{
		{"a record in its dataset's namespace", &athar.Attack{ID: "attack:ucdp-ged-1", Title: "A", Date: mustDate(t, "2014-04-30"),
			DatasetID: "dataset:ucdp-ged", ExternalID: "1"}, ""},
		{"a record outside it", &athar.Attack{ID: "attack:acled-1", Title: "A", Date: mustDate(t, "2014-04-30"),
			DatasetID: "dataset:ucdp-ged", ExternalID: "1"}, "id"},
		{"a dataset's record without its id there", &athar.Attack{ID: "attack:ucdp-ged-1", Title: "A", Date: mustDate(t, "2014-04-30"),
			DatasetID: "dataset:ucdp-ged"}, "externalId"},
		{"an id there without the dataset", &athar.Attack{ID: "attack:x", Title: "A", Date: mustDate(t, "2014-04-30"), ExternalID: "1"}, "externalId"},
		{"a latitude that is not a number", &athar.Attack{ID: "attack:x", Title: "A", Date: mustDate(t, "2014-04-30"),
			Location: &athar.Location{Latitude: nan, Longitude: 37, Precision: "EXACT"}}, "location.latitude"},
		{"a longitude that is not a number", &athar.Facility{ID: "facility:x", Name: "A", Type: "SCHOOL",
			Location: &athar.Location{Latitude: 36, Longitude: nan, Precision: "EXACT"}}, "location.longitude"},
		{"credentials in a URL", &athar.Dataset{ID: "dataset:x", Name: "X", URL: "https://user:pw@example.org/"}, "url"},
		{"an API key in a URL", &athar.Dataset{ID: "dataset:x", Name: "X", URL: "https://api.acleddata.com/acled/read?key=SECRET&email=a@b.c"}, "url"},
		{"a token in a source's URL", &athar.Source{ID: "source:x", Title: "X", Kind: "NEWS", URL: "https://example.org/a?Token=abc"}, "url"},
		{"an ordinary query", &athar.Source{ID: "source:x", Title: "X", Kind: "NEWS", URL: "https://example.org/a?id=7&page=2"}, ""},
		{"an attack part of itself", &athar.Attack{ID: "attack:x", Title: "A", Date: mustDate(t, "2014-04-30"), AggregateID: "attack:x"}, "aggregateId"},
		{"a low above its high, kept", &athar.Claim{ID: "claim:x", AttackID: "attack:x", SourceID: "source:x", Kind: athar.ClaimCasualties,
			Text: "t", Quote: "q", Killed: &athar.Range{Low: &low, High: &high}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			athar.Normalize(c.e)
			p, _ := athar.Validate(c.e)
			if c.field == "" {
				if len(p) > 0 {
					t.Errorf("problems %v, want none", p)
				}
				return
			}
			if len(p) == 0 || p[0].Field != c.field {
				t.Errorf("problems %v, want one at %s", p, c.field)
			}
		})
	}
	if c := (&athar.Claim{Killed: &athar.Range{Low: &low, High: &high}}); !c.Inconsistent() {
		t.Error("a claim whose low is above its high is not marked inconsistent")
	}
	if c := (&athar.Claim{Killed: &athar.Range{Low: &high, High: &low}}); c.Inconsistent() {
		t.Error("a consistent claim is marked inconsistent")
	}
}

func mustDate(tb testing.TB, start string) athar.Date {
	tb.Helper()
	d, err := athar.ParseDate(start, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
