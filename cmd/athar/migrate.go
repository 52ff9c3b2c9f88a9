package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/athar-project/athar/internal/neo4jstore"
)

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar migrate", `Usage: athar migrate [flags]

Applies the migrations of the database's schema and data that it has not recorded yet, each once
and in order, and records them; "athar serve" and "athar import" do the same when they start. With
--status it lists every migration, applied (and when) or pending, and changes nothing. A database
that a newer Athar migrated is refused. With no NEO4J_URI it uses the embedded Neo4j in --data-dir,
which must not be in use by a running "athar serve".

`, stderr)
	status := a.fs.Bool("status", false, "list every migration, applied or pending, and change nothing")
	if err := a.parse(args); err != nil {
		return err
	}
	if a.fs.NArg() != 0 {
		a.fs.Usage()
		return errUsage
	}
	open := a.open
	if *status {
		open = a.openExisting
	}
	if err := open(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	if *status {
		states, err := a.store.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		return printMigrations(stdout, states)
	}
	applied, err := a.store.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		_, err := fmt.Fprintln(stdout, "nothing to apply: the database is up to date")
		return err
	}
	if err := printMigrations(stdout, applied); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d migration(s) applied\n", len(applied))
	return err
}

// printMigrations writes one line per migration: its version, its name, and when it was applied or
// "pending"; a migration this Athar does not know is marked as such.
func printMigrations(w io.Writer, states []neo4jstore.MigrationState) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tname\tapplied at")
	unknown := 0
	for _, st := range states {
		at := "pending"
		if st.Applied {
			at = st.AppliedAt.UTC().Format(time.RFC3339)
		}
		if st.Unknown {
			at += "\tunknown to this Athar"
			unknown++
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", st.Version, st.Name, at)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if unknown > 0 {
		_, err := fmt.Fprintf(w, "%d migration(s) applied by a newer Athar: this one will not migrate the database\n", unknown)
		return err
	}
	return nil
}
