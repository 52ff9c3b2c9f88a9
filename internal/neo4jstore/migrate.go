package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// migration is one versioned change to the database. Its steps run in this order: schema, then
// (when there was schema) a wait until every index is online, then batched, then rewrite, then data
// together with the migration's record.
type migration struct {
	version int
	name    string
	// schema holds schema statements (constraints, indexes), each run in its own transaction:
	// Neo4j does not allow schema changes and data writes in one transaction, so they cannot share
	// the record's. Each must be idempotent (CREATE … IF NOT EXISTS, DROP … IF EXISTS): a crash
	// between a statement and the record, or a second Athar migrating at the same time, runs it
	// again, and then it changes nothing.
	schema []string
	// batched holds data writes that commit in batches of their own (CALL { … } IN TRANSACTIONS),
	// for backfills too large for one transaction. Each runs in an auto-commit transaction before
	// the record is written, so, like schema, each must be safe to run again: it should only touch
	// what is not yet backfilled.
	batched []string
	// rewrite is a backfill computed in Go (what Cypher cannot compute, such as athar.SearchKey),
	// which commits in batches of its own. Like batched, it must be safe to run again.
	rewrite func(ctx context.Context, s *Store) error
	// data is a backfill run in the same transaction as the migration's record: it is applied
	// exactly once, or not at all.
	data func(ctx context.Context, tx neo4j.ManagedTransaction) error
}

// MigrationState is one migration as a database knows it: applied (and when) or pending.
type MigrationState struct {
	Version int
	Name    string
	// Applied says whether the database has recorded the migration; AppliedAt is when (UTC), and
	// is zero while the migration is pending.
	Applied   bool
	AppliedAt time.Time
	// Unknown is set for a migration the database has recorded that this build does not know: a
	// newer Athar applied it.
	Unknown bool
}

// The migrations a database has applied are recorded as (:AtharMigration {version, name,
// appliedAt}) nodes; the unique constraint on version, created before any migration runs, is what
// keeps two Athars that start together from both recording (and so applying) the same migration.
const (
	migrationConstraint = "CREATE CONSTRAINT athar_migration_version IF NOT EXISTS FOR (m:AtharMigration) REQUIRE m.version IS UNIQUE"
	migrationRecords    = "MATCH (m:AtharMigration) RETURN m.version AS version, m.name AS name, m.appliedAt AS appliedAt ORDER BY version"
	migrationRecord     = "CREATE (m:AtharMigration {version: $version, name: $name, appliedAt: $appliedAt})"
)

// Migrate applies the migrations the database has not recorded yet, in order of version, each once,
// and returns those it applied (none when the database was up to date). It waits until every index
// is online before it records a migration with schema statements. A database created by a release
// before versioned migrations already has the schema of migration 1, which is then recorded
// without changing anything.
//
// When another Athar migrates the same database at the same time, each migration is still recorded
// once and its data backfill runs once; the migrations the other one recorded are not in the result.
//
// Errors: ECONFLICT when the database has recorded a migration this build does not know (a newer
// Athar migrated it) or knows under another name, and then nothing is applied; EUNAVAILABLE when
// the database cannot be reached or times out; EINTERNAL for a failed statement. An error names the
// migration it stopped at; the migrations before it stay applied.
func (s *Store) Migrate(ctx context.Context) ([]MigrationState, error) {
	return s.migrate(ctx, migrations)
}

// MigrationStatus returns every migration this build knows, in order of version, applied (with
// when) or pending, followed by any the database has recorded that this build does not know
// (Unknown set). It changes nothing.
//
// Errors: EUNAVAILABLE when the database cannot be reached or times out; EINTERNAL otherwise.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	return s.migrationStatus(ctx, migrations)
}

// migrate applies the pending migrations of list; see Migrate.
func (s *Store) migrate(ctx context.Context, list []migration) ([]MigrationState, error) {
	if err := checkMigrations(list); err != nil {
		return nil, err
	}
	// Created only when missing, so that starting on an up-to-date database needs no schema
	// privilege (a restricted user on Enterprise).
	recs, err := s.readWriter(ctx, "SHOW CONSTRAINTS YIELD name WHERE name = 'athar_migration_version' RETURN name", nil)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		if err := s.runSchema(ctx, migrationConstraint); err != nil {
			return nil, fmt.Errorf("creating the constraint of migration records: %w", err)
		}
	}
	states, err := s.migrationStatus(ctx, list)
	if err != nil {
		return nil, err
	}
	if err := refuseUnknown(list, states); err != nil {
		return nil, err
	}
	var applied []MigrationState
	for i, m := range list {
		if states[i].Applied {
			continue
		}
		state, ok, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if ok {
			applied = append(applied, state)
		}
	}
	return applied, nil
}

// applyMigration runs m's steps and records it. ok is false when another Athar recorded m first.
func (s *Store) applyMigration(ctx context.Context, m migration) (state MigrationState, ok bool, err error) {
	// Another Athar may have applied m since the records were read (while this one applied the
	// migrations before it); then even its idempotent steps are not run again.
	if recorded, err := s.recordedName(ctx, m.version); err != nil || recorded != "" {
		return state, false, errors.Join(err, sameName(m, recorded))
	}
	for _, q := range m.schema {
		if err := s.runSchema(ctx, q); err != nil {
			return state, false, err
		}
	}
	if len(m.schema) > 0 {
		// Indexes fill in the background; a recorded migration promises they are usable, and the
		// backfills below may need them.
		if err := s.runSchema(ctx, "CALL db.awaitIndexes(300)"); err != nil {
			return state, false, fmt.Errorf("waiting for indexes: %w", err)
		}
	}
	for _, q := range m.batched {
		if err := s.autoCommit(ctx, q); err != nil {
			return state, false, err
		}
	}
	if m.rewrite != nil {
		if err := m.rewrite(ctx, s); err != nil {
			return state, false, err
		}
	}
	// Schema and data cannot share a transaction, so the record is written after the steps above
	// committed; a crash in between leaves m pending, and the next run repeats steps that are
	// idempotent (see migration).
	at := s.now()
	_, err = write(ctx, s, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		// The record is written first: a concurrent Athar's record of the same version then waits
		// on the uniqueness lock until this transaction ends and fails if it commits, so its data
		// step is rolled back rather than applied twice.
		res, err := tx.Run(ctx, migrationRecord, map[string]any{"version": int64(m.version), "name": m.name, "appliedAt": at})
		if err != nil {
			return struct{}{}, err
		}
		if _, err := res.Consume(ctx); err != nil {
			return struct{}{}, err
		}
		if m.data != nil {
			return struct{}{}, m.data(ctx, tx)
		}
		return struct{}{}, nil
	})
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed" {
		// Someone else recorded this version between the check above and this write.
		recorded, rerr := s.recordedName(ctx, m.version)
		if rerr != nil || recorded == "" {
			return state, false, errors.Join(err, rerr)
		}
		return state, false, sameName(m, recorded)
	}
	if err != nil {
		return state, false, err
	}
	return MigrationState{Version: m.version, Name: m.name, Applied: true, AppliedAt: at}, true, nil
}

// migrationStatus returns the state of every migration of list, in its order, followed by the
// recorded migrations list does not hold.
func (s *Store) migrationStatus(ctx context.Context, list []migration) ([]MigrationState, error) {
	recs, err := s.readWriter(ctx, migrationRecords, nil)
	if err != nil {
		return nil, err
	}
	recorded := make(map[int]MigrationState, len(recs))
	var order []int
	for _, rec := range recs {
		version, _, err := neo4j.GetRecordValue[int64](rec, "version")
		if err != nil {
			return nil, translate(err)
		}
		name, _, err := neo4j.GetRecordValue[string](rec, "name")
		if err != nil {
			return nil, translate(err)
		}
		at, _, err := neo4j.GetRecordValue[time.Time](rec, "appliedAt")
		if err != nil {
			return nil, translate(err)
		}
		recorded[int(version)] = MigrationState{Version: int(version), Name: name, Applied: true, AppliedAt: at.UTC()}
		order = append(order, int(version))
	}
	states := make([]MigrationState, 0, len(list)+len(recs))
	for _, m := range list {
		st, ok := recorded[m.version]
		if !ok {
			st = MigrationState{Version: m.version, Name: m.name}
		}
		// A recorded name that differs from this build's is kept as recorded, so that Migrate can
		// name both.
		states = append(states, st)
		delete(recorded, m.version)
	}
	for _, v := range order {
		if st, ok := recorded[v]; ok {
			st.Unknown = true
			states = append(states, st)
		}
	}
	return states, nil
}

// refuseUnknown returns ECONFLICT when the database has recorded a migration that list does not
// hold, or holds under another name: another (newer) Athar migrated it, and guessing what that one
// changed could damage the data.
func refuseUnknown(list []migration, states []MigrationState) error {
	for i, st := range states {
		if st.Unknown {
			return athar.Errorf(athar.ECONFLICT, "the database has applied migration %d (%s), which this Athar does not know: "+
				"a newer Athar migrated it; run that version or a later one", st.Version, st.Name)
		}
		if st.Applied {
			if err := sameName(list[i], st.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameName returns ECONFLICT when the database recorded m's version under another name.
func sameName(m migration, recorded string) error {
	if recorded == "" || recorded == m.name {
		return nil
	}
	return athar.Errorf(athar.ECONFLICT, "the database recorded migration %d as %q, but this Athar's migration %d is %q: "+
		"it was migrated by another build of Athar", m.version, recorded, m.version, m.name)
}

// recordedName returns the name under which the database recorded version, or "" when it has not.
func (s *Store) recordedName(ctx context.Context, version int) (string, error) {
	recs, err := s.readWriter(ctx, "MATCH (m:AtharMigration {version: $version}) RETURN m.name AS name", map[string]any{"version": int64(version)})
	if err != nil || len(recs) == 0 {
		return "", err
	}
	name, _, err := neo4j.GetRecordValue[string](recs[0], "name")
	return name, translate(err)
}

// checkMigrations reports a list whose versions do not count up from 1 or that has a nameless
// migration: a programming error, caught before anything runs.
func checkMigrations(list []migration) error {
	for i, m := range list {
		if m.version != i+1 || m.name == "" {
			return fmt.Errorf("migration list: entry %d has version %d and name %q; versions must count up from 1 and every migration needs a name", i, m.version, m.name)
		}
	}
	return nil
}

// readWriter runs one read query on the writer, with the driver's bookmarks, so that it sees what
// any earlier write of this process (or a cluster's leader) committed: migration records decide what
// runs next.
func (s *Store) readWriter(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := neo4j.ExecuteQuery(ctx, s.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.database))
	if err != nil {
		return nil, translate(err)
	}
	return res.Records, nil
}

// runSchema runs one schema statement (or a procedure such as db.awaitIndexes) in a transaction of
// its own.
func (s *Store) runSchema(ctx context.Context, statement string) error {
	_, err := neo4j.ExecuteQuery(ctx, s.driver, statement, nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.database))
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Schema.") {
		// Neo4j checks IF NOT EXISTS before it takes the schema lock: when another Athar creates
		// the same index at the same moment, the loser fails with EquivalentSchemaRuleAlreadyExists
		// although nothing is wrong. Run once more, now against the committed schema, the
		// statement is a no-op; a real mistake fails again.
		_, err = neo4j.ExecuteQuery(ctx, s.driver, statement, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.database))
	}
	return translate(err)
}

// autoCommit runs query in an auto-commit transaction, the only kind in which CALL { … } IN
// TRANSACTIONS may run. The driver does not retry it.
func (s *Store) autoCommit(ctx context.Context, query string) (err error) {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.database, AccessMode: neo4j.AccessModeWrite})
	defer func() {
		if cerr := session.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
			err = translate(cerr)
		}
	}()
	res, err := session.Run(ctx, query, nil)
	if err != nil {
		return translate(err)
	}
	_, err = res.Consume(ctx)
	return translate(err)
}
