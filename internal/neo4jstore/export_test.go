package neo4jstore

import (
	"context"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// AttacksQuery exposes the attack list query to the tests that EXPLAIN it, as a reader cleared
// to confidential runs it.
func AttacksQuery(f athar.AttackFilter, order athar.AttackOrder) (string, map[string]any) {
	return AttacksQueryAs(context.Background(), f, order)
}

// AttacksQueryAs is AttacksQuery as the reader of ctx runs it (readerView).
func AttacksQueryAs(ctx context.Context, f athar.AttackFilter, order athar.AttackOrder) (string, map[string]any) {
	q, params, _, _ := attacksQuery(f, order, athar.PageRequest{First: athar.DefaultPageSize})
	return readerView(ctx, q, params)
}

// CountAttacksQueryAs exposes the count of the attacks f matches as the reader of ctx runs it.
func CountAttacksQueryAs(ctx context.Context, f athar.AttackFilter) (string, map[string]any) {
	q, params := countAttacksQuery(f)
	return readerView(ctx, q, params)
}

// AttackFeaturesQuery exposes the query of an export's page to the tests that EXPLAIN it.
func AttackFeaturesQuery(f athar.AttackFilter, after *athar.FeatureCursor) (string, map[string]any) {
	q, params := attackFeaturesQuery(f, after, 1000)
	return readerView(context.Background(), q, params)
}

// EntityListQuery exposes the scope of an entity list to the tests that EXPLAIN it.
func EntityListQuery(t athar.EntityType, f athar.EntityFilter) (string, map[string]any) {
	sc := entityScope(t, f)
	return readerView(context.Background(), sc.cypher+"RETURN m.id", sc.params)
}

// ReaderView exposes readerView: query and params as the reader of ctx runs them.
func ReaderView(ctx context.Context, query string, params map[string]any) (string, map[string]any) {
	return readerView(ctx, query, params)
}

// Rules exposes the Cypher forms of the domain's rules over claims, for the claim in variable c.
func Rules(c string) (backs, attributing string) { return backsFigures(c), attributes(c) }

// ReleaseMigrations is the number of migrations this build knows; a test's own migrations are
// numbered after them.
var ReleaseMigrations = len(migrations)

// Migration1Schema is the statements of migration 1, which must be the release's schema unchanged.
var Migration1Schema = migrations[0].schema

// Migration is a migration a test defines, applied after this build's own; see migration.
type Migration struct {
	Name    string
	Schema  []string
	Batched []string
	Data    func(ctx context.Context, tx neo4j.ManagedTransaction) error
}

// MigrateWith applies this build's migrations followed by extra, numbered after them.
func (s *Store) MigrateWith(ctx context.Context, extra ...Migration) ([]MigrationState, error) {
	return s.migrate(ctx, withExtra(extra))
}

// MigrationStatusWith returns the status of this build's migrations followed by extra.
func (s *Store) MigrationStatusWith(ctx context.Context, extra ...Migration) ([]MigrationState, error) {
	return s.migrationStatus(ctx, withExtra(extra))
}

func withExtra(extra []Migration) []migration {
	list := slices.Clone(migrations)
	for _, m := range extra {
		list = append(list, migration{version: len(list) + 1, name: m.Name, schema: m.Schema, batched: m.Batched, data: m.Data})
	}
	return list
}

// LuceneQuery exposes the full-text query a search or a text filter makes of what a user typed.
func LuceneQuery(text string) string { return luceneQuery(text) }

// SearchIndex is the name of the full-text index of the folded texts.
const SearchIndex = searchIndex

// DuplicatesQuery exposes the query of the entities e would duplicate, for the tests that EXPLAIN it.
func DuplicatesQuery(e athar.Entity) (string, map[string]any) {
	id, _ := athar.IdentityOf(e)
	return duplicatesQuery(e.EntityType(), id, nil)
}

// RunRead runs one read query the way every read of the store runs, for the tests of its failures.
func (s *Store) RunRead(ctx context.Context, query string, params map[string]any) error {
	_, err := s.read(ctx, query, params)
	return err
}

// RunWrite runs work in a write transaction the way every write of the store runs, for the tests
// of its failures.
func (s *Store) RunWrite(ctx context.Context, work func(ctx context.Context, tx neo4j.ManagedTransaction) error) error {
	_, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		return struct{}{}, work(ctx, tx)
	})
	return err
}

// Translate exposes the translation of a driver error met by a query run with ctx.
func Translate(ctx context.Context, err error, duringCommit bool) error {
	return translateIn(ctx, err, duringCommit)
}

// MappedLocationRule exposes the rule of an attack's mapped point, which writes keep on the attack.
func MappedLocationRule(a, out string) string { return mappedLocation(a, out) }
