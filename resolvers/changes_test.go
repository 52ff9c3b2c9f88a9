package resolvers_test

import (
	"bytes"
	"encoding/json"
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

type changeNode struct {
	ID, By, Action, EntityID, EntityType string
	At                                   time.Time
	Before, After, Reason, RequestID     *string
}

type changePage struct {
	Nodes    []changeNode
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
}

const changeFields = `nodes { id at by action entityId entityType before after reason requestId } pageInfo { hasNextPage endCursor }`

func changeCount(tb testing.TB, id string) int64 {
	tb.Helper()
	return neo4jtest.Count(tb, "MATCH (c:Change {entityId: $id}) RETURN count(c) AS n", map[string]any{"id": id})
}

// A mutation that fails leaves no change record; one that succeeds leaves exactly one, written by
// its account, with its reason, its request id and the fields it changed before and after; history
// reads them newest first.
func TestChanges_OneRecordPerMutation(t *testing.T) {
	MustServer(t, true)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	editor := neo4jtest.MustAccount(t, store, "amira", athar.RoleEditor, time.Time{})
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store})
	})
	c.header = http.Header{"Authorization": {"Bearer " + editor}}

	// Bad input: a user error, nothing written, no record.
	r := c.Do(`mutation { createPlace(input: {id: "place:hist", name: "", kind: CITY, reason: "typo"}) { place { id } userErrors { field } } }`, nil)
	if len(r.Errors) > 0 || !bytes.Contains(r.Data, []byte(`"field":["input","name"]`)) {
		t.Fatalf("an empty name: %s %+v", r.Data, r.Errors)
	}
	if n := changeCount(t, "place:hist"); n != 0 {
		t.Fatalf("a failed create left %d change records", n)
	}
	c.MustMutate(`mutation { createPlace(input: {id: "place:hist", name: "Hist", kind: CITY, reason: "from the 2016 report"}) { place { id } } }`, nil, new(any))
	if n := changeCount(t, "place:hist"); n != 1 {
		t.Fatalf("a create left %d change records, want 1", n)
	}
	// An update of an entity that does not exist fails: no record for it.
	r = c.Do(`mutation { updatePlace(input: {id: "place:nosuch", name: "N"}) { place { id } userErrors { code } } }`, nil)
	if !bytes.Contains(r.Data, []byte("NOT_FOUND")) || changeCount(t, "place:nosuch") != 0 {
		t.Fatalf("an update of a missing place: %s; records %d", r.Data, changeCount(t, "place:nosuch"))
	}
	// A failed update of an existing one: no new record.
	r = c.Do(`mutation { updatePlace(input: {id: "place:hist", partOf: "place:nosuch"}) { place { id } userErrors { code } } }`, nil)
	if !bytes.Contains(r.Data, []byte("INVALID")) || changeCount(t, "place:hist") != 1 {
		t.Fatalf("a failed update: %s; records %d, want still 1", r.Data, changeCount(t, "place:hist"))
	}
	c.MustMutate(`mutation { updatePlace(input: {id: "place:hist", name: "Hist Town", reason: "the source's spelling"}) { place { id } } }`, nil, new(any))
	if n := changeCount(t, "place:hist"); n != 2 {
		t.Fatalf("create and update left %d records, want 2", n)
	}

	var got struct{ History changePage }
	c.MustData(`{ history(id: "place:hist") { `+changeFields+` } }`, nil, &got)
	h := got.History.Nodes
	if len(h) != 2 {
		t.Fatalf("history: %+v", h)
	}
	upd, crt := h[0], h[1]
	if upd.Action != "UPDATE" || crt.Action != "CREATE" || !upd.At.After(crt.At) && upd.At != crt.At {
		t.Errorf("not newest first: %+v", h)
	}
	if upd.By != "amira" || upd.EntityType != "Place" || text(upd.Reason) != "the source's spelling" || text(crt.Reason) != "from the 2016 report" {
		t.Errorf("who, what and why: %+v", upd)
	}
	assertJSON(t, "update before", upd.Before, map[string]any{"name": "Hist"})
	assertJSON(t, "update after", upd.After, map[string]any{"name": "Hist Town"})
	if crt.Before != nil {
		t.Errorf("a creation has a before: %q", *crt.Before)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(text(crt.After)), &after); err != nil || after["name"] != "Hist" || after["kind"] != "CITY" {
		t.Errorf("a creation's after: %v %v", text(crt.After), err)
	}
	// The record's request id is the one the answer carried.
	body, _ := json.Marshal(map[string]any{"query": `mutation { updatePlace(input: {id: "place:hist", aliases: ["H"]}) { place { id } } }`})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+editor)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.MustData(`{ history(id: "place:hist", first: 1) { `+changeFields+` } }`, nil, &got)
	if len(got.History.Nodes) != 1 || text(got.History.Nodes[0].RequestID) != resp.Header.Get("X-Request-Id") || !got.History.PageInfo.HasNextPage {
		t.Errorf("the newest record %+v, want request id %q and more after it", got.History, resp.Header.Get("X-Request-Id"))
	}
	// The next page starts after the cursor.
	c.MustData(`query($after: String) { history(id: "place:hist", first: 5, after: $after) { `+changeFields+` } }`, map[string]any{"after": *got.History.PageInfo.EndCursor}, &got)
	if len(got.History.Nodes) != 2 || got.History.Nodes[0].Action != "UPDATE" || got.History.PageInfo.HasNextPage {
		t.Errorf("the second page: %+v", got.History)
	}
}

// changes lists the team's activity for admins, filtered by account and time, newest first; a
// retraction's reason is its record's reason; linking attacks as one incident records each.
func TestChanges_TeamActivity(t *testing.T) {
	MustServer(t, true)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	admin := neo4jtest.MustAccount(t, store, "lead", athar.RoleAdmin, time.Time{})
	editor := neo4jtest.MustAccount(t, store, "amira", athar.RoleEditor, time.Time{})
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store})
	})
	start := time.Now().UTC()
	c.header = http.Header{"Authorization": {"Bearer " + editor}}
	c.MustMutate(`mutation { createPlace(input: {id: "place:team", name: "Team", kind: CITY}) { place { id } } }`, nil, new(any))
	var ids struct {
		Attacks struct{ Nodes []struct{ ID string } }
	}
	c.MustData(`{ attacks(first: 2) { nodes { id } } }`, nil, &ids)
	c.MustMutate(`mutation($a: ID!, $b: ID!) { linkSameIncident(input: {attackIds: [$a, $b], reason: "one strike"}) { userErrors { message } } }`,
		map[string]any{"a": ids.Attacks.Nodes[0].ID, "b": ids.Attacks.Nodes[1].ID}, new(any))
	c.header = http.Header{"Authorization": {"Bearer " + admin}}
	var got struct{ Changes changePage }
	c.MustData(`query($since: Time) { changes(by: "amira", since: $since) { `+changeFields+` } }`, map[string]any{"since": start.Add(-time.Second).Format(time.RFC3339Nano)}, &got)
	if len(got.Changes.Nodes) != 3 {
		t.Fatalf("amira's changes: %+v", got.Changes.Nodes)
	}
	if n := got.Changes.Nodes; n[0].Action != "LINK_SAME_INCIDENT" || text(n[0].Reason) != "one strike" || n[2].EntityID != "place:team" {
		t.Errorf("newest first, with the reason: %+v", n)
	}
	c.MustData(`query($until: Time) { changes(by: "amira", until: $until) { `+changeFields+` } }`, map[string]any{"until": start.Add(-time.Second).Format(time.RFC3339Nano)}, &got)
	if len(got.Changes.Nodes) != 0 {
		t.Errorf("amira's changes before she made any: %+v", got.Changes.Nodes)
	}
	c.MustError(`{ changes(since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z") { nodes { id } } }`, nil, "BAD_USER_INPUT", "until")
	// Records cannot be changed through the API: no mutation takes them.
	c.MustError(`mutation { updateChange(input: {id: "x"}) { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "")
}

func assertJSON(tb testing.TB, what string, got *string, want map[string]any) {
	tb.Helper()
	var m map[string]any
	if got == nil || json.Unmarshal([]byte(*got), &m) != nil {
		tb.Errorf("%s: %v is not a JSON object", what, got)
		return
	}
	g, _ := json.Marshal(m)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		tb.Errorf("%s: %s, want %s", what, g, w)
	}
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// An imported entity's history holds the import batch that wrote it; an update that changes
// nothing writes nothing and records nothing.
func TestChanges_ImportedEntitiesAndNoOpUpdates(t *testing.T) {
	c := MustServer(t, true)
	var got struct{ History changePage }
	c.MustData(`{ history(id: "facility:ain-jalout-school") { `+changeFields+` } }`, nil, &got)
	if h := got.History.Nodes; len(h) != 1 || h[0].Action != "IMPORT" || h[0].EntityID != "bundle" || h[0].By != "local" {
		t.Fatalf("the seeded school's history: %+v", h)
	}
	var updated struct {
		UpdateFacility struct{ Facility struct{ ID string } }
	}
	c.MustMutate(`mutation { updateFacility(input: {id: "facility:ain-jalout-school", type: SCHOOL}) { facility { id } } }`, nil, &updated)
	if updated.UpdateFacility.Facility.ID != "facility:ain-jalout-school" {
		t.Fatalf("a no-op update answered %+v", updated)
	}
	if n := changeCount(t, "facility:ain-jalout-school"); n != 0 {
		t.Errorf("an update that changes nothing left %d records", n)
	}
	c.MustData(`{ history(id: "facility:ain-jalout-school") { `+changeFields+` } }`, nil, &got)
	if len(got.History.Nodes) != 1 {
		t.Errorf("history after a no-op update: %+v", got.History.Nodes)
	}
	// A place of another type's id has no history through the batches.
	c.MustData(`{ history(id: "place:ain-jalout-school") { `+changeFields+` } }`, nil, &got)
	if len(got.History.Nodes) != 0 {
		t.Errorf("a missing entity's history: %+v", got.History.Nodes)
	}
}

// Linking attacks records, for every attack whose group changed (those named and the members of
// the groups merged), the group before and after; unlinking records the attack and every member
// left behind (or set free, when one is left); unlinking an attack in no group records nothing.
func TestChanges_SameIncidentRecordsEveryMember(t *testing.T) {
	c := MustServer(t, true)
	var ids struct {
		Attacks struct{ Nodes []struct{ ID string } }
	}
	c.MustData(`{ attacks(first: 4) { nodes { id } } }`, nil, &ids)
	a, b, d, e := ids.Attacks.Nodes[0].ID, ids.Attacks.Nodes[1].ID, ids.Attacks.Nodes[2].ID, ids.Attacks.Nodes[3].ID
	link := func(x, y string) {
		c.MustMutate(`mutation($a: ID!, $b: ID!) { linkSameIncident(input: {attackIds: [$a, $b]}) { userErrors { message } } }`,
			map[string]any{"a": x, "b": y}, new(any))
	}
	newest := func(id string) changeNode {
		var got struct{ History changePage }
		c.MustData(`query($id: ID!) { history(id: $id, first: 1) { `+changeFields+` } }`, map[string]any{"id": id}, &got)
		if len(got.History.Nodes) != 1 {
			t.Fatalf("%s has no record", id)
		}
		return got.History.Nodes[0]
	}
	// group is the group of the attack self as its record holds it: the others, sorted.
	group := func(self string, ids ...string) map[string]any {
		out := []any{}
		for _, id := range ids {
			if id != self {
				out = append(out, id)
			}
		}
		slices.SortFunc(out, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
		return map[string]any{"sameIncident": out}
	}
	link(a, b)
	link(d, e)
	link(a, d) // merges {a,b} and {d,e}: b and e are not named, their groups change too
	for _, id := range []string{a, b, d, e} {
		if n := changeCount(t, id); n != 2 {
			t.Errorf("%s has %d records after two links, want 2", id, n)
		}
		r := newest(id)
		if r.Action != "LINK_SAME_INCIDENT" {
			t.Errorf("%s's newest record: %+v", id, r)
		}
		assertJSON(t, id+" after", r.After, group(id, a, b, d, e))
	}
	assertJSON(t, "b before the merge", newest(b).Before, group(b, a, b))
	assertJSON(t, "e before the merge", newest(e).Before, group(e, d, e))

	c.MustMutate(`mutation($a: ID!) { unlinkSameIncident(input: {attackId: $a}) { userErrors { message } } }`, map[string]any{"a": a}, new(any))
	assertJSON(t, "the unlinked attack after", newest(a).After, group(a))
	for _, id := range []string{b, d, e} {
		r := newest(id)
		if r.Action != "UNLINK_SAME_INCIDENT" {
			t.Errorf("%s's newest record: %+v", id, r)
		}
		assertJSON(t, id+" before the unlink", r.Before, group(id, a, b, d, e))
		assertJSON(t, id+" after the unlink", r.After, group(id, b, d, e))
	}
	before := changeCount(t, a)
	c.MustMutate(`mutation($a: ID!) { unlinkSameIncident(input: {attackId: $a}) { userErrors { message } } }`, map[string]any{"a": a}, new(any))
	if n := changeCount(t, a); n != before {
		t.Errorf("unlinking an attack in no group left %d new records", n-before)
	}
}
