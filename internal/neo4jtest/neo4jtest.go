// Package neo4jtest gives integration tests a real Neo4j of their own: the embedded one, started
// once per test binary from TestMain, or the one ATHAR_TEST_NEO4J_URI names (with
// ATHAR_TEST_NEO4J_USER and ATHAR_TEST_NEO4J_PASSWORD), which only tests read. Tests isolate
// themselves with Wipe, which deletes every node, so the helper never touches a database a user
// pointed Athar at: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE are ignored and
// removed from the test binary's environment (commands under test would read them), and a database
// named by ATHAR_TEST_NEO4J_URI is used only when it is empty or carries the marker node
// (:AtharTestDatabase) the tests leave in it.
package neo4jtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/neo4jlocal"
	"github.com/athar-project/athar/internal/neo4jstore"
)

var driver neo4j.DriverWithContext

// URI, User and Password say how to reach the test binary's Neo4j, for tests of commands that open
// their own driver.
var URI, User, Password string

// Database is the database tests use.
const Database = "neo4j"

// The variables that name a test database. Athar's commands never read them.
const (
	EnvURI      = "ATHAR_TEST_NEO4J_URI"
	EnvUser     = "ATHAR_TEST_NEO4J_USER"
	EnvPassword = "ATHAR_TEST_NEO4J_PASSWORD"
)

// userVariables name the database a user points Athar at; tests neither read nor pass them on.
var userVariables = []string{"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"}

// MarkerLabel labels the one node that marks a database as the tests' own; Wipe keeps it.
const MarkerLabel = "AtharTestDatabase"

// Target is the database the tests use: an external one, or (URI empty) the embedded one.
type Target struct{ URI, User, Password string }

// TargetFrom returns the database the tests use, given how to read the environment: only the
// ATHAR_TEST_NEO4J_* variables count, never NEO4J_URI and its companions; the user defaults to neo4j.
func TargetFrom(getenv func(string) string) Target {
	t := Target{URI: getenv(EnvURI), User: getenv(EnvUser), Password: getenv(EnvPassword)}
	if t.URI != "" && t.User == "" {
		t.User = "neo4j"
	}
	return t
}

// ErrNotATestDatabase is returned by Claim for a database that holds data and no test marker.
var ErrNotATestDatabase = errors.New("neo4jtest: the database " + EnvURI + " names holds data and is not marked as a test database " +
	"(a node (:" + MarkerLabel + ")); the tests delete everything in it, so they use only an empty database or one they marked")

// Claim makes sure the database is the tests' own before they wipe it: one holding the marker node
// is; an empty one becomes so (the marker is created); any other is refused with
// ErrNotATestDatabase and left untouched.
func Claim(ctx context.Context, d neo4j.DriverWithContext, database string) error {
	res, err := neo4j.ExecuteQuery(ctx, d, `
OPTIONAL MATCH (m:`+MarkerLabel+`)
WITH count(m) AS marked
OPTIONAL MATCH (n) WHERE NOT n:`+MarkerLabel+`
WITH marked, count(n) AS others
CALL (marked, others) {
  WITH * WHERE marked = 0 AND others = 0
  CREATE (:`+MarkerLabel+` {createdAt: datetime(), updatedAt: datetime()})
}
RETURN marked > 0 OR others = 0 AS ours`, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database))
	if err != nil {
		return fmt.Errorf("neo4jtest: checking the test database: %w", err)
	}
	if len(res.Records) != 1 {
		return fmt.Errorf("neo4jtest: checking the test database returned %d records", len(res.Records))
	}
	ours, _, err := neo4j.GetRecordValue[bool](res.Records[0], "ours")
	if err != nil {
		return fmt.Errorf("neo4jtest: checking the test database: %w", err)
	}
	if !ours {
		return ErrNotATestDatabase
	}
	return nil
}

// Run starts Neo4j (or connects to the one ATHAR_TEST_NEO4J_URI names, after Claim), runs the
// tests, stops Neo4j, and returns the exit code for os.Exit.
func Run(m *testing.M) int {
	ctx := context.Background()
	target := TargetFrom(os.Getenv)
	for _, name := range userVariables {
		_ = os.Unsetenv(name)
	}
	uri, user, password := target.URI, target.User, target.Password
	if uri == "" {
		dataDir, err := os.MkdirTemp("", "athar-test-neo4j-*")
		if err != nil {
			fmt.Fprintln(os.Stderr, "neo4jtest:", err)
			return 1
		}
		defer os.RemoveAll(dataDir)
		// Small by default, for many test binaries at once; a benchmark over a large graph sets
		// ATHAR_TEST_NEO4J_HEAP and ATHAR_TEST_NEO4J_PAGECACHE (athar bench uses 3g and 2g).
		heap, pageCache := os.Getenv("ATHAR_TEST_NEO4J_HEAP"), os.Getenv("ATHAR_TEST_NEO4J_PAGECACHE")
		if heap == "" {
			heap = "768m"
		}
		if pageCache == "" {
			pageCache = "64m"
		}
		inst, err := neo4jlocal.Start(ctx, neo4jlocal.Options{
			ProjectDir: ProjectDir(), DataDir: dataDir, Heap: heap, PageCache: pageCache,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "neo4jtest: starting the embedded Neo4j:", err)
			return 1
		}
		defer inst.Stop(ctx)
		uri, user, password = inst.URI, inst.User, inst.Password
	}
	URI, User, Password = uri, user, password
	d, err := neo4j.NewDriverWithContext(uri, neo4j.BasicAuth(user, password, ""))
	if err != nil {
		fmt.Fprintln(os.Stderr, "neo4jtest:", err)
		return 1
	}
	defer d.Close(ctx)
	if err := Claim(ctx, d, Database); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	driver = d
	return m.Run()
}

// ProjectDir returns the neo4j-embedded/ project of this source tree.
func ProjectDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "neo4j-embedded")
}

// Driver returns the driver of the test binary's Neo4j.
func Driver(tb testing.TB) neo4j.DriverWithContext {
	tb.Helper()
	if driver == nil {
		tb.Fatal("neo4jtest: no Neo4j; call neo4jtest.Run from TestMain")
	}
	return driver
}

// Wipe deletes every node but the test marker, so that a test starts from an empty graph (the
// schema stays).
func Wipe(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := neo4j.ExecuteQuery(ctx, Driver(tb), "MATCH (n) WHERE NOT n:"+MarkerLabel+" DETACH DELETE n", nil,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(Database))
	if err != nil {
		tb.Fatalf("neo4jtest: wiping the database: %v", err)
	}
}

// Count returns the number of results of a Cypher query that returns one integer, n.
func Count(tb testing.TB, query string, params map[string]any) int64 {
	tb.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), Driver(tb), query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(Database))
	if err != nil {
		tb.Fatalf("neo4jtest: %v", err)
	}
	if len(res.Records) != 1 {
		tb.Fatalf("neo4jtest: %q returned %d records, want 1", query, len(res.Records))
	}
	n, _ := res.Records[0].Get("n")
	v, ok := n.(int64)
	if !ok {
		tb.Fatalf("neo4jtest: %q returned %T, want an integer n", query, n)
	}
	return v
}

// MustStore returns a store over the test database, emptied and migrated.
func MustStore(tb testing.TB) *neo4jstore.Store {
	tb.Helper()
	Wipe(tb)
	s := neo4jstore.New(Driver(tb), Database)
	if _, err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("neo4jtest: migrating: %v", err)
	}
	return s
}

// MustSeed loads the curated seed data (data/seed) through the import path.
func MustSeed(tb testing.TB, s *neo4jstore.Store) {
	tb.Helper()
	b, err := seed.Bundle()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Import(context.Background(), b, neo4jstore.ImportOptions{}); err != nil {
		tb.Fatalf("neo4jtest: loading the seed: %v", err)
	}
}
