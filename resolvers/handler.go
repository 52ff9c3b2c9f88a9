package resolvers

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/graph"
	"github.com/athar-project/athar/internal/athar"
)

// Config is what the GraphQL endpoint needs: the domain services and the query limits. The HTTP
// concerns (timeouts, body size, tokens, host names) are httpapi.Config's.
type Config struct {
	Reader   athar.Reader
	Curator  athar.Curator
	Explorer athar.Explorer
	Changes  athar.Changes  // history and changes
	Accounts athar.Accounts // accounts, addAccount, revokeAccount (admins')
	Remover  athar.Remover  // deleteX, restore, mergeX, deleted (editors')
	Logger   *slog.Logger   // gets internal errors and panics, with their request id

	Introspection   bool // answer introspection queries
	ComplexityLimit int  // reject queries above this cost before they run (DefaultComplexityLimit)
	DepthLimit      int  // reject queries nested deeper than this (DefaultDepthLimit)
	// Limits bound the query text, its aliases, fields and fragment spreads, and its strings.
	Limits Limits
	// ReportRoundTrips adds extensions.dbRoundTrips to every response: how many queries the
	// request sent to Neo4j. For tests and benchmarks.
	ReportRoundTrips bool
	// BatchWait is how long a loader waits to gather keys into one query (DefaultBatchWait when
	// zero). Longer waits cost latency; a test of how requests batch sets it long, so that what it
	// sees does not depend on how busy the machine is.
	BatchWait time.Duration
	// WalkMaxSteps is the most steps (references and lists followed) one query of a request's
	// tree may take (walk.go); the fields of the steps beyond it load level by level. Zero means
	// DefaultWalkMaxSteps; a negative value reads every tree level by level.
	WalkMaxSteps int
	// LevelByLevel turns off reading a request's tree of entity fields in one query: every field
	// then loads through its loader, one query per level. For comparing the two.
	LevelByLevel bool
}

// DefaultWalkMaxSteps is the most steps one walk of a request's tree takes unless Config says
// otherwise. Neo4j plans a query once per text, in time that grows faster than the query: the
// evidence tree of a facility (4 steps) plans in about 0.3 s, a walk of a hundred-odd steps took
// 5 to 27 s (docs/benchmarks.md), and every new shape of request pays it once. Twenty steps cover
// every tree the README and the benchmarks ask for.
const DefaultWalkMaxSteps = 20

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ComplexityLimit == 0 {
		c.ComplexityLimit = DefaultComplexityLimit
	}
	if c.DepthLimit == 0 {
		c.DepthLimit = DefaultDepthLimit
	}
	if c.WalkMaxSteps == 0 {
		c.WalkMaxSteps = DefaultWalkMaxSteps
	}
	c.Limits.defaults()
	if c.BatchWait == 0 {
		c.BatchWait = DefaultBatchWait
	}
}

// NewGraphQLHandler returns the GraphQL endpoint: GET and POST per the GraphQL-over-HTTP
// conventions, the error presenter, the cost limits, and per-request loaders. Serve it through
// httpapi.NewServer: a mutation runs only when the account the request acts as may change the graph
// (requireRole), and errors carry the request id httpapi gives.
func NewGraphQLHandler(cfg Config) http.Handler {
	cfg.defaults()
	es := graph.NewExecutableSchema(graph.Config{
		Resolvers: &Resolver{Reader: cfg.Reader, Curator: cfg.Curator, Explorer: cfg.Explorer, ChangeLog: cfg.Changes, AccountStore: cfg.Accounts, Remover: cfg.Remover}})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(overHTTP{logger: cfg.Logger})
	srv.SetValidationRulesFn(validationRules(cfg.Introspection))
	srv.SetDisableSuggestion(!cfg.Introspection)
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	srv.Use(operationMetrics{}) // first: the outermost, it sees every answer
	// The document's limits and the variables' checks run on the raw request before gqlgen parses
	// and validates it (the parser's own token limit is a second guard); the literal values' checks
	// and the cost once it is validated.
	inputs := inputLimits{schema: es.Schema(), maxString: cfg.Limits.MaxStringLength, maxID: cfg.Limits.MaxIDLength}
	srv.Use(documentLimits{limits: cfg.Limits, depth: cfg.DepthLimit, passed: cache, inputs: inputs})
	srv.SetParserTokenLimit(cfg.Limits.MaxTokens)
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.AroundOperations(requireRole)
	srv.AroundFields(aroundField)
	srv.Use(inputs)
	srv.Use(newCostLimit(es.Schema(), cfg.ComplexityLimit, cfg.Limits.RoundTripCost, cfg.Limits.SearchCost))
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
	walkMaxSteps := cfg.WalkMaxSteps
	if cfg.LevelByLevel || walkMaxSteps < 0 {
		walkMaxSteps = 0
	}
	return LoaderMiddleware(cfg.Reader, cfg.Explorer, cfg.BatchWait, walkMaxSteps, srv)
}

// aroundField is the middleware of every field's resolution: a mutation's reason goes into its
// context (withReason) and an empty optional text or enum comes out as null (emptyAsNull). gqlgen
// calls a field middleware for every field of an answer, each in frames of its own on the stack
// of the goroutine that resolves it, so there is one, not one per concern.
func aroundField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	res, err := next(withReason(ctx, fc))
	return emptyAsNull(fc, res, err)
}

// emptyAsNull answers null for an optional text or enum field (fc) that the object does not have:
// res when the field resolved to anything else. The domain keeps an unset text or enum as "",
// which says nothing as text and is no value of an enum; a client reads null as "not given"
// (TestEveryField_RoundTrips checks every such field).
func emptyAsNull(fc *graphql.FieldContext, res any, err error) (any, error) {
	if err != nil || res == nil {
		return res, err
	}
	if fc == nil || fc.Field.Definition == nil || fc.Field.Definition.Type.NonNull || fc.Field.Definition.Type.Elem != nil {
		return res, err
	}
	if v := reflect.ValueOf(res); v.Kind() == reflect.String && v.Len() == 0 {
		return nil, nil
	}
	return res, err
}
