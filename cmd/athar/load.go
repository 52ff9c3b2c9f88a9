package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/athar-project/athar/internal/bench"
)

// errLoadFailed is returned when requests of a load run failed: the report says which.
var errLoadFailed = errors.New("some requests failed")

func loadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("athar load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: athar load [flags]

Drives a mixed read and write load against a running Athar that holds the seed data (athar serve
--seed) over HTTP: every kind of query the README shows (a facility with its evidence, graph,
search, lists, timeline, nodes, the CSV export) beside writes (updateAttack, updateClaim, addClaim)
that all edit one attack, so that the reads walk what the writes change. It first creates that
attack (attack:load-<run>, on the seed's Ain Jalout school) and four claims, and leaves them and the
claims it adds in the database: run it against a test instance. Its writes need an editor's
token (--token) once the instance has accounts. It prints requests, errors by code,
and p50/p95/p99 latency for reads, writes and each operation; it exits 1 when a request failed.

`)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", env("ATHAR_ADDR", "127.0.0.1:8080"), "address of the running Athar (env ATHAR_ADDR)")
	clients := fs.Int("clients", 50, "concurrent clients")
	duration := fs.Duration("duration", time.Minute, "how long to drive the load")
	writes := fs.Float64("writes", 0.2, "the share of requests that are writes, 0 to 1")
	seed := fs.Uint64("seed", 1, "random seed of the clients' choices")
	timeout := fs.Duration("timeout", time.Minute, "a request's client-side time limit")
	out := fs.String("out", "", "also write the report (Markdown) to this file")
	token := fs.String("token", env("ATHAR_TOKEN", ""), "the token of an editor's account (athar user add --role editor), sent as Authorization: Bearer; empty for a single-user local instance (env ATHAR_TOKEN)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *writes < 0 || *writes > 1 {
		return fmt.Errorf("--writes: %v is not between 0 and 1", *writes)
	}
	if *clients < 1 {
		return fmt.Errorf("--clients: %d is not a positive number", *clients)
	}
	fmt.Fprintf(stderr, "driving %d clients against %s for %s...\n", *clients, *addr, *duration)
	rep, err := bench.Load(ctx, bench.LoadOptions{URL: "http://" + *addr, Token: *token, Clients: *clients,
		Duration: *duration, WriteShare: *writes, Seed: *seed, Timeout: *timeout})
	if err != nil {
		return err
	}
	report := bench.LoadTable(rep)
	fmt.Fprint(stdout, report)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			return err
		}
	}
	if rep.Failed() > 0 {
		return errLoadFailed
	}
	return nil
}
