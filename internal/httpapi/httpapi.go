// Package httpapi is Athar's HTTP application: the routes (/graphql, the exports, the health
// probes, the playground) and the middleware every request goes through (request id and log, host
// check, timeout, body limit, write credential). The GraphQL endpoint itself is handed in as an
// http.Handler, so that this package knows nothing of gqlgen.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
	"github.com/athar-project/athar/internal/playground"
)

// Config is what the HTTP application needs: the GraphQL endpoint, the domain services the plain
// HTTP endpoints use, and the limits.
type Config struct {
	// GraphQL serves /graphql. It finds the request id (RequestID) and the write credential
	// (WriteCredential) in the request's context.
	GraphQL http.Handler
	// Explorer answers the plain-HTTP exports under /export/; without it there are none.
	Explorer athar.Explorer
	// Pinger tells /readyz whether the database answers.
	Pinger athar.Pinger
	// Alive, when set, reports a fault only a restart of the process mends (the embedded Neo4j
	// stopped and will not be restarted): /healthz then answers 503 with its message.
	Alive func() error
	// RetryAfter is what a busy or unavailable database's answers advise a client to wait
	// (Retry-After in plain HTTP, extensions.retryAfter in GraphQL), rounded up to seconds.
	RetryAfter time.Duration
	// Logger gets one line per request and the failures of the plain-HTTP endpoints.
	Logger *slog.Logger

	Playground   bool          // serve the GraphQL playground at /
	QueryTimeout time.Duration // a request's deadline, which reaches Neo4j as the transaction timeout
	MaxBodyBytes int64         // the largest GraphQL request body accepted
	// WriteToken, when set, is needed (Authorization: Bearer <token>) to change the graph: see
	// WriteCredential.
	WriteToken string
	// AllowedHosts are the host names requests may be addressed to. Empty allows any, except
	// that LoopbackOnly restricts them to localhost, 127.0.0.1 and [::1].
	AllowedHosts []string
	// LoopbackOnly says Athar listens on a loopback address: requests must then name a loopback
	// host (or one of AllowedHosts), which stops a web page from reaching it by DNS rebinding.
	LoopbackOnly bool
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = 30 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = 2 * time.Second
	}
}

// NewServer returns Athar's whole HTTP surface: /graphql, the exports /export/attacks.csv and
// /export/attacks.geojson, the playground at / (when on), /healthz (the process can serve: see
// Config.Alive) and /readyz (Neo4j answers). Every request gets a request id, one log line, the host check and its write
// credential.
func NewServer(cfg Config) http.Handler {
	cfg.defaults()
	mux := http.NewServeMux()
	mux.Handle("/graphql", withBodyLimit(cfg.MaxBodyBytes, withTimeout(cfg.QueryTimeout, cfg.GraphQL)))
	if cfg.Explorer != nil {
		for _, f := range export.Formats() {
			mux.Handle("GET /export/"+f.FileName, withTimeout(cfg.QueryTimeout, exportHandler(cfg.Explorer, cfg.Logger, f)))
		}
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if cfg.Alive != nil {
			if err := cfg.Alive(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(err.Error() + "\n"))
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", readyHandler(cfg.Pinger, cfg.Logger))
	if cfg.Playground {
		pg := playground.Handler("Athar", "/graphql")
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET "+playground.AssetsPath, pg)
	}
	return withRequestLog(cfg.Logger, cfg.RetryAfter, checkHost(cfg.AllowedHosts, cfg.LoopbackOnly, withCredential(cfg.WriteToken, mux)))
}

// readyHandler answers 200 when the database answers within 5 seconds, else 503: a probe's
// answer, whatever the reason.
func readyHandler(p athar.Pinger, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := p.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "not ready", "request_id", RequestID(ctx), "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("neo4j unavailable: " + athar.ErrorMessage(err) + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
