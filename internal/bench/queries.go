package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Query is one query of the mix: the GraphQL a client sends, its variables drawn at random from the
// synthetic graph, and the hand-written Cypher that fetches the same answer, as the floor: the best
// query a Neo4j expert would write for it, by the same rules (TestMix_FloorsAnswerAsAtharDoes
// compares the two answers on a generated graph).
type Query struct {
	Name    string
	GraphQL string
	Vars    func(r *rand.Rand, s Size) map[string]any
	Floor   string
	// FloorParams turns the GraphQL variables into the floor's parameters.
	FloorParams func(vars map[string]any) map[string]any
	// Answer and FloorAnswer reduce Athar's answer (the decoded JSON of its data) and the floor's
	// records to the lines both must agree on (see answers.go).
	Answer      func(data any) string
	FloorAnswer func(recs []*neo4j.Record) string
}

func hotFacility(r *rand.Rand, s Size) string {
	return fmt.Sprintf("facility:fac-%d", zipf(r, s.Facilities))
}

func governorate(r *rand.Rand, s Size) string {
	return fmt.Sprintf("place:gov-%d", r.IntN(max(1, s.Places/50)))
}

// neighbourhood is one of the places Generate puts attacks in (OCCURRED_IN).
func neighbourhood(r *rand.Rand, s Size) string {
	n := s.Places - 1 - max(1, s.Places/50) - max(1, s.Places*18/100)
	if n < 1 {
		return fmt.Sprintf("place:city-%d", r.IntN(max(1, s.Places*18/100)))
	}
	return fmt.Sprintf("place:hood-%d", r.IntN(n))
}

func year(r *rand.Rand) int { return 2012 + r.IntN(12) }

func day(v any) any {
	t, _ := time.Parse(time.DateOnly, v.(string))
	return neo4j.DateOf(t)
}

func same(vars map[string]any) map[string]any { return vars }

func dates(v map[string]any) map[string]any {
	return map[string]any{"from": day(v["from"]), "to": day(v["to"])}
}

// pageAnswer is the essence of a page of attacks: its total, then a line per attack with its id
// and what each adds.
func pageAnswer(data any, root string, each func(a any) string) string {
	ls := []string{"total " + text(at(data, root, "totalCount"))}
	for _, a := range items(data, root, "nodes") {
		ls = append(ls, text(at(a, "id"))+" "+each(a))
	}
	return lines(ls)
}

// floorPageAnswer is pageAnswer of a floor that returns a row per attack, with the total in
// column total.
func floorPageAnswer(recs []*neo4j.Record, each func(rec *neo4j.Record) string) string {
	total := any(int64(0))
	if len(recs) > 0 {
		total = col(recs[0], "total")
	}
	ls := []string{"total " + text(total)}
	for _, rec := range recs {
		if col(rec, "id") == nil {
			continue // a total with no attack
		}
		ls = append(ls, text(col(rec, "id"))+" "+each(rec))
	}
	return lines(ls)
}

func names(key string) func(any) string { return func(v any) string { return text(at(v, key)) } }

// Mix is the fixed mix of queries `athar bench` drives.
var Mix = []Query{
	{
		Name: "facility with attacks and claims",
		GraphQL: `query ($id: ID!) { facility(id: $id) { name attacks(first: 100) { nodes { id title date { start precision }
  claims(first: 50) { nodes { kind quote source { title } killed { low high } } }
  casualties { killed { low high sources independentSources } } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any { return map[string]any{"id": hotFacility(r, s)} },
		// The casualty summary by the domain's rule (athar.SummarizeCasualties): the sources of the
		// live, undenied claims that give a killed figure, and of those the ones that cite none of
		// the others, directly or through up to 10 others (athar.MaxCitationDepth).
		Floor: `MATCH (f:Facility {id: $id})
CALL (f) {
  MATCH (f)<-[:TARGETED]-(a:Attack)
  WITH a ORDER BY a.startDate, a.endDate, a.id LIMIT 100
  CALL (a) {
    MATCH (a)<-[:ABOUT]-(c:Claim)
    WITH c ORDER BY c.kind, c.id LIMIT 50
    OPTIONAL MATCH (c)-[:REPORTED_IN]->(s:Source)
    RETURN collect({kind: c.kind, quote: c.quote, source: s.title, low: c.killedLow, high: c.killedHigh}) AS claims
  }
  CALL (a) {
    OPTIONAL MATCH (a)<-[:ABOUT]-(c:Claim)-[:REPORTED_IN]->(s:Source)
    WHERE c.retracted IS NULL AND c.withdrawnIn IS NULL AND c.stance <> 'DENIES'
      AND (c.killedLow IS NOT NULL OR c.killedBest IS NOT NULL OR c.killedHigh IS NOT NULL)
    WITH collect(DISTINCT s) AS backing
    RETURN size(backing) AS sources,
      size([s IN backing WHERE NOT EXISTS { MATCH (s)-[:CITES*1..10]->(t:Source) WHERE t IN backing AND t <> s }]) AS independent
  }
  RETURN collect({id: a.id, title: a.title, start: a.startDate, claims: claims, low: a.killedLow, high: a.killedHigh,
    sources: sources, independent: independent}) AS attacks
}
RETURN f.name AS name, attacks`,
		FloorParams: same,
		Answer: func(data any) string {
			ls := []string{text(at(data, "facility", "name"))}
			for _, a := range items(data, "facility", "attacks", "nodes") {
				k := at(a, "casualties", "killed")
				ls = append(ls, fmt.Sprintf("%s killed %s-%s sources %s independent %s", text(at(a, "id")),
					text(at(k, "low")), text(at(k, "high")), text(at(k, "sources")), text(at(k, "independentSources"))))
				for _, c := range items(a, "claims", "nodes") {
					ls = append(ls, fmt.Sprintf("  %s %s %s-%s %s", text(at(c, "kind")), text(at(c, "source", "title")),
						text(at(c, "killed", "low")), text(at(c, "killed", "high")), text(at(c, "quote"))))
				}
			}
			return lines(ls)
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			if len(recs) == 0 {
				return ""
			}
			ls := []string{text(col(recs[0], "name"))}
			for _, a := range col(recs[0], "attacks").([]any) {
				ls = append(ls, fmt.Sprintf("%s killed %s-%s sources %s independent %s", text(at(a, "id")),
					text(at(a, "low")), text(at(a, "high")), text(at(a, "sources")), text(at(a, "independent"))))
				for _, c := range items(a, "claims") {
					ls = append(ls, fmt.Sprintf("  %s %s %s-%s %s", text(at(c, "kind")), text(at(c, "source")),
						text(at(c, "low")), text(at(c, "high")), text(at(c, "quote"))))
				}
			}
			return lines(ls)
		},
	},
	{
		Name: "place, attacks, claims, sources, citations",
		GraphQL: `query ($id: ID!) { place(id: $id) { name attacks(first: 20) { totalCount nodes { id title date { start }
  claims(first: 10) { totalCount nodes { kind quote source { title cites { title } } } } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any { return map[string]any{"id": neighbourhood(r, s)} },
		// Connections two levels down, each with its total counted from the relationships of the
		// one node it hangs from.
		Floor: `MATCH (p:Place {id: $id})
CALL (p) {
  MATCH (p)<-[:OCCURRED_IN]-(a:Attack)
  WITH a ORDER BY a.startDate, a.endDate, a.id LIMIT 20
  CALL (a) {
    MATCH (a)<-[:ABOUT]-(c:Claim)
    WITH c ORDER BY c.kind, c.id LIMIT 10
    OPTIONAL MATCH (c)-[:REPORTED_IN]->(s:Source)
    RETURN collect({kind: c.kind, quote: c.quote, source: s.title,
      cites: COLLECT { MATCH (s)-[:CITES]->(t:Source) RETURN t.title }}) AS claims
  }
  RETURN collect({id: a.id, title: a.title, start: a.startDate, claims: claims,
    total: COUNT { (a)<-[:ABOUT]-(:Claim) }}) AS attacks
}
RETURN p.name AS name, COUNT { (p)<-[:OCCURRED_IN]-(:Attack) } AS total, attacks`,
		FloorParams: same,
		Answer: func(data any) string {
			p := at(data, "place")
			ls := []string{text(at(p, "name")) + " total " + text(at(p, "attacks", "totalCount"))}
			for _, a := range items(p, "attacks", "nodes") {
				ls = append(ls, text(at(a, "id"))+" "+text(at(a, "date", "start"))+" claims "+text(at(a, "claims", "totalCount")))
				for _, c := range items(a, "claims", "nodes") {
					ls = append(ls, fmt.Sprintf("  %s %s %s %s", text(at(c, "kind")), text(at(c, "source", "title")),
						sortedTexts(items(c, "source", "cites"), names("title")), text(at(c, "quote"))))
				}
			}
			return lines(ls)
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			if len(recs) == 0 {
				return ""
			}
			ls := []string{text(col(recs[0], "name")) + " total " + text(col(recs[0], "total"))}
			for _, a := range col(recs[0], "attacks").([]any) {
				ls = append(ls, text(at(a, "id"))+" "+text(at(a, "start"))+" claims "+text(at(a, "total")))
				for _, c := range items(a, "claims") {
					ls = append(ls, fmt.Sprintf("  %s %s %s %s", text(at(c, "kind")), text(at(c, "source")),
						sortedTexts(items(c, "cites"), text), text(at(c, "quote"))))
				}
			}
			return lines(ls)
		},
	},
	{
		Name: "attacks by dates and facility type",
		GraphQL: `query ($from: Date!, $to: Date!) { attacks(first: 20, filter: {dateRange: {from: $from, to: $to}, facilityTypes: [HOSPITAL]}) {
  totalCount nodes { id title date { start } facilities { name } casualties { killed { low high } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			y := year(r)
			return map[string]any{"from": fmt.Sprintf("%d-01-01", y), "to": fmt.Sprintf("%d-06-30", y)}
		},
		// One pass over the matches gives both the total and the page. The matches start from the
		// facilities of the type (a few thousand attacks at full scale) and check the dates on
		// their attacks once they are distinct: given the dates in the MATCH's own WHERE, Neo4j
		// starts from the start-date index instead, whose range up to $to holds most attacks
		// (68.8 ms at p50 at full scale, against 26.0 ms for Athar's query, which starts from the
		// type).
		Floor: `MATCH (f:Facility)<-[:TARGETED]-(a:Attack) WHERE f.type IN ['HOSPITAL']
WITH DISTINCT a WHERE a.startDate <= $to AND a.endDate >= $from
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.startDate, a.id LIMIT 20
CALL (a) { MATCH (a)-[:TARGETED]->(g:Facility) RETURN collect(g.name) AS facilities }
RETURN total, a.id AS id, a.title AS title, a.startDate AS start, facilities, a.killedLow AS low, a.killedHigh AS high`,
		FloorParams: dates,
		Answer: func(data any) string {
			return pageAnswer(data, "attacks", func(a any) string {
				return text(at(a, "date", "start")) + " " + sortedTexts(items(a, "facilities"), names("name")) + " " +
					text(at(a, "casualties", "killed", "low")) + "-" + text(at(a, "casualties", "killed", "high"))
			})
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			return floorPageAnswer(recs, func(rec *neo4j.Record) string {
				return text(col(rec, "start")) + " " + sortedTexts(col(rec, "facilities").([]any), text) + " " +
					text(col(rec, "low")) + "-" + text(col(rec, "high"))
			})
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
CALL (a) { MATCH (a)-[:OCCURRED_IN]->(q:Place) RETURN collect(q.name) AS places }
RETURN total, a.id AS id, a.title AS title, a.startDate AS start, places`,
		FloorParams: same,
		Answer: func(data any) string {
			return pageAnswer(data, "attacks", func(a any) string {
				return text(at(a, "date", "start")) + " " + sortedTexts(items(a, "places"), names("name"))
			})
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			return floorPageAnswer(recs, func(rec *neo4j.Record) string {
				return text(col(rec, "start")) + " " + sortedTexts(col(rec, "places").([]any), text)
			})
		},
	},
	{
		Name: "attacks attributed to an actor",
		GraphQL: `query ($actor: ID!) { attacks(first: 20, orderBy: {field: DATE, direction: DESC}, filter: {actorIds: [$actor]}) {
  totalCount nodes { id title attributions { actor { name } asserting { id } denying { id } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"actor": fmt.Sprintf("actor:actor-%d", r.IntN(min(40, s.Actors)))}
		},
		// The rules of attribution (athar.Claim.Attributes and Rejects): a live PERPETRATOR claim
		// that does not deny holds an actor responsible; a live DENIAL, or a PERPETRATOR claim that
		// denies, rejects it.
		Floor: `MATCH (:Actor {id: $actor})<-[:PART_OF*0..5]-(:Actor)<-[:NAMES]-(c:Claim)-[:ABOUT]->(a:Attack)
WHERE c.kind = 'PERPETRATOR' AND c.stance <> 'DENIES' AND c.retracted IS NULL AND c.withdrawnIn IS NULL
WITH DISTINCT a
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.startDate DESC, a.id DESC LIMIT 20
CALL (a) {
  MATCH (a)<-[:ABOUT]-(c:Claim)-[:NAMES]->(x:Actor)
  WHERE c.kind IN ['PERPETRATOR', 'DENIAL'] AND c.retracted IS NULL AND c.withdrawnIn IS NULL
  WITH x, c.stance = 'DENIES' OR c.kind = 'DENIAL' AS rejects, c
  WITH x, collect(CASE WHEN NOT rejects THEN c.id END) AS asserting, collect(CASE WHEN rejects THEN c.id END) AS denying
  RETURN collect({actor: x.name, asserting: asserting, denying: denying}) AS attributions
}
RETURN total, a.id AS id, a.title AS title, attributions`,
		FloorParams: same,
		Answer: func(data any) string {
			return pageAnswer(data, "attacks", func(a any) string {
				return sortedTexts(items(a, "attributions"), func(x any) string {
					return text(at(x, "actor", "name")) + ":" + sortedTexts(items(x, "asserting"), names("id")) + ":" +
						sortedTexts(items(x, "denying"), names("id"))
				})
			})
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			return floorPageAnswer(recs, func(rec *neo4j.Record) string {
				return sortedTexts(col(rec, "attributions").([]any), func(x any) string {
					return text(at(x, "actor")) + ":" + sortedTexts(items(x, "asserting"), text) + ":" + sortedTexts(items(x, "denying"), text)
				})
			})
		},
	},
	{
		Name:    "search, misspelt",
		GraphQL: `query ($q: String!) { search(query: $q, first: 10) { edges { score node { __typename id ... on Facility { name } ... on Attack { title } ... on Place { name } } } } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"q": fmt.Sprintf("Facilty %d", r.IntN(s.Facilities))}
		},
		// Athar's rank of a hit (neo4jstore's searchScope): a match of the whole query, folded, on
		// the name, an alias or their start ranks first; then the index's relevance r as r/(1+r).
		Floor: `CALL db.index.fulltext.queryNodes('search_folded', $lucene) YIELD node, score AS relevance
WITH node, relevance / (1.0 + relevance) + CASE
  WHEN node.nameFolded = $folded OR node.titleFolded = $folded THEN 3
  WHEN $folded IN node.aliasesFolded THEN 2
  WHEN node.nameFolded STARTS WITH $folded OR node.titleFolded STARTS WITH $folded
    OR any(a IN coalesce(node.aliasesFolded, []) WHERE a STARTS WITH $folded) THEN 1
  ELSE 0 END AS score
WITH node, score ORDER BY score DESC, node.id LIMIT 10
RETURN node.id AS id, [l IN labels(node) WHERE l IN ['Facility', 'Place', 'Actor', 'Source', 'Event', 'Attack', 'Claim']][0] AS label,
  coalesce(node.name, node.title) AS name, score`,
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
			return map[string]any{"lucene": "(facilty^4 OR facilty*^2 OR facilty~2) AND " + second, "folded": athar.SearchKey(v["q"].(string))}
		},
		Answer: func(data any) string {
			var ls []string
			for _, e := range items(data, "search", "edges") {
				ls = append(ls, text(at(e, "node", "id"))+" "+text(at(e, "node", "__typename"))+" "+text(at(e, "score")))
			}
			return lines(ls)
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			var ls []string
			for _, rec := range recs {
				ls = append(ls, text(col(rec, "id"))+" "+text(col(rec, "label"))+" "+text(col(rec, "score")))
			}
			return lines(ls)
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
RETURN r.bucket AS bucket, sum(r.attacks) AS attacks, sum(r.low) AS low, sum(r.high) AS high ORDER BY bucket`,
		FloorParams: dates,
		Answer: func(data any) string {
			var ls []string
			for _, b := range items(data, "timeline") {
				if line := bucketLine(at(b, "start"), at(b, "attacks"), at(b, "killedLow"), at(b, "killedHigh")); line != "" {
					ls = append(ls, line)
				}
			}
			return lines(ls)
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			var ls []string
			for _, rec := range recs {
				if line := bucketLine(col(rec, "bucket"), col(rec, "attacks"), col(rec, "low"), col(rec, "high")); line != "" {
					ls = append(ls, line)
				}
			}
			return lines(ls)
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
RETURN f.id AS id, f.name AS name, f.type AS type, d ORDER BY d, f.id LIMIT 20`,
		FloorParams: same,
		Answer: func(data any) string {
			var ls []string
			for _, n := range items(data, "nearby", "nodes") {
				ls = append(ls, fmt.Sprintf("%s %s %.0f", text(at(n, "facility", "id")), text(at(n, "facility", "type")), number(at(n, "distanceMeters"))))
			}
			return lines(ls)
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			var ls []string
			for _, rec := range recs {
				ls = append(ls, fmt.Sprintf("%s %s %.0f", text(col(rec, "id")), text(col(rec, "type")), number(col(rec, "d"))))
			}
			return lines(ls)
		},
	},
	{
		Name:    "network around an attack, 2 hops",
		GraphQL: `query ($id: ID!) { graph(ids: [$id], depth: 2, limit: 200) { nodes { id label name } edges { source target type } truncated } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"id": fmt.Sprintf("attack:atk-%d", r.IntN(s.Attacks))}
		},
		// Weapons, attack types, months and years are shown but not walked through, as Athar does.
		Floor: `MATCH (n:Entity {id: $id})-[r1]-(m:Entity)
OPTIONAL MATCH (m)-[r2]-(k:Entity) WHERE NOT (m:Weapon OR m:AttackType OR m:Month OR m:Year)
WITH n, m, r1, r2, k LIMIT 4000
RETURN n.id AS n, type(r1) AS r1, m.id AS m, coalesce(m.name, m.title, m.id) AS mName,
  type(r2) AS r2, k.id AS k, coalesce(k.name, k.title, k.id) AS kName`,
		FloorParams: same,
		Answer: func(data any) string {
			if at(data, "graph", "truncated") == true {
				return "truncated"
			}
			// A node's id in a network view is its entity's id behind "graphnode:".
			return sortedTexts(items(data, "graph", "nodes"), func(n any) string { return strings.TrimPrefix(text(at(n, "id")), "graphnode:") })
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			seen := map[string]bool{}
			var ids []any
			for _, rec := range recs {
				for _, k := range []string{"n", "m", "k"} {
					if id, ok := col(rec, k).(string); ok && !seen[id] {
						seen[id] = true
						ids = append(ids, id)
					}
				}
			}
			if len(ids) > 200 {
				return "truncated"
			}
			return sortedTexts(ids, text)
		},
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
WITH f, ids, [i IN range(0, size(dates) - 3) WHERE duration.inDays(dates[i], dates[i + 2]).days <= 30] AS windows
WHERE size(windows) > 0
RETURN f.name AS name, ids, windows`,
		FloorParams: same,
		Answer: func(data any) string {
			return sortedTexts(items(data, "repeatedlyTargeted", "nodes"), func(n any) string { return text(at(n, "facility", "name")) })
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			var ns []any
			for _, rec := range recs {
				ns = append(ns, col(rec, "name"))
			}
			return sortedTexts(ns, text)
		},
	},
	{
		Name:    "deadliest attacks",
		GraphQL: `{ attacks(first: 20, orderBy: {field: KILLED, direction: DESC}, filter: {minKilled: 40}) { totalCount nodes { id title casualties { killed { low high } } } } }`,
		Vars:    func(r *rand.Rand, s Size) map[string]any { return map[string]any{} },
		Floor: `MATCH (a:Attack) WHERE a.killedHigh >= 40
WITH collect(a) AS matched
UNWIND matched AS a
WITH size(matched) AS total, a ORDER BY a.killedHigh DESC, a.id LIMIT 20
RETURN total, a.id AS id, a.title AS title, a.killedLow AS low, a.killedHigh AS high`,
		FloorParams: same,
		Answer: func(data any) string {
			return pageAnswer(data, "attacks", func(a any) string {
				return text(at(a, "casualties", "killed", "low")) + "-" + text(at(a, "casualties", "killed", "high"))
			})
		},
		FloorAnswer: func(recs []*neo4j.Record) string {
			return floorPageAnswer(recs, func(rec *neo4j.Record) string { return text(col(rec, "low")) + "-" + text(col(rec, "high")) })
		},
	},
	{
		Name:    "count of attacks over most of the years",
		GraphQL: `query ($from: Date!, $to: Date!) { attacks(filter: {dateRange: {from: $from, to: $to}}) { totalCount } }`,
		Vars: func(r *rand.Rand, s Size) map[string]any {
			return map[string]any{"from": fmt.Sprintf("2011-%02d-01", 1+r.IntN(12)), "to": fmt.Sprintf("2024-%02d-28", 1+r.IntN(12))}
		},
		// Every attack has a date (athar.Attack.Date is required) that starts no later than it ends,
		// so the attacks whose dates overlap [from, to] are all attacks (Neo4j's count store) less
		// those that start after to and those that end before from (two range seeks of the date
		// indexes, over the few attacks outside the range), which are apart when from <= to.
		Floor: `CALL () { MATCH (a:Attack) RETURN count(a) AS attacks }
CALL () { MATCH (a:Attack) WHERE a.startDate > $to RETURN count(a) AS later }
CALL () { MATCH (a:Attack) WHERE a.endDate < $from RETURN count(a) AS earlier }
RETURN attacks - later - earlier AS total`,
		FloorParams: dates,
		Answer:      func(data any) string { return text(at(data, "attacks", "totalCount")) },
		FloorAnswer: func(recs []*neo4j.Record) string {
			if len(recs) == 0 {
				return ""
			}
			return text(col(recs[0], "total"))
		},
	},
}

// bucketLine is a line of a timeline's essence, or "" for an empty bucket (which Athar may list
// and a floor leaves out).
func bucketLine(start, attacks, low, high any) string {
	if number(attacks) == 0 && number(low) == 0 && number(high) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s %s-%s", text(start), text(attacks), text(low), text(high))
}
