package resolvers_test

// The leak table: every root Query field, with the filters that can probe hidden material, and
// every export over HTTP, run by readers at each clearance over a graph that holds material at
// every access level. It covers these paths:
//
//   - by id: facility, attack, actor, source, place, event, claim, dataset, node, nodes; the hidden
//     ids of sources and claims answer null, as unknown ids do, and so does an attack only a
//     confidential claim tells of (attack:leak-covert)
//   - lists and their totalCount: attacks (no filter; sourceIds naming each source; text naming each
//     marker word; minKilled above and between the hidden figures; actorIds naming the actor only a
//     confidential claim names; dateRange; KILLED_DESC and KILLED_ASC), facilities, actors, sources
//     (text on each marker), places, datasets
//   - nested lists and link maps: Attack.claims, casualties (low, high, claims, sources,
//     independentSources), attributions, sources; Source.cites, citedBy, claims, author; Claim.source,
//     names, accessLevel, protectedText; Actor.statements, namedIn, published; Facility.attacks;
//     Place.attacks; Day, Month and Year attacks
//   - search on each marker word (hits, totalCount, the order of hits)
//   - timeline (by day and month, with sourceIds and minKilled), repeatedlyTargeted (with sourceIds),
//     nearby, graph (from an attack, a visible source and the actor), attacksGeoJSON (with the filters
//     above), possibleDuplicates, datasetOverlap, attackClusters, history (of each source and claim),
//     changes, accounts
//   - deletion: a claim of each level is deleted (leakEdits); the deleted list, node, history and
//     search of those claims
//   - exports over HTTP: /export/attacks.csv and /export/attacks.geojson, with no filter, sourceIds,
//     minKilled and text
//
// Each is checked two ways for each clearance L (public, restricted, confidential; anonymous public
// reading besides): (1) differentially, the answer of a reader cleared to L over the whole graph
// equals the answer of a fully cleared reader over a graph imported from the same bundle less the
// material above L (and less what identifies people, below ATHAR_IDENTITIES_CLEARANCE); (2)
// directly, no marker word, hidden id or hidden figure appears anywhere in the answer. Search
// scores are left out of the differential comparison only (the order of hits is compared): Lucene
// counts deleted documents of earlier tests in its statistics, so two databases never score alike;
// that each level's search reads an index of its own is checked in the store's plan tests.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// leakMaterial is material at one access level and what would betray it: ids, marker words and
// figures that appear nowhere else.
type leakMaterial struct {
	level   athar.AccessLevel
	tells   []string
	records []athar.Entity
}

// identityTells are the words of Source.author and Claim.protectedText: shown only at or above the
// identities clearance.
var identityTells = []string{"Pubelauthor", "Witnessmarkpub", "Hirsaqauthor", "Witnessmarkres"}

func rng(low, high int) *athar.Range { return &athar.Range{Low: &low, High: &high} }

// leakGraph is the graph of the leak table: shared entities (visible to all) and material at
// each level. The confidential claim is the only one that names actor:leak-ghostgroup as the
// perpetrator; the restricted and confidential casualty figures (4111 to 4777, 9133) are far
// above the public ones (3 to 5).
func leakGraph() (shared []athar.Entity, levels []leakMaterial) {
	date := func(s string) athar.Date { d, _ := athar.ParseDate(s, "", ""); return d }
	d1, d2 := date("2015-03-01"), date("2015-03-03")
	shared = []athar.Entity{
		&athar.Place{ID: "place:leak-city", Name: "Leak City", Kind: "CITY", Location: &athar.Location{Latitude: 36.2, Longitude: 37.1, Precision: "CENTROID"}},
		&athar.Facility{ID: "facility:leak-school", Name: "Leak School", Type: "SCHOOL", PlaceID: "place:leak-city",
			Location: &athar.Location{Latitude: 36.21, Longitude: 37.11, Precision: "EXACT"}},
		&athar.Actor{ID: "actor:leak-army", Name: "Leak Army", Kind: "STATE_FORCE"},
		&athar.Actor{ID: "actor:leak-ghostgroup", Name: "Ghostgroup", Kind: "ARMED_GROUP"},
		&athar.Event{ID: "event:leak-siege", Name: "Leak siege", Kind: "SIEGE", PlaceIDs: []string{"place:leak-city"}},
		&athar.Attack{ID: "attack:leak-a", Title: "Strike on Leak School", Date: d1, FacilityIDs: []string{"facility:leak-school"},
			PlaceIDs: []string{"place:leak-city"}, DuringEventIDs: []string{"event:leak-siege"}},
		&athar.Attack{ID: "attack:leak-b", Title: "Second strike on Leak School", Date: d2, FacilityIDs: []string{"facility:leak-school"},
			PlaceIDs: []string{"place:leak-city"}},
		&athar.Attack{ID: "attack:leak-c", Title: "Shelling of Leak City", Date: d2, PlaceIDs: []string{"place:leak-city"},
			Location: &athar.Location{Latitude: 36.25, Longitude: 37.15, Precision: "APPROXIMATE"}},
		&athar.Source{ID: "source:leak-public", Title: "Public report on Leak", Kind: "NEWS", Author: "Pubelauthor",
			AccessLevel: athar.Public, Cites: []string{"source:leak-restricted", "source:leak-confidential"}},
		&athar.Source{ID: "source:leak-second", Title: "Second public report", Kind: "NGO_REPORT", AccessLevel: athar.Public,
			Cites: []string{"source:leak-confidential"}},
		&athar.Claim{ID: "claim:leak-pub-cas", AttackID: "attack:leak-a", SourceID: "source:leak-public", Kind: "CASUALTIES",
			Text: "Three to five were killed", Quote: "three to five people were killed", Killed: rng(3, 5)},
		&athar.Claim{ID: "claim:leak-pub-perp", AttackID: "attack:leak-a", SourceID: "source:leak-second", Kind: "PERPETRATOR",
			Text: "The army struck", Quote: "the army struck the school", Names: []string{"actor:leak-army"}, Killed: rng(4, 4)},
		&athar.Claim{ID: "claim:leak-pub-protected", AttackID: "attack:leak-b", SourceID: "source:leak-public", Kind: "NARRATIVE",
			Text: "A witness saw it", Quote: "a witness saw the second strike", ProtectedText: "Witnessmarkpub Samir"},
		// Deleted by leakEdits, as the claims leak-res-gone and leak-conf-gone are.
		&athar.Claim{ID: "claim:leak-pub-gone", AttackID: "attack:leak-b", SourceID: "source:leak-second", Kind: "NARRATIVE",
			Text: "Entered by mistake", Quote: "a mistaken entry"},
	}
	levels = []leakMaterial{
		{level: athar.Restricted, tells: []string{"source:leak-restricted", "claim:leak-res-cas", "claim:leak-res-own", "claim:leak-lowered", "claim:leak-res-gone",
			"qorvexrestr", "4111", "4777", "7719", "lowermark", "Hirsaqauthor", "Witnessmarkres"}, records: []athar.Entity{
			&athar.Source{ID: "source:leak-restricted", Title: "Restricted testimony qorvexrestr", Kind: "TESTIMONY", Author: "Hirsaqauthor",
				AccessLevel: athar.Restricted, Cites: []string{"source:leak-confidential", "source:leak-second"}},
			&athar.Claim{ID: "claim:leak-res-cas", AttackID: "attack:leak-a", SourceID: "source:leak-restricted", Kind: "CASUALTIES",
				Text: "Many were killed qorvexrestr", Quote: "qorvexrestr counted the dead", Killed: rng(4111, 4777)},
			&athar.Claim{ID: "claim:leak-res-own", AttackID: "attack:leak-c", SourceID: "source:leak-public", Kind: "CASUALTIES",
				AccessLevel: athar.Restricted, Text: "Seven thousand qorvexrestr", Quote: "qorvexrestr says 7719", Killed: rng(7719, 7719),
				ProtectedText: "Witnessmarkres Hana"},
			// Given PUBLIC in a restricted source: read at its source's level.
			&athar.Claim{ID: "claim:leak-lowered", AttackID: "attack:leak-b", SourceID: "source:leak-restricted", Kind: "WEAPON",
				AccessLevel: athar.Public, Text: "A barrel bomb lowermark", Quote: "lowermark barrel bomb", Weapons: []athar.Weapon{"BARREL_BOMB"}},
			&athar.Claim{ID: "claim:leak-res-gone", AttackID: "attack:leak-c", SourceID: "source:leak-restricted", Kind: "NARRATIVE",
				Text: "Deleted qorvexrestr", Quote: "qorvexrestr mistaken entry"},
		}},
		{level: athar.Confidential, tells: []string{"source:leak-confidential", "claim:leak-conf-cas", "claim:leak-conf-perp", "claim:leak-conf-gone",
			"attack:leak-covert", "claim:leak-conf-covert", "zelquorconf", "6011",
			"xanthicconf", "vormelconf", "9133"}, records: []athar.Entity{
			&athar.Source{ID: "source:leak-confidential", Title: "Confidential file xanthicconf", Kind: "OTHER", Author: "Confauthor",
				AccessLevel: athar.Confidential, Description: "xanthicconf field notes"},
			&athar.Claim{ID: "claim:leak-conf-cas", AttackID: "attack:leak-a", SourceID: "source:leak-confidential", Kind: "CASUALTIES",
				Text: "xanthicconf toll", Quote: "xanthicconf 9133 dead", Killed: rng(9133, 9133)},
			// Its own level above its public source's.
			&athar.Claim{ID: "claim:leak-conf-perp", AttackID: "attack:leak-b", SourceID: "source:leak-second", Kind: "PERPETRATOR",
				AccessLevel: athar.Confidential, Text: "Ghostgroup did it vormelconf", Quote: "vormelconf blames them",
				Names: []string{"actor:leak-ghostgroup"}},
			&athar.Claim{ID: "claim:leak-conf-gone", AttackID: "attack:leak-c", SourceID: "source:leak-confidential", Kind: "NARRATIVE",
				Text: "Deleted xanthicconf", Quote: "xanthicconf mistaken entry"},
			// An attack only a confidential claim tells of: hidden with it, wherever attacks are
			// read (the school's attacks, the city's, the day's, the siege's, the map, the exports).
			&athar.Attack{ID: "attack:leak-covert", Title: "Covert strike zelquorconf", Date: date("2015-03-01"),
				FacilityIDs: []string{"facility:leak-school"}, PlaceIDs: []string{"place:leak-city"},
				DuringEventIDs: []string{"event:leak-siege"}, Weapons: []athar.Weapon{"MISSILE"},
				Location: &athar.Location{Latitude: 36.23, Longitude: 37.13, Precision: "EXACT"}},
			&athar.Claim{ID: "claim:leak-conf-covert", AttackID: "attack:leak-covert", SourceID: "source:leak-second", Kind: "CASUALTIES",
				AccessLevel: athar.Confidential, Text: "zelquorconf count", Quote: "zelquorconf 6011 dead", Killed: rng(6011, 6011)},
		}},
	}
	return shared, levels
}

// leakBundle is the bundle of the material a reader cleared to c may read: every shared record and
// the material at or below c, citations of material above it dropped, and (redact) without what
// identifies people.
func leakBundle(c athar.Clearance, redact bool) *athar.Bundle {
	shared, levels := leakGraph()
	all := slices.Clone(shared)
	hidden := map[string]bool{}
	for _, m := range levels {
		if c.Allows(m.level) {
			all = append(all, m.records...)
			continue
		}
		for _, e := range m.records {
			hidden[e.EntityID()] = true
		}
	}
	// An attack is read at the lowest level of its claims (those leakEdits leaves): one that only
	// hidden claims tell of is hidden with them.
	tellers, shown := map[string]int{}, map[string]int{}
	for _, m := range append([]leakMaterial{{level: athar.Public, records: shared}}, levels...) {
		for _, e := range m.records {
			if x, ok := e.(*athar.Claim); ok && !slices.Contains(leakDeleted, x.ID) {
				tellers[x.AttackID]++
				if !hidden[x.ID] {
					shown[x.AttackID]++
				}
			}
		}
	}
	all = slices.DeleteFunc(all, func(e athar.Entity) bool {
		if hidden[e.EntityID()] = hidden[e.EntityID()] || tellers[e.EntityID()] > 0 && shown[e.EntityID()] == 0; hidden[e.EntityID()] {
			return true
		}
		return false
	})
	b := &athar.Bundle{}
	for _, e := range all {
		switch x := e.(type) {
		case *athar.Source:
			x.Cites = slices.DeleteFunc(x.Cites, func(id string) bool { return hidden[id] })
			if redact {
				x.Author = ""
			}
		case *athar.Claim:
			if redact {
				x.ProtectedText = ""
			}
		}
		b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	return b
}

// leakRow is one root Query field and the queries that probe it. Direct rows (accounts) hold no
// material: their answer differs between the two graphs by the accounts made, and is checked
// only for tells.
type leakRow struct {
	field   string
	queries []string
	direct  bool
}

const (
	leakAttack = `id title claims(first: 50) { totalCount nodes { id kind accessLevel protectedText killed { low high } source { id author } names { id } } }
  casualties { killed { low high claims sources independentSources } }
  attributions { actor { id } asserting { id } denying { id } sources { id } }
  sources { id title author accessLevel cites { id } }`
	leakSource = `id title author accessLevel description cites { id title } citedBy(first: 50) { totalCount nodes { id } }
  claims(first: 50) { totalCount nodes { id accessLevel protectedText attack { id } } }`
	leakClaim = `id kind text quote accessLevel protectedText killed { low high } source { id accessLevel author } names { id } attack { id casualties { killed { low high } } }`
)

var leakIDs = []string{"source:leak-public", "source:leak-second", "source:leak-restricted", "source:leak-confidential",
	"claim:leak-pub-cas", "claim:leak-pub-perp", "claim:leak-pub-protected", "claim:leak-res-cas", "claim:leak-res-own",
	"claim:leak-lowered", "claim:leak-conf-cas", "claim:leak-conf-perp", "claim:leak-pub-gone", "claim:leak-res-gone", "claim:leak-conf-gone"}

var leakMarkers = []string{"qorvexrestr", "xanthicconf", "vormelconf", "zelquorconf", "lowermark", "Ghostgroup", "Leak School", "report"}

// leakFilters are attack filters that can probe hidden claims, as GraphQL input.
var leakFilters = func() []string {
	out := []string{`{}`, `{minKilled: 60}`, `{minKilled: 4200}`, `{minKilled: 9000}`, `{actorIds: ["actor:leak-ghostgroup"]}`,
		`{actorIds: ["actor:leak-army"]}`, `{dateRange: {from: "2015-03-02"}}`}
	for _, id := range leakIDs[:4] {
		out = append(out, `{sourceIds: ["`+id+`"]}`)
	}
	for _, m := range leakMarkers[:5] {
		out = append(out, `{text: "`+m+`"}`)
	}
	return out
}()

func leakRows() []leakRow {
	each := func(ids []string, f func(id string) string) []string {
		var out []string
		for _, id := range ids {
			out = append(out, f(id))
		}
		return out
	}
	filtered := func(f func(filter string) string) []string { return each(leakFilters, f) }
	sources, claims := leakIDs[:4], leakIDs[4:]
	return []leakRow{
		{field: "facility", queries: []string{`{ facility(id: "facility:leak-school") { id attacks(first: 50) { totalCount nodes { ` + leakAttack + ` } } } }`}},
		{field: "attack", queries: each([]string{"attack:leak-a", "attack:leak-b", "attack:leak-c", "attack:leak-covert"}, func(id string) string {
			return `{ attack(id: "` + id + `") { ` + leakAttack + ` incidentCasualties { killed { low high sources } } incidentAttributions { actor { id } } } }`
		})},
		{field: "actor", queries: each([]string{"actor:leak-ghostgroup", "actor:leak-army"}, func(id string) string {
			return `{ actor(id: "` + id + `") { id namedIn(first: 50) { totalCount nodes { id } } statements(first: 50) { totalCount nodes { id } } published(first: 50) { totalCount nodes { id } } } }`
		})},
		{field: "source", queries: each(sources, func(id string) string { return `{ source(id: "` + id + `") { ` + leakSource + ` } }` })},
		{field: "place", queries: []string{`{ place(id: "place:leak-city") { id attacks(first: 50) { totalCount nodes { id casualties { killed { low high sources } } } } } }`}},
		{field: "event", queries: []string{`{ event(id: "event:leak-siege") { id attacks(first: 50) { totalCount nodes { ` + leakAttack + ` } } } }`}},
		{field: "claim", queries: each(claims, func(id string) string { return `{ claim(id: "` + id + `") { ` + leakClaim + ` } }` })},
		{field: "dataset", queries: []string{`{ dataset(id: "dataset:leak") { id } }`}},
		{field: "datasets", queries: []string{`{ datasets { totalCount nodes { id } } }`}},
		{field: "node", queries: each(leakIDs, func(id string) string {
			return `{ node(id: "` + id + `") { id ... on Source { ` + leakSource + ` } ... on Claim { ` + leakClaim + ` } } }`
		})},
		{field: "nodes", queries: []string{`{ nodes(ids: ["` + strings.Join(leakIDs, `", "`) + `"]) { id ... on Claim { accessLevel } ... on Source { accessLevel } } }`}},
		{field: "attacks", queries: append(filtered(func(f string) string {
			return `{ attacks(filter: ` + f + `, first: 50) { totalCount nodes { id casualties { killed { low high claims sources independentSources } } attributions { actor { id } } } } }`
		}), `{ attacks(orderBy: KILLED_DESC, first: 50) { totalCount nodes { id } } }`, `{ attacks(orderBy: KILLED_ASC, first: 50) { totalCount nodes { id } } }`)},
		{field: "facilities", queries: []string{`{ facilities(first: 50) { totalCount nodes { id attacks(first: 5) { totalCount } } } }`}},
		{field: "actors", queries: []string{`{ actors(first: 50) { totalCount nodes { id namedIn(first: 5) { totalCount } statements(first: 5) { totalCount } } } }`}},
		{field: "sources", queries: append(each(leakMarkers, func(m string) string {
			return `{ sources(filter: {text: "` + m + `"}, first: 50) { totalCount nodes { id author accessLevel } } }`
		}), `{ sources(first: 50) { totalCount nodes { id title author accessLevel cites { id } claims(first: 50) { totalCount } } } }`)},
		{field: "places", queries: []string{`{ places(first: 50) { totalCount nodes { id attacks(first: 5) { totalCount } } } }`}},
		{field: "search", queries: each(leakMarkers, func(m string) string {
			return `{ search(query: "` + m + `", first: 50) { totalCount edges { score node { id } } } }`
		})},
		{field: "timeline", queries: append(filtered(func(f string) string {
			return `{ timeline(filter: ` + f + `, interval: DAY) { start end attacks killedLow killedHigh attacksWithFigures } }`
		}), `{ timeline(interval: MONTH) { start attacks killedLow killedHigh attacksWithFigures } }`)},
		{field: "repeatedlyTargeted", queries: append(filtered(func(f string) string {
			return `{ repeatedlyTargeted(minAttacks: 2, withinDays: 30, filter: ` + f + `) { totalCount nodes { facility { id } attacks { id } attacksInWindow } } }`
		}), `{ repeatedlyTargeted(minAttacks: 1) { totalCount nodes { facility { id } attacksInWindow } } }`)},
		{field: "nearby", queries: []string{`{ nearby(latitude: 36.2, longitude: 37.1, radiusMeters: 50000) { totalCount nodes { distanceMeters facility { id attacks(first: 10) { totalCount nodes { id casualties { killed { low high } } } } } } } }`}},
		{field: "day", queries: []string{`{ day(date: "2015-03-01") { id attacks(first: 10) { totalCount nodes { ` + leakAttack + ` } } } }`, `{ day(date: "2015-03-03") { id attacks(first: 10) { totalCount nodes { ` + leakAttack + ` } } } }`}},
		{field: "month", queries: []string{`{ month(year: 2015, month: 3) { id attacks(first: 10) { totalCount nodes { id casualties { killed { low high } } } } } }`}},
		{field: "year", queries: []string{`{ year(year: 2015) { id attacks(first: 10) { totalCount nodes { id casualties { killed { low high } } } } } }`}},
		{field: "graph", queries: []string{
			`{ graph(ids: ["attack:leak-a", "attack:leak-b", "attack:leak-c"], depth: 2, limit: 500) { truncated nodes { id entityId label type name } edges { id source target type } } }`,
			`{ graph(ids: ["source:leak-public", "source:leak-second"], depth: 2, limit: 500) { truncated nodes { id entityId label name } edges { source target type } } }`,
			`{ graph(ids: ["actor:leak-ghostgroup", "source:leak-confidential", "claim:leak-res-cas"], depth: 2, limit: 500) { truncated nodes { id entityId name } edges { source target type } } }`}},
		{field: "attacksGeoJSON", queries: filtered(func(f string) string { return `{ attacksGeoJSON(filter: ` + f + `) }` })},
		{field: "possibleDuplicates", queries: each([]string{"attack:leak-a", "attack:leak-b", "attack:leak-c"}, func(id string) string {
			return `{ possibleDuplicates(attackId: "` + id + `", withinDays: 30, withinMeters: 50000) { attack { id } score daysApart reasons alreadyLinked } }`
		})},
		{field: "datasetOverlap", queries: []string{`{ datasetOverlap(a: "dataset:leak-a", b: "dataset:leak-b") { matched total } }`}},
		{field: "attackClusters", queries: append(filtered(func(f string) string {
			return `{ attackClusters(bbox: {south: 30, west: 30, north: 40, east: 40}, zoom: 3, filter: ` + f + `) { count latitude longitude killedHigh exact attackId } }`
		}), `{ attackClusters(bbox: {south: 36, west: 37, north: 37, east: 38}, zoom: 12) { count killedHigh attackId } }`)},
		{field: "history", queries: each(leakIDs, func(id string) string {
			return `{ history(id: "` + id + `", first: 50) { nodes { action entityId entityType before after } } }`
		})},
		// The two graphs' records differ by the accounts, imports and exports of each: checked for
		// tells only (the exports of a confidential reader name hidden ids and marker words).
		{field: "changes", direct: true, queries: []string{`{ changes(first: 200) { nodes { action entityId entityType before after } } }`}},
		{field: "accounts", direct: true, queries: []string{`{ accounts { name role clearance } }`}},
		// Editors' only, so not for the anonymous reader of the differential: checked for tells.
		{field: "deleted", direct: true, queries: []string{`{ deleted(first: 50) { nodes { id type title reason cascadedIds } } }`}},
	}
}

// leakDeleted are the claims leakEdits deletes, public, restricted and confidential.
var leakDeleted = []string{"claim:leak-pub-gone", "claim:leak-res-gone", "claim:leak-conf-gone"}

// leakEdits updates the claims at each level at or below c, as an admin cleared to confidential,
// so that history holds records of every level.
func leakEdits(t *testing.T, admin *client, c athar.Clearance) {
	t.Helper()
	for _, e := range []struct {
		id    string
		level athar.AccessLevel
		text  string
	}{{"claim:leak-pub-cas", athar.Public, "Three to five were killed, revised"},
		{"claim:leak-res-cas", athar.Restricted, "Many were killed qorvexrestr, revised"},
		{"claim:leak-conf-cas", athar.Confidential, "xanthicconf toll, revised"}} {
		if c.Allows(e.level) {
			admin.MustMutate(`mutation($id: ID!, $text: String!) { updateClaim(input: {id: $id, text: $text, reason: "leak table"}) { claim { id } userErrors { field message } } }`,
				map[string]any{"id": e.id, "text": e.text}, new(any))
		}
	}
	// A claim of each level is deleted: the deleted list, history, node and search hold each only
	// for its readers.
	for i, level := range []athar.AccessLevel{athar.Public, athar.Restricted, athar.Confidential} {
		e := struct {
			id    string
			level athar.AccessLevel
		}{leakDeleted[i], level}
		if c.Allows(e.level) {
			admin.MustMutate(`mutation($id: ID!) { deleteClaim(input: {id: $id, reason: "entered by mistake"}) { deletedId userErrors { field message } } }`,
				map[string]any{"id": e.id}, new(any))
		}
	}
}

// leakExports are the plain-HTTP exports and the filters that can probe.
var leakExports = func() []string {
	var out []string
	for _, file := range []string{"attacks.csv", "attacks.geojson"} {
		out = append(out, "/export/"+file, "/export/"+file+"?minKilled=4200", "/export/"+file+"?minKilled=9000",
			"/export/"+file+"?text=xanthicconf", "/export/"+file+"?text=qorvexrestr", "/export/"+file+"?text=zelquorconf",
			"/export/"+file+"?actorId=actor:leak-ghostgroup")
		for _, id := range leakIDs[:4] {
			out = append(out, "/export/"+file+"?sourceId="+id)
		}
	}
	return out
}()

// leakAnswer is what the table compares of an answer: the data, and of each error its code,
// field, path and message.
func leakAnswer(t *testing.T, c *client, q string) string {
	t.Helper()
	r := c.Do(q, nil)
	var data any
	if len(r.Data) > 0 {
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
	}
	type problem struct {
		Code, Field any
		Path        []any
		Message     string
	}
	var errs []problem
	for _, e := range r.Errors {
		errs = append(errs, problem{Code: e.Extensions["code"], Field: e.Extensions["field"], Path: e.Path, Message: e.Message})
	}
	out, _ := json.Marshal(map[string]any{"data": withoutScores(withoutAccounts(data)), "errors": errs})
	return string(out)
}

// withoutScores drops search scores (see the comment at the top of the file).
func withoutScores(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "score")
		for _, y := range x {
			withoutScores(y)
		}
	case []any:
		for _, y := range x {
			withoutScores(y)
		}
	}
	return v
}

// withoutAccounts drops the change records of accounts, which the two graphs make differently.
func withoutAccounts(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if ch, ok := m["changes"].(map[string]any); ok {
		nodes, _ := ch["nodes"].([]any)
		ch["nodes"] = slices.DeleteFunc(nodes, func(n any) bool {
			r, _ := n.(map[string]any)
			return r["entityType"] == "Account"
		})
	}
	// The import batches in an entity's history count records of every level, so only readers
	// cleared to confidential read them, and the graph without the hidden material is read by
	// such a reader: they are left out of the comparison (TestAccessLevels_ImportRecordsOnlyForConfidential
	// checks them).
	if h, ok := m["history"].(map[string]any); ok {
		nodes, _ := h["nodes"].([]any)
		h["nodes"] = slices.DeleteFunc(nodes, func(n any) bool {
			r, _ := n.(map[string]any)
			return r["action"] == "IMPORT"
		})
	}
	return v
}

func (c *client) get(tb testing.TB, path string) string {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}

var leakClearances = []athar.Clearance{athar.ClearancePublic, athar.ClearanceRestricted, athar.ClearanceConfidential}

// tellsAbove returns what would betray material a reader cleared to c may not read.
func tellsAbove(c athar.Clearance) []string {
	_, levels := leakGraph()
	var out []string
	for _, m := range levels {
		if !c.Allows(m.level) {
			out = append(out, m.tells...)
		}
	}
	if c.Rank() < athar.IdentitiesClearance().Rank() {
		out = append(out, identityTells...)
	}
	return out
}

func TestAccessLevels_LeakTable(t *testing.T) {
	rows := leakRows()
	// Every root Query field has a row.
	schema, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	s, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(schema)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.field] = true
	}
	for _, f := range s.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") && !covered[f.Name] {
			t.Errorf("the root field Query.%s has no row in the leak table", f.Name)
		}
	}

	// The whole graph, read by an admin at each clearance and by an anonymous reader.
	store := neo4jtest.MustStore(t)
	if _, err := store.Import(context.Background(), leakBundle(athar.ClearanceConfidential, false), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tokens := map[athar.Clearance]string{}
	for _, c := range leakClearances {
		tokens[c] = neo4jtest.MustAccountCleared(t, store, "reader-"+string(c), athar.RoleAdmin, c, time.Time{})
	}
	srv := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store, PublicRead: true})
	})
	leakEdits(t, &client{tb: t, url: srv.url, header: http.Header{"Authorization": {"Bearer " + tokens[athar.ClearanceConfidential]}}},
		athar.ClearanceConfidential)
	full := map[athar.Clearance]map[string]string{}
	anonymous := &client{tb: t, url: srv.url}
	for _, c := range leakClearances {
		reader := &client{tb: t, url: srv.url, header: http.Header{"Authorization": {"Bearer " + tokens[c]}}}
		full[c] = map[string]string{}
		tells := tellsAbove(c)
		for _, r := range rows {
			for _, q := range r.queries {
				got := leakAnswer(t, reader, q)
				full[c][q] = got
				assertNoTell(t, string(c)+" "+q, got, tells)
				if c == athar.ClearancePublic && r.field != "changes" && r.field != "accounts" && r.field != "history" && r.field != "deleted" {
					// An anonymous reader reads what a public account reads (but no account data,
					// nor the records that name the team's accounts, nor what editors restore).
					if anon := leakAnswer(t, anonymous, q); anon != got {
						t.Errorf("anonymous %s:\n got %s\nwant %s", q, anon, got)
					}
				}
			}
		}
		for _, path := range leakExports {
			got := reader.get(t, path)
			full[c][path] = got
			assertNoTell(t, string(c)+" "+path, got, tells)
			if c == athar.ClearancePublic {
				if anon := anonymous.get(t, path); anon != got {
					t.Errorf("anonymous %s:\n got %s\nwant %s", path, anon, got)
				}
			}
		}
	}
	// The tells are real: a fully cleared reader sees each of them.
	for _, tell := range tellsAbove(athar.ClearancePublic) {
		seen := false
		for _, got := range full[athar.ClearanceConfidential] {
			seen = seen || strings.Contains(got, tell)
		}
		if !seen {
			t.Errorf("no answer of a confidential reader holds %q: the table cannot see its leak", tell)
		}
	}

	// Differential: the graph of only what each clearance may read, read by a fully cleared reader.
	for _, c := range leakClearances {
		t.Run(string(c), func(t *testing.T) {
			store := neo4jtest.MustStore(t)
			redact := c.Rank() < athar.IdentitiesClearance().Rank()
			if _, err := store.Import(context.Background(), leakBundle(c, redact), neo4jstore.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			token := neo4jtest.MustAccountCleared(t, store, "reader-all", athar.RoleAdmin, athar.ClearanceConfidential, time.Time{})
			srv := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
				web.Auth = auth.New(auth.Config{Accounts: store})
			})
			reader := &client{tb: t, url: srv.url, header: http.Header{"Authorization": {"Bearer " + token}}}
			leakEdits(t, reader, c)
			for _, r := range rows {
				if r.direct {
					continue
				}
				for _, q := range r.queries {
					if want := leakAnswer(t, reader, q); full[c][q] != want {
						t.Errorf("%s differs from the graph without hidden material:\n got %s\nwant %s", q, full[c][q], want)
					}
				}
			}
			for _, path := range leakExports {
				if want := reader.get(t, path); full[c][path] != want {
					t.Errorf("%s differs from the graph without hidden material:\n got %s\nwant %s", path, full[c][path], want)
				}
			}
		})
	}
}

// assertNoTell fails when the answer holds a tell of hidden material.
func assertNoTell(t *testing.T, what, answer string, tells []string) {
	t.Helper()
	for _, tell := range tells {
		if strings.Contains(answer, tell) {
			t.Errorf("%s: the answer holds %q, which the reader may not read: %s", what, tell, answer)
		}
	}
}

// A casualty summary that asks only killed's low and high reads the figures the attack keeps for
// the reader (athar.KeptFigures) instead of its claims; they are the summary's by the domain's
// rule over the same claims, at every clearance, for every attack, and they come in the page's
// own query.
func TestAccessLevels_KeptFiguresAreTheSummarys(t *testing.T) {
	store := neo4jtest.MustStore(t)
	if _, err := store.Import(context.Background(), leakBundle(athar.ClearanceConfidential, false), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	neo4jtest.MustSeed(t, store)
	tokens := map[athar.Clearance]string{}
	for _, c := range leakClearances {
		tokens[c] = neo4jtest.MustAccountCleared(t, store, "reader-"+string(c), athar.RoleAdmin, c, time.Time{})
	}
	srv := serve(t, store, func(gql *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store, PublicRead: true})
		gql.ReportRoundTrips = true
	})
	leakEdits(t, &client{tb: t, url: srv.url, header: http.Header{"Authorization": {"Bearer " + tokens[athar.ClearanceConfidential]}}},
		athar.ClearanceConfidential)
	jsonOf := func(t *testing.T, v any) string {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	type page struct {
		Attacks struct {
			Nodes []struct {
				ID         string
				Casualties struct{ Killed struct{ Low, High *int } }
			}
		}
	}
	figures := func(p page) map[string]string {
		out := map[string]string{}
		for _, n := range p.Attacks.Nodes {
			k := n.Casualties.Killed
			out[n.ID] = jsonOf(t, []*int{k.Low, k.High})
		}
		return out
	}
	withFigures := 0
	for _, c := range leakClearances {
		reader := &client{tb: t, url: srv.url, header: http.Header{"Authorization": {"Bearer " + tokens[c]}}}
		var kept, derived page
		resp := reader.Do(`{ attacks(first: 100) { nodes { id casualties { __typename killed { low high __typename } } } } }`, nil)
		if len(resp.Errors) > 0 {
			t.Fatal(resp.Errors)
		}
		if err := json.Unmarshal(resp.Data, &kept); err != nil {
			t.Fatal(err)
		}
		if trips, _ := resp.Extensions["dbRoundTrips"].(float64); trips != 1 {
			t.Errorf("%s: the page with its kept figures took %v round trips, want 1", c, trips)
		}
		reader.MustData(`{ attacks(first: 100) { nodes { id casualties { killed { low high claims } } } } }`, nil, &derived)
		k, d := figures(kept), figures(derived)
		if len(k) < 10 || jsonOf(t, k) != jsonOf(t, d) {
			t.Errorf("%s: kept figures\n%v\nthe summary's\n%v", c, k, d)
		}
		for _, f := range k {
			if f != "[null,null]" {
				withFigures++
			}
		}
	}
	if withFigures < 6 {
		t.Errorf("only %d attacks have figures: the comparison shows little", withFigures)
	}
}
