package metrics_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/athar-project/athar/internal/metrics"
	"github.com/athar-project/athar/internal/metrics/metricstest"
)

// MustServe serves metrics.Handler and returns its /metrics URL.
func MustServe(tb testing.TB) string {
	tb.Helper()
	srv := httptest.NewServer(metrics.Handler())
	tb.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func TestHandler_ServesPrometheusTextFormat(t *testing.T) {
	url := MustServe(t)
	fams := metricstest.Scrape(t, url)
	for _, name := range []string{
		"go_goroutines", "process_cpu_seconds_total", // the runtime and process collectors
		"athar_neo4j_round_trips_total", "athar_import_records_total", "athar_import_failures_total",
		"athar_import_conflicts_total", "athar_neo4j_sessions_in_flight", "athar_http_requests_in_flight", "athar_embedded_neo4j_restarts_total",
	} {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics has no %s", name)
		}
	}
	if got := fams.LabelValues("athar_neo4j_round_trips_total", "access"); len(got) != 2 {
		t.Errorf("round trips are exposed for access %v before any, want read and write at 0", got)
	}
}

func TestHandler_FollowsNamingConventions(t *testing.T) {
	metrics.RejectedDocument("depth")
	ctx, r := metrics.WithRequest(context.Background())
	metrics.SetOperation(ctx, "query")
	r.Started()
	r.Finished("/graphql", 200, time.Millisecond)
	resp, err := http.Get(MustServe(t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "athar_") {
			t.Errorf("promlint: %s: %s", p.Metric, p.Text)
		}
	}
}

func TestRejectedDocument_CountsByLimit(t *testing.T) {
	url := MustServe(t)
	before := metricstest.Scrape(t, url)
	metrics.RejectedDocument("aliases")
	metrics.RejectedDocument("aliases")
	metrics.RejectedDocument(`{ search(query: "x") { id } }`) // text by mistake: not a label value
	after := metricstest.Scrape(t, url)
	const name = "athar_graphql_rejected_documents_total"
	for limit, want := range map[string]float64{"aliases": 2, "other": 1} {
		l := map[string]string{"limit": limit}
		if got := after.Value(name, l) - before.Value(name, l); got != want {
			t.Errorf("%s{limit=%q} moved by %v, want %v", name, limit, got, want)
		}
	}
	for _, v := range after.LabelValues(name, "limit") {
		if strings.ContainsAny(v, "{}\" ") {
			t.Errorf("a document's text became a label value: %q", v)
		}
	}
}

func TestRequest_LabelsAreBounded(t *testing.T) {
	url := MustServe(t)
	before := metricstest.Scrape(t, url)

	ctx, r := metrics.WithRequest(context.Background())
	r.Started()
	metrics.SetOperation(ctx, "query MyOperationName { secret }") // not an operation type: ignored
	metrics.SetOperation(ctx, "mutation")
	metrics.SetErrorCode(ctx, "BAD_USER_INPUT")
	metrics.SetErrorCode(ctx, "INTERNAL") // the first code is the request's
	r.Finished("GET /export/attacks.csv", 400, 30*time.Millisecond)

	ctx, r = metrics.WithRequest(context.Background())
	r.Started()
	metrics.SetErrorCode(ctx, "the facility:ain-jalout-school was not found") // text: OTHER
	r.Finished("", 404, time.Millisecond)

	metrics.SetOperation(context.Background(), "query") // outside a request: nothing to record
	metrics.SetErrorCode(context.Background(), "INTERNAL")

	after := metricstest.Scrape(t, url)
	const name = "athar_http_requests_total"
	for _, c := range []map[string]string{
		{"route": "/export/attacks.csv", "operation": "mutation", "status": "400", "code": "BAD_USER_INPUT"},
		{"route": "unmatched", "operation": "none", "status": "404", "code": "OTHER"},
	} {
		if got := after.Value(name, c) - before.Value(name, c); got != 1 {
			t.Errorf("%s%v moved by %v, want 1", name, c, got)
		}
	}
	h := map[string]string{"route": "/export/attacks.csv", "operation": "mutation"}
	if got := after.Value("athar_http_request_duration_seconds", h) - before.Value("athar_http_request_duration_seconds", h); got != 1 {
		t.Errorf("the latency histogram counted %v requests, want 1", got)
	}
	if got := after.Value("athar_http_requests_in_flight", nil); got != before.Value("athar_http_requests_in_flight", nil) {
		t.Errorf("requests in flight %v after both finished, want %v", got, before.Value("athar_http_requests_in_flight", nil))
	}
	for _, label := range []string{"operation", "code", "route"} {
		for _, v := range after.LabelValues(name, label) {
			if strings.Contains(v, " ") {
				t.Errorf("label %s has the value %q: text reached a label", label, v)
			}
		}
	}
}

func TestSessionOpened_ClosesOnce(t *testing.T) {
	url := MustServe(t)
	base := metricstest.Scrape(t, url).Value("athar_neo4j_sessions_in_flight", nil)
	closed := metrics.SessionOpened()
	if got := metricstest.Scrape(t, url).Value("athar_neo4j_sessions_in_flight", nil); got != base+1 {
		t.Errorf("sessions in flight = %v with one open, want %v", got, base+1)
	}
	closed()
	closed()
	if got := metricstest.Scrape(t, url).Value("athar_neo4j_sessions_in_flight", nil); got != base {
		t.Errorf("sessions in flight = %v after closing twice, want %v", got, base)
	}
}

func TestEmbeddedRestart_Counts(t *testing.T) {
	url := MustServe(t)
	before := metricstest.Scrape(t, url).Value("athar_embedded_neo4j_restarts_total", nil)
	metrics.EmbeddedRestart()
	if got := metricstest.Scrape(t, url).Value("athar_embedded_neo4j_restarts_total", nil) - before; got != 1 {
		t.Errorf("restarts moved by %v, want 1", got)
	}
}

func TestWriteImportFile_TextfileWithoutRuntimeMetrics(t *testing.T) {
	metrics.ImportedRecords(3, 2, 1)
	metrics.ImportFailed(metrics.ImportInvalid, 4)
	metrics.ImportedDatasetOutcomes(5, 2)
	path := filepath.Join(t.TempDir(), "athar_import.prom")
	if err := metrics.WriteImportFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("%s is not in Prometheus' text format: %v", path, err)
	}
	got := metricstest.Families(fams)
	if v := got.Value("athar_import_records_total", map[string]string{"outcome": "created"}); v < 3 {
		t.Errorf("created records = %v, want at least 3", v)
	}
	if v := got.Value("athar_import_problems_total", nil); v < 4 {
		t.Errorf("problems = %v, want at least 4", v)
	}
	if v := got.Value("athar_import_records_total", map[string]string{"outcome": "withdrawn"}); v < 5 {
		t.Errorf("withdrawn records = %v, want at least 5", v)
	}
	if v := got.Value("athar_import_conflicts_total", nil); v < 2 {
		t.Errorf("curation conflicts = %v, want at least 2", v)
	}
	for name := range fams {
		if !strings.HasPrefix(name, "athar_import_") {
			t.Errorf("the import file holds %s: node_exporter would refuse it beside its own", name)
		}
	}
}

// BenchmarkRequest measures what counting one request costs: the context, the operation type, the
// error code and the two series.
func BenchmarkRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ctx, r := metrics.WithRequest(context.Background())
		r.Started()
		metrics.SetOperation(ctx, "query")
		metrics.SetErrorCode(ctx, "BAD_USER_INPUT")
		r.Finished("/graphql", 200, time.Millisecond)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		metrics.RoundTrip(metrics.AccessRead)
	}
}
