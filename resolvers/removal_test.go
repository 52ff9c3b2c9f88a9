package resolvers_test

import (
	"encoding/json"
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

type idOnly struct{ ID string }

// readKinds is what every kind of read shows of one entity: node, its typed lookup, a list (and
// its totalCount), search by its title, and a filter or field that reaches it through its links.
type readKinds struct {
	Node   *idOnly
	Lookup *idOnly
	Search struct {
		TotalCount int
		Nodes      []*idOnly
	}
	List *struct {
		TotalCount int
		Nodes      []idOnly
	}
	Filter *struct{ TotalCount int }
	Claims *struct {
		Claims struct{ Nodes []idOnly }
	}
}

func (r readKinds) inSearch(id string) bool {
	return slices.ContainsFunc(r.Search.Nodes, func(n *idOnly) bool { return n != nil && n.ID == id })
}

func (r readKinds) inList(id string) bool {
	return r.List != nil && slices.ContainsFunc(r.List.Nodes, func(n idOnly) bool { return n.ID == id })
}

func (r readKinds) inClaims(id string) bool {
	return r.Claims != nil && slices.ContainsFunc(r.Claims.Claims.Nodes, func(n idOnly) bool { return n.ID == id })
}

func csvExport(t *testing.T, c *client) string {
	t.Helper()
	resp, err := http.Get(c.url + "/export/attacks.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// Every entity type deleted through the API leaves every read that can show it, and restore brings
// it back as it was, its links and what was deleted with it included.
func TestDelete_LeavesEveryReadAndRestoreBringsItBack(t *testing.T) {
	c := MustServer(t, true)
	for _, tc := range []struct {
		typ, id, title string
		lookup, list   string // the lookup field; a list that holds it
		filter         string // a list whose totalCount counts what the entity is linked to
		claimOf        string // for a claim: the attack whose claims list it
	}{
		{typ: "Facility", id: "facility:ain-jalout-school", title: "Ain Jalout School", lookup: "facility",
			list: `facilities(first: 100) { totalCount nodes { id } }`, filter: `attacks(filter: {facilityIds: [$id]}) { totalCount }`},
		{typ: "Place", id: "place:al-ansari", title: "Al-Ansari", lookup: "place",
			list: `places(first: 100) { totalCount nodes { id } }`, filter: `attacks(filter: {placeIds: [$id]}) { totalCount }`},
		{typ: "Actor", id: "actor:russia", title: "Russia", lookup: "actor",
			list: `actors(first: 100) { totalCount nodes { id } }`, filter: `attacks(filter: {actorIds: [$id]}) { totalCount }`},
		{typ: "Source", id: "source:ain-jalout-2014-article", lookup: "source",
			list: `sources(first: 100) { totalCount nodes { id } }`, filter: `attacks(filter: {sourceIds: [$id]}) { totalCount }`},
		{typ: "Event", id: "event:al-abrar-charity-market-2013", lookup: "event"},
		{typ: "Attack", id: "attack:ain-jalout-school-2014-04-30", lookup: "attack",
			list: `attacks(first: 100) { totalCount nodes { id } }`, filter: `attacks(filter: {facilityIds: ["facility:ain-jalout-school"]}) { totalCount }`},
		{typ: "Claim", id: "claim:ain-jalout-2013-perpetrator-profile", lookup: "claim", claimOf: "attack:ain-jalout-school-2013-08-06"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			var title struct{ Node map[string]any }
			c.MustData(`query($id: ID!) { node(id: $id) { ... on Place { name } ... on Actor { name } ... on Facility { name } ... on Event { name }
  ... on Source { title } ... on Attack { title } ... on Claim { text } } }`, map[string]any{"id": tc.id}, &title)
			text := ""
			for _, v := range title.Node {
				text, _ = v.(string)
			}
			if text == "" {
				t.Fatalf("%s not in the seed", tc.id)
			}
			if len(strings.Fields(text)) > 6 {
				text = strings.Join(strings.Fields(text)[:6], " ")
			}
			q := `query($id: ID!, $text: String!, $attack: ID!) { node(id: $id) { id } lookup: ` + tc.lookup + `(id: $id) { id }
  search(query: $text, first: 100) { totalCount nodes { id } }`
			if tc.list != "" {
				q += " list: " + tc.list
			}
			if tc.filter != "" {
				q += " filter: " + tc.filter
			}
			q += ` claims: attack(id: $attack) { claims(first: 100) { nodes { id } } } }`
			vars := map[string]any{"id": tc.id, "text": text, "attack": tc.claimOf}
			if tc.claimOf == "" {
				vars["attack"] = "attack:none"
			}
			read := func() readKinds {
				var r readKinds
				c.MustData(q, vars, &r)
				// Hits of equal rank come in the full-text index's order, which re-indexing a
				// restored entity may change: compared as a set.
				slices.SortFunc(r.Search.Nodes, func(a, b *idOnly) int {
					if a == nil || b == nil {
						return 0
					}
					return strings.Compare(a.ID, b.ID)
				})
				return r
			}
			before := read()
			if before.Node == nil || before.Lookup == nil || !before.inSearch(tc.id) ||
				tc.list != "" && !before.inList(tc.id) || tc.filter != "" && before.Filter.TotalCount == 0 || tc.claimOf != "" && !before.inClaims(tc.id) {
				t.Fatalf("before deleting, %s is not read everywhere: %+v", tc.id, before)
			}
			csv := csvExport(t, c)

			var del struct {
				Payload struct {
					DeletedID   *string
					CascadedIds []string
					UserErrors  []userError
				}
			}
			c.MustData(`mutation($id: ID!) { payload: delete`+tc.typ+`(input: {id: $id, reason: "entered twice"}) { deletedId cascadedIds userErrors { field code message } } }`,
				map[string]any{"id": tc.id}, &del)
			if del.Payload.DeletedID == nil || *del.Payload.DeletedID != tc.id || len(del.Payload.UserErrors) > 0 {
				t.Fatalf("delete: %+v", del.Payload)
			}
			after := read()
			if after.Node != nil || after.Lookup != nil || after.inSearch(tc.id) || after.inList(tc.id) || after.inClaims(tc.id) {
				t.Errorf("after deleting, %s is still read: %+v", tc.id, after)
			}
			if tc.list != "" && after.List.TotalCount != before.List.TotalCount-1 {
				t.Errorf("totalCount %d after deleting, want %d", after.List.TotalCount, before.List.TotalCount-1)
			}
			if tc.filter != "" && after.Filter.TotalCount >= before.Filter.TotalCount {
				t.Errorf("a filter through %s counts %d after deleting, %d before", tc.id, after.Filter.TotalCount, before.Filter.TotalCount)
			}
			if tc.typ == "Attack" && (!strings.Contains(csv, tc.id) || strings.Contains(csvExport(t, c), tc.id)) {
				t.Errorf("the CSV export holds %s before deleting: %v; after: %v", tc.id, strings.Contains(csv, tc.id), strings.Contains(csvExport(t, c), tc.id))
			}
			for _, id := range del.Payload.CascadedIds {
				var n struct{ Node *idOnly }
				c.MustData(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &n)
				if n.Node != nil {
					t.Errorf("%s, deleted with %s, still read", id, tc.id)
				}
			}

			var res struct {
				Restore struct {
					Node        *idOnly
					CascadedIds []string
					UserErrors  []userError
				}
			}
			c.MustData(`mutation($id: ID!) { restore(input: {id: $id, reason: "not a duplicate"}) { node { id } cascadedIds userErrors { field code message } } }`,
				map[string]any{"id": tc.id}, &res)
			if res.Restore.Node == nil || res.Restore.Node.ID != tc.id || !slices.Equal(res.Restore.CascadedIds, del.Payload.CascadedIds) {
				t.Fatalf("restore: %+v, deleted with %v", res.Restore, del.Payload.CascadedIds)
			}
			restored := read()
			b1, _ := json.Marshal(before)
			b2, _ := json.Marshal(restored)
			if string(b1) != string(b2) {
				t.Errorf("after restoring:\n%s\nbefore deleting:\n%s", b2, b1)
			}
			if tc.typ == "Attack" && csvExport(t, c) != csv {
				t.Errorf("the CSV export differs after restoring")
			}
		})
	}
}

// deleted lists what restore can bring back with who deleted it and why; a failed deletion or
// restore is a user error and writes no change record, a successful one exactly one.
func TestDelete_DeletedListAndChangeRecords(t *testing.T) {
	c := MustServer(t, true)
	const id = "attack:ain-jalout-school-2013-08-06"
	u := c.MustUserError(`mutation { deleteAttack(input: {id: "attack:no-such"}) { deletedId userErrors { field code message } } }`, nil, "NOT_FOUND", "input", "id")
	if strings.Contains(u.Message, "MATCH") {
		t.Errorf("message shows Cypher: %s", u.Message)
	}
	c.MustUserError(`mutation { deleteAttack(input: {id: "place:aleppo"}) { deletedId userErrors { field code message } } }`, nil, "INVALID", "input", "id")
	if n := changeCount(t, "attack:no-such"); n != 0 {
		t.Errorf("a failed deletion wrote %d records", n)
	}
	before := changeCount(t, id)
	c.MustMutate(`mutation { deleteAttack(input: {id: "`+id+`", reason: "a duplicate of the UCDP record"}) { deletedId userErrors { message } } }`, nil, new(any))
	if n := changeCount(t, id) - before; n != 1 {
		t.Errorf("a deletion wrote %d records, want 1", n)
	}
	var got struct {
		Deleted struct {
			Nodes []struct {
				ID, Type, Title, DeletedBy string
				DeletedAt                  time.Time
				Reason                     *string
				CascadedIds                []string
			}
		}
	}
	c.MustData(`{ deleted { nodes { id type title deletedAt deletedBy reason cascadedIds } } }`, nil, &got)
	if len(got.Deleted.Nodes) != 1 {
		t.Fatalf("deleted: %+v", got.Deleted.Nodes)
	}
	d := got.Deleted.Nodes[0]
	if d.ID != id || d.Type != "Attack" || d.Title == "" || d.DeletedBy == "" || d.DeletedAt.IsZero() || text(d.Reason) != "a duplicate of the UCDP record" || len(d.CascadedIds) == 0 {
		t.Errorf("deleted item: %+v", d)
	}
	c.MustUserError(`mutation { restore(input: {id: "`+d.CascadedIds[0]+`"}) { userErrors { field code message } } }`, nil, "INVALID", "input", "id")
	c.MustUserError(`mutation { createAttack(input: {id: "`+id+`", title: "Again", date: {start: "2013-08-06"}}) { userErrors { field code message } } }`, nil, "CONFLICT", "input", "id")
	before = changeCount(t, id)
	c.MustMutate(`mutation { restore(input: {id: "`+id+`"}) { userErrors { message } } }`, nil, new(any))
	if n := changeCount(t, id) - before; n != 1 {
		t.Errorf("a restore wrote %d records, want 1", n)
	}
	c.MustUserError(`mutation { restore(input: {id: "`+id+`"}) { userErrors { field code message } } }`, nil, "INVALID", "input", "id")
	if n := changeCount(t, id) - before; n != 1 {
		t.Errorf("a refused restore wrote a record")
	}
	var h struct{ History changePage }
	c.MustData(`{ history(id: "`+id+`", first: 2) { `+changeFields+` } }`, nil, &h)
	if len(h.History.Nodes) != 2 || h.History.Nodes[0].Action != "RESTORE" || h.History.Nodes[1].Action != "DELETE" {
		t.Errorf("history: %+v", h.History.Nodes)
	}
}

// A merge moves every link to the kept entity; the removed id resolves to it through node, nodes,
// the typed lookup and filters, also after a second merge; both histories show it; cycles and an
// entity merged into itself are refused naming the field.
func TestMerge_GraphQL(t *testing.T) {
	c := MustServer(t, true)
	const keep, remove, third = "actor:government-of-syria", "actor:syrian-government", "actor:assad-government"
	for _, id := range []string{keep, third} {
		c.MustMutate(`mutation($id: ID!, $name: String!) { createActor(input: {id: $id, name: $name, kind: GOVERNMENT}) { actor { id } userErrors { message } } }`,
			map[string]any{"id": id, "name": strings.ToUpper(id[6:])}, new(any))
	}
	count := func(id string) int {
		var r struct{ Attacks struct{ TotalCount int } }
		c.MustData(`query($id: ID!) { attacks(filter: {actorIds: [$id]}) { totalCount } }`, map[string]any{"id": id}, &r)
		return r.Attacks.TotalCount
	}
	nKeep, nRemove := count(keep), count(remove)
	if nRemove == 0 {
		t.Fatalf("%s is attributed no attack in the seed", remove)
	}
	var m struct {
		MergeActors struct {
			Actor *struct {
				ID      string
				Aliases []string
			}
			RemovedID *string
		}
	}
	c.MustMutate(`mutation { mergeActors(input: {keep: "`+keep+`", remove: "`+remove+`", reason: "one body"}) { actor { id aliases } removedId userErrors { message } } }`, nil, &m)
	if m.MergeActors.Actor == nil || m.MergeActors.Actor.ID != keep || text(m.MergeActors.RemovedID) != remove || len(m.MergeActors.Actor.Aliases) == 0 {
		t.Fatalf("merge: %+v", m.MergeActors)
	}
	if got := count(keep); got < nKeep || got < nRemove {
		t.Errorf("the kept actor is attributed %d attacks, had %d and the removed one %d", got, nKeep, nRemove)
	}
	if count(remove) != count(keep) {
		t.Errorf("a filter by the removed id counts %d, by the kept one %d", count(remove), count(keep))
	}
	rows := func(id string) int {
		resp, err := http.Get(c.url + "/export/attacks.csv?actorId=" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Count(string(b), "\n")
	}
	if r, k := rows(remove), rows(keep); r != k || k < 2 {
		t.Errorf("the CSV export by the removed id has %d lines, by the kept one %d", r, k)
	}
	var r struct {
		Node  *idOnly
		Nodes []*idOnly
		Actor *idOnly
	}
	c.MustData(`query($id: ID!) { node(id: $id) { id } nodes(ids: [$id, "place:aleppo"]) { id } actor(id: $id) { id } }`, map[string]any{"id": remove}, &r)
	if r.Node == nil || r.Node.ID != keep || r.Actor == nil || r.Actor.ID != keep || len(r.Nodes) != 2 || r.Nodes[0] == nil || r.Nodes[0].ID != keep {
		t.Errorf("the removed id resolves to %+v", r)
	}
	// A second merge: the first removed id now resolves to the third.
	c.MustMutate(`mutation { mergeActors(input: {keep: "`+third+`", remove: "`+keep+`"}) { removedId userErrors { message } } }`, nil, new(any))
	c.MustData(`query($id: ID!) { node(id: $id) { id } nodes(ids: [$id, "place:aleppo"]) { id } actor(id: $id) { id } }`, map[string]any{"id": remove}, &r)
	if r.Node == nil || r.Node.ID != third || r.Actor == nil || r.Actor.ID != third {
		t.Errorf("after a chain of merges the first removed id resolves to %+v, want %s", r, third)
	}
	var h struct {
		History struct {
			Nodes []struct {
				Action, EntityID string
				OtherID          *string
			}
		}
	}
	for _, id := range []string{keep, remove} {
		c.MustData(`query($id: ID!) { history(id: $id) { nodes { action entityId otherId } } }`, map[string]any{"id": id}, &h)
		found := 0
		for _, n := range h.History.Nodes {
			if n.Action == "MERGE" && n.EntityID == remove && text(n.OtherID) == keep {
				found++
			}
		}
		if found != 1 {
			t.Errorf("history of %s shows the merge %d times: %+v", id, found, h.History.Nodes)
		}
	}
	// Refused: a place inside the other (either way), itself, another type.
	c.MustUserError(`mutation { mergePlaces(input: {keep: "place:aleppo", remove: "place:syria"}) { place { id } userErrors { field code message } } }`, nil, "INVALID", "input", "keep")
	c.MustUserError(`mutation { mergePlaces(input: {keep: "place:syria", remove: "place:aleppo"}) { place { id } userErrors { field code message } } }`, nil, "INVALID", "input", "remove")
	c.MustUserError(`mutation { mergePlaces(input: {keep: "place:syria", remove: "place:syria"}) { place { id } userErrors { field code message } } }`, nil, "INVALID", "input", "remove")
	c.MustUserError(`mutation { mergeFacilities(input: {keep: "facility:ain-jalout-school", remove: "place:syria"}) { facility { id } userErrors { field code message } } }`, nil, "INVALID", "input", "remove")
	if n := changeCount(t, "place:aleppo"); n != 0 {
		t.Errorf("refused merges wrote %d records", n)
	}
}

// A viewer may read but neither delete, restore, merge nor list what was deleted.
func TestRemoval_Roles(t *testing.T) {
	MustServer(t, true)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	viewer := neo4jtest.MustAccount(t, store, "reader", athar.RoleViewer, time.Time{})
	editor := neo4jtest.MustAccount(t, store, "amira", athar.RoleEditor, time.Time{})
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store})
	})
	c.header = http.Header{"Authorization": {"Bearer " + viewer}}
	for _, q := range []string{
		`mutation { deleteAttack(input: {id: "attack:ain-jalout-school-2014-04-30"}) { deletedId } }`,
		`mutation { restore(input: {id: "attack:ain-jalout-school-2014-04-30"}) { cascadedIds } }`,
		`mutation { mergeActors(input: {keep: "actor:russia", remove: "actor:syrian-government"}) { removedId } }`,
		`{ deleted { nodes { id } } }`,
	} {
		c.MustError(q, nil, "FORBIDDEN", "")
	}
	var a struct{ Attack *idOnly }
	c.MustData(`{ attack(id: "attack:ain-jalout-school-2014-04-30") { id } }`, nil, &a)
	if a.Attack == nil {
		t.Errorf("a viewer's refused deletion deleted the attack")
	}
	c.header = http.Header{"Authorization": {"Bearer " + editor}}
	c.MustMutate(`mutation { deleteAttack(input: {id: "attack:ain-jalout-school-2014-04-30"}) { deletedId userErrors { message } } }`, nil, new(any))
	var d struct{ Deleted struct{ Nodes []idOnly } }
	c.MustData(`{ deleted { nodes { id } } }`, nil, &d)
	if len(d.Deleted.Nodes) != 1 {
		t.Errorf("an editor's deleted list: %+v", d.Deleted.Nodes)
	}
}
