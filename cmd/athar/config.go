package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jlocal"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/resolvers"
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
	MigrationBatch                int
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

func envInt64(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
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
	fs.IntVar(&c.MigrationBatch, "migration-batch", envInt("ATHAR_MIGRATION_BATCH", neo4jstore.RefoldBatch), "nodes per transaction of a migration's backfill computed in Athar (env ATHAR_MIGRATION_BATCH)")
	fs.IntVar(&c.Restarts, "neo4j-restarts", envInt("ATHAR_NEO4J_RESTARTS", 5), "how many times in a row to try restarting the embedded Neo4j after it exits unexpectedly; 0 never restarts it (env ATHAR_NEO4J_RESTARTS)")
	fs.DurationVar(&c.RestartBackoff, "neo4j-restart-backoff", envDuration("ATHAR_NEO4J_RESTART_BACKOFF", time.Second), "the pause before the first restart of the embedded Neo4j, doubled for each further attempt (env ATHAR_NEO4J_RESTART_BACKOFF)")
	fs.DurationVar(&c.RestartBackoffMax, "neo4j-restart-backoff-max", envDuration("ATHAR_NEO4J_RESTART_BACKOFF_MAX", 30*time.Second), "the longest pause between restarts of the embedded Neo4j; one that ran this long counts its attempts afresh (env ATHAR_NEO4J_RESTART_BACKOFF_MAX)")
	fs.StringVar(&c.LogFormat, "log-format", env("ATHAR_LOG_FORMAT", "text"), "log format: text or json (env ATHAR_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("ATHAR_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env ATHAR_LOG_LEVEL)")
}

// httpLimits bounds what `athar serve` accepts and runs at once: the request body, and admission
// control over the requests that reach Neo4j (see httpapi.AdmissionConfig).
type httpLimits struct {
	MaxBodyBytes         int64
	BodyReadTimeout      time.Duration
	MaxConcurrent        int
	MaxConcurrentPerUser int
	QueueLength          int
	QueueWait            time.Duration
}

// register adds the limits' flags, each defaulting to its environment variable.
func (l *httpLimits) register(fs *flag.FlagSet) {
	fs.Int64Var(&l.MaxBodyBytes, "max-body-bytes", envInt64("ATHAR_MAX_BODY_BYTES", httpapi.DefaultMaxBodyBytes), "the largest GraphQL request body, in bytes; larger ones are answered 413 (env ATHAR_MAX_BODY_BYTES)")
	fs.DurationVar(&l.BodyReadTimeout, "body-read-timeout", envDuration("ATHAR_BODY_READ_TIMEOUT", httpapi.DefaultBodyReadTimeout), "how long a GraphQL request's body may take to arrive; it is read whole before the request waits for a slot, and a late one is answered 408 (env ATHAR_BODY_READ_TIMEOUT)")
	fs.IntVar(&l.MaxConcurrent, "max-concurrent", envInt("ATHAR_MAX_CONCURRENT", httpapi.DefaultMaxRunning()), "how many GraphQL and export requests run at once; 4 per CPU by default, at least 4 and at most 64 (env ATHAR_MAX_CONCURRENT)")
	fs.IntVar(&l.MaxConcurrentPerUser, "max-concurrent-per-client", envInt("ATHAR_MAX_CONCURRENT_PER_CLIENT", 0), "how many of them one client (the account it acts as, else its IP address) may run; 0 means half of --max-concurrent (env ATHAR_MAX_CONCURRENT_PER_CLIENT)")
	fs.IntVar(&l.QueueLength, "queue-length", envInt("ATHAR_QUEUE_LENGTH", httpapi.DefaultQueueLength), "how many requests may wait for one to finish; beyond, 503 with Retry-After; 0 means none wait (env ATHAR_QUEUE_LENGTH)")
	fs.DurationVar(&l.QueueWait, "queue-wait", envDuration("ATHAR_QUEUE_WAIT", httpapi.DefaultQueueWait), "how long a request waits for one to finish before it is answered 503 (env ATHAR_QUEUE_WAIT)")
}

// admission checks the limits and returns the admission control they size; its error names the
// flag at fault.
func (l *httpLimits) admission() (*httpapi.Admission, error) {
	switch {
	case l.MaxBodyBytes <= 0:
		return nil, fmt.Errorf("--max-body-bytes: %d is not a positive number of bytes", l.MaxBodyBytes)
	case l.BodyReadTimeout <= 0:
		return nil, fmt.Errorf("--body-read-timeout: %v is not a positive duration", l.BodyReadTimeout)
	case l.MaxConcurrent <= 0:
		return nil, fmt.Errorf("--max-concurrent: %d is not a positive number of requests", l.MaxConcurrent)
	case l.MaxConcurrentPerUser < 0 || l.MaxConcurrentPerUser > l.MaxConcurrent:
		return nil, fmt.Errorf("--max-concurrent-per-client: %d is not between 0 and --max-concurrent (%d)", l.MaxConcurrentPerUser, l.MaxConcurrent)
	case l.QueueLength < 0:
		return nil, fmt.Errorf("--queue-length: %d is negative", l.QueueLength)
	case l.QueueWait <= 0:
		return nil, fmt.Errorf("--queue-wait: %v is not a positive duration", l.QueueWait)
	}
	queue := l.QueueLength
	if queue == 0 {
		queue = -1 // none wait: AdmissionConfig reads 0 as its default
	}
	return httpapi.NewAdmission(httpapi.AdmissionConfig{
		MaxRunning: l.MaxConcurrent, MaxRunningPerClient: l.MaxConcurrentPerUser, QueueLength: queue, QueueWait: l.QueueWait,
	}), nil
}

// registerLimits adds the flags of the GraphQL request limits (resolvers.Limits), each defaulting
// to its environment variable.
func registerLimits(fs *flag.FlagSet, l *resolvers.Limits) {
	fs.IntVar(&l.MaxQueryBytes, "max-query-bytes", envInt("ATHAR_MAX_QUERY_BYTES", resolvers.DefaultMaxQueryBytes), "the longest GraphQL query text, in bytes (env ATHAR_MAX_QUERY_BYTES)")
	fs.IntVar(&l.MaxTokens, "max-tokens", envInt("ATHAR_MAX_TOKENS", resolvers.DefaultMaxTokens), "the most tokens a GraphQL query text may have (env ATHAR_MAX_TOKENS)")
	fs.IntVar(&l.MaxAliases, "max-aliases", envInt("ATHAR_MAX_ALIASES", resolvers.DefaultMaxAliases), "the most aliases a query may have, fragments counted where spread (env ATHAR_MAX_ALIASES)")
	fs.IntVar(&l.MaxFields, "max-fields", envInt("ATHAR_MAX_FIELDS", resolvers.DefaultMaxFields), "the most fields a query may select, fragments counted where spread (env ATHAR_MAX_FIELDS)")
	fs.IntVar(&l.MaxFragmentSpreads, "max-fragment-spreads", envInt("ATHAR_MAX_FRAGMENT_SPREADS", resolvers.DefaultMaxFragmentSpreads), "the most fragment spreads a query may have, counted where spread (env ATHAR_MAX_FRAGMENT_SPREADS)")
	fs.IntVar(&l.MaxStringLength, "max-string-length", envInt("ATHAR_MAX_STRING_LENGTH", resolvers.DefaultMaxStringLength), "the longest String argument or variable, in characters (env ATHAR_MAX_STRING_LENGTH)")
	fs.IntVar(&l.MaxIDLength, "max-id-length", envInt("ATHAR_MAX_ID_LENGTH", resolvers.DefaultMaxIDLength), "the longest ID argument or variable, in bytes (env ATHAR_MAX_ID_LENGTH)")
	fs.IntVar(&l.RoundTripCost, "round-trip-cost", envInt("ATHAR_ROUND_TRIP_COST", resolvers.DefaultRoundTripCost), "what each field that costs a round trip to Neo4j adds to a query's cost (env ATHAR_ROUND_TRIP_COST)")
	fs.IntVar(&l.SearchCost, "search-cost", envInt("ATHAR_SEARCH_COST", resolvers.DefaultSearchCost), "what each full-text lookup (a search, a text filter) adds to a query's cost (env ATHAR_SEARCH_COST)")
}

// exportConfig is the configuration of the plain-HTTP exports (/export/attacks.csv, .geojson).
type exportConfig struct {
	PageSize int           // attacks read from the database at a time
	Timeout  time.Duration // a whole export's time limit
}

// maxExportPageSize bounds the export page: ten thousand attacks are a few megabytes in memory
// per export in flight.
const maxExportPageSize = 10_000

// register adds the export flags, each defaulting to its environment variable.
func (c *exportConfig) register(fs *flag.FlagSet) {
	fs.IntVar(&c.PageSize, "export-page-size", envInt("ATHAR_EXPORT_PAGE_SIZE", httpapi.DefaultExportPageSize),
		fmt.Sprintf("attacks an export reads from the database at a time, 1 to %d: its memory per export in flight (env ATHAR_EXPORT_PAGE_SIZE)", maxExportPageSize))
	fs.DurationVar(&c.Timeout, "export-timeout", envDuration("ATHAR_EXPORT_TIMEOUT", httpapi.DefaultExportTimeout),
		"a whole export's time limit; each of its database reads also has the query timeout (env ATHAR_EXPORT_TIMEOUT)")
}

// check reports a setting out of range, naming its flag.
func (c *exportConfig) check() error {
	if c.PageSize < 1 || c.PageSize > maxExportPageSize {
		return fmt.Errorf("--export-page-size: %d is outside 1 to %d", c.PageSize, maxExportPageSize)
	}
	if c.Timeout <= 0 {
		return fmt.Errorf("--export-timeout: %s is not a positive duration", c.Timeout)
	}
	return nil
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

// metricsConfig says where `athar serve` serves its Prometheus metrics (internal/metrics).
type metricsConfig struct {
	Enabled bool   // serve /metrics at all
	Addr    string // a listen address of its own for /metrics; empty serves it on the main listener
}

// register adds the metrics flags, each defaulting to its environment variable.
func (c *metricsConfig) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.Enabled, "metrics", envBool("ATHAR_METRICS", true), "serve Prometheus metrics at /metrics (env ATHAR_METRICS)")
	fs.StringVar(&c.Addr, "metrics-addr", env("ATHAR_METRICS_ADDR", ""), "serve /metrics only on this listen address, e.g. 127.0.0.1:9090, and not on --addr; empty serves it on --addr (env ATHAR_METRICS_ADDR)")
}

// onMain reports whether /metrics is served on the main listener.
func (c metricsConfig) onMain() bool { return c.Enabled && c.Addr == "" }

// listener returns the listener of /metrics' own address, or nil when it has none.
func (c metricsConfig) listener(main string) (net.Listener, error) {
	if !c.Enabled || c.Addr == "" {
		return nil, nil
	}
	if c.Addr == main {
		return nil, fmt.Errorf("--metrics-addr %s is the address of --addr: leave it empty to serve /metrics there", c.Addr)
	}
	l, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	return l, nil
}
