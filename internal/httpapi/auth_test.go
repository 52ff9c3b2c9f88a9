package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// gqlAnswer is a GraphQL response as a client reads it.
type gqlAnswer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (a gqlAnswer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

// MustQuery posts a GraphQL query to base with the token (none when empty) and returns the status,
// the WWW-Authenticate header and the answer.
func MustQuery(tb testing.TB, base, token, query string) (int, string, gqlAnswer) {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a gqlAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		tb.Fatalf("answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), a
}

// MustExport gets an export with the token (none when empty) and returns its status.
func MustExport(tb testing.TB, base, token, path string) int {
	tb.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	resp, _ := MustGet(tb, base+path, h)
	return resp.StatusCode
}

const readQuery = `{ facilities(first: 1) { nodes { id } } }`

// MustImport posts a bundle to url (base/import) with the token (none when empty) and returns the
// status and the body.
func MustImport(tb testing.TB, url, token, bundle string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(bundle))
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// placeBundle is a bundle of one place.
func placeBundle(id, name string) string {
	return `{"format":"athar-bundle","version":2,"places":[{"id":"` + id + `","name":"` + name + `","kind":"CITY"}]}`
}

// importer imports as athar serve's POST /import does.
func importer(store *neo4jstore.Store) httpapi.ImportFunc {
	return func(ctx context.Context, b *athar.Bundle, dryRun bool) (any, error) {
		return store.Import(ctx, b, neo4jstore.ImportOptions{DryRun: dryRun})
	}
}

// A request that needs a token and has none, or a wrong, revoked or expired one, is refused with
// 401 and a GraphQL error saying only missing, invalid or expired; the right token reads.
func TestAuth_Tokens(t *testing.T) {
	store := MustStore(t, false)
	good := neo4jtest.MustAccount(t, store, "reader", athar.RoleViewer, time.Time{})
	revoked := neo4jtest.MustAccount(t, store, "gone", athar.RoleEditor, time.Time{})
	if err := store.RevokeAccount(context.Background(), "gone", false); err != nil {
		t.Fatal(err)
	}
	expired := neo4jtest.MustAccount(t, store, "late", athar.RoleEditor, time.Now().Add(-time.Minute))
	id, _, _ := auth.ParseToken(good)
	base := MustServer(t, store, func(c *httpapi.Config) {
		c.Auth = auth.New(auth.Config{Accounts: store, Loopback: true})
	})
	for _, tc := range []struct {
		name, token, message string
	}{
		{"missing", "", "missing token: send Authorization: Bearer <token>"},
		{"not a token", "s3cret", "invalid token"},
		{"unknown id", "athar_0123456789abcdef_" + strings.Repeat("A", 43), "invalid token"},
		{"wrong secret", "athar_" + id + "_" + strings.Repeat("A", 43), "invalid token"},
		{"revoked", revoked, "invalid token"},
		{"expired", expired, "expired token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 { // the second time, a cached verification must not change the answer
				status, challenge, a := MustQuery(t, base, tc.token, readQuery)
				if status != http.StatusUnauthorized || a.code() != "UNAUTHENTICATED" || a.Errors[0].Message != tc.message || a.Data != nil {
					t.Fatalf("%d %+v, want 401 UNAUTHENTICATED %q", status, a, tc.message)
				}
				if !strings.HasPrefix(challenge, "Bearer") {
					t.Errorf("WWW-Authenticate %q, want a Bearer challenge", challenge)
				}
			}
			if got := MustExport(t, base, tc.token, "/export/attacks.csv"); got != http.StatusUnauthorized {
				t.Errorf("export: %d, want 401", got)
			}
		})
	}
	for range 2 {
		if status, _, a := MustQuery(t, base, good, readQuery); status != http.StatusOK || len(a.Errors) > 0 {
			t.Fatalf("the right token: %d %+v", status, a)
		}
	}
	// Revoking works at once, even for a token verified a moment ago (and so cached).
	if err := store.RevokeAccount(context.Background(), "reader", false); err != nil {
		t.Fatal(err)
	}
	if status, _, a := MustQuery(t, base, good, readQuery); status != http.StatusUnauthorized || a.Errors[0].Message != "invalid token" {
		t.Errorf("a token revoked after it was cached: %d %+v", status, a)
	}
}

// An instance with no accounts that listens on loopback is a single-user local one: requests need
// no token and change records name "local". Beyond loopback, or once an account exists, every
// request needs a token.
func TestAuth_LoopbackWithoutAccountsIsLocal(t *testing.T) {
	store := MustStore(t, false)
	local := MustServer(t, store, func(c *httpapi.Config) { c.Auth = auth.New(auth.Config{Accounts: store, Loopback: true}) })
	remote := MustServer(t, store, func(c *httpapi.Config) { c.Auth = auth.New(auth.Config{Accounts: store}) })

	if status, _, a := MustQuery(t, local, "", `mutation { createPlace(input: {id: "place:x", name: "X", kind: CITY, reason: "first"}) { place { id } userErrors { message } } }`); status != 200 || len(a.Errors) > 0 {
		t.Fatalf("a mutation on a local instance: %d %+v", status, a)
	}
	hist := mustHistory(t, store, "place:x")
	if len(hist) != 1 || hist[0].By != athar.LocalName || hist[0].Reason != "first" || hist[0].Action != athar.ChangeCreate {
		t.Errorf("the local mutation's record: %+v", hist)
	}
	if got := MustExport(t, local, "", "/export/attacks.csv"); got != 200 {
		t.Errorf("a local export: %d", got)
	}
	if status, _, a := MustQuery(t, remote, "", readQuery); status != 401 || a.code() != "UNAUTHENTICATED" {
		t.Errorf("beyond loopback with no account: %d %+v, want 401", status, a)
	}

	neo4jtest.MustAccount(t, store, "first", athar.RoleAdmin, time.Time{})
	if status, _, a := MustQuery(t, local, "", readQuery); status != 401 || a.Errors[0].Message != "missing token: send Authorization: Bearer <token>" {
		t.Errorf("on loopback once an account exists: %d %+v, want 401 missing token", status, a)
	}
	if got := MustExport(t, local, "", "/export/attacks.geojson"); got != 401 {
		t.Errorf("an export without a token once an account exists: %d, want 401", got)
	}
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		if resp, _ := MustGet(t, local+path, nil); resp.StatusCode != 200 {
			t.Errorf("%s without a token: %d; probes and the playground page need none", path, resp.StatusCode)
		}
	}
}

// ATHAR_PUBLIC_READ lets requests without a token read (queries and exports, recorded as
// "anonymous"), never write.
func TestAuth_PublicRead(t *testing.T) {
	store := MustStore(t, true)
	neo4jtest.MustAccount(t, store, "admin", athar.RoleAdmin, time.Time{})
	base := MustServer(t, store, func(c *httpapi.Config) {
		c.Auth = auth.New(auth.Config{Accounts: store, PublicRead: true})
	})
	if status, _, a := MustQuery(t, base, "", readQuery); status != 200 || len(a.Errors) > 0 {
		t.Errorf("an anonymous read: %d %+v", status, a)
	}
	status, _, a := MustQuery(t, base, "", `mutation { createPlace(input: {id: "place:anon", name: "Anon", kind: CITY}) { place { id } } }`)
	if a.code() != "UNAUTHENTICATED" {
		t.Errorf("an anonymous mutation: %d %+v, want UNAUTHENTICATED", status, a)
	}
	if got := neo4jtest.Count(t, `MATCH (p:Place {id: "place:anon"}) RETURN count(p) AS n`, nil); got != 0 {
		t.Errorf("the anonymous mutation wrote %d places", got)
	}
	if _, _, a := MustQuery(t, base, "", `{ history(id: "place:anon") { nodes { by } } }`); a.code() != "UNAUTHENTICATED" {
		t.Errorf("an anonymous history: %+v, want UNAUTHENTICATED: records name the team's accounts", a)
	}
	if got := MustExport(t, base, "", "/export/attacks.csv?facilityType=SCHOOL"); got != 200 {
		t.Errorf("an anonymous export: %d", got)
	}
	hist := mustHistory(t, store, "export:attacks.csv")
	if len(hist) != 1 || hist[0].By != athar.AnonymousName || hist[0].After != `{"facilityType":["SCHOOL"]}` || hist[0].RequestID == "" {
		t.Errorf("the anonymous export's record: %+v", hist)
	}
}

// Each role on a query, a mutation, an export and the admins' changes query: viewers read and
// export; editors also change the graph; only admins read the team's activity.
func TestAuth_Roles(t *testing.T) {
	store := MustStore(t, false) // unseeded: the seed's own import batches would be in the history of "bundle"
	tokens := map[athar.Role]string{}
	for _, r := range []athar.Role{athar.RoleViewer, athar.RoleEditor, athar.RoleAdmin} {
		tokens[r] = neo4jtest.MustAccount(t, store, string(r)+"-1", r, time.Time{})
	}
	base := MustServer(t, store, func(c *httpapi.Config) {
		c.Auth, c.Import = auth.New(auth.Config{Accounts: store}), importer(store)
	})
	for _, tc := range []struct {
		role                  athar.Role
		mutation, changesCode string
		importStatus          int
	}{
		{athar.RoleViewer, "FORBIDDEN", "FORBIDDEN", http.StatusForbidden},
		{athar.RoleEditor, "", "FORBIDDEN", http.StatusOK},
		{athar.RoleAdmin, "", "", http.StatusOK},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			token := tokens[tc.role]
			if status, _, a := MustQuery(t, base, token, readQuery); status != 200 || len(a.Errors) > 0 {
				t.Errorf("query: %d %+v", status, a)
			}
			id := "place:by-" + string(tc.role)
			_, _, a := MustQuery(t, base, token, `mutation { createPlace(input: {id: "`+id+`", name: "Place of `+string(tc.role)+`", kind: CITY}) { place { id } } }`)
			if a.code() != tc.mutation {
				t.Errorf("mutation: %+v, want code %q", a, tc.mutation)
			}
			if want := map[bool]int64{true: 1, false: 0}[tc.mutation == ""]; neo4jtest.Count(t, "MATCH (p:Place {id: $id}) RETURN count(p) AS n", map[string]any{"id": id}) != want {
				t.Errorf("the mutation wrote, or did not write, the place: want %d", want)
			}
			if got := MustExport(t, base, token, "/export/attacks.geojson"); got != 200 {
				t.Errorf("export: %d", got)
			}
			imported := "place:imported-by-" + string(tc.role)
			if status, body := MustImport(t, base+"/import", token, placeBundle(imported, "Imported by "+string(tc.role))); status != tc.importStatus {
				t.Errorf("import: %d %s, want %d", status, body, tc.importStatus)
			}
			if want := map[bool]int64{true: 1, false: 0}[tc.importStatus == 200]; neo4jtest.Count(t, "MATCH (p:Place {id: $id}) RETURN count(p) AS n", map[string]any{"id": imported}) != want {
				t.Errorf("the import wrote, or did not write, the place: want %d", want)
			}
			_, _, a = MustQuery(t, base, token, `{ changes(first: 5) { nodes { by action } } }`)
			if a.code() != tc.changesCode {
				t.Errorf("changes: %+v, want code %q", a, tc.changesCode)
			}
		})
	}
	hist := mustHistory(t, store, "export:attacks.geojson")
	if len(hist) != 3 || hist[0].By != "admin-1" || hist[2].By != "viewer-1" {
		t.Errorf("the exports' records, newest first: %+v", hist)
	}
	// One record per import batch, by its account, with the counts.
	hist = mustHistory(t, store, "bundle")
	if len(hist) != 2 || hist[0].By != "admin-1" || hist[1].By != "editor-1" || hist[0].Action != athar.ChangeImport ||
		hist[0].After != `{"created":1,"datasets":null,"records":1,"type":"Place","unchanged":0,"updated":0}` {
		t.Errorf("the imports' records: %+v", hist)
	}
	// Anonymous readers do not import; a bundle with problems is refused, naming them, and writes
	// nothing; ?dryRun=true counts and writes nothing.
	open := MustServer(t, store, func(c *httpapi.Config) {
		c.Auth, c.Import = auth.New(auth.Config{Accounts: store, PublicRead: true}), importer(store)
	})
	if status, body := MustImport(t, open+"/import", "", placeBundle("place:anon-import", "Anon")); status != http.StatusUnauthorized {
		t.Errorf("an anonymous import: %d %s, want 401", status, body)
	}
	if status, body := MustImport(t, base+"/import", tokens[athar.RoleEditor], `{"format":"athar-bundle","version":2,"places":[{"id":"place:bad","kind":"CITY"}]}`); status != 400 || !strings.Contains(body, `"parameter":"places[0].name"`) {
		t.Errorf("a bundle without a name: %d %s, want 400 naming places[0].name", status, body)
	}
	if status, body := MustImport(t, base+"/import?dryRun=true", tokens[athar.RoleEditor], placeBundle("place:dry", "Dry")); status != 200 || !strings.Contains(body, `"dryRun":true`) {
		t.Errorf("a dry run: %d %s", status, body)
	}
	if n := neo4jtest.Count(t, "MATCH (p:Place) WHERE p.id IN ['place:bad', 'place:dry', 'place:anon-import'] RETURN count(p) AS n", nil); n != 0 {
		t.Errorf("refused imports and a dry run wrote %d places", n)
	}
	if n := len(mustHistory(t, store, "bundle")); n != 2 {
		t.Errorf("%d import records after refused imports and a dry run, want still 2", n)
	}
}

func mustHistory(tb testing.TB, store *neo4jstore.Store, id string) []*athar.Change {
	tb.Helper()
	p, err := store.History(context.Background(), id, athar.PageRequest{First: 100})
	if err != nil {
		tb.Fatal(err)
	}
	return p.Items
}

// A page of another site cannot make a browser import into an instance that needs no token: a body
// of a type a form or a plain fetch sends is refused (415), and so is another site's Origin (403),
// before anything is read or written.
func TestImport_RefusesWhatAnotherSiteCouldSend(t *testing.T) {
	store := MustStore(t, false)
	open := MustServer(t, store, func(c *httpapi.Config) {
		c.Auth, c.Import = auth.New(auth.Config{Accounts: store, Loopback: true}), importer(store)
	})
	post := func(contentType, origin string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, open+"/import", strings.NewReader(placeBundle("place:csrf", "Written from elsewhere")))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	for _, tc := range []struct {
		contentType, origin string
		status              int
		parameter           string
	}{
		{"text/plain", "", http.StatusUnsupportedMediaType, "Content-Type"},
		{"", "", http.StatusUnsupportedMediaType, "Content-Type"},
		{"application/x-www-form-urlencoded", "", http.StatusUnsupportedMediaType, "Content-Type"},
		{"multipart/form-data; boundary=x", "", http.StatusUnsupportedMediaType, "Content-Type"},
		{"application/json", "https://evil.example", http.StatusForbidden, "Origin"},
		{"application/x-ndjson", "null", http.StatusForbidden, "Origin"},
	} {
		status, body := post(tc.contentType, tc.origin)
		if status != tc.status || !strings.Contains(body, `"parameter":"`+tc.parameter+`"`) {
			t.Errorf("%q from %q: %d %s, want %d naming %s", tc.contentType, tc.origin, status, body, tc.status, tc.parameter)
		}
	}
	if got, err := store.PlacesByID(context.Background(), []string{"place:csrf"}); err != nil || len(got) != 0 {
		t.Fatalf("a refused import wrote %v (%v)", got, err)
	}
	u, _ := url.Parse(open)
	if status, body := post("application/json; charset=utf-8", "http://"+u.Host); status != http.StatusOK {
		t.Errorf("the same site's import: %d %s", status, body)
	}
}
