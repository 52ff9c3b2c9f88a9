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
	"path/filepath"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/formats"
	"github.com/athar-project/athar/internal/metrics"
	"github.com/athar-project/athar/internal/neo4jstore"
)

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar import", `Usage: athar import [flags] FILE

Validates the bundle FILE (JSON or NDJSON, see docs/bundle-format.md; "-" reads standard input) and
reports every problem without writing anything; then writes it in batches, one transaction each.
Importing the same file twice changes nothing. With no NEO4J_URI it uses the embedded Neo4j in
--data-dir, which must not be in use by a running "athar serve".

With --format ucdp-ged or --format acled, FILE is a CSV file of that event dataset as published
(docs/formats/ucdp-ged.md, docs/formats/acled.md), read into the dataset's own records.

`, stderr)
	batch := a.fs.Int("batch-size", envInt("ATHAR_IMPORT_BATCH", neo4jstore.DefaultBatchSize), "records per transaction (env ATHAR_IMPORT_BATCH)")
	dryRun := a.fs.Bool("dry-run", false, "validate only, against the database too, and write nothing")
	partial := a.fs.Bool("partial", false, "the file is a subset of its datasets' releases (an export of one year): withdraw none of their records that it does not hold")
	maxProblems := a.fs.Int("max-problems", envInt("ATHAR_IMPORT_MAX_PROBLEMS", athar.DefaultMaxProblems), "list at most this many problems of the file and count the rest (env ATHAR_IMPORT_MAX_PROBLEMS)")
	progressEvery := a.fs.Duration("progress-interval", envDuration("ATHAR_IMPORT_PROGRESS_INTERVAL", DefaultProgressInterval), "when standard error is not a terminal, log the import's progress this often; 0 shows no progress, on a terminal either (env ATHAR_IMPORT_PROGRESS_INTERVAL)")
	metricsFile := a.fs.String("metrics-file", env("ATHAR_METRICS_FILE", ""), "when set, write the import's metrics (records by outcome, failures) to this file in Prometheus' text format, as node_exporter's textfile collector reads them (env ATHAR_METRICS_FILE)")
	format := a.fs.String("format", "bundle", "the file's format: bundle, "+formatNames())
	release := a.fs.String("release", "", "with a dataset format, the dataset's release or version (default: what the file says)")
	dataset := a.fs.String("dataset", "", "with a dataset format, the slug of the dataset it is a release of, e.g. ucdp-ged-candidate (default: the format's own)")
	if err := a.parse(args); err != nil {
		return err
	}
	if a.fs.NArg() != 1 {
		a.fs.Usage()
		return errUsage
	}
	if *format == "bundle" && (*release != "" || *dataset != "") {
		return errors.New("--release and --dataset apply to a dataset format (--format " + formatNames() + "), not to a bundle")
	}
	if *maxProblems < 1 {
		return fmt.Errorf("--max-problems (ATHAR_IMPORT_MAX_PROBLEMS) must be at least 1, not %d", *maxProblems)
	}
	if *metricsFile != "" {
		defer func() {
			if werr := metrics.WriteImportFile(*metricsFile); werr != nil {
				err = errors.Join(err, fmt.Errorf("--metrics-file: %w", werr))
			}
		}()
	}
	b, err := readImportFile(stdout, *format, a.fs.Arg(0), athar.ReadOptions{MaxProblems: *maxProblems},
		formats.Options{Release: *release, Dataset: *dataset, MaxProblems: *maxProblems})
	if b == nil {
		return err
	}
	// The file's own problems are reported before any database is started, unless it refers to
	// records it does not hold: Import looks those up and reports them with the others, in one run.
	report, unresolved := b.Check()
	if report.Len() > 0 && len(unresolved) == 0 {
		metrics.ImportFailed(metrics.ImportInvalid, report.Len())
		return report.Err()
	}
	if err := a.open(ctx); err != nil {
		if report.Len() == 0 {
			return err
		}
		// The file's problems are worth telling even when its references cannot be looked up.
		fmt.Fprintf(stderr, "athar: %d reference(s) to records the file does not hold were not looked up: %v\n", len(unresolved), err)
		metrics.ImportFailed(metrics.ImportInvalid, report.Len())
		return report.Err()
	}
	defer a.closeInto(&err)
	if !*dryRun && report.Len() == 0 {
		if _, err := a.store.Migrate(ctx); err != nil {
			return err
		}
	}
	progress := newImportProgress(stderr, a.logger, len(b.Records), *progressEvery)
	opts := neo4jstore.ImportOptions{BatchSize: *batch, DryRun: *dryRun, Partial: *partial, Progress: progress.update}
	started := time.Now()
	summary, err := a.store.Import(ctx, b, opts)
	progress.finish()
	if err != nil {
		return err
	}
	printSummary(stdout, summary, *dryRun, time.Since(started))
	return nil
}

// formatNames lists the dataset formats import reads besides bundles.
func formatNames() string {
	var names []string
	for _, f := range formats.Formats() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// readImportFile reads the file import was given in its format: a bundle (as readBundleFile), or a
// dataset's CSV file, of which it says what it read on w; no bundle when the file has problems.
func readImportFile(w io.Writer, format, name string, bundleOpts athar.ReadOptions, opts formats.Options) (*athar.Bundle, error) {
	if format == "bundle" {
		return readBundleFile(name, bundleOpts)
	}
	f, err := formats.Lookup(format)
	var e *athar.Error
	if errors.As(err, &e) {
		return nil, fmt.Errorf("--format: %s", e.Message)
	}
	var r io.Reader = os.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		r, opts.FileName = file, filepath.Base(name)
	}
	res, err := f.Read(r, opts)
	if err != nil {
		return nil, err
	}
	release := res.Dataset.Release
	if release == "" {
		release = "not given"
	}
	fmt.Fprintf(w, "%s (release %s): %d rows, %d events, %d skipped, %d with inconsistent figures\n",
		res.Dataset.ID, release, res.Rows, res.Events, res.Skipped, res.Inconsistent)
	return res.Bundle, nil
}

// readBundleFile reads the bundle in the file name ("-": standard input). It returns the bundle
// with the problems found in reading it (athar.ReadBundleWith), or no bundle when the file cannot be
// read.
func readBundleFile(name string, opts athar.ReadOptions) (*athar.Bundle, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return athar.ReadBundleWith(r, opts)
}

// printSummary prints what an import did: per label, then per dataset (created, updated, unchanged,
// withdrawn, inconsistent figures, how its places and actors matched shared ones), then each
// curation conflict with the dataset's value and the curated one that was kept.
func printSummary(w io.Writer, s neo4jstore.ImportSummary, dryRun bool, took time.Duration) {
	verb := "imported"
	if dryRun {
		verb = "validated (dry run, nothing written)"
	}
	row := "%-10s %8d %8d %10d %10d\n"
	fmt.Fprintf(w, "%-10s %8s %8s %10s %10s\n", "label", "created", "updated", "unchanged", "withdrawn")
	for _, l := range athar.EntityTypes {
		c := s.Types[l]
		if c == nil || c.Created+c.Updated+c.Unchanged+c.Withdrawn == 0 {
			continue
		}
		fmt.Fprintf(w, row, l, c.Created, c.Updated, c.Unchanged, c.Withdrawn)
	}
	t := s.Total()
	fmt.Fprintf(w, row, "total", t.Created, t.Updated, t.Unchanged, t.Withdrawn)
	if len(s.Datasets) > 1 || (len(s.Datasets) == 1 && s.Datasets[0].DatasetID != "") {
		fmt.Fprintf(w, "\n%-24s %8s %8s %10s %10s %10s %13s  %s\n", "dataset", "created", "updated", "unchanged", "withdrawn", "conflicts", "inconsistent", "places and actors")
		for _, d := range s.Datasets {
			name := d.DatasetID
			if name == "" {
				name = "(curated)"
			}
			c := d.Counts
			fmt.Fprintf(w, "%-24s %8d %8d %10d %10d %10d %13d  %s\n", name, c.Created, c.Updated, c.Unchanged, c.Withdrawn,
				len(d.Conflicts), d.Inconsistent, matchCounts(d.Matches))
		}
	}
	if conflicts := s.Conflicts(); len(conflicts) > 0 {
		fmt.Fprintf(w, "\ncuration conflicts (the curated value is kept):\n")
		for _, c := range conflicts {
			fmt.Fprintf(w, "  %s %s: dataset %s, curated %s\n", c.RecordID, c.Field, orNone(c.DatasetValue), orNone(c.CuratedValue))
		}
	}
	fmt.Fprintf(w, "%s in %s\n", verb, took.Round(time.Millisecond))
}

// matchCounts says how a dataset's places and actors matched shared ones: "NAME 3, CREATED 2".
func matchCounts(m map[string]int) string {
	var parts []string
	for _, rule := range athar.MatchRules {
		if n := m[string(rule)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", rule, n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar export", "Usage: athar export [flags]\n\nWrites every entity as a bundle (docs/bundle-format.md), in a stable order.\n\n", stderr)
	out := a.fs.String("out", "-", "file to write; - is standard output")
	ndjson := a.fs.Bool("ndjson", false, "write NDJSON (one record per line) instead of JSON")
	if err := a.parse(args); err != nil {
		return err
	}
	if a.fs.NArg() != 0 {
		a.fs.Usage()
		return errUsage
	}
	if err := a.openExisting(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	b, err := a.store.Export(ctx)
	if err != nil {
		return err
	}
	if *out == "-" {
		return b.Write(stdout, *ndjson)
	}
	// Written beside the target and renamed, so that a failed export never leaves half a file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".athar-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := b.Write(tmp, *ndjson); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("athar healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: athar healthcheck [flags]\n\nExits 0 when the Athar at --addr answers /readyz with 200 (its Neo4j answers), 1 otherwise.\n\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", env("ATHAR_ADDR", "127.0.0.1:8080"), "address of the running Athar (env ATHAR_ADDR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", resp.Status)
	}
	return nil
}
