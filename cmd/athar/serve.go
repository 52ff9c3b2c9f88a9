package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/athar-project/athar/data/seed"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jlocal"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/resolvers"
)

// serveConfig is the configuration of `athar serve` beyond the database and logging flags.
type serveConfig struct {
	Addr            string
	Seed            bool
	Playground      bool
	Introspection   bool
	QueryTimeout    time.Duration
	ComplexityLimit int
	DepthLimit      int
	ShutdownTimeout time.Duration
	WriteToken      string
	AllowedHosts    string
	RetryAfter      time.Duration
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg serveConfig
	a := newApp("athar serve", "Usage: athar serve [flags]\n\nRuns Athar's GraphQL service. Every flag defaults to the environment variable it names.\n"+
		"ATHAR_WRITE_TOKEN (environment only), when set, is needed as \"Authorization: Bearer <token>\" for every mutation.\n\n", stderr)
	fs := a.fs
	fs.StringVar(&cfg.Addr, "addr", env("ATHAR_ADDR", "127.0.0.1:8080"), "listen address (env ATHAR_ADDR)")
	fs.BoolVar(&cfg.Seed, "seed", envBool("ATHAR_SEED", true), "load the curated seed data when the database is empty (env ATHAR_SEED)")
	fs.BoolVar(&cfg.Playground, "playground", envBool("ATHAR_PLAYGROUND", true), "serve the GraphQL playground at / (env ATHAR_PLAYGROUND)")
	fs.BoolVar(&cfg.Introspection, "introspection", envBool("ATHAR_INTROSPECTION", true), "answer GraphQL introspection queries (env ATHAR_INTROSPECTION)")
	fs.DurationVar(&cfg.QueryTimeout, "query-timeout", envDuration("ATHAR_QUERY_TIMEOUT", 30*time.Second), "a request's time limit, also Neo4j's transaction timeout (env ATHAR_QUERY_TIMEOUT)")
	fs.IntVar(&cfg.ComplexityLimit, "complexity-limit", envInt("ATHAR_COMPLEXITY_LIMIT", resolvers.DefaultComplexityLimit), "the highest cost a query may have (env ATHAR_COMPLEXITY_LIMIT)")
	fs.IntVar(&cfg.DepthLimit, "depth-limit", envInt("ATHAR_DEPTH_LIMIT", 12), "the deepest a query may nest (env ATHAR_DEPTH_LIMIT)")
	fs.StringVar(&cfg.AllowedHosts, "allowed-hosts", env("ATHAR_ALLOWED_HOSTS", ""), "host names requests may be addressed to, comma-separated; on a loopback address, localhost and 127.0.0.1 always are (env ATHAR_ALLOWED_HOSTS)")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", envDuration("ATHAR_RETRY_AFTER", 2*time.Second), "how long a client is told to wait (Retry-After) when the database is busy or unavailable (env ATHAR_RETRY_AFTER)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", envDuration("ATHAR_SHUTDOWN_TIMEOUT", 30*time.Second), "how long requests in flight may take to finish on shutdown (env ATHAR_SHUTDOWN_TIMEOUT)")
	if err := a.parse(args); err != nil {
		return err
	}
	cfg.WriteToken = os.Getenv("ATHAR_WRITE_TOKEN")
	logger := a.logger
	slog.SetDefault(logger)
	if cfg.WriteToken == "" && !isLoopback(cfg.Addr) {
		logger.Warn("ATHAR_WRITE_TOKEN is not set: anyone who can reach this address can change the graph", "addr", cfg.Addr)
	}

	if err := a.open(ctx); err != nil {
		return err
	}
	defer func() {
		if cerr := a.close(); cerr != nil {
			logger.Error("closing the database", "err", cerr)
		}
	}()
	store := a.store
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

	handler := httpapi.NewServer(httpapi.Config{
		GraphQL: resolvers.NewGraphQLHandler(resolvers.Config{
			Reader: store, Curator: store, Explorer: store, Logger: logger, Introspection: cfg.Introspection,
			ComplexityLimit: cfg.ComplexityLimit, DepthLimit: cfg.DepthLimit,
		}),
		Explorer: store, Pinger: store, Alive: alive(a.local), RetryAfter: cfg.RetryAfter,
		Logger: logger, Playground: cfg.Playground, QueryTimeout: cfg.QueryTimeout,
		WriteToken: cfg.WriteToken, LoopbackOnly: isLoopback(cfg.Addr), AllowedHosts: splitList(cfg.AllowedHosts),
	})
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      cfg.QueryTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(listener) }()
	url := "http://" + listener.Addr().String()
	if cfg.Playground {
		logger.Info("Athar is ready; open the playground", "url", url+"/")
	} else {
		logger.Info("Athar is ready", "graphql", url+"/graphql")
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
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
