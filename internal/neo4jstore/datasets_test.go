package neo4jstore_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// event is one event of a release built by release: an attack and the claim of its figures.
type event struct {
	ext, title, summary string
	killed              int
}

// release builds one release of the dataset dataset:<slug>: the country Syria, a governorate in it
// named gov, the government actor named actor, and for each event a source, an attack in the
// governorate and a claim of its dead with the actor as side A, every record in the dataset's
// namespace. An empty version leaves the Dataset record out (a file that is no release).
func release(slug, version, gov, actor string, events ...event) *athar.Bundle {
	day, err := athar.ParseDate("2016-11-20", "", "")
	if err != nil {
		panic(err)
	}
	ds := "dataset:" + slug
	syria, govID, actorID := "place:"+slug+"-syria", "place:"+slug+"-gov", "actor:"+slug+"-gov"
	es := []athar.Entity{
		&athar.Place{ID: syria, Name: "Syria", Kind: "COUNTRY", DatasetID: ds, ExternalID: "Syria"},
		&athar.Place{ID: govID, Name: gov, Kind: "GOVERNORATE", PartOf: syria, DatasetID: ds, ExternalID: gov},
		&athar.Actor{ID: actorID, Name: actor, Kind: "GOVERNMENT", DatasetID: ds, ExternalID: actor},
	}
	if version != "" {
		es = append(es, &athar.Dataset{ID: ds, Name: strings.ToUpper(slug), Release: version})
	}
	for _, e := range events {
		k := e.killed
		e.ext = strings.ToLower(e.ext)
		es = append(es,
			&athar.Source{ID: "source:" + slug + "-" + e.ext, Title: slug + " event " + e.ext, Kind: "DATASET_RECORD", DatasetID: ds, ExternalID: e.ext},
			&athar.Attack{ID: "attack:" + slug + "-" + e.ext, Title: e.title, Summary: e.summary, Date: day,
				PlaceIDs: []string{govID}, DatasetID: ds, ExternalID: e.ext},
			&athar.Claim{ID: "claim:" + slug + "-" + e.ext, AttackID: "attack:" + slug + "-" + e.ext, SourceID: "source:" + slug + "-" + e.ext,
				Kind: "CASUALTIES", Text: "killed", Quote: e.summary, Killed: &athar.Range{Low: &k, High: &k}, SideA: actorID,
				DatasetID: ds, ExternalID: e.ext})
	}
	b := &athar.Bundle{}
	for _, e := range es {
		athar.Normalize(e)
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityType().Record() + " " + e.EntityID()})
	}
	b.Sort()
	return b
}

func mustImport(tb testing.TB, s *neo4jstore.Store, b *athar.Bundle, opts neo4jstore.ImportOptions) neo4jstore.ImportSummary {
	tb.Helper()
	sum, err := s.Import(context.Background(), b, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return sum
}

func datasetSummary(tb testing.TB, sum neo4jstore.ImportSummary, id string) *neo4jstore.DatasetSummary {
	tb.Helper()
	for _, d := range sum.Datasets {
		if d.DatasetID == id {
			return d
		}
	}
	tb.Fatalf("no summary of %s in %+v", id, sum.Datasets)
	return nil
}

func mustAttack(tb testing.TB, s *neo4jstore.Store, id string) *athar.Attack {
	tb.Helper()
	as, err := s.AttacksByID(context.Background(), []string{id})
	if err != nil || len(as) != 1 {
		tb.Fatalf("attack %s: %v %v", id, as, err)
	}
	return as[0]
}

func mustClaim(tb testing.TB, s *neo4jstore.Store, id string) *athar.Claim {
	tb.Helper()
	cs, err := s.ClaimsByID(context.Background(), []string{id})
	if err != nil || len(cs) != 1 {
		tb.Fatalf("claim %s: %v %v", id, cs, err)
	}
	return cs[0]
}

var (
	ucdp1 = event{ext: "1", title: "Air strike on Al-Quds hospital", summary: "Air strike hit the hospital", killed: 27}
	ucdp2 = event{ext: "2", title: "Shelling of Bustan al-Qasr", summary: "Shells hit the market", killed: 5}
)

func TestImport_DatasetsShareItsPlacesAndActors(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	sum := mustImport(t, s, release("ucdp-ged", "24.1", "Aleppo governorate", "Government of Syria", ucdp1), neo4jstore.ImportOptions{})
	if got := datasetSummary(t, sum, "dataset:ucdp-ged").Matches; got["CREATED"] != 3 {
		t.Errorf("first dataset's matches = %v, want 3 CREATED", got)
	}
	// A curator adds the Arabic-derived spelling ACLED uses to the governorate made by the first.
	gov := neo4jtest.Count(t, "MATCH (p:Place {name: 'Aleppo governorate'}) RETURN count(p) AS n", nil)
	if gov != 1 {
		t.Fatalf("%d governorate nodes after the first import, want 1", gov)
	}
	ms, err := s.MatchesOfDatasets(ctx, []string{"dataset:ucdp-ged"}, athar.TypePlace, athar.All)
	if err != nil {
		t.Fatal(err)
	}
	var govID string
	for _, m := range ms["dataset:ucdp-ged"].Items {
		if m.RecordID == "place:ucdp-ged-gov" {
			govID = m.EntityID
		}
	}
	if govID == "" || strings.Contains(govID, "ucdp-ged") {
		t.Fatalf("the governorate's match = %q, want a shared id outside the dataset's namespace (%+v)", govID, ms)
	}
	if _, err := athar.Update(ctx, s, govID, func(p *athar.Place) error {
		p.Aliases = append(p.Aliases, "Halab")
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	sum = mustImport(t, s, release("acled", "2024-06", "Halab", "Military Forces of Syria", event{ext: "SYR1", title: "Air strike", summary: "Air strike on hospital", killed: 25}), neo4jstore.ImportOptions{})
	acled := datasetSummary(t, sum, "dataset:acled")
	if acled.Matches["NAME"] != 1 || acled.Matches["ALIAS"] != 1 || acled.Matches["CREATED"] != 1 {
		t.Errorf("second dataset's matches = %v, want Syria by NAME, Halab by ALIAS, the new actor CREATED", acled.Matches)
	}
	t.Run("one node per place, the attacks of both in it", func(t *testing.T) {
		if n := neo4jtest.Count(t, "MATCH (p:Place) RETURN count(p) AS n", nil); n != 2 {
			t.Errorf("%d places, want 2 (Syria and its governorate)", n)
		}
		if n := neo4jtest.Count(t, "MATCH (a:Attack)-[:OCCURRED_IN]->(p:Place {id: $gov})-[:PART_OF]->(:Place {name: 'Syria'}) RETURN count(a) AS n",
			map[string]any{"gov": govID}); n != 2 {
			t.Errorf("%d attacks in the shared governorate, want 2", n)
		}
		if n := neo4jtest.Count(t, "MATCH (n) WHERE n.id STARTS WITH 'place:ucdp-ged' OR n.id STARTS WITH 'place:acled' RETURN count(n) AS n", nil); n != 0 {
			t.Errorf("%d nodes under a dataset's place id, want none", n)
		}
	})
	t.Run("the same actor by name", func(t *testing.T) {
		sum := mustImport(t, s, release("ged-syria", "1", "Aleppo governorate", "Government of Syria"), neo4jstore.ImportOptions{})
		if got := datasetSummary(t, sum, "dataset:ged-syria").Matches; got["NAME"] != 3 {
			t.Errorf("matches = %v, want 3 by NAME", got)
		}
		if n := neo4jtest.Count(t, "MATCH (a:Actor {name: 'Government of Syria'}) RETURN count(a) AS n", nil); n != 1 {
			t.Errorf("%d actors named Government of Syria, want 1", n)
		}
	})
	t.Run("the matches are listed", func(t *testing.T) {
		ms, err := s.MatchesOfDatasets(ctx, []string{"dataset:acled"}, "", athar.Window{Offset: 0, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		l := ms["dataset:acled"]
		if l.Total != 3 || len(l.Items) != 2 {
			t.Fatalf("matches = %+v, want 2 of 3", l)
		}
		if m := l.Items[0]; m.RecordID != "actor:acled-gov" || m.Type != athar.TypeActor || m.Rule != athar.MatchCreated || m.Name != "Military Forces of Syria" || m.ExternalID != "Military Forces of Syria" {
			t.Errorf("first match = %+v", m)
		}
		if m := l.Items[1]; m.RecordID != "place:acled-gov" || m.EntityID != govID || m.Rule != athar.MatchAlias {
			t.Errorf("second match = %+v, want the governorate %s by ALIAS", m, govID)
		}
	})
	t.Run("a curator's alias survives a re-import", func(t *testing.T) {
		sum := mustImport(t, s, release("ucdp-ged", "24.1", "Aleppo governorate", "Government of Syria", ucdp1), neo4jstore.ImportOptions{})
		if got := sum.Total(); got.Created+got.Updated != 0 {
			t.Errorf("re-import of an unchanged release = %+v, want nothing written", got)
		}
		ps, err := s.PlacesByID(ctx, []string{govID})
		if err != nil || len(ps) != 1 || !slices.Contains(ps[0].Aliases, "Halab") {
			t.Errorf("governorate after the re-import = %+v (%v), want the alias Halab kept", ps, err)
		}
	})
	t.Run("correctMatch re-points the links", func(t *testing.T) {
		other, err := s.Create(ctx, &athar.Actor{ID: "actor:syrian-arab-army", Name: "Syrian Arab Army", Kind: "STATE_FORCE"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.CorrectMatch(ctx, "dataset:acled", "actor:acled-gov", other.EntityID())
		if err != nil {
			t.Fatal(err)
		}
		if m.EntityID != "actor:syrian-arab-army" || m.Rule != athar.MatchCurator || m.Name != "Military Forces of Syria" {
			t.Errorf("corrected match = %+v", m)
		}
		if c := mustClaim(t, s, "claim:acled-syr1"); c.SideA != "actor:syrian-arab-army" {
			t.Errorf("claim's sideA = %q, want the corrected actor", c.SideA)
		}
		if c := mustClaim(t, s, "claim:ucdp-ged-1"); c.SideA == "actor:syrian-arab-army" {
			t.Errorf("another dataset's claim was re-pointed")
		}
		sum := mustImport(t, s, release("acled", "2024-06", "Halab", "Military Forces of Syria", event{ext: "SYR1", title: "Air strike", summary: "Air strike on hospital", killed: 25}), neo4jstore.ImportOptions{})
		if got := sum.Total(); got.Created+got.Updated != 0 {
			t.Errorf("re-import after the correction = %+v, want nothing written", got)
		}
		if c := mustClaim(t, s, "claim:acled-syr1"); c.SideA != "actor:syrian-arab-army" {
			t.Errorf("claim's sideA after a re-import = %q, want the correction kept", c.SideA)
		}
		_, err = s.CorrectMatch(ctx, "dataset:acled", "actor:acled-gov", "place:syria")
		if code(err) != athar.EINVALID || field(err) != "entityId" {
			t.Errorf("correcting to a place: %v, want invalid entityId", err)
		}
		_, err = s.CorrectMatch(ctx, "dataset:acled", "actor:acled-nobody", "actor:syrian-arab-army")
		if code(err) != athar.ENOTFOUND {
			t.Errorf("correcting an unknown match: %v, want not found", err)
		}
	})
}

func TestImport_DatasetRecordsBelongToTheirOwner(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	day := mustDate(t, "2016-11-20")
	mustImport(t, s, release("acled", "1", "Aleppo", "Government of Syria", event{ext: "africa-1", title: "T", summary: "S", killed: 1}), neo4jstore.ImportOptions{})
	if _, err := s.Create(ctx, &athar.Attack{ID: "attack:ucdp-ged-1", Title: "Curated", Date: day}); err != nil {
		t.Fatal(err)
	}
	nodes := func() int64 { return neo4jtest.Count(t, "MATCH (n) RETURN count(n) AS n", nil) }
	before := nodes()
	for _, c := range []struct {
		name  string
		b     *athar.Bundle
		field string
		says  string
	}{
		// dataset:acled-africa's namespace (attack:acled-africa-) holds dataset:acled's attack:acled-africa-1.
		{"another dataset's record", release("acled-africa", "1", "Aleppo", "Government of Syria", event{ext: "1", title: "T", summary: "S", killed: 1}),
			"attack attack:acled-africa-1.id", "attack:acled-africa-1 belongs to dataset:acled"},
		{"a curated record", release("ucdp-ged", "1", "Aleppo", "Government of Syria", ucdp1),
			"attack attack:ucdp-ged-1.id", "attack:ucdp-ged-1 is a curated record"},
		{"a dataset's record in a curated bundle", func() *athar.Bundle {
			a := &athar.Attack{ID: "attack:acled-africa-1", Title: "Overwritten", Date: day}
			return &athar.Bundle{Records: []athar.Record{{Entity: a, Where: "attacks[3]"}}}
		}(), "attacks[3].id", "attack:acled-africa-1 belongs to dataset:acled"},
		{"a curated record in a dataset's namespace", func() *athar.Bundle {
			a := &athar.Attack{ID: "attack:acled-syr9999", Title: "Squatted", Date: day}
			return &athar.Bundle{Records: []athar.Record{{Entity: a, Where: "attacks[0]"}}}
		}(), "attacks[0].id", "attack:acled-syr9999 is in the namespace of dataset:acled"},
		{"another publisher's release under an existing dataset", func() *athar.Bundle {
			b := release("acled", "2", "Aleppo", "Government of Syria", event{ext: "africa-1", title: "T", summary: "S", killed: 1})
			for _, r := range b.Records {
				if d, ok := r.Entity.(*athar.Dataset); ok {
					d.Publisher = "Uppsala Conflict Data Program"
				}
			}
			return b
		}(), "dataset dataset:acled.publisher", "file it under a dataset of its own"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Import(ctx, c.b, neo4jstore.ImportOptions{})
			var ps athar.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want problems", err)
			}
			found := false
			for _, p := range ps {
				found = found || (p.Field == c.field && strings.Contains(p.Message, c.says))
			}
			if !found {
				t.Errorf("problems = %v, want %s: %s", ps, c.field, c.says)
			}
			if n := nodes(); n != before {
				t.Errorf("%d nodes after a refused import, want %d: something was written", n, before)
			}
		})
	}
	if a := mustAttack(t, s, "attack:acled-africa-1"); a.Title != "T" || a.DatasetID != "dataset:acled" {
		t.Errorf("acled's attack = %+v, want it untouched", a)
	}
	if _, err := s.Create(ctx, &athar.Attack{ID: "attack:acled-syr9999", Title: "Squatted", Date: day}); athar.ErrorCode(err) != athar.EINVALID ||
		!strings.Contains(err.Error(), "namespace of dataset:acled") {
		t.Errorf("creating a curated attack in acled's namespace: %v", err)
	}
	t.Run("a partial file leaves its dataset's record as the last release left it", func(t *testing.T) {
		mustImport(t, s, release("acled", "7", "Aleppo", "Government of Syria", event{ext: "africa-1", title: "T", summary: "S", killed: 1}),
			neo4jstore.ImportOptions{Partial: true})
		if n := neo4jtest.Count(t, "MATCH (d:Dataset {id: 'dataset:acled', release: '1'}) RETURN count(d) AS n", nil); n != 1 {
			t.Error("a partial import changed the dataset's release")
		}
	})
}

func TestImport_CurationSurvivesReimport(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	mustImport(t, s, release("ucdp-ged", "24.1", "Aleppo", "Government of Syria", ucdp1, ucdp2), neo4jstore.ImportOptions{})
	if _, err := athar.Update(ctx, s, "attack:ucdp-ged-1", func(a *athar.Attack) error {
		a.Title = "Air strike on Al-Quds hospital, Sukkari"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const described = "UCDP's events of Syria, as released"
	if _, err := athar.Update(ctx, s, "dataset:ucdp-ged", func(d *athar.Dataset) error {
		d.Description = described
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	descriptionKept := func(t *testing.T) {
		t.Helper()
		ds, err := s.DatasetsByID(ctx, []string{"dataset:ucdp-ged"})
		if err != nil || len(ds) != 1 || ds[0].Description != described {
			t.Errorf("dataset = %+v (%v), want the curator's description kept", ds, err)
		}
	}
	t.Run("unchanged release", func(t *testing.T) {
		sum := mustImport(t, s, release("ucdp-ged", "24.1", "Aleppo", "Government of Syria", ucdp1, ucdp2), neo4jstore.ImportOptions{})
		if got := sum.Total(); got.Created+got.Updated+got.Withdrawn != 0 || len(sum.Conflicts()) != 0 {
			t.Errorf("summary = %+v, conflicts %v, want all unchanged", got, sum.Conflicts())
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-1"); a.Title != "Air strike on Al-Quds hospital, Sukkari" {
			t.Errorf("title = %q, want the curated one", a.Title)
		}
		descriptionKept(t)
	})
	t.Run("changed release", func(t *testing.T) {
		changed := ucdp1
		changed.title = "Air strike on Al-Quds hospital (revised)"
		changed.summary = "Air strike hit the hospital; revised"
		b := release("ucdp-ged", "24.2", "Aleppo", "Government of Syria", changed, ucdp2)
		dry := mustImport(t, s, b, neo4jstore.ImportOptions{DryRun: true})
		if len(dry.Conflicts()) != 1 {
			t.Errorf("dry run conflicts = %v, want 1", dry.Conflicts())
		}
		sum := mustImport(t, s, b, neo4jstore.ImportOptions{})
		ucdp := datasetSummary(t, sum, "dataset:ucdp-ged")
		if ucdp.Counts.Updated != 3 { // the dataset record, the attack and its claim (the quote)
			t.Errorf("counts = %+v, want 3 updated", ucdp.Counts)
		}
		want := []neo4jstore.CurationConflict{{RecordID: "attack:ucdp-ged-1", Field: "title",
			DatasetValue: `"Air strike on Al-Quds hospital (revised)"`, CuratedValue: `"Air strike on Al-Quds hospital, Sukkari"`}}
		if !slices.Equal(ucdp.Conflicts, want) {
			t.Errorf("conflicts = %+v, want %+v", ucdp.Conflicts, want)
		}
		a := mustAttack(t, s, "attack:ucdp-ged-1")
		if a.Title != "Air strike on Al-Quds hospital, Sukkari" || a.Summary != "Air strike hit the hospital; revised" {
			t.Errorf("attack = %q / %q, want the curated title and the release's summary", a.Title, a.Summary)
		}
		descriptionKept(t)
		again := mustImport(t, s, b, neo4jstore.ImportOptions{})
		if got := again.Total(); got.Created+got.Updated != 0 || len(again.Conflicts()) != 0 {
			t.Errorf("importing the changed release again = %+v, conflicts %v, want nothing", got, again.Conflicts())
		}
	})
}

func TestImport_ReleasesWithdrawWhatTheyNoLongerHold(t *testing.T) {
	s := MustStore(t)
	mustImport(t, s, release("ucdp-ged", "24.1", "Aleppo", "Government of Syria", ucdp1, ucdp2), neo4jstore.ImportOptions{})
	t.Run("a partial file withdraws nothing", func(t *testing.T) {
		sum := mustImport(t, s, release("ucdp-ged", "24.2", "Aleppo", "Government of Syria", ucdp1), neo4jstore.ImportOptions{Partial: true})
		if got := sum.Total(); got.Withdrawn != 0 {
			t.Errorf("withdrawn = %d, want 0", got.Withdrawn)
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-2"); a.WithdrawnIn != "" {
			t.Errorf("withdrawnIn = %q after a partial import", a.WithdrawnIn)
		}
	})
	t.Run("a release without the record withdraws it and its claim", func(t *testing.T) {
		b := release("ucdp-ged", "24.2", "Aleppo", "Government of Syria", ucdp1)
		if dry := mustImport(t, s, b, neo4jstore.ImportOptions{DryRun: true}); dry.Types[athar.TypeAttack].Withdrawn != 1 {
			t.Errorf("dry run withdraws %d attacks, want 1", dry.Types[athar.TypeAttack].Withdrawn)
		}
		sum := mustImport(t, s, b, neo4jstore.ImportOptions{})
		if got := datasetSummary(t, sum, "dataset:ucdp-ged").Counts.Withdrawn; got != 2 {
			t.Errorf("withdrawn = %d, want 2 (the attack and its claim)", got)
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-2"); a.WithdrawnIn != "24.2" {
			t.Errorf("attack withdrawnIn = %q, want 24.2", a.WithdrawnIn)
		}
		if c := mustClaim(t, s, "claim:ucdp-ged-2"); c.WithdrawnIn != "24.2" {
			t.Errorf("claim withdrawnIn = %q, want 24.2", c.WithdrawnIn)
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-1"); a.WithdrawnIn != "" {
			t.Errorf("a current attack was withdrawn in %q", a.WithdrawnIn)
		}
		// The withdrawn claim's 5 killed count nowhere: not in the figures kept for filters,
		// orders and timelines.
		if n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:ucdp-ged-2'}) WHERE a.killedHigh IS NULL AND a.killedCountedHigh IS NULL RETURN count(a) AS n", nil); n != 1 {
			t.Error("the withdrawn claim's figures still count on its attack")
		}
		if again := mustImport(t, s, b, neo4jstore.ImportOptions{}); again.Total().Withdrawn != 0 || again.Total().Updated != 0 {
			t.Errorf("the same release again = %+v, want nothing withdrawn twice", again.Total())
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-2"); a.WithdrawnIn != "24.2" {
			t.Errorf("withdrawnIn = %q after a later release, want the first that left it out", a.WithdrawnIn)
		}
	})
	t.Run("a record that comes back is current again", func(t *testing.T) {
		sum := mustImport(t, s, release("ucdp-ged", "24.3", "Aleppo", "Government of Syria", ucdp1, ucdp2), neo4jstore.ImportOptions{})
		if got := datasetSummary(t, sum, "dataset:ucdp-ged").Counts; got.Updated < 2 {
			t.Errorf("counts = %+v, want the attack and claim updated", got)
		}
		if a := mustAttack(t, s, "attack:ucdp-ged-2"); a.WithdrawnIn != "" {
			t.Errorf("attack withdrawnIn = %q, want current", a.WithdrawnIn)
		}
		if c := mustClaim(t, s, "claim:ucdp-ged-2"); c.WithdrawnIn != "" {
			t.Errorf("claim withdrawnIn = %q, want current", c.WithdrawnIn)
		}
		if n := neo4jtest.Count(t, "MATCH (a:Attack {id: 'attack:ucdp-ged-2'}) WHERE a.killedHigh = 5 RETURN count(a) AS n", nil); n != 1 {
			t.Error("the figures of a claim that came back do not count again")
		}
	})
	t.Run("a release that does not say its name withdraws on the import's date", func(t *testing.T) {
		b := release("ucdp-ged", "unnamed", "Aleppo", "Government of Syria", ucdp1)
		for _, r := range b.Records {
			if d, ok := r.Entity.(*athar.Dataset); ok {
				d.Release = ""
			}
		}
		today := time.Now().UTC().Format(time.DateOnly)
		mustImport(t, s, b, neo4jstore.ImportOptions{})
		if a := mustAttack(t, s, "attack:ucdp-ged-2"); a.WithdrawnIn != today {
			t.Errorf("withdrawnIn = %q, want the import's date %s", a.WithdrawnIn, today)
		}
		mustImport(t, s, release("ucdp-ged", "24.3", "Aleppo", "Government of Syria", ucdp1, ucdp2), neo4jstore.ImportOptions{})
	})
	t.Run("importedAt and inconsistent figures", func(t *testing.T) {
		b := release("ucdp-ged", "24.3", "Aleppo", "Government of Syria", ucdp1, ucdp2)
		for _, r := range b.Records {
			if c, ok := r.Entity.(*athar.Claim); ok && c.ID == "claim:ucdp-ged-2" {
				low, high := 9, 3
				c.Killed = &athar.Range{Low: &low, High: &high}
			}
		}
		sum := mustImport(t, s, b, neo4jstore.ImportOptions{})
		if got := datasetSummary(t, sum, "dataset:ucdp-ged").Inconsistent; got != 1 {
			t.Errorf("inconsistent = %d, want 1", got)
		}
		if n := neo4jtest.Count(t, "MATCH (d:Dataset {id: 'dataset:ucdp-ged'}) WHERE d.importedAt IS NOT NULL RETURN count(d) AS n", nil); n != 1 {
			t.Error("the dataset has no importedAt")
		}
	})
}

// benchRelease is the release BenchmarkImport_DatasetRelease imports: 16,000 events, 48,004 records.
func benchRelease() *athar.Bundle {
	events := make([]event, 16_000)
	for i := range events {
		n := strconv.Itoa(i + 1)
		events[i] = event{ext: n, title: "Event " + n, summary: "Air strike, event " + n, killed: i % 40}
	}
	return release("ucdp-ged", "24.1", "Aleppo", "Government of Syria", events...)
}

// BenchmarkImport_DatasetRelease imports a release of 16,000 events (a source, an attack and a
// claim each, in one governorate, as a UCDP GED release of Syria has) into an empty database, then
// imports it again unchanged, and reports both in records per second: the rules of datasets (owners,
// shared places and actors, the hash of each record as given) on the import's path.
//
//	go test ./internal/neo4jstore/ -run '^$' -bench BenchmarkImport_DatasetRelease -benchtime 1x
func BenchmarkImport_DatasetRelease(b *testing.B) {
	bundle := benchRelease()
	records := float64(len(bundle.Records))
	for b.Loop() {
		s := MustStore(b)
		started := time.Now()
		first := mustImport(b, s, bundle, neo4jstore.ImportOptions{})
		firstTook := time.Since(started)
		started = time.Now()
		again := mustImport(b, s, bundle, neo4jstore.ImportOptions{})
		againTook := time.Since(started)
		if first.Total().Created == 0 || again.Total().Unchanged != len(bundle.Records) {
			b.Fatalf("first %+v, again %+v", first.Total(), again.Total())
		}
		b.ReportMetric(records/firstTook.Seconds(), "first-records/s")
		b.ReportMetric(records/againTook.Seconds(), "again-records/s")
	}
}
