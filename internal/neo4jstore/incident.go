package neo4jstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// A group of attacks a curator linked as one incident is an (:Incident) node each of them points to
// with a SAME_INCIDENT relationship, which keeps the note and time of the link that added the
// attack. An attack is in at most one group; linking attacks of several groups merges the groups
// into one, so that the relation is transitive without walking paths. The Incident node is
// no entity: it has no id of its own, and is reached only from its attacks.
const (
	labelIncident   = "Incident"
	relSameIncident = "SAME_INCIDENT"
	// incidentLock is the AtharLock node links and unlinks take turns on: a link reads the groups
	// of its attacks and may merge them, which a concurrent link must not change under it.
	incidentLock = "incident"
)

// broadPlaceKinds are the kinds of place too large for a shared place to suggest one incident.
var broadPlaceKinds = []string{"COUNTRY", "GOVERNORATE"}

// duplicateCandidates binds b to every attack that may be a duplicate of the attack in a, whose
// mapped point (mappedLocation) is in am, dataset id in aset, and date window (its date range
// widened by $days each way) lo..hi: of another dataset (a curated attack, of none, is its own),
// dated in the window, and mapped within $meters, sharing a facility, naming one (namesFacility) or
// sharing a place (sharedPlace). It starts from indexes only: the attacks that start or end in the
// window (the range indexes attack_start and attack_end), those whose date spans the whole window,
// which hang from the month or year of the time tree that holds it (by its id), and those that
// share a facility (relationships, for a date that spans years). It binds bm, b's mapped point,
// distance, shares, names and sharesPlace besides. A point that stands for a wider place the attack
// was in (athar.FromEnclosingPlace) measures no distance: two attacks of one governorate are not
// near each other for being drawn at its centre.
func duplicateCandidates() string {
	return fmt.Sprintf(`CALL (a, lo, hi) {
  MATCH (b:Attack) WHERE b.startDate >= lo AND b.startDate <= hi RETURN b
  UNION
  MATCH (b:Attack) WHERE b.endDate >= lo AND b.endDate <= hi RETURN b
  UNION
  WITH [t IN ['month:' + left(toString(lo), 7), 'year:' + left(toString(lo), 4)]
        WHERE t IN ['month:' + left(toString(hi), 7), 'year:' + left(toString(hi), 4)]] AS spans
  MATCH (t:TimeNode) WHERE t.id IN spans
  MATCH (b:Attack)-[:ON]->(t) RETURN b
  UNION
  MATCH (a)-[:%[1]s]->(:Facility)<-[:%[1]s]-(b:Attack) RETURN b
}
WITH a, am, aset, lo, hi, b
WHERE b <> a AND b.startDate <= hi AND b.endDate >= lo
  AND coalesce(head([(b)-[:%[2]s]->(d:Dataset) | d.id]), '') <> coalesce(aset, '')
WITH a, am, aset, lo, hi, b,
  EXISTS { (a)-[:%[1]s]->(:Facility)<-[:%[1]s]-(b) } AS shares,
  %[3]s OR %[4]s AS sharesPlace,
  %[6]s OR %[7]s AS names
%[5]s
WITH a, am, aset, lo, hi, b, bm, shares, sharesPlace, names,
  CASE WHEN am IS NULL OR bm IS NULL OR am.from = '%[8]s' OR bm.from = '%[8]s' THEN null ELSE point.distance(am.p, bm.p) END AS distance
WHERE (shares OR names OR sharesPlace OR distance <= $meters)
`, relTargeted, relInDataset, sharedPlace("a", "b"), sharedPlace("b", "a"), storedMapped("b", "bm"),
		namesFacility("a", "b"), namesFacility("b", "a"), athar.FromEnclosingPlace)
}

// namesFacility is the condition that the title, or the quote of a claim, of the attack in y names
// a facility the attack in x hit: its folded name or one of its folded aliases, of two words or
// more (a single word, "school", names too much), is among the folded words of the text
// (athar.ReasonNamesFacility). It reads the folded copies the store keeps for search.
func namesFacility(x, y string) string {
	return fmt.Sprintf(`EXISTS {
    MATCH (%[1]s)-[:%[3]s]->(f:Facility)
    WITH f, [t IN [%[2]s.titleFolded] + COLLECT { MATCH (%[2]s)<-[:%[4]s]-(c:Claim) RETURN c.quoteFolded } WHERE t IS NOT NULL | ' ' + t + ' '] AS texts
    WHERE any(n IN [f.nameFolded] + coalesce(f.aliasesFolded, []) WHERE n CONTAINS ' ' AND any(t IN texts WHERE t CONTAINS ' ' + n + ' '))
  }`, x, y, relTargeted, relAbout)
}

// sharedPlace is the condition that a place of the attack in x (one it occurred in, or that of a
// facility it hit) is a place of the attack in y or inside one, and that place of y is not too
// broad to suggest one incident (broadPlaceKinds: a country, a governorate).
func sharedPlace(x, y string) string {
	placeOf := fmt.Sprintf("-[:%s|%s]->()-[:%s*0..1]->(:Place)", relOccurredIn, relTargeted, relLocatedIn)
	return fmt.Sprintf("EXISTS { (%s)%s%s(p:Place)<-[:%s*0..1]-()<-[:%s|%s]-(%s) WHERE NOT p.kind IN $broad }",
		x, placeOf, upPlaces, relLocatedIn, relOccurredIn, relTargeted, y)
}

// duplicateSubject binds a's mapped point am, its dataset id aset, and its date window lo..hi (its
// date range widened by $days each way), dropping the variables mappedLocation binds besides.
func duplicateSubject() string {
	return storedMapped("a", "am") + fmt.Sprintf(`
WITH a, am, head([(a)-[:%s]->(d:Dataset) | d.id]) AS aset,
  a.startDate - duration({days: $days}) AS lo, a.endDate + duration({days: $days}) AS hi
`, relInDataset)
}

// duplicateParams are the parameters duplicateCandidates reads.
func duplicateParams(r athar.DuplicateRequest) map[string]any {
	return map[string]any{"id": r.AttackID, "days": int64(r.WithinDays), "meters": r.WithinMeters, "broad": broadPlaceKinds}
}

// duplicateFactsQuery is the query of DuplicateFacts: one row, the attack's killed figures and the
// facts of each candidate; none when the attack does not exist.
func duplicateFactsQuery(r athar.DuplicateRequest) (string, map[string]any) {
	return "MATCH (a:Attack {id: $id})\n" + duplicateSubject() + `
CALL (a, am, aset, lo, hi) {
` + duplicateCandidates() + fmt.Sprintf(`
  RETURN collect({id: b.id, distance: distance, shares: shares, names: names, sharesPlace: sharesPlace,
    low: b.killedLow§, high: b.killedHigh§,
    daysApart: CASE WHEN b.startDate > a.endDate THEN duration.inDays(a.endDate, b.startDate).days
                    WHEN b.endDate < a.startDate THEN duration.inDays(b.endDate, a.startDate).days
                    ELSE 0 END,
    linked: EXISTS { (a)-[:%[1]s]->(:%[2]s)<-[:%[1]s]-(b) }}) AS facts
}
RETURN a.killedLow§ AS low, a.killedHigh§ AS high, facts`, relSameIncident, labelIncident), duplicateParams(r)
}

// DuplicateFacts implements athar.Incidents, in one query.
func (s *Store) DuplicateFacts(ctx context.Context, r athar.DuplicateRequest) ([]athar.DuplicateFacts, error) {
	q, params := duplicateFactsQuery(r)
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, &athar.Error{Code: athar.ENOTFOUND, Field: "attackId", Message: fmt.Sprintf("attack %q not found", r.AttackID)}
	}
	row := rowOf(recs[0])
	low, high := intPtr(row["low"]), intPtr(row["high"])
	facts := mapsAt(row, "facts")
	out := make([]athar.DuplicateFacts, 0, len(facts))
	for _, f := range facts {
		id := str(f, "id")
		if id == "" {
			continue // deleted while the query read it
		}
		d := athar.DuplicateFacts{AttackID: id, SharesFacility: field[bool](f, "shares"), NamesFacility: field[bool](f, "names"), SharesPlace: field[bool](f, "sharesPlace"),
			KilledLow: low, KilledHigh: high, OtherLow: intPtr(f["low"]), OtherHigh: intPtr(f["high"]),
			AlreadyLinked: field[bool](f, "linked"), DaysApart: int(field[int64](f, "daysApart"))}
		if m, ok := f["distance"].(float64); ok {
			d.DistanceMeters = &m
		}
		out = append(out, d)
	}
	return out, nil
}

// intPtr reads an integer property, nil when absent.
func intPtr(v any) *int {
	n, ok := v.(int64)
	if !ok {
		return nil
	}
	i := int(n)
	return &i
}

// SameIncident implements athar.Incidents, in one query.
func (s *Store) SameIncident(ctx context.Context, ids []string) (map[string]athar.IncidentLink, error) {
	recs, err := s.read(ctx, fmt.Sprintf(`
UNWIND $ids AS id
MATCH (a:Attack {id: id})-[r:%[1]s]->(i:%[2]s)
CALL (a, i) {
  MATCH (m:Attack)-[:%[1]s]->(i) WHERE m <> a
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS others
}
RETURN id, r.note AS note, r.at AS at, others`, relSameIncident, labelIncident), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]athar.IncidentLink, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		l := athar.IncidentLink{Others: strs(m, "others"), Note: str(m, "note")}
		if at, ok := m["at"].(time.Time); ok {
			l.LinkedAt = at.UTC()
		}
		out[str(m, "id")] = l
	}
	return out, nil
}

// datasetOverlapQuery is the query of DatasetOverlap over the attacks of dataset a that f matches
// (its datasetIds left aside: the caller checked that they include a), compared with dataset b: one
// row of counts and unmatched ids.
func datasetOverlapQuery(a, b string, f athar.AttackFilter) (string, map[string]any) {
	// The attacks of a: from the dataset when f asks for nothing else; else from f's own start (a
	// date range, a place, a point), which is taken to be narrower than a whole dataset, checking
	// the dataset on each attack.
	f.DatasetIDs = nil
	inA := ""
	if reflect.ValueOf(f).IsZero() {
		f.DatasetIDs = []string{a}
	} else {
		inA = fmt.Sprintf("WITH a WHERE EXISTS { (a)-[:%s]->(:Dataset {id: $a}) }\n", relInDataset)
	}
	sc := attackScope(f, athar.OrderDateAsc)
	params := duplicateParams(athar.DefaultDuplicateRequest(""))
	delete(params, "id")
	for k, v := range sc.params {
		params[k] = v
	}
	params["a"], params["b"] = a, b
	return sc.cypher + inA + duplicateSubject() + fmt.Sprintf(`
WITH a, am, aset, lo, hi,
  EXISTS { (a)-[:%[1]s]->(:%[2]s)<-[:%[1]s]-(:Attack)-[:%[3]s]->(:Dataset {id: $b}) } AS confirmed
CALL (a, am, aset, lo, hi) {
`, relSameIncident, labelIncident, relInDataset) + duplicateCandidates() + fmt.Sprintf(`
    AND EXISTS { (b)-[:%s]->(:Dataset {id: $b}) }
  RETURN count(b) > 0 AS candidate
}
WITH a, confirmed, confirmed OR candidate AS matched
ORDER BY a.startDate, a.endDate, a.id
RETURN count(a) AS total, sum(CASE WHEN confirmed THEN 1 ELSE 0 END) AS confirmed,
  sum(CASE WHEN matched THEN 1 ELSE 0 END) AS matched,
  collect(CASE WHEN NOT matched THEN a.id END) AS unmatched`, relInDataset), params
}

// DatasetOverlap implements athar.Incidents: after looking up the two datasets by id, it finds in one
// query, for each of a's attacks that f matches (f's datasetIds, when given, must include a),
// whether it is linked to an attack of b and whether it has a candidate in b by the default rule
// (athar.DefaultDuplicateRequest). It reads every such attack and its candidates: over a large
// dataset, narrow it with f (dates, places).
func (s *Store) DatasetOverlap(ctx context.Context, a, b string, f athar.AttackFilter) (*athar.DatasetOverlap, error) {
	found, err := s.read(ctx, "UNWIND $ids AS id OPTIONAL MATCH (d:Dataset {id: id}) RETURN id, d IS NOT NULL AS found",
		map[string]any{"ids": []string{a, b}})
	if err != nil {
		return nil, err
	}
	for _, rec := range found {
		m := rowOf(rec)
		if !field[bool](m, "found") {
			arg := "a"
			if str(m, "id") == b {
				arg = "b"
			}
			return nil, &athar.Error{Code: athar.ENOTFOUND, Field: arg, Message: fmt.Sprintf("dataset %q not found", str(m, "id"))}
		}
	}
	if len(f.DatasetIDs) > 0 && !slices.Contains(f.DatasetIDs, a) {
		return &athar.DatasetOverlap{}, nil
	}
	q, params := datasetOverlapQuery(a, b, f)
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return nil, err
	}
	out := &athar.DatasetOverlap{}
	if len(recs) > 0 {
		m := rowOf(recs[0])
		out.Total, out.Confirmed, out.Matched = int(field[int64](m, "total")), int(field[int64](m, "confirmed")), int(field[int64](m, "matched"))
		out.Unmatched = strs(m, "unmatched")
	}
	return out, nil
}

// LinkSameIncident implements athar.IncidentCurator, in one transaction of two queries and a change
// record per attack whose group it changed (LINK_SAME_INCIDENT, with the group before and after,
// recordIncidentChanges): the first takes the incident lock and finds the attacks and their groups,
// the second puts them and every member of their
// groups in one new group (keeping each member's note and time) and deletes the old groups.
func (s *Store) LinkSameIncident(ctx context.Context, r athar.LinkRequest) ([]string, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	params := map[string]any{"ids": r.AttackIDs, "note": nilIfEmpty(r.Note), "now": s.now(), "lock": incidentLock}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) ([]string, error) {
		recs, err := collect(ctx, tx, fmt.Sprintf(`
MERGE (l:AtharLock {id: $lock}) SET l.at = $now
WITH l
UNWIND range(0, size($ids) - 1) AS i
OPTIONAL MATCH (a:Attack {id: $ids[i]})
CALL (a) {
  OPTIONAL MATCH (a)-[:%[1]s]->(:%[2]s)<-[:%[1]s]-(m:Attack)
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS others
}
RETURN i, a IS NOT NULL AS found, a.id AS id, others ORDER BY i`, relSameIncident, labelIncident), params)
		if err != nil {
			return nil, err
		}
		var p athar.Problems
		before := map[string][]string{}
		for _, rec := range recs {
			m := rowOf(rec)
			if others := strs(m, "others"); len(others) > 0 {
				before[str(m, "id")] = append(others, str(m, "id"))
				for _, o := range others {
					before[o] = before[str(m, "id")]
				}
			}
			if !field[bool](m, "found") {
				i := int(field[int64](m, "i"))
				p = append(p, &athar.Error{Code: athar.ENOTFOUND, Field: fmt.Sprintf("attackIds[%d]", i), Message: fmt.Sprintf("attack %q not found", r.AttackIDs[i])})
			}
		}
		if len(p) > 0 {
			return nil, p
		}
		recs, err = collect(ctx, tx, fmt.Sprintf(`
MATCH (a:Attack) WHERE a.id IN $ids
OPTIONAL MATCH (a)-[:%[1]s]->(g:%[2]s)
WITH collect(a) AS attacks, collect(DISTINCT g) AS groups
CREATE (n:%[2]s {createdAt: $now})
WITH attacks, groups, n
CALL (groups, n) {
  UNWIND groups AS o
  MATCH (m:Attack)-[r:%[1]s]->(o)
  CREATE (m)-[moved:%[1]s]->(n)
  SET moved = properties(r)
  DELETE r
}
CALL (groups) {
  UNWIND groups AS o
  DELETE o
}
UNWIND attacks AS a
MERGE (a)-[r:%[1]s]->(n)
  ON CREATE SET r.at = $now, r.note = $note
  ON MATCH SET r.note = coalesce($note, r.note)
WITH DISTINCT n
MATCH (m:Attack)-[:%[1]s]->(n)
WITH m ORDER BY m.id
RETURN collect(m.id) AS group`, relSameIncident, labelIncident), params)
		if err != nil || len(recs) == 0 {
			return nil, err
		}
		group := strs(rowOf(recs[0]), "group")
		changed := map[string][]string{}
		for _, id := range group {
			changed[id] = group
		}
		return group, recordIncidentChanges(ctx, tx, s.now(), athar.ChangeLink, before, changed)
	})
}

// recordIncidentChanges writes, in one query, one change record per attack whose group a link or
// unlink changed: each with the other attacks of its group before and after (as Attack.sameIncident
// lists them; [] for none). An attack whose group is the same after as before gets none.
func recordIncidentChanges(ctx context.Context, tx neo4j.ManagedTransaction, now time.Time, action string, before, after map[string][]string) error {
	ids := make([]string, 0, len(before)+len(after))
	for id := range before {
		ids = append(ids, id)
	}
	for id := range after {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var cs []athar.Change
	for _, id := range slices.Compact(ids) {
		was, is := sortedGroup(before[id], id), sortedGroup(after[id], id)
		if slices.Equal(was, is) {
			continue
		}
		c := newChange(ctx, now, action, id, string(athar.TypeAttack))
		var err error
		if c.Before, err = jsonText(map[string]any{"sameIncident": was}); err != nil {
			return err
		}
		if c.After, err = jsonText(map[string]any{"sameIncident": is}); err != nil {
			return err
		}
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil
	}
	return writeChanges(ctx, tx, cs)
}

// sortedGroup is the ids of a group but self, sorted, [] for none.
func sortedGroup(ids []string, self string) []string {
	out := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == self })
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// UnlinkSameIncident implements athar.IncidentCurator, in one transaction of one query and a change
// record (UNLINK_SAME_INCIDENT) for the attack and for each other member of its group, whose group
// it changed; an attack in no group changes nothing and writes none.
func (s *Store) UnlinkSameIncident(ctx context.Context, attackID string) ([]string, error) {
	var p athar.Problems
	athar.CheckID(&p, "attackId", athar.TypeAttack, attackID)
	if err := p.Err(); err != nil {
		return nil, err
	}
	params := map[string]any{"id": attackID, "now": s.now(), "lock": incidentLock}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) ([]string, error) {
		recs, err := collect(ctx, tx, fmt.Sprintf(`
MERGE (l:AtharLock {id: $lock}) SET l.at = $now
WITH l
OPTIONAL MATCH (a:Attack {id: $id})
OPTIONAL MATCH (a)-[r:%[1]s]->(n:%[2]s)
CALL (n) {
  OPTIONAL MATCH (m:Attack)-[:%[1]s]->(n)
  RETURN collect(m.id) AS before
}
DELETE r
WITH a, n, before
CALL (n) {
  OPTIONAL MATCH (m:Attack)-[:%[1]s]->(n)
  WITH n, m ORDER BY m.id
  WITH n, collect(m.id) AS left
  FOREACH (_ IN CASE WHEN n IS NOT NULL AND size(left) < 2 THEN [1] ELSE [] END | DETACH DELETE n)
  RETURN CASE WHEN size(left) < 2 THEN [] ELSE left END AS left
}
RETURN a IS NOT NULL AS found, before, left`, relSameIncident, labelIncident), params)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 || !field[bool](rowOf(recs[0]), "found") {
			return nil, &athar.Error{Code: athar.ENOTFOUND, Field: "attackId", Message: fmt.Sprintf("attack %q not found", attackID)}
		}
		left, before := strs(rowOf(recs[0]), "left"), map[string][]string{}
		for _, id := range strs(rowOf(recs[0]), "before") {
			before[id] = strs(rowOf(recs[0]), "before")
		}
		after := map[string][]string{}
		for _, id := range left {
			after[id] = left
		}
		return left, recordIncidentChanges(ctx, tx, s.now(), athar.ChangeUnlink, before, after)
	})
}
