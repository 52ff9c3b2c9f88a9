package resolvers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/graph"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/playground"
)

// Config is what the HTTP handler needs: the domain services and the limits.
type Config struct {
	Reader   athar.Reader
	Curator  athar.Curator
	Explorer athar.Explorer
	Pinger   athar.Pinger
	Logger   *slog.Logger

	Playground      bool          // serve the GraphQL playground at /
	Introspection   bool          // answer introspection queries
	ComplexityLimit int           // reject queries above this cost before they run
	DepthLimit      int           // reject queries nested deeper than this
	QueryTimeout    time.Duration // a request's deadline, which reaches Neo4j as the transaction timeout
	MaxBodyBytes    int64         // the largest request body accepted
	// ReportRoundTrips adds extensions.dbRoundTrips to every response: how many queries the
	// request sent to Neo4j. For tests and benchmarks.
	ReportRoundTrips bool
	// WriteToken, when set, is needed (Authorization: Bearer <token>) for every mutation.
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
	if c.ComplexityLimit == 0 {
		c.ComplexityLimit = 20000
	}
	if c.DepthLimit == 0 {
		c.DepthLimit = 12
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = 30 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
}

// NewGraphQLHandler returns the GraphQL endpoint: GET and POST per the GraphQL-over-HTTP
// conventions, the error presenter, the cost limits, and per-request loaders.
func NewGraphQLHandler(cfg Config) http.Handler {
	cfg.defaults()
	srv := handler.New(costedSchema{graph.NewExecutableSchema(graph.Config{
		Resolvers: &Resolver{Reader: cfg.Reader, Curator: cfg.Curator, Explorer: cfg.Explorer}})})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	if cfg.WriteToken != "" {
		srv.AroundOperations(requireTokenForMutations)
	}
	srv.Use(DepthLimit(cfg.DepthLimit))
	srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	if cfg.ReportRoundTrips {
		srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			resp := next(ctx)
			if resp != nil {
				if resp.Extensions == nil {
					resp.Extensions = map[string]any{}
				}
				resp.Extensions["dbRoundTrips"] = athar.RoundTrips(ctx)
			}
			return resp
		})
	}
	srv.SetErrorPresenter(ErrorPresenter(cfg.Logger))
	srv.SetRecoverFunc(Recover(cfg.Logger))
	var h http.Handler = LoaderMiddleware(cfg.Reader, cfg.Explorer, srv)
	if cfg.WriteToken != "" {
		h = withCredential(cfg.WriteToken, h)
	}
	return h
}

// NewServer returns Athar's whole HTTP surface: /graphql, the playground at / (when on), /healthz
// (the process is up) and /readyz (Neo4j answers), with a request id and one log line per request.
func NewServer(cfg Config) http.Handler {
	cfg.defaults()
	mux := http.NewServeMux()
	gql := NewGraphQLHandler(cfg)
	mux.Handle("/graphql", http.MaxBytesHandler(withTimeout(cfg.QueryTimeout, gql), cfg.MaxBodyBytes))
	if cfg.Explorer != nil {
		mux.Handle("GET /export/attacks.geojson", withTimeout(cfg.QueryTimeout, exportHandler(cfg.Explorer, cfg.Logger, "geojson")))
		mux.Handle("GET /export/attacks.csv", withTimeout(cfg.QueryTimeout, exportHandler(cfg.Explorer, cfg.Logger, "csv")))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := cfg.Pinger.Ping(ctx); err != nil {
			cfg.Logger.WarnContext(ctx, "not ready", "request_id", RequestID(ctx), "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("neo4j unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if cfg.Playground {
		pg := playground.Handler("Athar", "/graphql")
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET "+playground.AssetsPath, pg)
	}
	return withRequestLog(cfg.Logger, checkHost(cfg.AllowedHosts, cfg.LoopbackOnly, mux))
}

// checkHost answers 421 to a request addressed to a host Athar does not serve. A web page an
// investigator visits can point its own domain name at 127.0.0.1 (DNS rebinding) and so read a
// local Athar from the browser; the Host header it must send gives it away.
func checkHost(allowed []string, loopbackOnly bool, next http.Handler) http.Handler {
	if len(allowed) == 0 && !loopbackOnly {
		return next
	}
	ok := map[string]bool{}
	for _, h := range allowed {
		ok[strings.ToLower(strings.TrimSpace(h))] = true
	}
	if loopbackOnly {
		for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
			ok[h] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(strings.ToLower(host), "[]")
		if !ok[host] {
			http.Error(w, "this Athar does not serve that host name (see ATHAR_ALLOWED_HOSTS)", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withTimeout gives each request a deadline; the store hands what is left of it to Neo4j.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestLog gives every request an id (the client's X-Request-Id when it is sane, else a new
// one), returns it in X-Request-Id, and logs one line per request with status and duration. Query
// texts and variables are not logged: they may hold what an investigator is looking into.
func withRequestLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !clientRequestID.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx, roundTrips := athar.WithRoundTripCounter(context.WithValue(r.Context(), requestIDKey{}, id))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(started)), slog.Int64("db_round_trips", roundTrips.Load()))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Flush lets streaming responses through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
