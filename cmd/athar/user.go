package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
)

const userUsage = `Usage:
  athar user add --name NAME --role viewer|editor|admin --clearance public|restricted|confidential [--expires WHEN]
  athar user list
  athar user revoke NAME

Manages the accounts of a team, in the database (--data-dir or NEO4J_URI, as athar serve uses;
the embedded Neo4j must not be in use by a running athar serve, or give NEO4J_URI).

add makes an account and prints its token alone on the last line, once: only a slow hash of it is
kept, so a lost token is replaced by revoking the account and adding another. Once an account
exists, every request needs a token. --expires takes a duration (720h, 90d) or a date (2027-06-30,
the token stops working at 00:00 UTC that day, or an RFC 3339 time); by default a token does not
expire. list prints every account (never a token or a hash). revoke stops the account's token at
once, for good.

Roles: viewer reads; editor also changes the graph and imports; admin also manages accounts and
reads the team's activity (the changes query). The clearance is the highest access level of
material the account reads (public, restricted, confidential); nothing above it is shown to it, and
it writes nothing above it.

`

func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	switch args[0] {
	case "add":
		return userAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return userList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return userRevoke(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return errHelp
	}
	fmt.Fprintf(stderr, "athar user: unknown command %q\n\n%s", args[0], userUsage)
	return errUsage
}

func userAdd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar user add", userUsage, stderr)
	name := a.fs.String("name", "", "the account's name: 1 to 64 letters, digits and . _ @ - (required)")
	role := a.fs.String("role", "", "viewer, editor or admin (required)")
	clearance := a.fs.String("clearance", "", "public, restricted or confidential (required)")
	expires := a.fs.String("expires", "", "when the token stops working: a duration (720h, 90d) or a date (2027-06-30); empty: never")
	if err := a.parse(args); err != nil {
		return err
	}
	if a.fs.NArg() != 0 {
		a.fs.Usage()
		return errUsage
	}
	acct, err := newAccount(*name, *role, *clearance, *expires, time.Now().UTC())
	if err != nil {
		return err
	}
	token, id := auth.NewToken()
	_, secret, _ := auth.ParseToken(token)
	acct.TokenID, acct.TokenHash = id, auth.HashSecret(secret)
	if err := a.open(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	if _, err := a.store.Migrate(ctx); err != nil {
		return err
	}
	if err := a.store.CreateAccount(ctx, acct); err != nil {
		return err
	}
	until := "never expires"
	if !acct.ExpiresAt.IsZero() {
		until = "expires " + acct.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "account %s (%s, cleared for %s; %s) added. Its token, shown this once; send it as Authorization: Bearer <token>:\n",
		acct.Name, acct.Role, acct.Clearance, until)
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// newAccount checks the flags of user add and returns the account they describe, without a token.
// Errors name the flag.
func newAccount(name, role, clearance, expires string, now time.Time) (athar.Account, error) {
	var p athar.Problems
	acct := athar.Account{Name: name}
	if name == "" {
		p.Add("--name", "is required")
	} else if err := athar.CheckAccountName("--name", name); err != nil {
		p = append(p, err.(*athar.Error))
	}
	r, err := athar.ParseRole("--role", role)
	if err != nil {
		p = append(p, err.(*athar.Error))
	}
	c, err := athar.ParseClearance("--clearance", clearance)
	if err != nil {
		p = append(p, err.(*athar.Error))
	}
	acct.Role, acct.Clearance = r, c
	if expires != "" {
		at, err := parseExpiry(expires, now)
		if err != nil {
			p = append(p, athar.Invalid("--expires", "%v", err))
		}
		acct.ExpiresAt = at
	}
	return acct, p.Err()
}

// parseExpiry reads --expires: a Go duration (720h), a number of days (90d), a date (00:00 UTC of
// it) or an RFC 3339 time; it must be in the future.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	var at time.Time
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			at = now.AddDate(0, 0, n)
		}
	}
	if at.IsZero() {
		if d, err := time.ParseDuration(s); err == nil {
			at = now.Add(d)
		} else if t, err := time.Parse(time.DateOnly, s); err == nil {
			at = t
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			at = t.UTC()
		} else {
			return time.Time{}, fmt.Errorf("%q is neither a duration (720h, 90d) nor a date (2027-06-30)", s)
		}
	}
	if !at.After(now) {
		return time.Time{}, fmt.Errorf("%s is not in the future", at.Format(time.RFC3339))
	}
	return at.UTC(), nil
}

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar user list", userUsage, stderr)
	if err := a.parse(args); err != nil {
		return err
	}
	if a.fs.NArg() != 0 {
		a.fs.Usage()
		return errUsage
	}
	if err := a.openMigrated(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	accounts, err := a.store.ListAccounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\trole\tclearance\tcreated\texpires\tstate")
	now := time.Now()
	for _, acct := range accounts {
		expires, state := "never", "active"
		if !acct.ExpiresAt.IsZero() {
			expires = acct.ExpiresAt.Format(time.RFC3339)
			if !now.Before(acct.ExpiresAt) {
				state = "expired"
			}
		}
		if !acct.RevokedAt.IsZero() {
			state = "revoked " + acct.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", acct.Name, acct.Role, acct.Clearance, acct.CreatedAt.Format(time.RFC3339), expires, state)
	}
	return tw.Flush()
}

func userRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	a := newApp("athar user revoke", userUsage, stderr)
	// The name may come before the flags (athar user revoke sam --data-dir d) as well as after.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := a.parse(args); err != nil {
		return err
	}
	if name == "" && a.fs.NArg() == 1 {
		name = a.fs.Arg(0)
	} else if name == "" || a.fs.NArg() != 0 {
		a.fs.Usage()
		return errUsage
	}
	if err := a.openMigrated(ctx); err != nil {
		return err
	}
	defer a.closeInto(&err)
	if err := a.store.RevokeAccount(ctx, name, false); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "account %s revoked: its token no longer works\n", name)
	return err
}
