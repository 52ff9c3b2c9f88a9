package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// MustStore returns a store over an emptied, migrated database; with seeded set, the curated seed
// data is loaded.
func MustStore(tb testing.TB, seeded bool) *neo4jstore.Store {
	tb.Helper()
	store := neo4jtest.MustStore(tb)
	if seeded {
		neo4jtest.MustSeed(tb, store)
	}
	return store
}

// MustServer starts Athar's HTTP server over store, with the real GraphQL endpoint and the
// playground, and returns its base URL. configure, when not nil, adjusts the configuration.
func MustServer(tb testing.TB, store *neo4jstore.Store, configure func(*httpapi.Config)) string {
	tb.Helper()
	cfg := httpapi.Config{
		GraphQL:  resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Changes: store, Accounts: store, Remover: store, Logger: discard, Introspection: true}),
		Explorer: store, Changes: store, Pinger: store, Logger: discard, Playground: true,
	}
	if configure != nil {
		configure(&cfg)
	}
	srv := httptest.NewServer(httpapi.NewServer(cfg))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// MustGet sends a GET with the given headers and returns the response, its body read.
func MustGet(tb testing.TB, url string, header http.Header) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = header.Get(k) // the client sends req.Host, not a Host header
			continue
		}
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

func TestHTTP_Endpoints(t *testing.T) {
	url := MustServer(t, MustStore(t, false), nil)
	for path, want := range map[string]int{
		"/healthz": 200, "/readyz": 200, "/": 200, "/graphql?query=%7B__typename%7D": 200, "/nope": 404,
		"/export/attacks.csv": 200, "/export/attacks.geojson": 200, "/export/attacks.xlsx": 404,
	} {
		resp, _ := MustGet(t, url+path, nil)
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s has no X-Request-Id", path)
		}
	}
}

func TestHostCheck_StopsDNSRebinding(t *testing.T) {
	url := MustServer(t, MustStore(t, false), func(c *httpapi.Config) {
		c.LoopbackOnly, c.AllowedHosts = true, []string{"athar.example.org"}
	})
	for host, want := range map[string]int{"": 200, "localhost:8080": 200, "athar.example.org": 200, "attacker.example": 421} {
		resp, _ := MustGet(t, url+"/healthz", http.Header{"Host": {host}})
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

func TestReadyz_DatabaseDown(t *testing.T) {
	driver, err := neo4j.NewDriverWithContext("bolt://127.0.0.1:1", neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { driver.Close(context.Background()) })
	url := MustServer(t, neo4jstore.New(driver, "neo4j"), nil)
	resp, body := MustGet(t, url+"/readyz", nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d with the database down, want 503", resp.StatusCode)
	}
	if s := string(body); strings.Contains(s, "127.0.0.1") || strings.Contains(s, "bolt") {
		t.Errorf("/readyz shows the database's address: %q", s)
	}
}

// probed is what a stand-in for the GraphQL endpoint saw of a request that went through httpapi.
type probed struct {
	RequestID   string
	Principal   string // the name the request acts as
	Deadline    time.Time
	BodyBytes   int
	BodyRefused bool
}

// MustProbe starts the HTTP server with a stand-in GraphQL endpoint that reports, as JSON, what
// the middleware gave the request, and returns a function that sends one request to /graphql.
func MustProbe(t *testing.T, configure func(*httpapi.Config)) func(header http.Header, body string) probed {
	t.Helper()
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		who, _ := athar.PrincipalOf(ctx)
		p := probed{RequestID: httpapi.RequestID(ctx), Principal: who.Name}
		p.Deadline, _ = ctx.Deadline()
		b, err := io.ReadAll(r.Body)
		p.BodyBytes, p.BodyRefused = len(b), err != nil
		_ = json.NewEncoder(w).Encode(p)
	})
	cfg := httpapi.Config{GraphQL: probe, Logger: discard}
	if configure != nil {
		configure(&cfg)
	}
	srv := httptest.NewServer(httpapi.NewServer(cfg))
	t.Cleanup(srv.Close)
	return func(header http.Header, body string) probed {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header.Clone()
		if req.Header == nil {
			req.Header = http.Header{}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p probed
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("X-Request-Id"); got != p.RequestID {
			t.Errorf("X-Request-Id %q, but the request's context holds %q", got, p.RequestID)
		}
		return p
	}
}

// The request id is always Athar's own: change records carry it, and a client's choice could pose
// as another request's there. The client's own id is logged beside it.
func TestRequestID_AlwaysAthars(t *testing.T) {
	send := MustProbe(t, nil)
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for _, sent := range []string{"trace-42.a_b", "", "has spaces", strings.Repeat("x", 65), "<script>", "a/b"} {
		p := send(http.Header{"X-Request-Id": {sent}}, "")
		if !generated.MatchString(p.RequestID) || seen[p.RequestID] {
			t.Errorf("client id %q gave %q, want a new one of Athar's", sent, p.RequestID)
		}
		seen[p.RequestID] = true
	}
}

func TestLimits_TimeoutAndBodySize(t *testing.T) {
	send := MustProbe(t, func(c *httpapi.Config) { c.QueryTimeout, c.MaxBodyBytes = time.Minute, 100 })
	before := time.Now()
	p := send(nil, strings.Repeat("x", 100))
	if p.Deadline.IsZero() || p.Deadline.Before(before) || p.Deadline.After(time.Now().Add(time.Minute)) {
		t.Errorf("deadline %v, want within a minute of %v", p.Deadline, before)
	}
	if p.BodyRefused || p.BodyBytes != 100 {
		t.Errorf("a body at the limit: read %d bytes, refused %v", p.BodyBytes, p.BodyRefused)
	}
	// Without a Content-Length (chunked), the body is read up to the limit before the endpoint
	// runs, and one over it is answered 413 without reaching the endpoint.
	var reached atomic.Bool
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{Logger: discard, MaxBodyBytes: 100,
		GraphQL: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) })}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(strings.Repeat("x", 101)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1 // sent chunked: the server cannot know its size in advance
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || reached.Load() {
		t.Errorf("a chunked body over the limit: status %d, endpoint reached %v; want 413 before it", resp.StatusCode, reached.Load())
	}
}
