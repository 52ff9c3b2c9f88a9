// Package httpapi is Athar's HTTP application: the routes (/graphql, the exports, the health
// probes, the playground, the metrics) and the middleware every request goes through (metrics,
// request id and log, host check, timeout, body limit, who the request acts as). The GraphQL endpoint
// itself is handed in as an http.Handler, so that this package knows nothing of gqlgen.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/explorer"
	"github.com/athar-project/athar/internal/export"
	"github.com/athar-project/athar/internal/metrics"
	"github.com/athar-project/athar/internal/playground"
)

// Config is what the HTTP application needs: the GraphQL endpoint, the domain services the plain
// HTTP endpoints use, and the limits.
type Config struct {
	// GraphQL serves /graphql. It finds the request id (RequestID) and who the request acts as
	// (athar.PrincipalOf) in the request's context.
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
	ExploreApp   bool          // serve the explorer at /explore (internal/explorer)
	QueryTimeout time.Duration // a request's deadline, which reaches Neo4j as the transaction timeout
	MaxBodyBytes int64         // the largest GraphQL request body accepted
	// BodyReadTimeout is how long a GraphQL request's body may take to arrive; it is read whole
	// before the request takes an admission slot. Default DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// Auth decides who each request to /graphql and the exports acts as, and refuses with 401 one
	// that needs a token and has no valid one (see withPrincipal). Nil: every request is the
	// single local user (athar.LocalPrincipal), as on an instance with no accounts on loopback.
	Auth *auth.Authenticator
	// Changes records each export (who, when, which, its filter) before it is sent; nil records
	// none.
	Changes athar.Changes
	// Import, when set, serves POST /import: a bundle imported by an editor's account (see
	// importHandler), bounded by MaxImportBytes (DefaultMaxImportBytes when zero) and
	// ExportTimeout.
	Import         ImportFunc
	MaxImportBytes int64
	// AllowedHosts are the host names requests may be addressed to, besides localhost, 127.0.0.1
	// and [::1], which always may. Empty allows any, except that LoopbackOnly restricts them to
	// those three.
	AllowedHosts []string
	// LoopbackOnly says Athar listens on a loopback address: requests must then name a loopback
	// host (or one of AllowedHosts), which stops a web page from reaching it by DNS rebinding.
	LoopbackOnly bool
	// Metrics serves internal/metrics' collectors at GET /metrics. Requests are counted in them
	// either way.
	Metrics bool
	// Admission bounds the requests that reach the database (/graphql and the exports): how many
	// run at once, and how many wait and for how long. Nil: NewAdmission's defaults.
	Admission *Admission
	// ExportTimeout is the deadline of a whole plain-HTTP export; each of its database reads is
	// bounded by QueryTimeout as well. Default 10 minutes.
	ExportTimeout time.Duration
	// ExportPageSize is how many attacks an export reads from the database at a time, and so
	// about how many it holds in memory. Default DefaultExportPageSize.
	ExportPageSize int
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = 30 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.BodyReadTimeout <= 0 {
		c.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if c.Admission == nil {
		c.Admission = NewAdmission(AdmissionConfig{})
	}
	if c.ExportTimeout <= 0 {
		c.ExportTimeout = DefaultExportTimeout
	}
	if c.MaxImportBytes <= 0 {
		c.MaxImportBytes = DefaultMaxImportBytes
	}
	if c.ExportPageSize <= 0 {
		c.ExportPageSize = DefaultExportPageSize
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = 2 * time.Second
	}
}

// DefaultMaxBodyBytes is the largest GraphQL request body accepted unless configured: 1 MiB, far
// above any document a person writes (the README's deepest example is under 2 KB) with its
// variables.
const DefaultMaxBodyBytes = 1 << 20

// DefaultBodyReadTimeout is how long a request body may take to arrive unless configured: 10
// seconds carries the largest body allowed (1 MiB) at 100 KB/s, a slow mobile link.
const DefaultBodyReadTimeout = 10 * time.Second

// The defaults of the exports' limits: a page of 1,000 attacks is a few hundred kilobytes in
// memory and one database round trip per thousand rows; ten minutes streams some millions of rows.
const (
	DefaultExportPageSize = 1000
	DefaultExportTimeout  = 10 * time.Minute
)

// NewServer returns Athar's whole HTTP surface: /graphql, the exports /export/attacks.csv and
// /export/attacks.geojson, POST /import (when Config.Import is set), the playground at / and the
// explorer at /explore (each when on), /healthz (the process can serve: see
// Config.Alive), /readyz (Neo4j answers), and /metrics when Config.Metrics says so. Every request
// is counted in internal/metrics and gets a request id, one log line and the host check; /graphql,
// the exports and the import are authenticated (Config.Auth) and go through admission control
// (Config.Admission); the probes, /metrics and the playground's page (which holds no data) are
// neither, and never wait.
func NewServer(cfg Config) http.Handler {
	cfg.defaults()
	mux := http.NewServeMux()
	mux.Handle("/graphql", withBodyLimit(cfg.MaxBodyBytes, cfg.BodyReadTimeout, withPrincipal(cfg.Auth, true, cfg,
		cfg.Admission.admit(busyGraphQL, withTimeout(cfg.QueryTimeout, cfg.GraphQL)))))
	if cfg.Explorer != nil {
		for _, f := range export.Formats() {
			mux.Handle("GET /export/"+f.FileName, withPrincipal(cfg.Auth, false, cfg,
				cfg.Admission.admit(busyPlain, withTimeout(cfg.ExportTimeout, exportHandler(cfg.Explorer, cfg, f)))))
		}
	}
	if cfg.Import != nil {
		mux.Handle("POST /import", withPrincipal(cfg.Auth, false, cfg,
			cfg.Admission.admit(busyPlain, withTimeout(cfg.ExportTimeout, importHandler(cfg)))))
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
	if cfg.Metrics {
		mux.Handle("GET /metrics", metrics.Handler())
	}
	if cfg.Playground {
		pg := playground.Handler("Athar", "/graphql")
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET "+playground.AssetsPath, pg)
	}
	if cfg.ExploreApp {
		ex := explorer.Handler()
		mux.Handle("GET "+explorer.Path, ex)
		mux.Handle("GET "+explorer.Path+"/", ex)
	}
	return withMetrics(mux, withRequestLog(cfg.Logger, cfg.RetryAfter, checkHost(cfg.AllowedHosts, cfg.LoopbackOnly, mux)))
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
