package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/neo4jtest"
)

var tokenLine = regexp.MustCompile(`^athar_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$`)

// runUser runs `athar user ARGS` against the test database and returns its exit status, standard
// output and standard error.
func runUser(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append(append([]string{"user"}, args...), dbArgs(t)...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustAddUser runs `athar user add` and returns the token on its last line.
func mustAddUser(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runUser(t, append([]string{"add"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || !tokenLine.MatchString(lines[len(lines)-1]) {
		t.Fatalf("user add %v: exit %d\n%s\n%s", args, code, out, errOut)
	}
	return lines[len(lines)-1]
}

func TestUser_AddListRevoke(t *testing.T) {
	neo4jtest.Wipe(t)
	t.Cleanup(func() { neo4jtest.Wipe(t) }) // the other tests' instances have no accounts
	token := mustAddUser(t, "--name", "sam", "--role", "viewer", "--clearance", "public", "--expires", "90d")
	_, secret, _ := strings.Cut(strings.TrimPrefix(token, "athar_"), "_")
	if n := neo4jtest.Count(t, "MATCH (a:Account {name: 'sam'}) WHERE a.tokenHash STARTS WITH '$argon2id$' AND NOT a.tokenHash CONTAINS $s RETURN count(a) AS n", map[string]any{"s": secret}); n != 1 {
		t.Error("the account does not hold an argon2id hash of its token, or holds the token")
	}
	mustAddUser(t, "--name", "lina", "--role", "admin", "--clearance", "confidential")

	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"add", "--name", "sam", "--role", "editor", "--clearance", "public"}, 1, "an account named sam exists"},
		{[]string{"add", "--name", "x", "--role", "owner", "--clearance", "public"}, 1, "--role: must be viewer, editor or admin"},
		{[]string{"add", "--name", "x", "--role", "viewer", "--clearance", "secret"}, 1, "--clearance: must be public, restricted or confidential"},
		{[]string{"add", "--role", "viewer", "--clearance", "public"}, 1, "--name: is required"},
		{[]string{"add", "--name", "local", "--role", "viewer", "--clearance", "public"}, 1, `--name: "local" is reserved`},
		{[]string{"add", "--name", "x", "--role", "viewer", "--clearance", "public", "--expires", "2001-01-01"}, 1, "--expires: 2001-01-01T00:00:00Z is not in the future"},
		{[]string{"add", "--name", "x", "--role", "viewer", "--clearance", "public", "--expires", "soon"}, 1, `--expires: "soon" is neither a duration`},
		{[]string{"revoke", "nobody"}, 1, "no account is named nobody"},
		{[]string{"rename"}, 2, `unknown command "rename"`},
	} {
		code, out, errOut := runUser(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.says) || tokenLine.MatchString(strings.TrimSpace(out)) {
			t.Errorf("user %v: exit %d, stdout %q, stderr %q; want %d saying %q", tc.args, code, out, errOut, tc.code, tc.says)
		}
	}
	if n := neo4jtest.Count(t, "MATCH (a:Account) RETURN count(a) AS n", nil); n != 2 {
		t.Errorf("%d accounts after refused adds, want 2", n)
	}

	code, out, _ := runUser(t, "list")
	if code != 0 || !regexp.MustCompile(`(?m)^lina +admin +confidential +\S+ +never +active$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^sam +viewer +public +\S+ +20\d\d-\S+ +active$`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	if strings.Contains(out, "athar_") || strings.Contains(out, "argon2") {
		t.Errorf("list shows a token or a hash:\n%s", out)
	}
	if code, out, errOut := runUser(t, "revoke", "sam"); code != 0 || !strings.Contains(out, "sam revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	if _, out, _ := runUser(t, "list"); !regexp.MustCompile(`(?m)^sam .* revoked 20\d\d-`).MatchString(out) {
		t.Errorf("list after revoke:\n%s", out)
	}
	// Adding and revoking are recorded, by the command line's "local".
	if n := neo4jtest.Count(t, "MATCH (c:Change {entityId: 'account:sam', by: 'local'}) RETURN count(c) AS n", nil); n != 2 {
		t.Errorf("%d change records of sam's account, want 2 (added, revoked)", n)
	}
}

// A fresh instance on loopback says it is a single-user local one and needs no token; once an
// account exists it says every request needs one, and refuses a request without it.
func TestServe_SingleUserUntilAnAccountExists(t *testing.T) {
	neo4jtest.Wipe(t)
	t.Cleanup(func() { neo4jtest.Wipe(t) })
	query := func(base, token string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	addr := freeAddr(t)
	log := MustServe(t, addr, "--log-level", "info")
	if !strings.Contains(log.String(), "single-user local instance") {
		t.Errorf("the log does not say it is a single-user local instance:\n%s", log.String())
	}
	if got := query("http://"+addr, ""); got != 200 {
		t.Errorf("a request without a token on the local instance: %d", got)
	}
	token := mustAddUser(t, "--name", "first", "--role", "admin", "--clearance", "confidential")
	if got := query("http://"+addr, ""); got != 401 {
		t.Errorf("a request without a token once an account exists: %d, want 401", got)
	}
	second := freeAddr(t)
	log = MustServe(t, second, "--log-level", "info")
	if !strings.Contains(log.String(), "accounts exist: every request needs a token") {
		t.Errorf("the log does not say a token is needed:\n%s", log.String())
	}
	if got, with := query("http://"+second, ""), query("http://"+second, token); got != 401 || with != 200 {
		t.Errorf("without a token %d, with one %d; want 401 and 200", got, with)
	}
}
