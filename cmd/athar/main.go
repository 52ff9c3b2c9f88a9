// Command athar is Athar's one binary: `athar serve` runs the GraphQL service, `athar import` and
// `athar export` move bundles in and out, `athar migrate` applies the database's migrations,
// `athar user` manages accounts,
// `athar bench` and `athar load` measure it, and `athar healthcheck` asks a running Athar whether it
// is ready.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/athar-project/athar/internal/athar"
)

const usage = `Athar: a knowledge graph of attacks on civilian facilities, with every statement's source.

Usage:
  athar serve        run the GraphQL service (and an embedded Neo4j when no NEO4J_URI is set)
  athar import FILE  validate a bundle (JSON or NDJSON), then write it; "-" reads standard input
  athar export       write every entity as a bundle to standard output (or --out FILE)
  athar migrate      apply the database's pending migrations; --status lists every migration
  athar user         add, list and revoke the accounts of a team and their tokens
  athar bench        load a synthetic graph and measure the query mix against hand-written Cypher
  athar load         drive a mixed read and write load against a running Athar and report errors and latency
  athar healthcheck  exit 0 when the Athar at ATHAR_ADDR is ready, 1 otherwise

Run "athar COMMAND --help" for a command's flags and environment variables.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one command and returns the process's exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "export":
		err = exportCmd(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrateCmd(ctx, args[1:], stdout, stderr)
	case "user":
		err = userCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		err = benchCmd(ctx, args[1:], stdout, stderr)
	case "load":
		err = loadCmd(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "athar: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	var ps athar.Problems
	if errors.As(err, &ps) {
		var report *athar.Report
		more := 0
		if errors.As(err, &report) {
			more = report.More
		}
		fmt.Fprintf(stderr, "athar: %d problem(s); nothing was written:\n", len(ps)+more)
		for _, p := range ps {
			fmt.Fprintf(stderr, "  %s\n", p.Error())
		}
		if more > 0 {
			fmt.Fprintf(stderr, "  %s (--max-problems)\n", report.MoreMessage())
		}
		return 1
	}
	fmt.Fprintf(stderr, "athar: %v\n", err)
	return 1
}
