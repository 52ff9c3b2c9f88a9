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
	"sort"
	"strings"
	"sync"
	"time"
)

// LoadOptions say how to drive a mixed read and write load against a running Athar that holds the
// curated seed data (athar serve --seed).
type LoadOptions struct {
	URL        string        // Athar's base URL, e.g. http://127.0.0.1:8080
	Token      string        // an editor's token (athar user add), sent with every request; empty for a single-user local instance
	Clients    int           // concurrent clients, default 50
	Duration   time.Duration // how long to run, default 60 s; ignored when Requests is set
	Requests   int           // when > 0, each client sends exactly this many requests instead
	WriteShare float64       // the share of requests that are writes, between 0 and 1 (default 0.2)
	Seed       uint64        // the random seed of each client's choices
	Timeout    time.Duration // a request's client-side time limit, default 60 s
	// RunID keeps the ids of what the load creates apart from an earlier run's
	// (attack:load-<RunID>, claim:load-<RunID>-…); default the start time.
	RunID string
}

func (o *LoadOptions) defaults() {
	if o.Clients <= 0 {
		o.Clients = 50
	}
	if o.Duration <= 0 {
		o.Duration = time.Minute
	}
	if o.WriteShare < 0 || o.WriteShare > 1 {
		o.WriteShare = 0.2
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Minute
	}
	if o.RunID == "" {
		o.RunID = fmt.Sprintf("%d", time.Now().Unix())
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
}

// LoadStats are the latencies of the requests of one kind: every request counts, failed ones too.
type LoadStats struct {
	Requests, Errors   int
	P50, P95, P99, Max time.Duration
}

// LoadReport is what a load run measured.
type LoadReport struct {
	Clients int
	Elapsed time.Duration
	Reads   LoadStats
	Writes  LoadStats
	// ByOperation are the stats of each operation of the mix, by name.
	ByOperation map[string]LoadStats
	// Errors counts the failed requests by what failed: a GraphQL extensions.code, a user error's
	// code ("userError NOT_FOUND"), an HTTP status ("HTTP 503") or "transport" (no answer).
	Errors map[string]int
	// FirstErrors holds the first message seen of each kind of error, for the report.
	FirstErrors map[string]string
}

// Failed is the number of requests that failed.
func (r *LoadReport) Failed() int { return r.Reads.Errors + r.Writes.Errors }

// loadOp is one operation of the mix: a GraphQL request (or a plain GET when path is set).
type loadOp struct {
	name  string
	write bool
	path  string // a plain-HTTP GET instead of GraphQL
	query string
	vars  func(o *LoadOptions, r *rand.Rand) map[string]any
}

// The seed's ids the load reads and links to.
const (
	loadFacility = "facility:ain-jalout-school"
	loadPlace    = "place:aleppo"
	loadSource   = "source:ain-jalout-2014-article"
)

func loadAttack(o *LoadOptions) string       { return "attack:load-" + o.RunID }
func loadClaim(o *LoadOptions, i int) string { return fmt.Sprintf("claim:load-%s-%d", o.RunID, i) }

// loadClaims is how many claims the set-up adds for updateClaim to edit.
const loadClaims = 4

// loadMix is every kind of query the README shows (an entity with its evidence, lists, search,
// graph, timeline, node lookups, an export), beside writes that all edit one attack of the load's
// own, which targets the seed's Ain Jalout school: the reads walk what the writes change.
var loadMix = []loadOp{
	{name: "facility evidence", query: `query($id: ID!) { facility(id: $id) { name type attacks { totalCount nodes { id title date { start end precision }
  casualties { killed { low high claims sources independentSources } }
  attributions { actor { name } asserting { source { title } quote } }
  claims { nodes { kind stance text quote source { title } killed { low best high } } } } } } }`,
		vars: func(*LoadOptions, *rand.Rand) map[string]any { return map[string]any{"id": loadFacility} }},
	{name: "graph depth 2", query: `query($ids: [ID!]!) { graph(ids: $ids, depth: 2, limit: 300) { nodes { id label type name } edges { id source target type } truncated } }`,
		vars: func(*LoadOptions, *rand.Rand) map[string]any { return map[string]any{"ids": []string{loadFacility}} }},
	{name: "attacks list", query: `query($place: ID!) { attacks(filter: {placeIds: [$place]}, orderBy: {field: DATE, direction: ASC}, first: 10) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id title date { start precision } facilities { name } casualties { killed { low high } } } } }`,
		vars: func(*LoadOptions, *rand.Rand) map[string]any { return map[string]any{"place": loadPlace} }},
	{name: "search", query: `query($q: String!) { search(query: $q, first: 5) { totalCount edges { score node { __typename ... on Facility { id name } ... on Attack { id title } ... on Claim { quote } } } } }`,
		vars: func(_ *LoadOptions, r *rand.Rand) map[string]any {
			return map[string]any{"q": []string{"Ain Jalut", "عين جالوت", "barrel bomb", "school", "Aleppo"}[r.IntN(5)]}
		}},
	{name: "timeline", query: `{ timeline(interval: YEAR) { start end attacks killedLow killedHigh } }`,
		vars: func(*LoadOptions, *rand.Rand) map[string]any { return nil }},
	{name: "nodes", query: `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
		vars: func(o *LoadOptions, _ *rand.Rand) map[string]any {
			return map[string]any{"ids": []string{loadFacility, loadAttack(o), loadClaim(o, 0), loadSource}}
		}},
	{name: "attack and claims", query: `query($id: ID!) { attack(id: $id) { id title summary weapons facilities { name } claims { totalCount nodes { id killed { low high } source { title } } } } }`,
		vars: func(o *LoadOptions, _ *rand.Rand) map[string]any { return map[string]any{"id": loadAttack(o)} }},
	{name: "export csv", path: "/export/attacks.csv?facilityId=" + loadFacility},

	{name: "updateAttack", write: true, query: `mutation($in: UpdateAttackInput!) { updateAttack(input: $in) { attack { id summary } userErrors { code field message } } }`,
		vars: func(o *LoadOptions, r *rand.Rand) map[string]any {
			in := map[string]any{"id": loadAttack(o), "summary": fmt.Sprintf("Load test edit %d.", r.IntN(1_000_000))}
			if r.IntN(2) == 0 { // a change of links too, now and then
				in["weapons"] = [][]string{{"BARREL_BOMB"}, {"MORTAR"}, {"BARREL_BOMB", "MORTAR"}}[r.IntN(3)]
			}
			return map[string]any{"in": in}
		}},
	{name: "updateClaim", write: true, query: `mutation($in: UpdateClaimInput!) { updateClaim(input: $in) { claim { id killed { low high } } userErrors { code field message } } }`,
		vars: func(o *LoadOptions, r *rand.Rand) map[string]any {
			low := 1 + r.IntN(40)
			return map[string]any{"in": map[string]any{"id": loadClaim(o, r.IntN(loadClaims)), "killed": map[string]any{"low": low, "high": low + r.IntN(10)}}}
		}},
	{name: "addClaim", write: true, query: `mutation($in: AddClaimInput!) { addClaim(input: $in) { claim { id } userErrors { code field message } } }`,
		vars: func(o *LoadOptions, r *rand.Rand) map[string]any {
			return map[string]any{"in": map[string]any{"id": fmt.Sprintf("claim:load-%s-added-%d-%d", o.RunID, r.Uint64(), r.IntN(1_000_000)),
				"attackId": loadAttack(o), "sourceId": loadSource, "kind": "CASUALTIES", "text": "A load test's figure.",
				"quote": "load test", "killed": map[string]any{"low": 1 + r.IntN(30)}}}
		}},
}

// loadSetup creates what the writes edit: an attack on the seed's school in Aleppo, and claims
// about it. It fails when the seed is not there.
func loadSetup(ctx context.Context, c *loadClient, o *LoadOptions) error {
	_, code, msg := c.graphQL(ctx, `mutation($in: CreateAttackInput!) { createAttack(input: $in) { attack { id } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"id": loadAttack(o), "title": "Load test attack " + o.RunID, "date": map[string]any{"start": "2016-11-16"},
			"facilityIds": []string{loadFacility}, "placeIds": []string{loadPlace}, "weapons": []string{"BARREL_BOMB"}}})
	if code != "" {
		return fmt.Errorf("creating the load's attack (is the seed loaded? athar serve --seed): %s: %s", code, msg)
	}
	for i := range loadClaims {
		_, code, msg := c.graphQL(ctx, `mutation($in: AddClaimInput!) { addClaim(input: $in) { claim { id } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"id": loadClaim(o, i), "attackId": loadAttack(o), "sourceId": loadSource, "kind": "CASUALTIES",
				"text": "A load test's figure.", "quote": "load test", "killed": map[string]any{"low": 10 + i}}})
		if code != "" {
			return fmt.Errorf("creating the load's claims: %s: %s", code, msg)
		}
	}
	return nil
}

// Load creates its own attack and claims (see loadSetup), then drives the mix with o.Clients
// concurrent clients, each choosing a write with probability o.WriteShare and otherwise a read, for
// o.Duration (or o.Requests requests each), and reports latencies and errors.
func Load(ctx context.Context, o LoadOptions) (*LoadReport, error) {
	o.defaults()
	c := &loadClient{http: &http.Client{Timeout: o.Timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}}, opts: &o}
	if err := loadSetup(ctx, c, &o); err != nil {
		return nil, err
	}
	var reads, writes []loadOp
	for _, op := range loadMix {
		if op.write {
			writes = append(writes, op)
		} else {
			reads = append(reads, op)
		}
	}
	type sample struct {
		op   string
		dur  time.Duration
		fail string
		msg  string
	}
	var mu sync.Mutex
	var samples []sample
	runCtx := ctx
	if o.Requests <= 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	started := time.Now()
	var wg sync.WaitGroup
	for i := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(o.Seed, uint64(i)))
			for n := 0; o.Requests <= 0 || n < o.Requests; n++ {
				if runCtx.Err() != nil {
					return
				}
				op := reads[r.IntN(len(reads))]
				if r.Float64() < o.WriteShare {
					op = writes[r.IntN(len(writes))]
				}
				t0 := time.Now()
				fail, msg := c.do(ctx, op, r)
				d := time.Since(t0)
				mu.Lock()
				samples = append(samples, sample{op: op.name, dur: d, fail: fail, msg: msg})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep := &LoadReport{Clients: o.Clients, Elapsed: time.Since(started), ByOperation: map[string]LoadStats{},
		Errors: map[string]int{}, FirstErrors: map[string]string{}}
	isWrite := map[string]bool{}
	for _, op := range writes {
		isWrite[op.name] = true
	}
	var readLat, writeLat []time.Duration
	byOp := map[string][]time.Duration{}
	opErrs := map[string]int{}
	for _, s := range samples {
		if isWrite[s.op] {
			writeLat = append(writeLat, s.dur)
		} else {
			readLat = append(readLat, s.dur)
		}
		byOp[s.op] = append(byOp[s.op], s.dur)
		if s.fail != "" {
			opErrs[s.op]++
			rep.Errors[s.fail]++
			if _, ok := rep.FirstErrors[s.fail]; !ok {
				rep.FirstErrors[s.fail] = s.op + ": " + s.msg
			}
			if isWrite[s.op] {
				rep.Writes.Errors++
			} else {
				rep.Reads.Errors++
			}
		}
	}
	rep.Reads = latencies(readLat, rep.Reads.Errors)
	rep.Writes = latencies(writeLat, rep.Writes.Errors)
	for name, lat := range byOp {
		rep.ByOperation[name] = latencies(lat, opErrs[name])
	}
	return rep, ctx.Err()
}

func latencies(lat []time.Duration, errs int) LoadStats {
	s := LoadStats{Requests: len(lat), Errors: errs}
	if len(lat) == 0 {
		return s
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	s.P50, s.P95, s.P99, s.Max = pct(0.50), pct(0.95), pct(0.99), lat[len(lat)-1]
	return s
}

// loadClient sends the load's requests.
type loadClient struct {
	http *http.Client
	opts *LoadOptions
}

// do sends one operation and returns what failed ("" for success) and its message.
func (c *loadClient) do(ctx context.Context, op loadOp, r *rand.Rand) (fail, msg string) {
	if op.path != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.opts.URL+op.path, nil)
		if err != nil {
			return "transport", err.Error()
		}
		if c.opts.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.opts.Token)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return "transport", err.Error()
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return "transport", err.Error()
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Sprintf("HTTP %d", resp.StatusCode), fmt.Sprintf("%.200s", body)
		}
		return "", ""
	}
	status, code, msg := c.graphQL(ctx, op.query, op.vars(c.opts, r))
	switch {
	case code != "":
		return code, msg
	case status != http.StatusOK:
		return fmt.Sprintf("HTTP %d", status), msg
	}
	return "", ""
}

// graphQL posts one request and returns the HTTP status and, when it failed, the code of the
// first error (extensions.code, or "userError CODE" for a mutation's user error) and its message.
func (c *loadClient) graphQL(ctx context.Context, query string, vars map[string]any) (status int, code, msg string) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.opts.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, "transport", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "transport", err.Error()
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "transport", err.Error()
	}
	var out struct {
		Data   map[string]json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, fmt.Sprintf("HTTP %d", resp.StatusCode), fmt.Sprintf("%.200s", raw)
	}
	if len(out.Errors) > 0 {
		code := out.Errors[0].Extensions.Code
		if code == "" {
			code = "no code"
		}
		return resp.StatusCode, code, out.Errors[0].Message
	}
	for _, payload := range out.Data {
		var p struct {
			UserErrors []struct{ Code, Message string }
		}
		if json.Unmarshal(payload, &p) == nil && len(p.UserErrors) > 0 {
			return resp.StatusCode, "userError " + p.UserErrors[0].Code, p.UserErrors[0].Message
		}
	}
	return resp.StatusCode, "", ""
}

// LoadTable renders a load report as Markdown: reads, writes and each operation, then the errors.
func LoadTable(r *LoadReport) string {
	var b strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/1000) }
	row := func(name string, s LoadStats) {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s |\n", name, s.Requests, s.Errors, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	}
	total := r.Reads.Requests + r.Writes.Requests
	fmt.Fprintf(&b, "%d clients, %s: %d requests (%.0f/s), %d failed.\n\n", r.Clients, r.Elapsed.Round(time.Second), total,
		float64(total)/r.Elapsed.Seconds(), r.Failed())
	b.WriteString("| requests | count | errors | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n")
	row("**reads**", r.Reads)
	row("**writes**", r.Writes)
	names := make([]string, 0, len(r.ByOperation))
	for name := range r.ByOperation {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		row(name, r.ByOperation[name])
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n| error | count | first |\n|---|---:|---|\n")
		codes := make([]string, 0, len(r.Errors))
		for c := range r.Errors {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			fmt.Fprintf(&b, "| %s | %d | %.120s |\n", c, r.Errors[c], strings.ReplaceAll(r.FirstErrors[c], "|", "/"))
		}
	}
	return b.String()
}
