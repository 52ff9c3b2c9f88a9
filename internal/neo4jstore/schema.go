package neo4jstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// migrations are the schema Athar needs: a unique id on every label, and an index behind every
// lookup and sort the queries make. Each is idempotent; names are stable so that a run can tell what
// it created. They run unchanged on Neo4j Community and Enterprise 5.26.
var migrations = []struct{ name, statement string }{
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

// Migrate applies the schema migrations, waits until every index is online, and returns the names
// of those it created (none when the schema was already in place).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	existing, err := s.schemaNames(ctx)
	if err != nil {
		return nil, err
	}
	var created []string
	for _, m := range migrations {
		if slices.Contains(existing, m.name) {
			continue
		}
		if _, err := neo4j.ExecuteQuery(ctx, s.driver, m.statement, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.database)); err != nil {
			return created, fmt.Errorf("migration %s: %w", m.name, translate(err))
		}
		created = append(created, m.name)
	}
	if len(created) > 0 {
		if _, err := neo4j.ExecuteQuery(ctx, s.driver, "CALL db.awaitIndexes(300)", nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.database)); err != nil {
			return created, fmt.Errorf("waiting for indexes: %w", translate(err))
		}
	}
	return created, nil
}

// schemaNames returns the names of the constraints and indexes the database has.
func (s *Store) schemaNames(ctx context.Context) ([]string, error) {
	var names []string
	for _, q := range []string{"SHOW CONSTRAINTS YIELD name RETURN name", "SHOW INDEXES YIELD name RETURN name"} {
		res, err := neo4j.ExecuteQuery(ctx, s.driver, q, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.database))
		if err != nil {
			return nil, translate(err)
		}
		for _, rec := range res.Records {
			n, _ := rec.Get("name")
			names = append(names, n.(string))
		}
	}
	return names, nil
}
