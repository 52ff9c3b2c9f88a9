package resolvers_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// Admins add, list and revoke accounts through GraphQL: the token is answered once and works at
// once; revoking stops it; others are forbidden and change nothing; bad input is user errors.
func TestAccounts_AdminsManageThem(t *testing.T) {
	MustServer(t, false)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	admin := neo4jtest.MustAccount(t, store, "lead", athar.RoleAdmin, time.Time{})
	editor := neo4jtest.MustAccount(t, store, "amira", athar.RoleEditor, time.Time{})
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store})
	})
	add := `mutation { addAccount(input: {name: "sam", role: "viewer", clearance: "public", reason: "joins the team"}) {
	  token account { name role clearance expiresAt revokedAt } userErrors { field code message } } }`

	c.header = http.Header{"Authorization": {"Bearer " + editor}}
	c.MustError(add, nil, "FORBIDDEN", "")
	c.MustError(`{ accounts { name } }`, nil, "FORBIDDEN", "")
	if n := neo4jtest.Count(t, "MATCH (a:Account {name: 'sam'}) RETURN count(a) AS n", nil); n != 0 {
		t.Fatal("an editor's addAccount wrote")
	}

	c.header = http.Header{"Authorization": {"Bearer " + admin}}
	var got struct {
		AddAccount struct {
			Token   string
			Account struct {
				Name, Role, Clearance string
				ExpiresAt, RevokedAt  *string
			}
		}
	}
	c.MustMutate(add, nil, &got)
	if !regexp.MustCompile(`^athar_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$`).MatchString(got.AddAccount.Token) ||
		got.AddAccount.Account.Name != "sam" || got.AddAccount.Account.Role != "viewer" || got.AddAccount.Account.ExpiresAt != nil {
		t.Fatalf("addAccount: %+v", got.AddAccount)
	}
	sam := &client{tb: t, url: c.url, header: http.Header{"Authorization": {"Bearer " + got.AddAccount.Token}}}
	var typ struct {
		Typename string `json:"__typename"`
	}
	sam.MustData(`{ __typename }`, nil, &typ)
	sam.MustError(`mutation { createPlace(input: {name: "S", kind: CITY}) { place { id } } }`, nil, "FORBIDDEN", "")

	c.MustUserError(add, nil, "CONFLICT", "input", "name")
	c.MustUserError(`mutation { addAccount(input: {name: "x", role: "owner", clearance: "public"}) { token userErrors { field code message } } }`, nil, "INVALID", "input", "role")
	c.MustUserError(`mutation { addAccount(input: {name: "x", role: "viewer", clearance: "public", expiresAt: "2001-01-01T00:00:00Z"}) { token userErrors { field code message } } }`, nil, "INVALID", "input", "expiresAt")
	c.MustUserError(`mutation { revokeAccount(input: {name: "nobody"}) { account { name } userErrors { field code message } } }`, nil, "NOT_FOUND", "input", "name")

	r := c.Do(`{ accounts { name role clearance createdAt } }`, nil)
	if len(r.Errors) > 0 || !bytes.Contains(r.Data, []byte(`"name":"sam","role":"viewer","clearance":"public"`)) || bytes.Contains(r.Data, []byte("argon2")) {
		t.Errorf("accounts: %s %+v", r.Data, r.Errors)
	}
	var revoked struct {
		RevokeAccount struct{ Account struct{ RevokedAt *string } }
	}
	c.MustMutate(`mutation { revokeAccount(input: {name: "sam", reason: "left"}) { account { revokedAt } userErrors { field } } }`, nil, &revoked)
	if revoked.RevokeAccount.Account.RevokedAt == nil {
		t.Errorf("revokeAccount: %+v", revoked)
	}
	if resp := sam.Do(`{ __typename }`, nil); len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("a revoked token: %+v", resp)
	}
	var hist struct{ History changePage }
	c.MustData(`{ history(id: "account:sam") { `+changeFields+` } }`, nil, &hist)
	if h := hist.History.Nodes; len(h) != 2 || h[0].Action != "ACCOUNT_REVOKE" || text(h[0].Reason) != "left" || h[1].By != "lead" || text(h[1].Reason) != "joins the team" {
		t.Errorf("the account's history: %+v", h)
	}
}

// Nobody is locked out of account management through the API: on a single-user instance the first
// account must be an admin's, and the last admin whose token works cannot be revoked.
func TestAccounts_NoLockOut(t *testing.T) {
	MustServer(t, false)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	local := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store, Loopback: true})
	})
	local.MustUserError(`mutation { addAccount(input: {name: "sam", role: "viewer", clearance: "public"}) { token userErrors { field code message } } }`, nil, "INVALID", "input", "role")
	if n := neo4jtest.Count(t, "MATCH (a:Account) RETURN count(a) AS n", nil); n != 0 {
		t.Fatal("the refused first account was written")
	}
	var first struct{ AddAccount struct{ Token string } }
	local.MustMutate(`mutation { addAccount(input: {name: "lina", role: "admin", clearance: "confidential"}) { token userErrors { field code message } } }`, nil, &first)
	if first.AddAccount.Token == "" {
		t.Fatal("the first admin got no token")
	}
	lina := &client{tb: t, url: local.url, header: http.Header{"Authorization": {"Bearer " + first.AddAccount.Token}}}
	lina.MustUserError(`mutation { revokeAccount(input: {name: "lina"}) { account { name } userErrors { field code message } } }`, nil, "CONFLICT", "input", "name")
	var second struct{ AddAccount struct{ Token string } }
	lina.MustMutate(`mutation { addAccount(input: {name: "omar", role: "admin", clearance: "public"}) { token userErrors { field code message } } }`, nil, &second)
	var revoked struct {
		RevokeAccount struct{ Account struct{ RevokedAt *string } }
	}
	lina.MustMutate(`mutation { revokeAccount(input: {name: "lina"}) { account { revokedAt } userErrors { field code message } } }`, nil, &revoked)
	if revoked.RevokeAccount.Account.RevokedAt == nil {
		t.Errorf("with a second admin, the first could not be revoked: %+v", revoked)
	}
	omar := &client{tb: t, url: local.url, header: http.Header{"Authorization": {"Bearer " + second.AddAccount.Token}}}
	omar.MustUserError(`mutation { revokeAccount(input: {name: "omar"}) { account { name } userErrors { field code message } } }`, nil, "CONFLICT", "input", "name")
	// A viewer reads the history of the graph's entities, not the records of accounts or exports.
	var viewer struct{ AddAccount struct{ Token string } }
	omar.MustMutate(`mutation { addAccount(input: {name: "sam", role: "viewer", clearance: "public"}) { token userErrors { field code message } } }`, nil, &viewer)
	sam := &client{tb: t, url: local.url, header: http.Header{"Authorization": {"Bearer " + viewer.AddAccount.Token}}}
	for _, id := range []string{"account:lina", "export:attacks.csv", "bundle", "nonsense"} {
		sam.MustError(`query ($id: ID!) { history(id: $id) { nodes { id } } }`, map[string]any{"id": id}, "FORBIDDEN", "")
	}
	var h struct {
		History struct{ Nodes []struct{ ID string } }
	}
	sam.MustData(`{ history(id: "place:aleppo") { nodes { id } } }`, nil, &h)
	omar.MustData(`{ history(id: "account:lina") { nodes { id } } }`, nil, &h)
	if len(h.History.Nodes) < 2 {
		t.Errorf("lina's account has %d records, want her creation and her revocation", len(h.History.Nodes))
	}
	// A malformed instant is the client's bad input, naming nothing of Go.
	for _, q := range []string{`{ changes(since: "yesterday") { nodes { id } } }`, `{ changes(until: 5) { nodes { id } } }`} {
		e := omar.MustError(q, nil, "BAD_USER_INPUT", "")
		if !strings.Contains(e.Message, "RFC 3339") {
			t.Errorf("%s: %q", q, e.Message)
		}
	}
	omar.MustError(`mutation { addAccount(input: {name: "x", role: "viewer", clearance: "public", expiresAt: "soon"}) { token userErrors { field code message } } }`, nil, "BAD_USER_INPUT", "expiresAt")
}
