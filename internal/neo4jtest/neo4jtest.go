// Package neo4jtest gives integration tests a real Neo4j: the embedded one, started once per test
// binary from TestMain, or the one NEO4J_URI names (with NEO4J_USER and NEO4J_PASSWORD). Tests
// isolate themselves with Wipe.
package neo4jtest

import (
	"context"
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

// Run starts Neo4j, runs the tests, stops Neo4j, and returns the exit code for os.Exit.
func Run(m *testing.M) int {
	ctx := context.Background()
	uri, user, password := os.Getenv("NEO4J_URI"), os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD")
	if uri == "" {
		dataDir, err := os.MkdirTemp("", "athar-test-neo4j-*")
		if err != nil {
			fmt.Fprintln(os.Stderr, "neo4jtest:", err)
			return 1
		}
		defer os.RemoveAll(dataDir)
		inst, err := neo4jlocal.Start(ctx, neo4jlocal.Options{
			ProjectDir: ProjectDir(), DataDir: dataDir, Heap: "768m", PageCache: "64m",
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

// Wipe deletes every node, so that a test starts from an empty graph (the schema stays).
func Wipe(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := neo4j.ExecuteQuery(ctx, Driver(tb), "MATCH (n) DETACH DELETE n", nil,
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
