package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/metrics"
	"github.com/athar-project/athar/internal/neo4jlocal"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// app is the setup every command that uses the database shares: its flags with the database and
// logging ones, the logger, the one Neo4j driver of the process and the store over it. A command
// adds its own flags to fs, calls parse, does what needs no database (import validates its file
// before any Neo4j starts; bench picks its own data directory), then calls open and defers
// closeInto. Parsing and opening are separate steps for those two.
type app struct {
	fs     *flag.FlagSet
	db     dbConfig
	stderr io.Writer
	logger *slog.Logger            // set by parse
	driver neo4j.DriverWithContext // set by open
	store  *neo4jstore.Store       // set by open
	// local supervises the embedded Neo4j, when open started one; nil with NEO4J_URI.
	local   *neo4jlocal.Supervisor
	closeDB func() error
}

// newApp returns the setup of the command name ("athar serve"), whose flags report to stderr and
// whose --help prints usage above the flags.
func newApp(name, usage string, stderr io.Writer) *app {
	a := &app{fs: flag.NewFlagSet(name, flag.ContinueOnError), stderr: stderr}
	a.fs.SetOutput(stderr)
	a.fs.Usage = func() {
		fmt.Fprint(a.fs.Output(), usage)
		a.fs.PrintDefaults()
	}
	a.db.register(a.fs)
	return a
}

// parse parses args, then reads what flags cannot default safely and builds the logger, which
// writes to stderr. It returns errHelp after --help, errUsage after wrong flags (flag has said why),
// and an error naming the flag when the log format or level is wrong.
func (a *app) parse(args []string) error {
	if err := parse(a.fs, args); err != nil {
		return err
	}
	a.db.finish()
	logger, err := a.db.logger(a.stderr)
	if err != nil {
		return err
	}
	a.logger = logger
	return nil
}

// open connects to Neo4j, starting the embedded one first when no URI is set, and creates the store.
func (a *app) open(ctx context.Context) error {
	if a.db.MigrationBatch < 1 {
		return fmt.Errorf("--migration-batch (ATHAR_MIGRATION_BATCH) must be at least 1, not %d", a.db.MigrationBatch)
	}
	driver, local, closeDB, err := a.db.connect(ctx, a.logger, metrics.EmbeddedRestart)
	if err != nil {
		return err
	}
	a.driver, a.local, a.closeDB = driver, local, closeDB
	a.store = neo4jstore.New(driver, a.db.Database)
	if local != nil {
		a.store.WithAvailability(local)
	}
	return a.store.SetRefoldBatch(a.db.MigrationBatch)
}

// openExisting is open for a command that only reads an existing database (export, migrate
// --status): with no URI and no embedded database in --data-dir it fails, instead of creating an
// empty one there and reading nothing from it.
func (a *app) openExisting(ctx context.Context) error {
	if a.db.URI == "" {
		dir := filepath.Join(a.db.DataDir, "neo4j")
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("there is no Athar database in %s: give the --data-dir (ATHAR_DATA_DIR) that athar serve used, or NEO4J_URI", dir)
		}
	}
	return a.open(ctx)
}

// openMigrated opens the existing database (openExisting) and brings its schema up to date, for a
// command that reads or writes accounts or records in it; when the migration fails it closes what
// it opened.
func (a *app) openMigrated(ctx context.Context) error {
	if err := a.openExisting(ctx); err != nil {
		return err
	}
	if _, err := a.store.Migrate(ctx); err != nil {
		return errors.Join(err, a.close())
	}
	return nil
}

// close closes the driver and stops the embedded Neo4j, joining their errors. It does nothing when
// open did not succeed.
func (a *app) close() error {
	if a.closeDB == nil {
		return nil
	}
	return a.closeDB()
}

// closeInto closes the app and joins the error to *err: a command defers it, so that a failure to
// close is reported without hiding the command's own error.
func (a *app) closeInto(err *error) {
	*err = errors.Join(*err, a.close())
}
