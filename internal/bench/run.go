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
	Clients  []int // the concurrent clients of each run of the mix, e.g. 1 and 8
	Requests int   // requests per query, after the warm-up
	Warmup   int   // requests per query before measuring
	Seed     uint64
	Only     func(name string) bool // when set, runs only the queries it accepts
	// Token, when set, is sent with every request as Authorization: Bearer, so that what is
	// measured includes authenticating it (athar bench --accounts).
	Token string
}

// withToken is a transport that sends a token with every request.
type withToken struct {
	next  http.RoundTripper
	token string
}

// RoundTrip implements http.RoundTripper on a copy of the request, as the interface asks.
func (t withToken) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.next.RoundTrip(r)
}

// Stats are the latencies of one query at one level of concurrency, and where its time went by
// Neo4j's own account (see stats.go): the means per request of the queries Neo4j ran, of their
// compile time (planning, or a plan cache lookup once the plan is cached) and of their execution
// time. With several round trips in flight at once these add up to more than the wall time.
type Stats struct {
	Requests, Errors    int
	P50, P95, P99, Mean time.Duration
	Throughput          float64 // requests per second
	RoundTrips          float64 // mean Neo4j round trips per request, as Athar's server counts them (GraphQL only)
	Queries             float64 // mean Neo4j queries per request, as Neo4j's data collector counts them
	Planning, Neo4j     time.Duration
}

// Level compares a query through Athar with the hand-written Cypher floor at one concurrency.
type Level struct {
	Clients       int
	Athar, Floor  Stats
	FirstErrorMsg string // Athar's first error, if any
	FloorErrorMsg string // the floor's first error, if any
}

// Cold is the first request of a query after Neo4j's query caches were cleared (db.clearQueryCaches):
// its latency and the compile time Neo4j spent on it, which is planning every query it sent.
type Cold struct {
	Athar, Floor                 time.Duration
	AtharPlanning, FloorPlanning time.Duration
	AtharQueries                 int64
}

// Result is one query of the mix: a Level per concurrency, in the order of Options.Clients, and
// its cold start.
type Result struct {
	Query  string
	Levels []Level
	Cold   Cold
}

// Report is a run of the mix, with the time of a bare round trip to Neo4j (RETURN 1 through the
// driver, the median of 100 at one client after 20 to warm up), which is what each of a request's round trips costs besides
// Neo4j's own work: Bolt, the session and transaction, the driver.
type Report struct {
	Results   []Result
	RoundTrip time.Duration
}

// Run drives every query of the mix through Athar's HTTP endpoint, then through the driver as
// the floor, at each concurrency of o.Clients, and returns the results in the order of the mix.
// It starts Neo4j's data collector on queries for the run and stops it at the end.
func Run(ctx context.Context, o Options, progress func(string)) (*Report, error) {
	most := slices.Max(o.Clients)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: most, MaxConnsPerHost: most}, Timeout: time.Minute}
	if o.Token != "" {
		client.Transport = withToken{next: client.Transport, token: o.Token}
	}
	if err := restartCollector(ctx, o.Driver, o.Database); err != nil {
		return nil, fmt.Errorf("starting Neo4j's query statistics (db.stats.collect): %w", err)
	}
	defer stopCollector(context.WithoutCancel(ctx), o.Driver, o.Database)
	rep := &Report{}
	roundTrip := func(ctx context.Context, _ *rand.Rand) (float64, error) {
		return 1, runCypher(ctx, o.Driver, o.Database, "RETURN 1", nil)
	}
	if _, err := load(ctx, 1, 20, 0, roundTrip); err != nil {
		return nil, err
	}
	bare, err := load(ctx, 1, 100, 0, roundTrip)
	if err != nil {
		return nil, err
	}
	rep.RoundTrip = bare.stats().P50

	for i, q := range Mix {
		if o.Only != nil && !o.Only(q.Name) {
			continue
		}
		if progress != nil {
			progress(fmt.Sprintf("[%d/%d] %s", i+1, len(Mix), q.Name))
		}
		athar := func(ctx context.Context, r *rand.Rand) (float64, error) {
			return postGraphQL(ctx, client, o.URL, q.GraphQL, q.Vars(r, o.Size))
		}
		floor := func(ctx context.Context, r *rand.Rand) (float64, error) {
			return 1, runFloor(ctx, o.Driver, o.Database, q, q.Vars(r, o.Size))
		}
		res := Result{Query: q.Name}
		salt := o.Seed + uint64(i)
		if res.Cold.Athar, res.Cold.AtharPlanning, res.Cold.AtharQueries, err = cold(ctx, o, salt, athar); err != nil {
			return nil, err
		}
		if res.Cold.Floor, res.Cold.FloorPlanning, _, err = cold(ctx, o, salt, floor); err != nil {
			return nil, err
		}
		for _, clients := range o.Clients {
			lv := Level{Clients: clients}
			var first error
			if lv.Athar, first, err = measure(ctx, o, clients, salt, athar); err != nil {
				return nil, err
			}
			if first != nil {
				lv.FirstErrorMsg = first.Error()
			}
			if lv.Floor, first, err = measure(ctx, o, clients, salt, floor); err != nil {
				return nil, err
			}
			if first != nil {
				lv.FloorErrorMsg = first.Error()
			}
			res.Levels = append(res.Levels, lv)
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// runFloor runs a query's hand-written Cypher with the parameters of the GraphQL variables vars,
// as Athar runs its reads (runCypher).
func runFloor(ctx context.Context, d neo4j.DriverWithContext, database string, q Query, vars map[string]any) error {
	return runCypher(ctx, d, database, q.Floor, q.FloorParams(vars))
}

// cold clears Neo4j's query caches, then sends one request and returns its latency, the compile
// time and the number of queries Neo4j counted for it. A failed request is an error: the first
// request of every query must work.
func cold(ctx context.Context, o Options, salt uint64, do func(context.Context, *rand.Rand) (float64, error)) (time.Duration, time.Duration, int64, error) {
	if err := restartCollector(ctx, o.Driver, o.Database); err != nil {
		return 0, 0, 0, err
	}
	if err := runCypher(ctx, o.Driver, o.Database, "CALL db.clearQueryCaches()", nil); err != nil {
		return 0, 0, 0, err
	}
	t0 := time.Now()
	if _, err := do(ctx, rand.New(rand.NewPCG(salt, 1<<40))); err != nil {
		return 0, 0, 0, fmt.Errorf("first request after clearing the query caches: %w", err)
	}
	took := time.Since(t0)
	db, _, err := phase(ctx, o.Driver, o.Database)
	if err != nil {
		return 0, 0, 0, err
	}
	return took, db.Compile, db.Queries, nil
}

// measure runs the warm-up, then the measured requests with Neo4j's collector restarted before
// them and read after. The first error of a request is returned apart from the error that stopped
// the run. When the measured requests ran more queries than the collector holds, Queries,
// Planning and Neo4j are left at -1.
func measure(ctx context.Context, o Options, clients int, salt uint64, do func(context.Context, *rand.Rand) (float64, error)) (Stats, error, error) {
	if _, err := load(ctx, clients, o.Warmup, salt, do); err != nil {
		return Stats{}, nil, err
	}
	if err := restartCollector(ctx, o.Driver, o.Database); err != nil {
		return Stats{}, nil, err
	}
	smp, err := load(ctx, clients, o.Requests, salt, do)
	if err != nil {
		return Stats{}, nil, err
	}
	db, ok, err := phase(ctx, o.Driver, o.Database)
	if err != nil {
		return Stats{}, nil, err
	}
	s := smp.stats()
	s.Queries, s.Planning, s.Neo4j = -1, -1, -1
	if n := len(smp.lat) + smp.errs; n > 0 && ok {
		s.Queries = float64(db.Queries) / float64(n)
		s.Planning = db.Compile / time.Duration(n)
		s.Neo4j = db.Execute / time.Duration(n)
	}
	return s, smp.first, nil
}

// samples are the outcomes of a run of requests.
type samples struct {
	lat   []time.Duration
	trips []float64
	errs  int
	first error
	took  time.Duration
}

// load sends n requests with the given number of concurrent clients; request j draws its variables
// from a generator seeded by (salt, j), so that Athar and the floor get the same sequence.
func load(ctx context.Context, clients, n int, salt uint64, do func(context.Context, *rand.Rand) (float64, error)) (samples, error) {
	var mu sync.Mutex
	var out samples
	jobs := make(chan int)
	var wg sync.WaitGroup
	started := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := rand.New(rand.NewPCG(salt, uint64(j)))
				t0 := time.Now()
				rt, err := do(ctx, r)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					out.errs++
					if out.first == nil {
						out.first = err
					}
				} else {
					out.lat = append(out.lat, d)
					out.trips = append(out.trips, rt)
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
	out.took = time.Since(started)
	return out, ctx.Err()
}

// stats are the percentiles, mean, throughput and round trips of the samples.
func (smp samples) stats() Stats {
	s := Stats{Requests: len(smp.lat), Errors: smp.errs, Throughput: float64(len(smp.lat)) / smp.took.Seconds()}
	if len(smp.lat) == 0 {
		return s
	}
	lat := slices.Clone(smp.lat)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	s.P50, s.P95, s.P99 = pct(0.50), pct(0.95), pct(0.99)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	s.Mean = sum / time.Duration(len(lat))
	trips := 0.0
	for _, t := range smp.trips {
		trips += t
	}
	s.RoundTrips = trips / float64(len(smp.trips))
	return s
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

// Table renders a report as Markdown: per concurrency, every query's p50 and p95 beside the
// floor's and their ratios, with round trips per request; then, at the first concurrency, where the
// mean request's time goes (see WhereTable).
func Table(rep *Report) string {
	var b strings.Builder
	if len(rep.Results) == 0 {
		return ""
	}
	for li, lv := range rep.Results[0].Levels {
		fmt.Fprintf(&b, "%d client%s:\n\n", lv.Clients, plural(lv.Clients))
		b.WriteString("| query | p50 ms | p95 ms | floor p50 ms | floor p95 ms | p50 ÷ floor | p95 ÷ floor | round trips | req/s | floor req/s |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range rep.Results {
			l := r.Levels[li]
			errs := ""
			if l.Athar.Errors > 0 {
				errs = fmt.Sprintf(" (%d errors: %.60s)", l.Athar.Errors, l.FirstErrorMsg)
			}
			if l.Floor.Errors > 0 {
				errs += fmt.Sprintf(" (floor: %d errors: %.60s)", l.Floor.Errors, l.FloorErrorMsg)
			}
			fmt.Fprintf(&b, "| %s%s | %s | %s | %s | %s | %s | %s | %.1f | %.0f | %.0f |\n", r.Query, errs,
				ms(l.Athar.P50), ms(l.Athar.P95), ms(l.Floor.P50), ms(l.Floor.P95),
				ratio(l.Athar.P50, l.Floor.P50), ratio(l.Athar.P95, l.Floor.P95), l.Athar.RoundTrips, l.Athar.Throughput, l.Floor.Throughput)
		}
		b.WriteString("\n")
	}
	b.WriteString(WhereTable(rep))
	return b.String()
}

// WhereTable renders where the mean request's time goes at the first concurrency of the run, in
// ms: Neo4j's execution and compile time by its own account, the bare round trip times the round
// trips, and the rest, which is Athar's own work (HTTP, GraphQL, mapping records to answers) or,
// for the floor, the driver's; then the planning a query pays once, when its plans are not cached.
func WhereTable(rep *Report) string {
	var b strings.Builder
	if len(rep.Results) == 0 {
		return ""
	}
	c := rep.Results[0].Levels[0].Clients
	fmt.Fprintf(&b, "Where the time goes, %d client%s, mean per request in ms (a bare round trip: %s ms):\n\n", c, plural(c), ms(rep.RoundTrip))
	b.WriteString("| query | mean | Neo4j execution | Neo4j planning | round trips × bare | Athar's own | floor mean | floor Neo4j execution | floor planning | floor driver and Bolt | first request after clearing the plan cache: Athar planning (queries) | floor planning |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Results {
		a, f := r.Levels[0].Athar, r.Levels[0].Floor
		bolt := time.Duration(a.RoundTrips * float64(rep.RoundTrip))
		// Neo4j's parts are -1 when its collector could not hold the phase: then so is the rest.
		part := func(s Stats, d time.Duration) string {
			if s.Neo4j < 0 {
				return "–"
			}
			return ms(d)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%d) | %s |\n", r.Query,
			ms(a.Mean), part(a, a.Neo4j), part(a, a.Planning), ms(bolt), part(a, a.Mean-a.Neo4j-a.Planning-bolt),
			ms(f.Mean), part(f, f.Neo4j), part(f, f.Planning), part(f, f.Mean-f.Neo4j-f.Planning),
			ms(r.Cold.AtharPlanning), r.Cold.AtharQueries, ms(r.Cold.FloorPlanning))
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func ratio(a, floor time.Duration) string {
	if floor <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(floor))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
