package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/metrics/metricstest"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// MustPost sends a GraphQL request body to /graphql and returns the status.
func MustPost(tb testing.TB, base, body string) int {
	tb.Helper()
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The counters move after real requests through the real GraphQL endpoint and store, and are read
// back from /metrics as Prometheus reads them.
func TestMetrics_CountRealRequests(t *testing.T) {
	store := MustStore(t, true)
	neo4jtest.MustAccount(t, store, "editor", athar.RoleEditor, time.Time{})
	base := MustServer(t, store, func(c *httpapi.Config) {
		c.Metrics, c.Auth = true, auth.New(auth.Config{Accounts: store, Loopback: true, PublicRead: true})
		c.LoopbackOnly = true
	})
	before := metricstest.Scrape(t, base+"/metrics")

	MustPost(t, base, `{"query":"query Secret { facility(id: \"facility:ain-jalout-school\") { name attacks { nodes { id } } } }","operationName":"Secret"}`)
	MustPost(t, base, `{"query":"mutation { createPlace(input: {id: \"place:x\", name: \"X\", kind: CITY}) { place { id } } }"}`)
	MustPost(t, base, `{"query":"{ facility(id: "}`)
	MustGet(t, base+"/export/attacks.csv?facilityType=SCHOOL", nil)
	MustGet(t, base+"/export/attacks.csv?nosuch=1", nil)
	MustPost(t, base, `{"query":"`+strings.Repeat("x", 2<<20)+`"}`)
	MustGet(t, base+"/no/such/facility:ain-jalout-school", nil)
	MustGet(t, base+"/healthz", http.Header{"Host": {"attacker.example"}})

	after := metricstest.Scrape(t, base+"/metrics")
	const requests = "athar_http_requests_total"
	for _, c := range []map[string]string{
		{"route": "/graphql", "operation": "query", "status": "200", "code": "none"},
		{"route": "/graphql", "operation": "mutation", "code": "UNAUTHENTICATED"},
		{"route": "/graphql", "operation": "none", "code": "GRAPHQL_PARSE_FAILED"},
		{"route": "/export/attacks.csv", "operation": "none", "status": "200"},
		// Answers httpapi writes itself carry their codes too.
		{"route": "/export/attacks.csv", "status": "400", "code": "INVALID"},
		{"route": "/graphql", "status": "413", "code": "BAD_USER_INPUT"},
		{"route": "unmatched", "status": "404"},
		{"route": "/healthz", "status": "421"},
	} {
		if got := after.Value(requests, c) - before.Value(requests, c); got < 1 {
			t.Errorf("%s%v moved by %v, want at least 1", requests, c, got)
		}
	}
	h := map[string]string{"route": "/graphql", "operation": "query"}
	if got := after.Value("athar_http_request_duration_seconds", h) - before.Value("athar_http_request_duration_seconds", h); got < 1 {
		t.Errorf("the /graphql query latency histogram counted %v requests, want at least 1", got)
	}
	read := map[string]string{"access": "read"}
	if got := after.Value("athar_neo4j_round_trips_total", read) - before.Value("athar_neo4j_round_trips_total", read); got < 2 {
		t.Errorf("Neo4j read round trips moved by %v; the facility with its attacks and the export take at least 2", got)
	}
	if got := after.Value("athar_neo4j_sessions_in_flight", nil); got != 0 {
		t.Errorf("%v Neo4j sessions left open after every request was answered", got)
	}
	for _, label := range []string{"route", "operation", "code"} {
		for _, v := range after.LabelValues(requests, label) {
			if strings.Contains(v, "Secret") || strings.Contains(v, "facility:") || strings.Contains(v, "{") {
				t.Errorf("request text reached the label %s: %q", label, v)
			}
		}
	}
}

func TestMetrics_OffUnlessConfigured(t *testing.T) {
	base := MustServer(t, MustStore(t, false), nil)
	if resp, _ := MustGet(t, base+"/metrics", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics = %d without Config.Metrics, want 404", resp.StatusCode)
	}
}

// With the host check on, the loopback names stay allowed beside the configured ones, so that a
// proxy's name in ATHAR_ALLOWED_HOSTS does not lock out `athar healthcheck` (Compose listens on
// 0.0.0.0, which is not a loopback address).
func TestHostCheck_ConfiguredNamesAddToLoopback(t *testing.T) {
	for _, loopbackOnly := range []bool{false, true} {
		base := MustServer(t, MustStore(t, false), func(c *httpapi.Config) {
			c.LoopbackOnly, c.AllowedHosts = loopbackOnly, []string{"athar.example.org", "[::1]"}
		})
		port := strings.TrimPrefix(base, "http://127.0.0.1")
		for host, want := range map[string]int{
			"127.0.0.1" + port: 200, "localhost" + port: 200, "[::1]" + port: 200, "LOCALHOST": 200,
			"athar.example.org": 200, "athar.example.org:443": 200,
			"attacker.example": 421, "athar.example.org.attacker.example": 421,
		} {
			resp, _ := MustGet(t, base+"/readyz", http.Header{"Host": {host}})
			if resp.StatusCode != want {
				t.Errorf("loopback-only %v, Host %q: %d, want %d", loopbackOnly, host, resp.StatusCode, want)
			}
		}
	}
}
