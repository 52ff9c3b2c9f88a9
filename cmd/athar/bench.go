package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/bench"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/resolvers"
)

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar bench", `Usage: athar bench [flags]

Generates a synthetic graph (by default 100,000 attacks on 20,000 facilities in 2,000 places,
5,000 actors, 50,000 sources, 400,000 claims), loads it through the import path, then drives a
fixed mix of queries over HTTP, once per number of concurrent clients (--clients), and prints,
per query, latency percentiles, throughput and Neo4j round trips per request, beside the same
answers fetched by hand-written Cypher through the driver (the floor), and where a request's time
goes: Neo4j's execution and planning by its own query statistics (db.stats), the round trips, and
Athar's own work. With --accounts every request carries a viewer's token, so that
authenticating it is measured too. With no NEO4J_URI it runs a fresh embedded Neo4j in a temporary directory; an
existing database must be empty.

`, stderr)
	fs := a.fs
	scale := fs.Float64("scale", 1, "multiply the default graph size by this")
	clientsList := fs.String("clients", "1,8", "the numbers of concurrent clients to run the mix with, comma-separated (1 to 256 each)")
	requests := fs.Int("requests", 200, "measured requests per query")
	warmup := fs.Int("warmup", 30, "warm-up requests per query")
	batch := fs.Int("batch-size", neo4jstore.DefaultBatchSize, "records per import transaction")
	out := fs.String("out", "", "also write the report (Markdown) to this file")
	seed := fs.Uint64("seed", 1, "random seed of the synthetic graph and of the query variables")
	only := fs.String("only", "", "run only the queries whose name contains this")
	accounts := fs.Bool("accounts", false, "make a viewer's account and send its token with every request, so that authenticating each request (an indexed lookup, and the slow hash once per token cache period) is measured too")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured requests (server and clients, one process) to this file, for go tool pprof")
	if err := a.parse(args); err != nil {
		return err
	}
	clients, err := parseClients(*clientsList)
	if err != nil {
		return err
	}
	if a.db.URI == "" {
		tmp, err := os.MkdirTemp("", "athar-bench-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		a.db.DataDir = tmp
		if !flagSet(fs, "neo4j-heap") {
			a.db.Heap = "3g"
		}
		if !flagSet(fs, "neo4j-pagecache") {
			a.db.PageCache = "2g"
		}
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	store, driver := a.store, a.driver
	if empty, err := store.IsEmpty(ctx); err != nil {
		return err
	} else if !empty {
		return errors.New("the database is not empty: athar bench loads a synthetic graph and needs an empty database")
	}
	if _, err := store.Migrate(ctx); err != nil {
		return err
	}

	size := bench.DefaultSize.Scaled(*scale)
	fmt.Fprintf(stderr, "generating %d records...\n", size.Records())
	b := bench.Generate(size, *seed)
	fmt.Fprintf(stderr, "importing...\n")
	started := time.Now()
	if _, err := store.Import(ctx, b, neo4jstore.ImportOptions{BatchSize: *batch, Progress: func(done, total int) {
		if done%50_000 < *batch || done == total {
			fmt.Fprintf(stderr, "  %d/%d records, %s\n", done, total, time.Since(started).Round(time.Second))
		}
	}}); err != nil {
		return err
	}
	importTook := time.Since(started)
	b = nil
	runtime.GC()

	var authn *auth.Authenticator
	var token string
	if *accounts {
		var id string
		token, id = auth.NewToken()
		_, secret, _ := auth.ParseToken(token)
		if err := store.CreateAccount(ctx, athar.Account{Name: "bench", Role: athar.RoleViewer, Clearance: athar.ClearancePublic,
			TokenID: id, TokenHash: auth.HashSecret(secret)}); err != nil {
			return err
		}
		authn = auth.New(auth.Config{Accounts: store})
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: httpapi.NewServer(httpapi.Config{
		GraphQL: resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store,
			Logger: discardLogger(), ReportRoundTrips: true}),
		Explorer: store, Pinger: store, Logger: discardLogger(), QueryTimeout: time.Minute, Auth: authn,
		// The clients share one address: each runs at once, so that what is measured is the
		// queries, not admission control's share per client.
		Admission: httpapi.NewAdmission(httpapi.AdmissionConfig{MaxRunning: slices.Max(clients), MaxRunningPerClient: slices.Max(clients)}),
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(listener) }()
	defer srv.Shutdown(context.Background())

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	results, err := bench.Run(ctx, bench.Options{URL: "http://" + listener.Addr().String() + "/graphql", Driver: driver,
		Database: a.db.Database, Size: size, Clients: clients, Requests: *requests, Warmup: *warmup, Seed: *seed,
		Only: func(name string) bool { return strings.Contains(name, *only) }, Token: token},
		func(s string) { fmt.Fprintln(stderr, s) })
	if err != nil {
		return err
	}
	report := fmt.Sprintf("Graph: %d attacks, %d facilities, %d places, %d actors, %d sources, %d claims (%d records).\n"+
		"Import: %s (%.0f records/s, batches of %d).\n"+
		"Load: %s clients, %d requests per query after %d warm-up, on %d CPUs (%s/%s, %s).\n\n%s",
		size.Attacks, size.Facilities, size.Places, size.Actors, size.Sources, size.Claims, size.Records(),
		importTook.Round(time.Second), float64(size.Records())/importTook.Seconds(), *batch,
		*clientsList, *requests, *warmup, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), bench.Table(results))
	fmt.Fprint(stdout, report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

// parseClients reads --clients: a comma-separated list of numbers of concurrent clients.
func parseClients(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("--clients: %q is not a number of clients from 1 to 256 (give a list such as 1,8)", strings.TrimSpace(part))
		}
		out = append(out, n)
	}
	return out, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
