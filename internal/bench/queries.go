package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Query is one query of the mix: the GraphQL a client sends, its variables drawn at random from the
// synthetic graph, and the hand-written Cypher that fetches the same answer, as the floor.
type Query struct {
	Name    string
	GraphQL string
	Vars    func(r *rand.Rand, s Size) map[string]any
	Floor   string
	// FloorParams turns the GraphQL variables into the floor's parameters.
	FloorParams func(vars map[string]any) map[string]any
}

func hotFacility(r *rand.Rand, s Size) string {
	return fmt.Sprintf("facility:fac-%d", zipf(r, s.Facilities))
}

func governorate(r *rand.Rand, s Size) string {
	return fmt.Sprintf("place:gov-%d", r.IntN(max(1, s.Places/50)))
}

func year(r *rand.Rand) int { return 2012 + r.IntN(12) }

func day(v any) any {
	t, _ := time.Parse(time.DateOnly, v.(string))
	return neo4j.DateOf(t)
}

func same(vars map[string]any) map[string]any { return vars }

// Mix is the fixed mix of queries `athar bench` drives.
var Mix = []Query{
	{
		Name: "facility with attacks and claims",
		GraphQL: `query ($id: ID!) { facility(id: $id) { name attacks(first: 100) { nodes { id title date { start precision }
  claims(first: 50) { nodes { kind quote source { title } killed { low high } } }
  casualties { killed { low high sources independentSources } } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any { return map[string]any{"id": hotFacility(r, s)} },
		Floor: `MATCH (f:Facility {id: $id})
OPTIONAL MATCH (f)<-[:TARGETED]-(a:Attack)
WITH f, a ORDER BY a.startDate, a.id
CALL (a) {
  OPTIONAL MATCH (a)<-[:ABOUT]-(c:Claim)-[:REPORTED_IN]->(s:Source)
  WITH c, s ORDER BY c.kind, c.id
  RETURN collect({kind: c.kind, quote: c.quote, source: s.title, min: c.killedLow, max: c.killedHigh}) AS claims,
    count(DISTINCT s) AS sources
}
RETURN f.name AS name, collect({id: a.id, title: a.title, start: a.startDate, claims: claims,
  low: a.killedLow, high: a.killedHigh, sources: sources}) AS attacks`,
		FloorParams: same,
	},
	{
		Name: "attacks by dates and facility type",
		GraphQL: `query ($from: Date!, $to: Date!) { attacks(first: 20, filter: {dateRange: {from: $from, to: $to}, facilityTypes: [HOSPITAL]}) {
  totalCount nodes { id title date { start } facilities { name } casualties { killed { low high } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			y := year(r)
			return map[string]any{"from": fmt.Sprintf("%d-01-01", y), "to": fmt.Sprintf("%d-06-30", y)}
		},
		Floor: `CALL () {
  MATCH (f:Facility)<-[:TARGETED]-(a:Attack) WHERE f.type IN ['HOSPITAL'] AND a.startDate <= $to AND a.endDate >= $from
  RETURN count(DISTINCT a) AS total
}
MATCH (f:Facility)<-[:TARGETED]-(a:Attack) WHERE f.type IN ['HOSPITAL'] AND a.startDate <= $to AND a.endDate >= $from
WITH total, a ORDER BY a.startDate, a.id
WITH DISTINCT total, a LIMIT 20
MATCH (a)-[:TARGETED]->(g:Facility)
RETURN total, a.id, a.title, a.startDate, collect(g.name) AS facilities, a.killedLow, a.killedHigh`,
		FloorParams: func(v map[string]any) map[string]any {
			return map[string]any{"from": day(v["from"]), "to": day(v["to"])}
		},
	},
	{
		Name: "attacks in a governorate",
		GraphQL: `query ($place: ID!) { attacks(first: 20, filter: {placeIds: [$place]}) {
  totalCount nodes { id title date { start } places { name } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any { return map[string]any{"place": governorate(r, s)} },
		Floor: `MATCH (:Place {id: $place})<-[:PART_OF*0..10]-(p:Place)
CALL (p) { MATCH (p)<-[:OCCURRED_IN]-(a:Attack) RETURN a UNION MATCH (p)<-[:LOCATED_IN]-(:Facility)<-[:TARGETED]-(a:Attack) RETURN a }
WITH DISTINCT a
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.startDate, a.id LIMIT 20
MATCH (a)-[:OCCURRED_IN]->(q:Place)
RETURN total, a.id, a.title, a.startDate, collect(q.name) AS places`,
		FloorParams: same,
	},
	{
		Name: "attacks attributed to an actor",
		GraphQL: `query ($actor: ID!) { attacks(first: 20, orderBy: {field: DATE, direction: DESC}, filter: {actorIds: [$actor]}) {
  totalCount nodes { id title attributions { actor { name } asserting { id } denying { id } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"actor": fmt.Sprintf("actor:actor-%d", r.IntN(min(40, s.Actors)))}
		},
		Floor: `MATCH (:Actor {id: $actor})<-[:PART_OF*0..5]-(:Actor)<-[:NAMES]-(c:Claim)-[:ABOUT]->(a:Attack)
WHERE c.kind = 'PERPETRATOR' AND c.stance = 'ASSERTS' AND c.retracted IS NULL
WITH DISTINCT a
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.startDate DESC, a.id DESC LIMIT 20
MATCH (a)<-[:ABOUT]-(c:Claim)-[:NAMES]->(x:Actor)
WHERE c.kind IN ['PERPETRATOR', 'DENIAL'] AND c.retracted IS NULL
RETURN total, a.id, a.title, x.name, collect(CASE WHEN c.stance = 'DENIES' OR c.kind = 'DENIAL' THEN null ELSE c.id END),
  collect(CASE WHEN c.stance = 'DENIES' OR c.kind = 'DENIAL' THEN c.id END)`,
		FloorParams: same,
	},
	{
		Name:    "search, misspelt",
		GraphQL: `query ($q: String!) { search(query: $q, first: 10) { edges { score node { __typename id ... on Facility { name } ... on Attack { title } ... on Place { name } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"q": fmt.Sprintf("Facilty %d", r.IntN(s.Facilities))}
		},
		Floor: `CALL db.index.fulltext.queryNodes('search_folded', $lucene) YIELD node, score
RETURN node.id, coalesce(node.name, node.title), score ORDER BY score DESC LIMIT 10`,
		FloorParams: func(v map[string]any) map[string]any {
			var n int
			_, _ = fmt.Sscanf(v["q"].(string), "Facilty %d", &n)
			// The query Athar makes of the two words: a word of 6 letters or more may be two edits
			// off, one of 3 to 5 one edit, one of 2 only a prefix, one of 1 only itself.
			num := fmt.Sprint(n)
			var second string
			switch len(num) {
			case 1:
				second = num
			case 2:
				second = fmt.Sprintf("(%[1]s^4 OR %[1]s*^2)", num)
			default:
				second = fmt.Sprintf("(%[1]s^4 OR %[1]s*^2 OR %[1]s~1)", num)
			}
			return map[string]any{"lucene": "(facilty^4 OR facilty*^2 OR facilty~2) AND " + second}
		},
	},
	{
		Name:    "timeline of a year by month",
		GraphQL: `query ($from: Date!, $to: Date!) { timeline(interval: MONTH, filter: {dateRange: {from: $from, to: $to}}) { start attacks killedLow killedHigh } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			y := year(r)
			return map[string]any{"from": fmt.Sprintf("%d-01-01", y), "to": fmt.Sprintf("%d-12-31", y)}
		},
		// The same answer by the same rules (issue 10): aggregates and withdrawn attacks are not
		// counted as attacks, an aggregate adds its deaths beyond its parts', and a linked incident
		// counts once.
		Floor: `MATCH (a:Attack) WHERE a.startDate <= $to AND a.endDate >= $from
WITH a, date.truncate('month', a.startDate) AS bucket,
  EXISTS { (a)<-[:AGGREGATED_IN]-(:Attack) } OR a.withdrawnIn IS NOT NULL AS uncounted,
  head(COLLECT { MATCH (a)-[:SAME_INCIDENT]->(g:Incident) RETURN elementId(g) }) AS g
WITH bucket, g, count(CASE WHEN g IS NULL AND NOT uncounted THEN a END) AS attacks,
  sum(CASE WHEN g IS NULL THEN coalesce(a.killedCountedLow, a.killedLow, 0) ELSE 0 END) AS low,
  sum(CASE WHEN g IS NULL THEN coalesce(a.killedCountedHigh, a.killedHigh, 0) ELSE 0 END) AS high,
  collect(CASE WHEN g IS NOT NULL AND NOT uncounted THEN {id: a.id, low: a.killedLow, high: a.killedHigh} END) AS members
WITH g, collect({bucket: bucket, attacks: attacks, low: low, high: high, members: members}) AS rows
WITH g, rows, reduce(ms = [], r IN rows | ms + [m IN r.members | m {.*, bucket: r.bucket}]) AS counted
WITH g, rows, counted, reduce(rep = head(counted), m IN counted | CASE WHEN m.id < rep.id THEN m ELSE rep END) AS rep
UNWIND CASE WHEN g IS NULL THEN rows WHEN rep IS NULL THEN [] ELSE [{bucket: rep.bucket, attacks: 1,
  low: coalesce(reduce(x = null, m IN counted | CASE WHEN m.low IS NULL THEN x WHEN x IS NULL OR m.low < x THEN m.low ELSE x END), 0),
  high: coalesce(reduce(x = null, m IN counted | CASE WHEN m.high IS NULL THEN x WHEN x IS NULL OR m.high > x THEN m.high ELSE x END), 0)}] END AS r
RETURN r.bucket AS bucket, sum(r.attacks), sum(r.low), sum(r.high) ORDER BY bucket`,
		FloorParams: func(v map[string]any) map[string]any {
			return map[string]any{"from": day(v["from"]), "to": day(v["to"])}
		},
	},
	{
		Name:    "facilities within 2 km",
		GraphQL: `query ($lat: Float!, $lon: Float!) { nearby(latitude: $lat, longitude: $lon, radiusMeters: 2000, first: 20) { nodes { distanceMeters facility { id name type } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"lat": 32 + r.Float64()*5, "lon": 35.5 + r.Float64()*6}
		},
		Floor: `MATCH (f:Facility) WHERE point.distance(f.location, point({latitude: $lat, longitude: $lon})) <= 2000
WITH f, point.distance(f.location, point({latitude: $lat, longitude: $lon})) AS d
RETURN f.id, f.name, f.type, d ORDER BY d, f.id LIMIT 20`,
		FloorParams: same,
	},
	{
		Name:    "network around an attack, 2 hops",
		GraphQL: `query ($id: ID!) { graph(ids: [$id], depth: 2, limit: 200) { nodes { id label name } edges { source target type } truncated } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"id": fmt.Sprintf("attack:atk-%d", r.IntN(s.Attacks))}
		},
		Floor: `MATCH (n:Entity {id: $id})-[r1]-(m:Entity)
OPTIONAL MATCH (m)-[r2]-(k:Entity) WHERE NOT (m:Weapon OR m:AttackType OR m:Month OR m:Year)
WITH n, m, r1, r2, k LIMIT 4000
RETURN n.id, type(r1), m.id, type(r2), k.id`,
		FloorParams: same,
	},
	{
		Name: "facilities hit 3 times in 30 days, in a governorate",
		GraphQL: `query ($place: ID!) { repeatedlyTargeted(minAttacks: 3, withinDays: 30, filter: {placeIds: [$place]}) {
  nodes { facility { name } attacksInWindow attacks { id } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any { return map[string]any{"place": governorate(r, s)} },
		Floor: `MATCH (:Place {id: $place})<-[:PART_OF*0..10]-(p:Place)
CALL (p) { MATCH (p)<-[:OCCURRED_IN]-(a:Attack) RETURN a UNION MATCH (p)<-[:LOCATED_IN]-(:Facility)<-[:TARGETED]-(a:Attack) RETURN a }
WITH DISTINCT a
MATCH (a)-[:TARGETED]->(f:Facility)
WITH f, a ORDER BY a.startDate
WITH f, collect(a.startDate) AS dates, collect(a.id) AS ids WHERE size(dates) >= 3
RETURN f.name, ids, [i IN range(0, size(dates) - 3) WHERE duration.inDays(dates[i], dates[i + 2]).days <= 30] AS windows`,
		FloorParams: same,
	},
	{
		Name:    "deadliest attacks",
		GraphQL: `{ attacks(first: 20, orderBy: {field: KILLED, direction: DESC}, filter: {minKilled: 40}) { totalCount nodes { id title casualties { killed { low high } } } } }`,
		Vars:    func(r *rand.Rand, s Size) map[string]any { return map[string]any{} },
		Floor: `MATCH (a:Attack) WHERE a.killedHigh >= 40
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.killedHigh DESC, a.id LIMIT 20
RETURN total, a.id, a.title, a.killedLow, a.killedHigh`,
		FloorParams: same,
	},
}
