package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Options say how hard to drive each query.
type Options struct {
	URL      string // the GraphQL endpoint, e.g. http://127.0.0.1:8080/graphql
	Driver   neo4j.DriverWithContext
	Database string
	Size     Size
	Clients  int // concurrent clients
	Requests int // requests per query, after the warm-up
	Warmup   int // requests per query before measuring
	Seed     uint64
	Only     func(name string) bool // when set, runs only the queries it accepts
}

// Stats are the latencies of one query at one level.
type Stats struct {
	Requests, Errors int
	P50, P95, P99    time.Duration
	Throughput       float64 // requests per second
	RoundTrips       float64 // mean Neo4j round trips per request (GraphQL only)
}

// Result compares a query through Athar with the hand-written Cypher floor.
type Result struct {
	Query         string
	Athar, Floor  Stats
	FirstErrorMsg string // Athar's first error, if any
	FloorErrorMsg string // the floor's first error, if any
}

// Run drives every query of the mix through Athar's HTTP endpoint, then through the driver as
// the floor, and returns the results in the order of the mix.
func Run(ctx context.Context, o Options, progress func(string)) ([]Result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}, Timeout: time.Minute}
	var out []Result
	for i, q := range Mix {
		if o.Only != nil && !o.Only(q.Name) {
			continue
		}
		if progress != nil {
			progress(fmt.Sprintf("[%d/%d] %s", i+1, len(Mix), q.Name))
		}
		res := Result{Query: q.Name}
		var firstErr error
		athar := func(ctx context.Context, r *rand.Rand) (float64, error) {
			return postGraphQL(ctx, client, o.URL, q.GraphQL, q.Vars(r, o.Size))
		}
		floor := func(ctx context.Context, r *rand.Rand) (float64, error) {
			_, err := neo4j.ExecuteQuery(ctx, o.Driver, q.Floor, q.FloorParams(q.Vars(r, o.Size)), neo4j.EagerResultTransformer,
				neo4j.ExecuteQueryWithDatabase(o.Database), neo4j.ExecuteQueryWithReadersRouting())
			return 1, err
		}
		var err error
		if res.Athar, firstErr, err = drive(ctx, o, uint64(i), athar); err != nil {
			return out, err
		}
		var floorErr error
		if res.Floor, floorErr, err = drive(ctx, o, uint64(i), floor); err != nil {
			return out, err
		}
		if floorErr != nil {
			res.FloorErrorMsg = floorErr.Error()
		}
		if firstErr != nil {
			res.FirstErrorMsg = firstErr.Error()
		}
		out = append(out, res)
	}
	return out, nil
}

// drive runs warm-up then measured requests of one kind with o.Clients concurrent clients, each
// drawing the same sequence of variables for Athar and for the floor.
func drive(ctx context.Context, o Options, salt uint64, do func(context.Context, *rand.Rand) (float64, error)) (Stats, error, error) {
	run := func(n int) ([]time.Duration, []float64, int, error, time.Duration) {
		var mu sync.Mutex
		var lat []time.Duration
		var trips []float64
		var errs int
		var first error
		jobs := make(chan int)
		var wg sync.WaitGroup
		started := time.Now()
		for c := 0; c < o.Clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					r := rand.New(rand.NewPCG(o.Seed+salt, uint64(j)))
					t0 := time.Now()
					rt, err := do(ctx, r)
					d := time.Since(t0)
					mu.Lock()
					if err != nil {
						errs++
						if first == nil {
							first = err
						}
					} else {
						lat = append(lat, d)
						trips = append(trips, rt)
					}
					mu.Unlock()
				}
			}()
		}
		for j := 0; j < n; j++ {
			select {
			case jobs <- j:
			case <-ctx.Done():
			}
		}
		close(jobs)
		wg.Wait()
		return lat, trips, errs, first, time.Since(started)
	}
	run(o.Warmup)
	if err := ctx.Err(); err != nil {
		return Stats{}, nil, err
	}
	lat, trips, errs, first, took := run(o.Requests)
	s := Stats{Requests: len(lat), Errors: errs, Throughput: float64(len(lat)) / took.Seconds()}
	if len(lat) > 0 {
		slices.Sort(lat)
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		s.P50, s.P95, s.P99 = pct(0.50), pct(0.95), pct(0.99)
		sum := 0.0
		for _, t := range trips {
			sum += t
		}
		s.RoundTrips = sum / float64(len(trips))
	}
	return s, first, ctx.Err()
}

// postGraphQL sends one request and returns the round trips it cost, as the server reports them.
func postGraphQL(ctx context.Context, client *http.Client, url, query string, vars map[string]any) (float64, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var out struct {
		Errors     []struct{ Message string }
		Extensions struct {
			DBRoundTrips float64 `json:"dbRoundTrips"`
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return 0, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
	}
	if len(out.Errors) > 0 {
		return 0, fmt.Errorf("%s", out.Errors[0].Message)
	}
	return out.Extensions.DBRoundTrips, nil
}

// Table renders the results as a Markdown table.
func Table(results []Result) string {
	var b strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	b.WriteString("| query | p50 ms | p95 ms | p99 ms | req/s | round trips | floor p50 ms | floor p95 ms | floor p99 ms | floor req/s | p50 ÷ floor |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		ratio := "–"
		if r.Floor.P50 > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(r.Athar.P50)/float64(r.Floor.P50))
		}
		errs := ""
		if r.Athar.Errors > 0 {
			errs = fmt.Sprintf(" (%d errors: %.60s)", r.Athar.Errors, r.FirstErrorMsg)
		}
		if r.Floor.Errors > 0 {
			errs += fmt.Sprintf(" (floor: %d errors: %.60s)", r.Floor.Errors, r.FloorErrorMsg)
		}
		fmt.Fprintf(&b, "| %s%s | %s | %s | %s | %.0f | %.1f | %s | %s | %s | %.0f | %s |\n", r.Query, errs,
			ms(r.Athar.P50), ms(r.Athar.P95), ms(r.Athar.P99), r.Athar.Throughput, r.Athar.RoundTrips,
			ms(r.Floor.P50), ms(r.Floor.P95), ms(r.Floor.P99), r.Floor.Throughput, ratio)
	}
	return b.String()
}
