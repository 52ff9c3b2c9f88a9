package neo4jstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// releaseSchema is the schema as the last release before versioned migrations (commit 2d9794a)
// created it, statement for statement: the starting point of a database that upgrades in place.
var releaseSchema = []struct{ name, statement string }{
	{"place_id", "CREATE CONSTRAINT place_id IF NOT EXISTS FOR (n:Place) REQUIRE n.id IS UNIQUE"},
	{"actor_id", "CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE"},
	{"facility_id", "CREATE CONSTRAINT facility_id IF NOT EXISTS FOR (n:Facility) REQUIRE n.id IS UNIQUE"},
	{"source_id", "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE"},
	{"event_id", "CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE"},
	{"attack_id", "CREATE CONSTRAINT attack_id IF NOT EXISTS FOR (n:Attack) REQUIRE n.id IS UNIQUE"},
	{"claim_id", "CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE"},
	{"year_id", "CREATE CONSTRAINT year_id IF NOT EXISTS FOR (n:Year) REQUIRE n.id IS UNIQUE"},
	{"month_id", "CREATE CONSTRAINT month_id IF NOT EXISTS FOR (n:Month) REQUIRE n.id IS UNIQUE"},
	{"day_id", "CREATE CONSTRAINT day_id IF NOT EXISTS FOR (n:Day) REQUIRE n.id IS UNIQUE"},
	{"timenode_id", "CREATE CONSTRAINT timenode_id IF NOT EXISTS FOR (n:TimeNode) REQUIRE n.id IS UNIQUE"},
	{"attack_start", "CREATE RANGE INDEX attack_start IF NOT EXISTS FOR (n:Attack) ON (n.startDate)"},
	{"attack_end", "CREATE RANGE INDEX attack_end IF NOT EXISTS FOR (n:Attack) ON (n.endDate)"},
	{"event_start", "CREATE RANGE INDEX event_start IF NOT EXISTS FOR (n:Event) ON (n.startDate)"},
	{"facility_type", "CREATE RANGE INDEX facility_type IF NOT EXISTS FOR (n:Facility) ON (n.type)"},
	{"place_kind", "CREATE RANGE INDEX place_kind IF NOT EXISTS FOR (n:Place) ON (n.kind)"},
	{"claim_kind", "CREATE RANGE INDEX claim_kind IF NOT EXISTS FOR (n:Claim) ON (n.kind)"},
	{"day_date", "CREATE RANGE INDEX day_date IF NOT EXISTS FOR (n:Day) ON (n.date)"},
	// Every node of the graph carries :Entity with a unique id, so that a lookup by id alone (a
	// network view's neighbourhood) is an index seek whatever the node's kind.
	{"entity_id", "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"},
	{"weapon_id", "CREATE CONSTRAINT weapon_id IF NOT EXISTS FOR (n:Weapon) REQUIRE n.id IS UNIQUE"},
	{"attacktype_id", "CREATE CONSTRAINT attacktype_id IF NOT EXISTS FOR (n:AttackType) REQUIRE n.id IS UNIQUE"},
	{"attack_killed_high", "CREATE RANGE INDEX attack_killed_high IF NOT EXISTS FOR (n:Attack) ON (n.killedHigh)"},
	{"attack_killed_sort", "CREATE RANGE INDEX attack_killed_sort IF NOT EXISTS FOR (n:Attack) ON (n.killedSort)"},
	{"facility_name", "CREATE RANGE INDEX facility_name IF NOT EXISTS FOR (n:Facility) ON (n.name)"},
	{"place_name", "CREATE RANGE INDEX place_name IF NOT EXISTS FOR (n:Place) ON (n.name)"},
	{"actor_name", "CREATE RANGE INDEX actor_name IF NOT EXISTS FOR (n:Actor) ON (n.name)"},
	{"actor_kind", "CREATE RANGE INDEX actor_kind IF NOT EXISTS FOR (n:Actor) ON (n.kind)"},
	{"source_title", "CREATE RANGE INDEX source_title IF NOT EXISTS FOR (n:Source) ON (n.title)"},
	{"source_kind", "CREATE RANGE INDEX source_kind IF NOT EXISTS FOR (n:Source) ON (n.kind)"},
	{"facility_location", "CREATE POINT INDEX facility_location IF NOT EXISTS FOR (n:Facility) ON (n.location)"},
	{"place_location", "CREATE POINT INDEX place_location IF NOT EXISTS FOR (n:Place) ON (n.location)"},
	// One full-text index over every text a user may search: names and their aliases, titles,
	// summaries, and the words of claims.
	{"search_text", "CREATE FULLTEXT INDEX search_text IF NOT EXISTS FOR (n:Facility|Place|Actor|Source|Event|Attack|Claim) " +
		"ON EACH [n.name, n.aliasText, n.title, n.summary, n.description, n.quote, n.text]"},
}

// droppedLater are the indexes of releaseSchema that a later migration drops: migration 3 replaced
// search_text with search_folded, over the folded texts.
var droppedLater = []string{"search_text"}

// kept returns the lines of a schema (schemaOf) but those of the indexes in droppedLater.
func kept(schema []string) []string {
	var out []string
	for _, line := range schema {
		name, _, _ := strings.Cut(line, " ")
		if !slices.Contains(droppedLater, name) {
			out = append(out, line)
		}
	}
	return out
}

// releaseMigrate creates releaseSchema the way that release's Migrate did: the statements whose name
// the database lacks, then a wait until every index is online.
func releaseMigrate(tb testing.TB) {
	tb.Helper()
	var existing []string
	for _, q := range []string{"SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name RETURN name"} {
		for _, rec := range query(tb, q, nil) {
			existing = append(existing, get[string](tb, rec, "name"))
		}
	}
	for _, m := range releaseSchema {
		if !slices.Contains(existing, m.name) {
			query(tb, m.statement, nil)
		}
	}
	query(tb, "CALL db.awaitIndexes(300)", nil)
}

// MustDropSchema deletes the migration records and drops every constraint and index but Neo4j's own
// lookup indexes, so that the database looks as if no Athar had used it. Data stays.
func MustDropSchema(tb testing.TB) {
	tb.Helper()
	query(tb, "MATCH (m:AtharMigration) DELETE m", nil)
	for _, rec := range query(tb, "SHOW CONSTRAINTS YIELD name RETURN name", nil) {
		query(tb, "DROP CONSTRAINT `"+get[string](tb, rec, "name")+"` IF EXISTS", nil)
	}
	for _, rec := range query(tb, "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", nil) {
		query(tb, "DROP INDEX `"+get[string](tb, rec, "name")+"` IF EXISTS", nil)
	}
}

// schemaOf describes every constraint and index but the lookup indexes, one line each, sorted: their
// names and complete definitions, so that two schemas compare equal only when they are the same.
func schemaOf(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, rec := range query(tb, "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties "+
		"RETURN name, 'constraint ' + type AS type, entityType, labelsOrTypes, properties, null AS options", nil) {
		out = append(out, describe(rec))
	}
	for _, rec := range query(tb, "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, options WHERE type <> 'LOOKUP' "+
		"RETURN name, 'index ' + type AS type, entityType, labelsOrTypes, properties, options", nil) {
		out = append(out, describe(rec))
	}
	slices.Sort(out)
	return out
}

// describe writes a record's values on one line, its first (the name) first.
func describe(rec *neo4j.Record) string {
	var b strings.Builder
	for i, v := range rec.Values {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%v", v)
	}
	return b.String()
}

// missing returns the lines of want that got lacks.
func missing(got, want []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	return out
}

// query runs one query (in its own transaction) on the test database and returns its records.
func query(tb testing.TB, q string, params map[string]any) []*neo4j.Record {
	tb.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(tb), q, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(neo4jtest.Database))
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return res.Records
}

func get[T neo4j.RecordValue](tb testing.TB, rec *neo4j.Record, key string) T {
	tb.Helper()
	v, _, err := neo4j.GetRecordValue[T](rec, key)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// versions returns the versions of states.
func versions(states []neo4jstore.MigrationState) []int {
	var out []int
	for _, st := range states {
		out = append(out, st.Version)
	}
	return out
}

// upTo returns the versions from first to last.
func upTo(first, last int) []int {
	var out []int
	for v := first; v <= last; v++ {
		out = append(out, v)
	}
	return out
}

// cleanupToyMigrations removes what the toy migrations of a test made, so that the tests after it
// find a database this build can migrate.
func cleanupToyMigrations(tb testing.TB) {
	tb.Cleanup(func() {
		query(tb, "MATCH (m:AtharMigration) WHERE m.version > $n DELETE m", map[string]any{"n": neo4jstore.ReleaseMigrations})
		query(tb, "DROP INDEX toy_place_slug IF EXISTS", nil)
		neo4jtest.Wipe(tb)
	})
}

// run returns a data step that runs one Cypher write.
func run(q string) func(context.Context, neo4j.ManagedTransaction) error {
	return func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		res, err := tx.Run(ctx, q, nil)
		if err != nil {
			return err
		}
		_, err = res.Consume(ctx)
		return err
	}
}

func TestMigrate_FreshDatabase(t *testing.T) {
	ctx := context.Background()
	s := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	neo4jtest.Wipe(t)
	MustDropSchema(t)
	all := upTo(1, neo4jstore.ReleaseMigrations)

	status, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(status); !slices.Equal(got, all) {
		t.Fatalf("status of a fresh database lists %v, want %v", got, all)
	}
	for _, st := range status {
		if st.Applied || !st.AppliedAt.IsZero() || st.Unknown || st.Name == "" {
			t.Errorf("fresh database: %+v, want a named pending migration", st)
		}
	}

	started := time.Now().Add(-time.Second)
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(applied); !slices.Equal(got, all) {
		t.Errorf("first run applied %v, want %v", got, all)
	}
	t.Run("applying again applies nothing", func(t *testing.T) {
		again, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Errorf("second run applied %v, want nothing", versions(again))
		}
		if n := neo4jtest.Count(t, "MATCH (m:AtharMigration) RETURN count(m) AS n", nil); n != int64(len(all)) {
			t.Errorf("%d migration records, want %d", n, len(all))
		}
	})
	t.Run("status lists every migration applied, with its time", func(t *testing.T) {
		status, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(status); !slices.Equal(got, all) {
			t.Fatalf("status lists %v, want %v", got, all)
		}
		for i, st := range status {
			if !st.Applied || st.Unknown || st.Name != applied[i].Name {
				t.Errorf("status %+v, want applied %q", st, applied[i].Name)
			}
			if st.AppliedAt.Before(started) || st.AppliedAt.After(time.Now()) || st.AppliedAt.Location() != time.UTC {
				t.Errorf("migration %d applied at %v, want a UTC time during the run (after %v)", st.Version, st.AppliedAt, started)
			}
			if !st.AppliedAt.Equal(applied[i].AppliedAt) {
				t.Errorf("migration %d: status says applied at %v, Migrate said %v", st.Version, st.AppliedAt, applied[i].AppliedAt)
			}
		}
	})
	t.Run("migration 1 is the release's schema", func(t *testing.T) {
		var statements []string
		for _, m := range releaseSchema {
			statements = append(statements, m.statement)
		}
		if !slices.Equal(neo4jstore.Migration1Schema, statements) {
			t.Errorf("migration 1's statements differ from the release's:\n%s", strings.Join(neo4jstore.Migration1Schema, "\n"))
		}
		migrated := schemaOf(t)
		MustDropSchema(t)
		releaseMigrate(t)
		release := schemaOf(t)
		if _, err := s.Migrate(ctx); err != nil { // a migrated database again, for the tests after this one
			t.Fatal(err)
		}
		if lack := missing(migrated, kept(release)); len(lack) > 0 {
			t.Errorf("a migrated fresh database lacks the release's:\n%s", strings.Join(lack, "\n"))
		}
	})
}

func TestMigrate_UpgradesAReleaseDatabase(t *testing.T) {
	ctx := context.Background()
	s := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	neo4jtest.Wipe(t)
	t.Cleanup(func() { neo4jtest.Wipe(t) })
	MustDropSchema(t)
	releaseMigrate(t)
	release := schemaOf(t)
	MustSeed(t, s)
	exportOf := func() string {
		t.Helper()
		b, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if err := b.Write(&out, true); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	countAll := func() [2]int64 {
		return [2]int64{neo4jtest.Count(t, "MATCH (n) RETURN count(n) AS n", nil), neo4jtest.Count(t, "MATCH ()-[r]->() RETURN count(r) AS n", nil)}
	}
	exported, counted := exportOf(), countAll()

	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions(applied), upTo(1, neo4jstore.ReleaseMigrations); !slices.Equal(got, want) {
		t.Errorf("upgrade applied %v, want %v", got, want)
	}
	t.Run("the upgrade is recorded", func(t *testing.T) {
		status, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range status {
			if !st.Applied || st.AppliedAt.IsZero() || st.Unknown {
				t.Errorf("after the upgrade: %+v, want applied", st)
			}
		}
	})
	t.Run("the data is intact", func(t *testing.T) {
		after := countAll()
		after[0] -= int64(neo4jstore.ReleaseMigrations) // the records of the migrations
		if after != counted {
			t.Errorf("nodes and relationships %v after the upgrade, want %v and the record", after, counted)
		}
		if exportOf() != exported {
			t.Error("the export changed with the upgrade")
		}
	})
	t.Run("every index is there and online", func(t *testing.T) {
		after := schemaOf(t)
		if lack := missing(after, kept(release)); len(lack) > 0 {
			t.Errorf("after the upgrade the database lacks:\n%s", strings.Join(lack, "\n"))
		}
		if n := neo4jtest.Count(t, "SHOW CONSTRAINTS YIELD name WHERE name = 'athar_migration_version' RETURN count(*) AS n", nil); n != 1 {
			t.Error("no constraint on the migration records' version")
		}
		if n := neo4jtest.Count(t, "SHOW INDEXES YIELD state WHERE state <> 'ONLINE' RETURN count(*) AS n", nil); n != 0 {
			t.Errorf("%d indexes not online", n)
		}
	})
}

func TestMigrate_DataMigrationRunsOnceInOrder(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	MustSeed(t, s)
	cleanupToyMigrations(t)
	release := neo4jstore.ReleaseMigrations
	// The second backfill reads what the first wrote: run in the wrong order, it writes no slug.
	toys := []neo4jstore.Migration{
		{Name: "toy: mark places", Data: run("MATCH (p:Place) SET p.toySteps = coalesce(p.toySteps, []) + 'mark'")},
		{Name: "toy: slug places", Schema: []string{"CREATE RANGE INDEX toy_place_slug IF NOT EXISTS FOR (n:Place) ON (n.toySlug)"},
			Batched: []string{"MATCH (p:Place) WHERE p.toySlug IS NULL " +
				"CALL (p) { SET p.toySlug = p.toySteps[0] + ':' + p.id, p.toySteps = p.toySteps + 'slug' } IN TRANSACTIONS OF 2 ROWS"}},
	}
	places := neo4jtest.Count(t, "MATCH (p:Place) RETURN count(p) AS n", nil)
	if places < 3 {
		t.Fatalf("%d places in the seed; the test needs a few batches", places)
	}

	applied, err := s.MigrateWith(ctx, toys...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions(applied), []int{release + 1, release + 2}; !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	if applied[0].Name != toys[0].Name || applied[1].Name != toys[1].Name {
		t.Errorf("applied %+v", applied)
	}
	again, err := s.MigrateWith(ctx, toys...)
	if err != nil || len(again) != 0 {
		t.Errorf("second run applied %v (%v), want nothing", versions(again), err)
	}
	if n := neo4jtest.Count(t, "MATCH (p:Place) WHERE p.toySteps = ['mark', 'slug'] AND p.toySlug = 'mark:' + p.id RETURN count(p) AS n", nil); n != places {
		t.Errorf("%d of %d places backfilled once and in order", n, places)
	}
	if n := neo4jtest.Count(t, "SHOW INDEXES YIELD name, state WHERE name = 'toy_place_slug' AND state = 'ONLINE' RETURN count(*) AS n", nil); n != 1 {
		t.Error("the toy migration's index is not online")
	}

	t.Run("an Athar that does not know them refuses to migrate", func(t *testing.T) {
		_, err := s.Migrate(ctx)
		if athar.ErrorCode(err) != athar.ECONFLICT || !strings.Contains(err.Error(), fmt.Sprintf("migration %d (toy: mark places)", release+1)) {
			t.Errorf("err = %v, want a conflict naming the unknown migration", err)
		}
		status, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := versions(status), upTo(1, release+2); !slices.Equal(got, want) {
			t.Fatalf("status lists %v, want %v", got, want)
		}
		for _, st := range status[release:] {
			if !st.Unknown || !st.Applied || !strings.HasPrefix(st.Name, "toy: ") {
				t.Errorf("status %+v, want an applied migration unknown to this build", st)
			}
		}
	})
	t.Run("a migration recorded under another name is refused", func(t *testing.T) {
		renamed := slices.Clone(toys)
		renamed[1].Name = "toy: something else"
		_, err := s.MigrateWith(ctx, renamed...)
		if athar.ErrorCode(err) != athar.ECONFLICT || !strings.Contains(err.Error(), `"toy: slug places"`) {
			t.Errorf("err = %v, want a conflict naming both names", err)
		}
	})
}

func TestMigrate_TwoAtharsAtOnce(t *testing.T) {
	ctx := context.Background()
	neo4jtest.Wipe(t)
	MustDropSchema(t)
	cleanupToyMigrations(t)
	toy := neo4jstore.Migration{Name: "toy: count runs", Data: run("MERGE (c:ToyCounter {id: 'runs'}) SET c.n = coalesce(c.n, 0) + 1")}

	var stores [2]*neo4jstore.Store
	for i := range stores {
		// Each Athar has its own driver, as two processes would.
		d, err := neo4j.NewDriverWithContext(neo4jtest.URI, neo4j.BasicAuth(neo4jtest.User, neo4jtest.Password, ""))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close(context.Background()) })
		stores[i] = neo4jstore.New(d, neo4jtest.Database)
	}
	var wg sync.WaitGroup
	var applied [2][]neo4jstore.MigrationState
	var errs [2]error
	for i := range stores {
		wg.Go(func() { applied[i], errs[i] = stores[i].MigrateWith(ctx, toy) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}
	t.Logf("one applied %v, the other %v", versions(applied[0]), versions(applied[1]))
	both := append(versions(applied[0]), versions(applied[1])...)
	slices.Sort(both)
	if want := upTo(1, neo4jstore.ReleaseMigrations+1); !slices.Equal(both, want) {
		t.Errorf("the two applied %v and %v, want each of %v by one of them", versions(applied[0]), versions(applied[1]), want)
	}
	if n := neo4jtest.Count(t, "MATCH (c:ToyCounter) RETURN sum(c.n) AS n", nil); n != 1 {
		t.Errorf("the data migration ran %d times, want once", n)
	}
	if n := neo4jtest.Count(t, "MATCH (m:AtharMigration) RETURN count(m) AS n", nil); n != int64(neo4jstore.ReleaseMigrations+1) {
		t.Errorf("%d migration records, want %d", n, neo4jstore.ReleaseMigrations+1)
	}
}

// Migration 2 turns the figures a release before it stored, a claim's min and max, into its low and
// high, and drops the claim's content hash so that the next import rewrites it once.
func TestMigrate_FiguresBecomeLowBestHigh(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	MustSeed(t, s)
	const claim = "claim:ain-jalout-2014-killed-amc"
	// The claim as a release before migration 2 stored it, and that migration not yet recorded.
	for _, q := range []string{
		`MATCH (c:Claim {id: $id}) SET c.killedMin = c.killedLow, c.injuredMin = c.injuredLow, c.contentHash = 'old'
		 REMOVE c.killedLow, c.killedHigh, c.injuredLow, c.injuredHigh`,
		`MATCH (m:AtharMigration {version: 2}) DETACH DELETE m`,
	} {
		if _, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), q, map[string]any{"id": claim},
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database)); err != nil {
			t.Fatal(err)
		}
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(applied); !slices.Equal(got, []int{2}) {
		t.Errorf("applied %v, want [2]", got)
	}
	if n := neo4jtest.Count(t, `MATCH (c:Claim {id: $id}) WHERE c.killedLow = 26 AND c.injuredLow = 40 AND c.killedMin IS NULL
	  AND c.injuredMin IS NULL AND c.contentHash IS NULL RETURN count(c) AS n`, map[string]any{"id": claim}); n != 1 {
		t.Error("the claim's min is not its low, or its content hash is still there")
	}
	got, err := s.ClaimsByID(ctx, []string{claim})
	if err != nil || len(got) != 1 || got[0].Killed == nil || got[0].Killed.Low == nil || *got[0].Killed.Low != 26 {
		t.Errorf("the claim reads back as %+v (%v)", got, err)
	}
}

// Migration 6 makes the sources and claims of a database from before access levels public, ranked
// and labelled, and gives each attack the figures of the public and restricted readers: a public
// reader then reads the seed as it did.
func TestMigrate_MaterialBecomesPublic(t *testing.T) {
	ctx := context.Background()
	s := MustStore(t)
	MustSeed(t, s)
	const attack = "attack:ain-jalout-school-2014-04-30"
	for _, q := range []string{
		`MATCH (n) WHERE n:Source OR n:Claim REMOVE n.accessLevel, n.accessRank, n:ReadPublic, n:ReadRestricted`,
		`MATCH (a:Attack) REMOVE a.killedLowPublic, a.killedHighPublic, a.killedSortPublic, a.killedCountedLowPublic, a.killedCountedHighPublic,
		   a.killedLowRestricted, a.killedHighRestricted, a.killedSortRestricted, a.killedCountedLowRestricted, a.killedCountedHighRestricted`,
		`MATCH (m:AtharMigration {version: 6}) DETACH DELETE m`,
	} {
		if _, err := neo4j.ExecuteQuery(ctx, neo4jtest.Driver(t), q, nil,
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(neo4jtest.Database)); err != nil {
			t.Fatal(err)
		}
	}
	public := athar.WithPrincipal(ctx, athar.AnonymousReader, "")
	if got, err := s.ClaimsAboutAttacks(public, []string{attack}, athar.All); err != nil || got[attack].Total != 0 {
		t.Fatalf("before the migration a public reader reads %d claims (%v), want none", got[attack].Total, err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(applied); !slices.Equal(got, []int{6}) {
		t.Errorf("applied %v, want [6]", got)
	}
	if n := neo4jtest.Count(t, `MATCH (n) WHERE (n:Source OR n:Claim) AND NOT (n.accessLevel = 'PUBLIC' AND n.accessRank = 0 AND n:ReadPublic AND n:ReadRestricted)
	  RETURN count(n) AS n`, nil); n != 0 {
		t.Errorf("%d sources and claims are not public, ranked and labelled", n)
	}
	if n := neo4jtest.Count(t, `MATCH (a:Attack) WHERE a.killedSortPublic IS NULL OR a.killedSortPublic <> a.killedSort
	  OR a.killedSortRestricted <> a.killedSort RETURN count(a) AS n`, nil); n != 0 {
		t.Errorf("%d attacks lack the public and restricted figures", n)
	}
	all, err := s.ClaimsAboutAttacks(ctx, []string{attack}, athar.All)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimsAboutAttacks(public, []string{attack}, athar.All)
	if err != nil || got[attack].Total != all[attack].Total || all[attack].Total == 0 {
		t.Errorf("after the migration a public reader reads %d claims (%v), want all %d", got[attack].Total, err, all[attack].Total)
	}
}
