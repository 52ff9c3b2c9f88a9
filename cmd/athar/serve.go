package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/metrics"
	"github.com/athar-project/athar/internal/neo4jlocal"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/resolvers"
)

// serveConfig is the configuration of `athar serve` beyond the database and logging flags.
type serveConfig struct {
	Addr            string
	Seed            bool
	Playground      bool
	ExploreApp      bool
	Introspection   bool
	QueryTimeout    time.Duration
	ComplexityLimit int
	DepthLimit      int
	WalkMaxSteps    int
	Limits          resolvers.Limits
	ShutdownTimeout time.Duration
	PublicRead      bool
	Identities      string
	MaxImportBytes  int64
	TokenCacheTTL   time.Duration
	AllowedHosts    string
	HTTPLimits      httpLimits
	SearchMaxBytes  int
	SearchMaxTerms  int
	Export          exportConfig
	RetryAfter      time.Duration
	DeleteMaxLinks  int
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg serveConfig
	a := newApp("athar serve", "Usage: athar serve [flags]\n\nRuns Athar's GraphQL service. Every flag defaults to the environment variable it names.\n"+
		"Once an account exists (athar user add), or when it listens beyond loopback, every request needs a token (\"Authorization: Bearer <token>\").\n\n", stderr)
	fs := a.fs
	fs.StringVar(&cfg.Addr, "addr", env("ATHAR_ADDR", "127.0.0.1:8080"), "listen address (env ATHAR_ADDR)")
	fs.BoolVar(&cfg.Seed, "seed", envBool("ATHAR_SEED", true), "load the curated seed data when the database is empty (env ATHAR_SEED)")
	fs.BoolVar(&cfg.Playground, "playground", envBool("ATHAR_PLAYGROUND", true), "serve the GraphQL playground at / (env ATHAR_PLAYGROUND)")
	fs.BoolVar(&cfg.ExploreApp, "explorer", envBool("ATHAR_EXPLORER", true), "serve the explorer (map, timeline, network, evidence) at /explore (env ATHAR_EXPLORER)")
	fs.BoolVar(&cfg.Introspection, "introspection", envBool("ATHAR_INTROSPECTION", true), "answer GraphQL introspection queries (env ATHAR_INTROSPECTION)")
	fs.DurationVar(&cfg.QueryTimeout, "query-timeout", envDuration("ATHAR_QUERY_TIMEOUT", 30*time.Second), "a request's time limit, also Neo4j's transaction timeout (env ATHAR_QUERY_TIMEOUT)")
	fs.IntVar(&cfg.ComplexityLimit, "complexity-limit", envInt("ATHAR_COMPLEXITY_LIMIT", resolvers.DefaultComplexityLimit), "the highest cost a query may have (env ATHAR_COMPLEXITY_LIMIT)")
	fs.IntVar(&cfg.DepthLimit, "depth-limit", envInt("ATHAR_DEPTH_LIMIT", resolvers.DefaultDepthLimit), "the deepest a query may nest (env ATHAR_DEPTH_LIMIT)")
	fs.IntVar(&cfg.WalkMaxSteps, "walk-max-steps", envInt("ATHAR_WALK_MAX_STEPS", resolvers.DefaultWalkMaxSteps), "the most references and lists one query of a request's tree follows, the rest loading level by level; 0 reads every tree level by level (env ATHAR_WALK_MAX_STEPS)")
	registerLimits(fs, &cfg.Limits)
	fs.StringVar(&cfg.AllowedHosts, "allowed-hosts", env("ATHAR_ALLOWED_HOSTS", ""), "host names requests may be addressed to, comma-separated, besides localhost, 127.0.0.1 and [::1], which always may; empty allows any on a non-loopback address (env ATHAR_ALLOWED_HOSTS)")
	fs.BoolVar(&cfg.PublicRead, "public-read", envBool("ATHAR_PUBLIC_READ", false), "let requests without a token read (never write) where a token is otherwise needed (env ATHAR_PUBLIC_READ)")
	fs.StringVar(&cfg.Identities, "identities-clearance", env("ATHAR_IDENTITIES_CLEARANCE", string(athar.DefaultIdentitiesClearance)), "the clearance a reader needs to see what identifies people (Source.author, Claim.protectedText): public, restricted or confidential; below it they read as null and are left out of exports (env ATHAR_IDENTITIES_CLEARANCE)")
	fs.Int64Var(&cfg.MaxImportBytes, "max-import-bytes", envInt64("ATHAR_MAX_IMPORT_BYTES", httpapi.DefaultMaxImportBytes), "the largest bundle POST /import takes, in bytes (env ATHAR_MAX_IMPORT_BYTES)")
	fs.DurationVar(&cfg.TokenCacheTTL, "token-cache-ttl", envDuration("ATHAR_TOKEN_CACHE_TTL", auth.DefaultCacheTTL), "how long a verified token is spared the slow hash (revocation and expiry are checked on every request); negative: verify every request (env ATHAR_TOKEN_CACHE_TTL)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", envDuration("ATHAR_RETRY_AFTER", 2*time.Second), "how long a client is told to wait (Retry-After) when the database is busy or unavailable (env ATHAR_RETRY_AFTER)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", envDuration("ATHAR_SHUTDOWN_TIMEOUT", 30*time.Second), "how long requests in flight may take to finish on shutdown (env ATHAR_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&cfg.DeleteMaxLinks, "delete-max-links", envInt("ATHAR_DELETE_MAX_LINKS", neo4jstore.DefaultMaxDeleteLinks), "the most relationships one deletion records, of the entity and what is deleted with it; a deletion of more is refused (env ATHAR_DELETE_MAX_LINKS)")
	fs.IntVar(&cfg.SearchMaxBytes, "search-max-bytes", envInt("ATHAR_SEARCH_MAX_BYTES", athar.MaxSearchText), "the longest search or text filter, in bytes (env ATHAR_SEARCH_MAX_BYTES)")
	fs.IntVar(&cfg.SearchMaxTerms, "search-max-terms", envInt("ATHAR_SEARCH_MAX_TERMS", athar.MaxSearchTerms), "the most words a search or text filter may have (env ATHAR_SEARCH_MAX_TERMS)")
	var mc metricsConfig
	mc.register(fs)
	cfg.HTTPLimits.register(fs)
	cfg.Export.register(fs)
	if err := a.parse(args); err != nil {
		return err
	}
	if err := athar.SetSearchLimits(athar.SearchLimits{MaxBytes: cfg.SearchMaxBytes, MaxTerms: cfg.SearchMaxTerms}); err != nil {
		return fmt.Errorf("--search-max-bytes and --search-max-terms: %w", err)
	}
	if err := athar.SetIdentitiesClearance("--identities-clearance", athar.Clearance(cfg.Identities)); err != nil {
		return err
	}
	if err := cfg.Export.check(); err != nil {
		return err
	}
	admission, err := cfg.HTTPLimits.admission()
	if err != nil {
		return err
	}
	logger := a.logger
	slog.SetDefault(logger)

	if err := a.open(ctx); err != nil {
		return err
	}
	defer func() {
		if cerr := a.close(); cerr != nil {
			logger.Error("closing the database", "err", cerr)
		}
	}()
	store := a.store.WithMaxDeleteLinks(cfg.DeleteMaxLinks)
	applied, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		logger.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	if len(applied) == 0 {
		logger.Info("schema up to date")
	}
	if cfg.Seed {
		if err := loadSeed(ctx, store, logger); err != nil {
			return err
		}
	}

	authn := auth.New(auth.Config{Accounts: store, Loopback: isLoopback(cfg.Addr), PublicRead: cfg.PublicRead, CacheTTL: cfg.TokenCacheTTL})
	if err := logAccess(ctx, logger, authn, cfg); err != nil {
		return err
	}
	handler := httpapi.NewServer(httpapi.Config{
		GraphQL: resolvers.NewGraphQLHandler(resolvers.Config{
			Reader: store, Curator: store, Explorer: store, Changes: store, Accounts: store, Remover: store, Logger: logger, Introspection: cfg.Introspection,
			ComplexityLimit: cfg.ComplexityLimit, DepthLimit: cfg.DepthLimit, Limits: cfg.Limits,
			WalkMaxSteps: cfg.WalkMaxSteps, LevelByLevel: cfg.WalkMaxSteps == 0,
		}),
		Explorer: store, Pinger: store, Alive: alive(a.local), RetryAfter: cfg.RetryAfter,
		Logger: logger, Playground: cfg.Playground, ExploreApp: cfg.ExploreApp, QueryTimeout: cfg.QueryTimeout,
		Auth: authn, Changes: store, Import: importFunc(store), MaxImportBytes: cfg.MaxImportBytes, LoopbackOnly: isLoopback(cfg.Addr), AllowedHosts: splitList(cfg.AllowedHosts),
		Metrics:      mc.onMain(),
		MaxBodyBytes: cfg.HTTPLimits.MaxBodyBytes, BodyReadTimeout: cfg.HTTPLimits.BodyReadTimeout, Admission: admission,
		ExportPageSize: cfg.Export.PageSize, ExportTimeout: cfg.Export.Timeout,
	})
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	metricsListener, err := mc.listener(cfg.Addr)
	if err != nil {
		return errors.Join(err, listener.Close())
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      cfg.HTTPLimits.QueueWait + cfg.QueryTimeout + 10*time.Second, // waiting, running, answering
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(listener) }()
	servers := []*http.Server{srv}
	if metricsListener != nil {
		msrv := metricsServer()
		servers = append(servers, msrv)
		go func() { serveErr <- msrv.Serve(metricsListener) }()
		logger.Info("metrics served on their own address", "url", browseURL(metricsListener.Addr())+"/metrics")
	}
	url := browseURL(listener.Addr())
	switch {
	case cfg.ExploreApp:
		logger.Info("Athar is ready; open the explorer", "url", url+"/explore", "addr", listener.Addr().String())
	case cfg.Playground:
		logger.Info("Athar is ready; open the playground", "url", url+"/", "addr", listener.Addr().String())
	default:
		logger.Info("Athar is ready", "graphql", url+"/graphql", "addr", listener.Addr().String())
	}

	select {
	case err := <-serveErr:
		for _, s := range servers {
			_ = s.Close()
		}
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var shutdownErr error
	for _, s := range servers {
		shutdownErr = errors.Join(shutdownErr, s.Shutdown(shutdownCtx))
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutting down: %w", shutdownErr)
	}
	for range servers {
		if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	logger.Info("stopped")
	return nil
}

// importFunc imports a bundle POST /import received, as athar import does.
func importFunc(store *neo4jstore.Store) httpapi.ImportFunc {
	return func(ctx context.Context, b *athar.Bundle, dryRun bool) (any, error) {
		return store.Import(ctx, b, neo4jstore.ImportOptions{DryRun: dryRun})
	}
}

// logAccess says at start who may use the instance: everyone on this machine (a single-user local
// instance: no accounts, loopback only), or the holders of tokens (and anonymous readers with
// ATHAR_PUBLIC_READ); it warns when no account exists yet beyond loopback, where every request
// would be refused.
func logAccess(ctx context.Context, logger *slog.Logger, a *auth.Authenticator, cfg serveConfig) error {
	open, err := a.Open(ctx)
	if err != nil {
		return err
	}
	switch {
	case open:
		logger.Info("single-user local instance: no accounts exist and Athar listens on loopback only, so requests need no token; once an account exists (athar user add) every request needs one")
	case !isLoopback(cfg.Addr):
		has, err := a.HasAccounts(ctx)
		if err != nil {
			return err
		}
		if !has {
			if cfg.PublicRead {
				logger.Warn("listening beyond loopback with no accounts: anonymous requests read (ATHAR_PUBLIC_READ), and nothing can be written until an account exists; make one with athar user add", "public_read", true)
				return nil
			}
			logger.Warn("listening beyond loopback with no accounts: every request needs a token; make one with athar user add", "public_read", false)
			return nil
		}
		fallthrough
	default:
		if cfg.PublicRead {
			logger.Info("accounts exist: anonymous requests read (ATHAR_PUBLIC_READ); every other request needs a token", "public_read", true)
			return nil
		}
		logger.Info("accounts exist: every request needs a token", "public_read", false)
	}
	return nil
}

// metricsServer serves /metrics alone, for ATHAR_METRICS_ADDR. It has no host check: what it
// answers is counts, and Prometheus addresses its targets by IP address as often as by name.
func metricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
}

// browseURL returns the base URL (no trailing "/") a user on this machine can open for a listener
// at addr. A listener on every address (0.0.0.0 or [::]) is reached at 127.0.0.1, which the host
// check always allows; printing the wildcard itself would give a URL that browsers cannot open.
func browseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// alive is the liveness check of /healthz: the embedded Neo4j's supervisor has not given up (see
// neo4jlocal.Supervisor.Alive); nil, checking nothing, with an external Neo4j.
func alive(local *neo4jlocal.Supervisor) func() error {
	if local == nil {
		return nil
	}
	return local.Alive
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// isLoopback reports whether a listen address only accepts connections from this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loadSeed imports the curated seed data when the database holds no entity yet.
func loadSeed(ctx context.Context, store *neo4jstore.Store, logger *slog.Logger) error {
	empty, err := store.IsEmpty(ctx)
	if err != nil || !empty {
		return err
	}
	b, err := seed.Bundle()
	if err != nil {
		return fmt.Errorf("reading the seed data: %w", err)
	}
	started := time.Now()
	summary, err := store.Import(ctx, b, neo4jstore.ImportOptions{})
	if err != nil {
		return fmt.Errorf("loading the seed data: %w", err)
	}
	logger.Info("seed data loaded into the empty database", "records", summary.Total().Created, "took", time.Since(started).Round(time.Millisecond))
	return nil
}
