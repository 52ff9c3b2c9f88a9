package resolvers_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
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

// accessServer serves the leak table's graph with accounts at each clearance (tokens by name:
// editor-public, editor-restricted, admin, viewer-restricted) and POST /import.
func accessServer(t *testing.T) (*client, map[string]string) {
	t.Helper()
	store := neo4jtest.MustStore(t)
	if _, err := store.Import(context.Background(), leakBundle(athar.ClearanceConfidential, false), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"editor-public":     neo4jtest.MustAccountCleared(t, store, "editor-public", athar.RoleEditor, athar.ClearancePublic, time.Time{}),
		"editor-restricted": neo4jtest.MustAccountCleared(t, store, "editor-restricted", athar.RoleEditor, athar.ClearanceRestricted, time.Time{}),
		"admin":             neo4jtest.MustAccountCleared(t, store, "admin", athar.RoleAdmin, athar.ClearanceConfidential, time.Time{}),
		"viewer-restricted": neo4jtest.MustAccountCleared(t, store, "viewer-restricted", athar.RoleViewer, athar.ClearanceRestricted, time.Time{}),
		"viewer-public":     neo4jtest.MustAccountCleared(t, store, "viewer-public", athar.RoleViewer, athar.ClearancePublic, time.Time{}),
	}
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store})
		web.Import = func(ctx context.Context, b *athar.Bundle, dryRun bool) (any, error) {
			return store.Import(ctx, b, neo4jstore.ImportOptions{DryRun: dryRun})
		}
	})
	return c, tokens
}

func (c *client) as(token string) *client {
	return &client{tb: c.tb, url: c.url, header: http.Header{"Authorization": {"Bearer " + token}}}
}

// An editor writes no material above their clearance (a user error naming accessLevel, nothing
// written), and a source or claim above it is, to their mutations, an id that does not exist:
// the same answer, word for word, as an unknown id's.
func TestAccessLevels_WritesStayWithinTheClearance(t *testing.T) {
	srv, tokens := accessServer(t)
	public, restricted := srv.as(tokens["editor-public"]), srv.as(tokens["editor-restricted"])

	create := `mutation($level: AccessLevel!) { createSource(input: {id: "source:new-file", title: "New file", kind: OTHER, accessLevel: $level}) {
	  source { id accessLevel } userErrors { field code message } } }`
	public.MustUserError(create, map[string]any{"level": "RESTRICTED"}, "INVALID", "input", "accessLevel")
	if n := neo4jtest.Count(t, "MATCH (s:Source {id: 'source:new-file'}) RETURN count(s) AS n", nil); n != 0 {
		t.Fatal("a source above its writer's clearance was written")
	}
	restricted.MustUserError(create, map[string]any{"level": "CONFIDENTIAL"}, "INVALID", "input", "accessLevel")
	var made struct {
		CreateSource struct {
			Source struct{ ID, AccessLevel string }
		}
	}
	restricted.MustMutate(create, map[string]any{"level": "RESTRICTED"}, &made)
	if made.CreateSource.Source.AccessLevel != "RESTRICTED" {
		t.Errorf("createSource answered %+v", made)
	}
	var read struct{ Source *struct{ ID string } }
	public.MustData(`{ source(id: "source:new-file") { id } }`, nil, &read)
	if read.Source != nil {
		t.Errorf("a public editor reads a restricted source: %+v", read)
	}

	// Hidden ids answer as unknown ones.
	update := `mutation($id: ID!) { updateClaim(input: {id: $id, text: "changed"}) { claim { id } userErrors { field code message } } }`
	hidden := public.MustUserErrors(update, map[string]any{"id": "claim:leak-res-cas"})[0]
	unknown := public.MustUserErrors(update, map[string]any{"id": "claim:leak-nosuch"})[0]
	if hidden.Code != "NOT_FOUND" || hidden.Code != unknown.Code || strings.ReplaceAll(hidden.Message, "leak-res-cas", "leak-nosuch") != unknown.Message {
		t.Errorf("an update of a hidden claim: %+v; of an unknown one: %+v", hidden, unknown)
	}
	if n := neo4jtest.Count(t, "MATCH (c:Claim {id: 'claim:leak-res-cas'}) WHERE c.text = 'changed' RETURN count(c) AS n", nil); n != 0 {
		t.Fatal("a public editor changed a restricted claim")
	}
	add := `mutation($source: ID!) { addClaim(input: {attackId: "attack:leak-a", sourceId: $source, kind: NARRATIVE, text: "t", quote: "q"}) {
	  claim { id } userErrors { field code message } } }`
	hidden = public.MustUserErrors(add, map[string]any{"source": "source:leak-confidential"})[0]
	unknown = public.MustUserErrors(add, map[string]any{"source": "source:leak-nosuch"})[0]
	if hidden.Code != unknown.Code || strings.Join(hidden.Field, ".") != strings.Join(unknown.Field, ".") ||
		strings.ReplaceAll(hidden.Message, "leak-confidential", "leak-nosuch") != unknown.Message {
		t.Errorf("a claim in a hidden source: %+v; in an unknown one: %+v", hidden, unknown)
	}
	cite := `mutation($id: ID!) { updateSource(input: {id: "source:leak-public", cites: [$id]}) { source { id } userErrors { field code message } } }`
	hidden = public.MustUserErrors(cite, map[string]any{"id": "source:leak-restricted"})[0]
	unknown = public.MustUserErrors(cite, map[string]any{"id": "source:leak-nosuch"})[0]
	if strings.ReplaceAll(hidden.Message, "leak-restricted", "leak-nosuch") != unknown.Message {
		t.Errorf("citing a hidden source: %+v; an unknown one: %+v", hidden, unknown)
	}
	// A new list of citations replaces those the writer sees, and keeps those they do not.
	var cited struct {
		UpdateSource struct {
			Source struct{ Cites []struct{ ID string } }
		}
	}
	public.MustMutate(`mutation { updateSource(input: {id: "source:leak-public", cites: ["source:leak-second"]}) { source { cites { id } } userErrors { field message } } }`, nil, &cited)
	if c := cited.UpdateSource.Source.Cites; len(c) != 1 || c[0].ID != "source:leak-second" {
		t.Errorf("the payload cites %+v", c)
	}
	if n := neo4jtest.Count(t, "MATCH (:Source {id: 'source:leak-public'})-[:CITES]->(s:Source) RETURN count(s) AS n", nil); n != 3 {
		t.Errorf("the source cites %d sources, want the new one and the two hidden ones", n)
	}
}

// A source's change of level carries its claims with it, in the same transaction: casualty
// figures, attributions and lists follow at once.
func TestAccessLevels_ASourceLevelReranksItsClaims(t *testing.T) {
	srv, tokens := accessServer(t)
	admin, viewer := srv.as(tokens["admin"]), srv.as(tokens["viewer-public"])
	const q = `{ claim(id: "claim:leak-pub-perp") { id accessLevel } attack(id: "attack:leak-a") { casualties { killed { low high claims } } attributions { actor { id } } } }`
	var before, after, restored struct {
		Claim  *struct{ ID, AccessLevel string }
		Attack struct {
			Casualties struct {
				Killed struct{ Low, High, Claims int }
			}
			Attributions []struct{ Actor struct{ ID string } }
		}
	}
	viewer.MustData(q, nil, &before)
	if before.Claim == nil || before.Claim.AccessLevel != "PUBLIC" || len(before.Attack.Attributions) != 1 || before.Attack.Casualties.Killed.Claims != 2 {
		t.Fatalf("before: %+v", before)
	}
	level := `mutation($level: AccessLevel!) { updateSource(input: {id: "source:leak-second", accessLevel: $level, reason: "shared under agreement"}) { source { accessLevel } userErrors { field message } } }`
	admin.MustMutate(level, map[string]any{"level": "RESTRICTED"}, new(any))
	viewer.MustData(q, nil, &after)
	if after.Claim != nil || len(after.Attack.Attributions) != 0 || after.Attack.Casualties.Killed.Claims != 1 || after.Attack.Casualties.Killed.High != 5 {
		t.Errorf("after the source became restricted, a public reader reads %+v", after)
	}
	var r struct {
		Claim *struct{ ID, AccessLevel string }
	}
	srv.as(tokens["viewer-restricted"]).MustData(`{ claim(id: "claim:leak-pub-perp") { id accessLevel } }`, nil, &r)
	if r.Claim == nil || r.Claim.AccessLevel != "RESTRICTED" {
		t.Errorf("a restricted reader reads %+v, want the claim at its source's level", r)
	}
	if n := neo4jtest.Count(t, "MATCH (c:Claim {id: 'claim:leak-pub-perp'}) WHERE coalesce(c.accessLevel, 'PUBLIC') = 'PUBLIC' AND c.accessRank = 1 RETURN count(c) AS n", nil); n != 1 {
		t.Error("the claim's own level changed, or its rank did not")
	}
	admin.MustMutate(level, map[string]any{"level": "PUBLIC"}, new(any))
	viewer.MustData(q, nil, &restored)
	if restored.Claim == nil || len(restored.Attack.Attributions) != 1 || restored.Attack.Casualties != before.Attack.Casualties {
		t.Errorf("after the source became public again: %+v, want %+v", restored, before)
	}
}

// An editor's import refuses each record above their clearance, naming the record and the field,
// and a record with the id of hidden material, and writes nothing.
func TestAccessLevels_ImportsStayWithinTheClearance(t *testing.T) {
	srv, tokens := accessServer(t)
	post := func(token, bundle string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.url+"/import", strings.NewReader(bundle))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	above := `{"format":"athar-bundle","version":2,"sources":[{"id":"source:imported","title":"Imported","kind":"NEWS","accessLevel":"RESTRICTED"}]}`
	if status, body := post(tokens["editor-public"], above); status != http.StatusBadRequest || !strings.Contains(body, `"parameter":"sources[0].accessLevel"`) {
		t.Errorf("an import above the clearance: %d %s", status, body)
	}
	if n := neo4jtest.Count(t, "MATCH (s:Source {id: 'source:imported'}) RETURN count(s) AS n", nil); n != 0 {
		t.Error("the refused import wrote")
	}
	over := `{"format":"athar-bundle","version":2,"sources":[{"id":"source:leak-confidential","title":"Mine now","kind":"NEWS"}]}`
	if status, body := post(tokens["editor-restricted"], over); status != http.StatusBadRequest || !strings.Contains(body, "already exists") {
		t.Errorf("an import over hidden material: %d %s", status, body)
	}
	if n := neo4jtest.Count(t, "MATCH (s:Source {id: 'source:leak-confidential'}) WHERE s.accessLevel = 'CONFIDENTIAL' AND s.accessRank = 2 RETURN count(s) AS n", nil); n != 1 {
		t.Error("an import by a restricted editor changed a confidential source")
	}
	if status, body := post(tokens["editor-restricted"], above); status != http.StatusOK {
		t.Errorf("an import at the clearance: %d %s", status, body)
	}
	// A record of an existing source or claim keeps what its importer may not see: citations of
	// hidden sources, and, below the identities clearance, the author and protectedText.
	again := `{"format":"athar-bundle","version":2,"sources":[{"id":"source:leak-public","title":"Public report on Leak, revised","kind":"NEWS","cites":["source:leak-second"]}],
	  "claims":[{"id":"claim:leak-pub-protected","attackId":"attack:leak-b","sourceId":"source:leak-public","kind":"NARRATIVE","text":"A witness saw it, revised","quote":"a witness saw the second strike"}]}`
	if status, body := post(tokens["editor-public"], again); status != http.StatusOK {
		t.Fatalf("a public editor's import of public records: %d %s", status, body)
	}
	if n := neo4jtest.Count(t, `MATCH (s:Source {id: 'source:leak-public', title: 'Public report on Leak, revised', author: 'Pubelauthor'})
	  RETURN COUNT { (s)-[:CITES]->() } AS n`, nil); n != 3 {
		t.Errorf("after the import the source cites %d sources (or lost its author), want the new one and the two hidden ones", n)
	}
	if n := neo4jtest.Count(t, "MATCH (c:Claim {id: 'claim:leak-pub-protected', text: 'A witness saw it, revised', protectedText: 'Witnessmarkpub Samir'}) RETURN count(c) AS n", nil); n != 1 {
		t.Error("the import erased the claim's protectedText, which its importer may not read")
	}
}

// What identifies people is shown from the configured clearance (ATHAR_IDENTITIES_CLEARANCE) on.
func TestAccessLevels_IdentitiesFollowTheirClearance(t *testing.T) {
	srv, tokens := accessServer(t)
	const q = `{ source(id: "source:leak-public") { author } claim(id: "claim:leak-pub-protected") { protectedText } }`
	read := func(token string) (author, text *string) {
		var got struct {
			Source struct{ Author *string }
			Claim  struct{ ProtectedText *string }
		}
		srv.as(token).MustData(q, nil, &got)
		return got.Source.Author, got.Claim.ProtectedText
	}
	if a, p := read(tokens["viewer-public"]); a != nil || p != nil {
		t.Errorf("a public reader reads author %v, protectedText %v", a, p)
	}
	if a, p := read(tokens["viewer-restricted"]); a == nil || *a != "Pubelauthor" || p == nil || *p != "Witnessmarkpub Samir" {
		t.Errorf("a restricted reader reads author %v, protectedText %v", a, p)
	}
	if err := athar.SetIdentitiesClearance("test", athar.ClearanceConfidential); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = athar.SetIdentitiesClearance("test", athar.DefaultIdentitiesClearance) })
	if a, p := read(tokens["viewer-restricted"]); a != nil || p != nil {
		t.Errorf("with identities at confidential, a restricted reader reads author %v, protectedText %v", a, p)
	}
	if a, _ := read(tokens["admin"]); a == nil {
		t.Error("a confidential reader does not read the author")
	}
	var e *athar.Error
	if err := athar.SetIdentitiesClearance("ATHAR_IDENTITIES_CLEARANCE", "secret"); !errors.As(err, &e) || e.Field != "ATHAR_IDENTITIES_CLEARANCE" {
		t.Errorf("a clearance that is none: %v", err)
	}
}

// Deleting, restoring and merging stay within the writer's clearance: a source or claim above it,
// live or deleted, is an id that does not exist, word for word; sources of different levels are
// not merged; a deleted claim leaves its level's search and comes back to it when restored.
func TestAccessLevels_RemovalStaysWithinTheClearance(t *testing.T) {
	srv, tokens := accessServer(t)
	public, admin := srv.as(tokens["editor-public"]), srv.as(tokens["admin"])
	same := func(what string, hidden, unknown userError, hiddenID, unknownID string) {
		t.Helper()
		if hidden.Code != unknown.Code || strings.Join(hidden.Field, ".") != strings.Join(unknown.Field, ".") ||
			strings.ReplaceAll(hidden.Message, hiddenID, unknownID) != unknown.Message {
			t.Errorf("%s: hidden %+v, unknown %+v", what, hidden, unknown)
		}
	}
	del := `mutation($id: ID!) { deleteClaim(input: {id: $id}) { deletedId userErrors { field code message } } }`
	same("deleting a hidden claim", public.MustUserErrors(del, map[string]any{"id": "claim:leak-res-cas"})[0],
		public.MustUserErrors(del, map[string]any{"id": "claim:leak-nosuch"})[0], "leak-res-cas", "leak-nosuch")
	if n := neo4jtest.Count(t, "MATCH (c:Claim {id: 'claim:leak-res-cas'}) RETURN count(c) AS n", nil); n != 1 {
		t.Fatal("a public editor deleted a restricted claim")
	}
	// Deleted by an admin: still unknown to the public editor, in restore, the list and errors.
	admin.MustMutate(del, map[string]any{"id": "claim:leak-res-cas"}, new(any))
	restore := `mutation($id: ID!) { restore(input: {id: $id}) { node { id } userErrors { field code message } } }`
	same("restoring a hidden deleted claim", public.MustUserErrors(restore, map[string]any{"id": "claim:leak-res-cas"})[0],
		public.MustUserErrors(restore, map[string]any{"id": "claim:leak-nosuch"})[0], "leak-res-cas", "leak-nosuch")
	same("deleting a hidden deleted claim", public.MustUserErrors(del, map[string]any{"id": "claim:leak-res-cas"})[0],
		public.MustUserErrors(del, map[string]any{"id": "claim:leak-nosuch"})[0], "leak-res-cas", "leak-nosuch")
	var list struct {
		Deleted struct{ Nodes []struct{ ID string } }
	}
	public.MustData(`{ deleted(first: 50) { nodes { id } } }`, nil, &list)
	if len(list.Deleted.Nodes) != 0 {
		t.Errorf("a public editor lists %+v as deleted", list.Deleted.Nodes)
	}
	admin.MustData(`{ deleted(first: 50) { nodes { id } } }`, nil, &list)
	if len(list.Deleted.Nodes) != 1 || list.Deleted.Nodes[0].ID != "claim:leak-res-cas" {
		t.Errorf("an admin lists %+v as deleted", list.Deleted.Nodes)
	}
	// Merging: a hidden source is unknown; sources of different levels are refused.
	merge := `mutation($keep: ID!, $remove: ID!) { mergeSources(input: {keep: $keep, remove: $remove}) { source { id } userErrors { field code message } } }`
	same("merging a hidden source", public.MustUserErrors(merge, map[string]any{"keep": "source:leak-public", "remove": "source:leak-restricted"})[0],
		public.MustUserErrors(merge, map[string]any{"keep": "source:leak-public", "remove": "source:leak-nosuch"})[0], "leak-restricted", "leak-nosuch")
	admin.MustUserError(merge, map[string]any{"keep": "source:leak-public", "remove": "source:leak-restricted"}, "INVALID", "input", "remove")
	// A public claim deleted leaves the public search; restored, it is found again.
	search := func() int {
		var s struct{ Search struct{ TotalCount int } }
		public.MustData(`{ search(query: "witness saw the second strike", first: 5) { totalCount } }`, nil, &s)
		return s.Search.TotalCount
	}
	if search() == 0 {
		t.Fatal("the public claim is not found before its deletion")
	}
	public.MustMutate(del, map[string]any{"id": "claim:leak-pub-protected"}, new(any))
	if n := search(); n != 0 {
		t.Errorf("a deleted claim is still found (%d hits)", n)
	}
	public.MustMutate(restore, map[string]any{"id": "claim:leak-pub-protected"}, new(any))
	if search() == 0 {
		t.Error("a restored public claim is not found by a public reader")
	}
	if n := neo4jtest.Count(t, "MATCH (c:Claim:ReadPublic:ReadRestricted {id: 'claim:leak-pub-protected'}) RETURN count(c) AS n", nil); n != 1 {
		t.Error("the restored claim has not its readers' labels again")
	}
}

// An imported entity's history holds its import batch for readers cleared to confidential only:
// the batch's counts take in records of every level.
func TestAccessLevels_ImportRecordsOnlyForConfidential(t *testing.T) {
	srv, tokens := accessServer(t)
	q := `{ history(id: "source:leak-public") { nodes { action } } }`
	for name, want := range map[string]bool{"viewer-public": false, "viewer-restricted": false, "admin": true} {
		var h struct {
			History struct{ Nodes []struct{ Action string } }
		}
		srv.as(tokens[name]).MustData(q, nil, &h)
		got := slices.ContainsFunc(h.History.Nodes, func(n struct{ Action string }) bool { return n.Action == "IMPORT" })
		if got != want {
			t.Errorf("%s reads the import batch in the history: %v, want %v (%+v)", name, got, want, h.History.Nodes)
		}
	}
}

// A change a reader cannot see any of (a hidden citation added, then taken away; an author below
// the identities clearance) is not in their history: it would tell them that something hidden
// changed.
func TestAccessLevels_HistoryHoldsNoUnseenChange(t *testing.T) {
	srv, tokens := accessServer(t)
	admin, viewer := srv.as(tokens["admin"]), srv.as(tokens["viewer-public"])
	update := func(input string) {
		admin.MustMutate(`mutation { updateSource(input: `+input+`) { source { id } userErrors { field message } } }`, nil, new(any))
	}
	update(`{id: "source:leak-second", cites: []}`)
	update(`{id: "source:leak-second", cites: ["source:leak-confidential"]}`)
	update(`{id: "source:leak-second", author: "Newauthormark"}`)
	update(`{id: "source:leak-second", title: "Second public report, retitled"}`)
	var h struct {
		History struct {
			Nodes []struct{ Action, Before, After string }
		}
	}
	viewer.MustData(`{ history(id: "source:leak-second") { nodes { action before after } } }`, nil, &h)
	if len(h.History.Nodes) != 1 || !strings.Contains(h.History.Nodes[0].After, "retitled") {
		t.Errorf("a public viewer's history of the source: %+v, want only the retitling", h.History.Nodes)
	}
	admin.MustData(`{ history(id: "source:leak-second") { nodes { action before after } } }`, nil, &h)
	if n := len(h.History.Nodes); n < 4 {
		t.Errorf("an admin's history of the source has %d records, want the four updates", n)
	}
}
