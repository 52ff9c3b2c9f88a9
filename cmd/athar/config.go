package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/neo4jlocal"
)

// errUsage is returned when the flags were wrong; flag has already said why.
var errUsage = errors.New("usage")

// dbConfig says which Neo4j to use: an existing one (URI set) or the embedded one.
type dbConfig struct {
	URI, User, Password, Database string
	DataDir                       string
	EmbeddedDir                   string
	Heap, PageCache               string
	LogFormat, LogLevel           string
	// How the embedded Neo4j is restarted after an unexpected exit (see neo4jlocal.Options).
	Restarts                          int
	RestartBackoff, RestartBackoffMax time.Duration
}

// env returns the environment variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// register adds the database and logging flags, each defaulting to its environment variable.
func (c *dbConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.URI, "neo4j-uri", env("NEO4J_URI", ""), "Neo4j to use, e.g. bolt://localhost:7687 or neo4j://cluster:7687; empty starts the embedded Neo4j (env NEO4J_URI)")
	fs.StringVar(&c.User, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (env NEO4J_USER)")
	fs.StringVar(&c.Password, "neo4j-password", "", "Neo4j password; prefer the environment variable, which other users cannot see (env NEO4J_PASSWORD)")
	fs.StringVar(&c.Database, "neo4j-database", env("NEO4J_DATABASE", "neo4j"), "Neo4j database name (env NEO4J_DATABASE)")
	fs.StringVar(&c.DataDir, "data-dir", env("ATHAR_DATA_DIR", "./data"), "where the embedded Neo4j keeps its data, in <data-dir>/neo4j (env ATHAR_DATA_DIR)")
	fs.StringVar(&c.EmbeddedDir, "embedded-dir", env("ATHAR_EMBEDDED_DIR", ""), "the neo4j-embedded/ launcher project; found from the working directory when empty (env ATHAR_EMBEDDED_DIR)")
	fs.StringVar(&c.Heap, "neo4j-heap", env("ATHAR_NEO4J_HEAP", "1g"), "embedded Neo4j's JVM heap (env ATHAR_NEO4J_HEAP)")
	fs.StringVar(&c.PageCache, "neo4j-pagecache", env("ATHAR_NEO4J_PAGECACHE", "256m"), "embedded Neo4j's page cache (env ATHAR_NEO4J_PAGECACHE)")
	fs.IntVar(&c.Restarts, "neo4j-restarts", envInt("ATHAR_NEO4J_RESTARTS", 5), "how many times in a row to try restarting the embedded Neo4j after it exits unexpectedly; 0 never restarts it (env ATHAR_NEO4J_RESTARTS)")
	fs.DurationVar(&c.RestartBackoff, "neo4j-restart-backoff", envDuration("ATHAR_NEO4J_RESTART_BACKOFF", time.Second), "the pause before the first restart of the embedded Neo4j, doubled for each further attempt (env ATHAR_NEO4J_RESTART_BACKOFF)")
	fs.DurationVar(&c.RestartBackoffMax, "neo4j-restart-backoff-max", envDuration("ATHAR_NEO4J_RESTART_BACKOFF_MAX", 30*time.Second), "the longest pause between restarts of the embedded Neo4j; one that ran this long counts its attempts afresh (env ATHAR_NEO4J_RESTART_BACKOFF_MAX)")
	fs.StringVar(&c.LogFormat, "log-format", env("ATHAR_LOG_FORMAT", "text"), "log format: text or json (env ATHAR_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("ATHAR_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env ATHAR_LOG_LEVEL)")
}

// finish reads what flags cannot default safely.
func (c *dbConfig) finish() {
	if c.Password == "" {
		c.Password = os.Getenv("NEO4J_PASSWORD")
	}
}

// logger returns the structured logger the flags ask for, writing to w.
func (c *dbConfig) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.LogFormat) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
}

// connect opens the one driver of the process, starting the embedded Neo4j first, supervised, when
// no URI is given (local is then its supervisor, else nil). close closes the driver and stops the
// embedded Neo4j, in that order. onRestart, when set, is called after each restart of the embedded
// Neo4j.
func (c *dbConfig) connect(ctx context.Context, logger *slog.Logger, onRestart func()) (driver neo4j.DriverWithContext, local *neo4jlocal.Supervisor, closeFn func() error, err error) {
	uri, user, password := c.URI, c.User, c.Password
	if uri == "" {
		restarts := c.Restarts
		if restarts <= 0 {
			restarts = -1 // Options reads 0 as its default
		}
		local, err = neo4jlocal.Supervise(ctx, neo4jlocal.Options{
			ProjectDir: c.EmbeddedDir, DataDir: filepath.Join(c.DataDir, "neo4j"),
			Heap: c.Heap, PageCache: c.PageCache, Logger: logger,
			Restarts: restarts, RestartBackoff: c.RestartBackoff, RestartBackoffMax: c.RestartBackoffMax, OnRestart: onRestart,
		})
		if err != nil {
			return nil, nil, nil, err
		}
		uri, user, password = local.URI, local.User, local.Password
	}
	stopLocal := func() error {
		if local == nil {
			return nil
		}
		return local.Stop(context.Background())
	}
	driver, err = neo4j.NewDriverWithContext(uri, neo4j.BasicAuth(user, password, ""))
	if err != nil {
		return nil, nil, nil, errors.Join(fmt.Errorf("connecting to Neo4j at %s: %w", uri, err), stopLocal())
	}
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return nil, nil, nil, errors.Join(fmt.Errorf("Neo4j at %s does not answer: %w", uri, err),
			driver.Close(context.Background()), stopLocal())
	}
	closeFn = func() error {
		return errors.Join(driver.Close(context.Background()), stopLocal())
	}
	return driver, local, closeFn, nil
}

// parse parses flags; --help prints usage and returns errUsage with status 2... or 0 for help.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	return nil
}

// errHelp is returned when --help was asked for: not a failure.
var errHelp = errors.New("help")

// discardLogger logs nothing: for servers whose requests are measured, not watched.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
