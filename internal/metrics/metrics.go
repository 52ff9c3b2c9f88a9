// Package metrics holds Athar's Prometheus collectors, on a registry of their own (never the
// client library's global one), and the functions the rest of the code calls to move them. Handler
// serves them in Prometheus' text exposition format at /metrics; WriteImportFile writes those of
// imports for athar import, which ends before anything could scrape it.
//
// Every label value is bounded: routes are the patterns the HTTP server registers, operations are
// GraphQL's three operation types, outcomes are HTTP status codes and GraphQL error codes, limits
// and reasons are names the code defines. No id, query text, operation name or other text a client
// sent ever becomes a label value: a client could otherwise grow the series without bound, and
// read what others were looking into.
//
// The metric names follow Prometheus' naming conventions (https://prometheus.io/docs/practices/naming/):
// the athar_ prefix, base units (seconds), _total for counters.
package metrics

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// registry holds every collector of the process: Athar's own, the Go runtime's and the process's.
// importRegistry holds the import collectors alone, for WriteImportFile.
var registry, importRegistry = prometheus.NewRegistry(), prometheus.NewRegistry()

// durationBuckets are the upper bounds, in seconds, of the request latency histogram: from 5 ms
// (a cached read) to 30 s (the default ATHAR_QUERY_TIMEOUT), so that requests cut by the
// deadline fall in the last finite bucket.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route (the registered pattern, \"unmatched\" for none), GraphQL operation type (\"none\" outside one), HTTP status and GraphQL error code (the first error's extensions.code, \"none\" without errors).",
	}, []string{"route", "operation", "status", "code"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "athar", Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its answer, in seconds, by route and GraphQL operation type.",
		Buckets: durationBuckets,
	}, []string{"route", "operation"})
	requestsInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "athar", Subsystem: "http", Name: "requests_in_flight",
		Help: "HTTP requests being answered now.",
	})
	rejectedDocuments = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "graphql", Name: "rejected_documents_total",
		Help: "GraphQL documents refused before execution, by the limit they exceeded.",
	}, []string{"limit"})
	roundTrips = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "neo4j", Name: "round_trips_total",
		Help: "Queries the store sent to Neo4j in its read and write transactions (requests, imports), by access mode: read or write.",
	}, []string{"access"})
	sessionsInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "athar", Subsystem: "neo4j", Name: "sessions_in_flight",
		Help: "Neo4j sessions open now; each holds at most one of the driver's pooled connections (the driver's pool size is 100 by default).",
	})
	embeddedRestarts = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "embedded_neo4j", Name: "restarts_total",
		Help: "Times the embedded Neo4j was started again after it stopped unasked.",
	})
	importRecords = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "import", Name: "records_total",
		Help: "Bundle records written by imports (the seed data included), by outcome: created, updated, unchanged, or withdrawn (a dataset's record that its new release no longer holds).",
	}, []string{"outcome"})
	importConflicts = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "import", Name: "conflicts_total",
		Help: "Fields of dataset records that a curator set and a re-imported release changed too; the curated value was kept.",
	})
	importFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "import", Name: "failures_total",
		Help: "Imports that stopped, by reason: invalid (the bundle has problems; nothing was written) or database (a batch failed to write).",
	}, []string{"reason"})
	importProblems = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "athar", Subsystem: "import", Name: "problems_total",
		Help: "Problems found in bundles that were refused as invalid, one per record and field at fault.",
	})
)

func init() {
	registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		requests, requestDuration, requestsInFlight, rejectedDocuments, roundTrips, sessionsInFlight,
		embeddedRestarts, importRecords, importFailures, importProblems, importConflicts,
	)
	importRegistry.MustRegister(importRecords, importFailures, importProblems, importConflicts)
	// Series that are known in advance are shown at zero from the start, so that a rate() or an
	// alert on them has data before the first event.
	for _, a := range []string{AccessRead, AccessWrite} {
		roundTrips.WithLabelValues(a)
	}
	for _, o := range []string{"created", "updated", "unchanged", "withdrawn"} {
		importRecords.WithLabelValues(o)
	}
	for _, r := range []string{ImportInvalid, ImportDatabase} {
		importFailures.WithLabelValues(r)
	}
}

// Handler serves every collector in Prometheus' text exposition format (or OpenMetrics when the
// scraper asks for it). Failures to gather are answered 500 and counted in
// promhttp_metric_handler_errors_total. Every call returns the same handler.
func Handler() http.Handler { return handler() }

var handler = sync.OnceValue(func() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry, EnableOpenMetrics: true})
})

// WriteImportFile writes the import collectors (athar_import_*) to path in the text exposition
// format, atomically (through a temporary file renamed into place): the form node_exporter's
// textfile collector reads, for athar import, which ends before anything could scrape it. The Go
// runtime and process collectors are left out, as node_exporter refuses a file whose metrics
// collide with its own.
func WriteImportFile(path string) error {
	return prometheus.WriteToTextfile(path, importRegistry)
}

// names is what a limit or reason given by the code may look like; anything else is counted as
// "other", so that a caller passing text by mistake cannot grow the series.
var names = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

func boundedName(s string) string {
	if names.MatchString(s) {
		return s
	}
	return "other"
}

// RejectedDocument counts one GraphQL document refused before execution because it exceeded the
// limit named. limit must be a constant of the caller's (the limit's name as the README's
// configuration table and the error's extensions name it, e.g. "complexity", "depth", "aliases"),
// never text from the request; a name that does not look like one (a letter, then at most 63
// letters, digits, "_", "." or "-") is counted as "other". Safe for concurrent use.
func RejectedDocument(limit string) {
	rejectedDocuments.WithLabelValues(boundedName(limit)).Inc()
}

// Access modes of RoundTrip.
const (
	AccessRead  = "read"
	AccessWrite = "write"
)

// RoundTrip counts one query sent to Neo4j in the given access mode (AccessRead or AccessWrite).
func RoundTrip(access string) {
	if access != AccessWrite {
		access = AccessRead
	}
	roundTrips.WithLabelValues(access).Inc()
}

// SessionOpened counts a Neo4j session as open until the function it returns is called (once).
// The driver does not report its connection pool's use; open sessions are its upper bound, since a
// session holds at most one connection at a time.
func SessionOpened() (closed func()) {
	sessionsInFlight.Inc()
	var once sync.Once
	return func() { once.Do(sessionsInFlight.Dec) }
}

// EmbeddedRestart counts one restart of the embedded Neo4j after it stopped without being asked
// to (it crashed, or was killed). The supervisor of the embedded Neo4j calls it each time it
// starts the process again; the first start is not a restart.
func EmbeddedRestart() {
	embeddedRestarts.Inc()
}

// ImportedRecords counts the records of one written import batch by outcome. A dry run writes
// nothing and is not counted.
func ImportedRecords(created, updated, unchanged int) {
	importRecords.WithLabelValues("created").Add(float64(created))
	importRecords.WithLabelValues("updated").Add(float64(updated))
	importRecords.WithLabelValues("unchanged").Add(float64(unchanged))
}

// ImportedDatasetOutcomes counts what an import did beyond writing records: the dataset records
// it withdrew (outcome withdrawn of athar_import_records_total) and the curation conflicts it
// found (athar_import_conflicts_total). A dry run is not counted.
func ImportedDatasetOutcomes(withdrawn, conflicts int) {
	importRecords.WithLabelValues("withdrawn").Add(float64(withdrawn))
	importConflicts.Add(float64(conflicts))
}

// Reasons of ImportFailed.
const (
	ImportInvalid  = "invalid"  // the bundle has problems; nothing was written
	ImportDatabase = "database" // writing a batch failed; the batches before it are written
)

// ImportFailed counts one import that stopped for reason (ImportInvalid or ImportDatabase) and,
// for an invalid bundle, its problems.
func ImportFailed(reason string, problems int) {
	importFailures.WithLabelValues(boundedName(reason)).Inc()
	if problems > 0 {
		importProblems.Add(float64(problems))
	}
}

// Request is what one HTTP request's metrics are made of, filled in as it is answered: the GraphQL
// layer tells its operation type and error code through the request's context.
type Request struct {
	mu        sync.Mutex
	operation string
	code      string
}

type requestKey struct{}

// WithRequest returns a context carrying a new Request, and the Request.
func WithRequest(ctx context.Context) (context.Context, *Request) {
	r := &Request{}
	return context.WithValue(ctx, requestKey{}, r), r
}

func fromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// SetOperation records the GraphQL operation type of the request ctx belongs to: "query",
// "mutation" or "subscription"; any other value, or a context outside a request, is ignored.
func SetOperation(ctx context.Context, operationType string) {
	switch operationType {
	case "query", "mutation", "subscription":
	default:
		return
	}
	if r := fromContext(ctx); r != nil {
		r.mu.Lock()
		r.operation = operationType
		r.mu.Unlock()
	}
}

// errorCodes is what a GraphQL error code looks like (BAD_USER_INPUT, GRAPHQL_PARSE_FAILED, ...).
var errorCodes = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,39}$`)

// SetErrorCode records the GraphQL error code (extensions.code) of the request ctx belongs to; the
// first code recorded is kept. A code that is not upper-case letters, digits and "_" is counted as
// "OTHER".
func SetErrorCode(ctx context.Context, code string) {
	if code == "" {
		return
	}
	if !errorCodes.MatchString(code) {
		code = "OTHER"
	}
	if r := fromContext(ctx); r != nil {
		r.mu.Lock()
		if r.code == "" {
			r.code = code
		}
		r.mu.Unlock()
	}
}

// Started counts a request as in flight until Finished is called.
func (r *Request) Started() { requestsInFlight.Inc() }

// Finished counts the request as answered: route is the pattern that served it (as
// http.ServeMux reports it, e.g. "GET /export/attacks.csv"; its method is dropped; "" for none),
// status its HTTP status, took the time it took.
func (r *Request) Finished(route string, status int, took time.Duration) {
	requestsInFlight.Dec()
	r.mu.Lock()
	op, code := r.operation, r.code
	r.mu.Unlock()
	if op == "" {
		op = "none"
	}
	if code == "" {
		code = "none"
	}
	route = routeLabel(route)
	requests.WithLabelValues(route, op, strconv.Itoa(status), code).Inc()
	requestDuration.WithLabelValues(route, op).Observe(took.Seconds())
}

// routeLabel turns a ServeMux pattern ("GET /healthz", "/graphql", "GET /{$}") into a route label
// ("/healthz", "/graphql", "/").
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimSpace(pattern[i+1:])
	}
	return strings.TrimSuffix(pattern, "{$}")
}
