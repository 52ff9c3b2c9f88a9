package neo4jstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore/lucene"
)

// This file holds the Cypher that more than one query shares: the domain's rules over claims, the
// walks up a hierarchy, and the filters of the lists. Each is written once; a filter is written as
// the pattern that ties a listed node to what the filter names, and both the form that starts a
// query from an index and the form that checks an already matched node are made from it.

// Relationship types the shared Cypher walks, named from the fields they store.
var (
	relTargeted     = relOf(athar.TypeAttack, "facilityIds")
	relOccurredIn   = relOf(athar.TypeAttack, "placeIds")
	relLocatedIn    = relOf(athar.TypeFacility, "placeId")
	relPlacePartOf  = relOf(athar.TypePlace, "partOf")
	relActorPartOf  = relOf(athar.TypeActor, "partOf")
	relAbout        = relOf(athar.TypeClaim, "attackId")
	relReportedIn   = relOf(athar.TypeClaim, "sourceId")
	relNames        = relOf(athar.TypeClaim, "names")
	relAggregatedIn = relOf(athar.TypeAttack, "aggregateId")
)

// The walks up a hierarchy, as relationship patterns: a place and every place it is inside (to
// athar.MaxPlaceDepth), an actor and every actor it is part of (to athar.MaxActorDepth).
var (
	upPlaces       = fmt.Sprintf("-[:%s*0..%d]->", relPlacePartOf, athar.MaxPlaceDepth)
	strictlyInside = fmt.Sprintf("-[:%s*1..%d]->", relPlacePartOf, athar.MaxPlaceDepth)
	upActors       = fmt.Sprintf("-[:%s*0..%d]->", relActorPartOf, athar.MaxActorDepth)
)

// backsFigures is athar.(*Claim).BacksFigures in Cypher, for the claim in variable c: a live claim
// that does not deny what it states (a claim that gives no stance denies nothing, as in Go, where
// comparing a missing property would leave it out). TestRules_CypherFollowsTheDomain holds them
// equal.
func backsFigures(c string) string {
	return fmt.Sprintf("%[1]s.retracted IS NULL AND %[1]s.withdrawnIn IS NULL AND coalesce(%[1]s.stance, '') <> '%[2]s'", c, athar.Denies)
}

// attributes is athar.(*Claim).Attributes in Cypher, for the claim in variable c: a live
// PERPETRATOR claim that does not deny. TestRules_CypherFollowsTheDomain holds them equal.
func attributes(c string) string {
	return fmt.Sprintf("%[1]s.kind = '%[2]s' AND coalesce(%[1]s.stance, '') <> '%[3]s' AND %[1]s.retracted IS NULL AND %[1]s.withdrawnIn IS NULL",
		c, athar.ClaimPerpetrator, athar.Denies)
}

// filter is one filter of a list, on the node in the list's variable.
type filter struct {
	on bool
	// patterns bind the list's variable to what the filter names; a node matches when any of
	// them holds (with where). A pattern that is the variable alone is a condition on the node.
	patterns []string
	where    string
	// wheres, when set, gives each pattern a condition of its own instead of where.
	wheres []string
	// lookup, when set, is how the filter starts a query instead (a full-text query); such a
	// filter is always the first given.
	lookup string
	// ids, when set, is the parameter of ids of a mergeable type the filter's conditions test
	// with "<node>.id IN $<ids>": each id a merge removed is read as the one it was merged into
	// (currentIDs), in the same query.
	ids string
}

// scope is a Cypher fragment that binds a variable to the nodes the filters match, one row each,
// with its parameters. It starts from the first filter given (the most selective, by the order
// they are listed) and checks the others on the matched nodes. Only fixed Cypher text is
// assembled; every value the user gives is a parameter.
type scope struct {
	cypher string
	params map[string]any
}

// buildScope makes the scope of variable v over the filters; with none given, it starts with all.
func buildScope(v, all string, filters []filter, params map[string]any) scope {
	var start string
	var checks []string
	for _, f := range filters {
		switch {
		case !f.on:
		case start == "":
			start = f.start(v)
		default:
			checks = append(checks, f.check(v))
		}
	}
	distinct := "DISTINCT "
	if start == "" {
		distinct, start = "", all
	}
	c := start + "\nWITH " + distinct + v
	if len(checks) > 0 {
		c += " WHERE " + strings.Join(checks, "\n  AND ")
	}
	return scope{cypher: c + "\n", params: params}
}

// start is the clause that binds v to the nodes the filter matches, from an index. A filter by
// ids starts from each current id in turn (currentIDs), whose node is one index seek.
func (f filter) start(v string) string {
	if f.lookup != "" {
		return f.lookup
	}
	match := func(i int) string {
		if f.ids == "" {
			return "MATCH " + f.patterns[i] + " WHERE " + f.whereOf(i)
		}
		current := "current_" + f.ids
		return fmt.Sprintf("UNWIND %s AS %s MATCH %s WHERE %s", currentIDs(f.ids), current, f.patterns[i],
			strings.Replace(f.given(i), ".id IN $"+f.ids, ".id = "+current, 1))
	}
	if len(f.patterns) == 1 {
		return match(0)
	}
	parts := make([]string, len(f.patterns))
	for i := range f.patterns {
		parts[i] = fmt.Sprintf("%s RETURN %s", match(i), v)
	}
	return "CALL () { " + strings.Join(parts, " UNION ") + " }"
}

// whereOf is the condition of pattern i, as a check on nodes already matched: a filter by ids
// tests them against the current ids (currentIDs).
func (f filter) whereOf(i int) string {
	w := f.given(i)
	if f.ids != "" {
		w = strings.Replace(w, "$"+f.ids, currentIDs(f.ids), 1)
	}
	return w
}

// given is the condition of pattern i as the filter states it.
func (f filter) given(i int) string {
	if f.wheres != nil {
		return f.wheres[i]
	}
	return f.where
}

// check is the condition that the node bound to v matches the filter.
func (f filter) check(v string) string {
	parts := make([]string, len(f.patterns))
	for i, p := range f.patterns {
		if strings.HasPrefix(p, "("+v+":") && strings.Count(p, "(") == 1 {
			parts[i] = f.whereOf(i) // the node alone: the condition is on it
			continue
		}
		parts[i] = fmt.Sprintf("EXISTS { MATCH %s WHERE %s }", p, f.whereOf(i))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// currentIDs is the list of ids in the parameter param, each id a merge removed replaced by the id
// of the entity it was merged into (its alias, as Aliases reads it), as a Cypher expression: a
// filter by ids of a mergeable type finds what the removed one was linked to, in its own query.
// An id no merge removed stays as it is.
func currentIDs(param string) string {
	given, gone := "given_"+param, "gone_"+param
	return fmt.Sprintf("COLLECT { UNWIND $%[1]s AS %[2]s OPTIONAL MATCH (%[3]s:%[4]s {id: %[2]s}) RETURN coalesce(%[3]s.mergedInto, %[2]s) AS alias_%[1]s }",
		param, given, gone, labelDeleted)
}

// attackScope binds a to the attacks f matches. The filters are listed most selective first.
func attackScope(f athar.AttackFilter, order athar.AttackOrder, extra ...filter) scope {
	filters, p := attackFilters(f, extra...)
	// With no filter, start from the index the order reads, so that a page is read in index order
	// instead of sorting every attack.
	all := "MATCH (a:Attack) WHERE a.startDate IS NOT NULL"
	if order == athar.OrderKilledDesc || order == athar.OrderKilledAsc {
		all = "MATCH (a:Attack) WHERE " + figure("a", "killedSort") + " IS NOT NULL"
	}
	return buildScope("a", all, filters, p)
}

// attackFilters returns the filters of f on the attacks in a, most selective first (those not in
// f are off), extra among them, and their parameters.
func attackFilters(f athar.AttackFilter, extra ...filter) ([]filter, map[string]any) {
	p := map[string]any{}
	set := func(on bool, key string, value func() any) bool {
		if on {
			p[key] = value()
		}
		return on
	}
	atFacility := fmt.Sprintf("(a:Attack)-[:%s]->(f:Facility)", relTargeted)
	filters := []filter{
		{on: set(f.Text != "", "text", func() any { return luceneQuery(f.Text) }),
			lookup: "CALL db.index.fulltext.queryNodes('" + searchIndex + "', $text) YIELD node WHERE node:Attack OR node:Claim\n" +
				fmt.Sprintf("OPTIONAL MATCH (node:Claim)-[:%s]->(about:Attack)\n", relAbout) +
				"WITH coalesce(about, CASE WHEN node:Attack THEN node END) AS a WHERE a IS NOT NULL"},
		{on: set(len(f.FacilityIDs) > 0, "facilityIds", func() any { return f.FacilityIDs }),
			patterns: []string{atFacility}, ids: "facilityIds", where: "f.id IN $facilityIds"},
		{on: set(len(f.SourceIDs) > 0, "sourceIds", func() any { return f.SourceIDs }),
			patterns: []string{fmt.Sprintf("(a:Attack)<-[:%s]-(:Claim)-[:%s]->(s:Source)", relAbout, relReportedIn)},
			ids:      "sourceIds", where: "s.id IN $sourceIds"},
		{on: set(len(f.ActorIDs) > 0, "actorIds", func() any { return f.ActorIDs }),
			patterns: []string{fmt.Sprintf("(a:Attack)<-[:%s]-(c:Claim)-[:%s]->(:Actor)%s(x:Actor)", relAbout, relNames, upActors)},
			ids:      "actorIds", where: "x.id IN $actorIds AND " + attributes("c")},
		{on: set(len(f.PlaceIDs) > 0, "placeIds", func() any { return f.PlaceIDs }),
			patterns: []string{
				fmt.Sprintf("(a:Attack)-[:%s]->(:Place)%s(pl:Place)", relOccurredIn, upPlaces),
				fmt.Sprintf("(a:Attack)-[:%s]->(:Facility)-[:%s]->(:Place)%s(pl:Place)", relTargeted, relLocatedIn, upPlaces),
			},
			ids: "placeIds", where: "pl.id IN $placeIds"},
		nearFilter(f.Near != nil),
	}
	// Filters of the caller's own (the map's box, clusters.go), as selective as near.
	filters = append(filters, extra...)
	filters = append(filters, []filter{
		{on: set(len(f.DatasetIDs) > 0, "datasetIds", func() any { return f.DatasetIDs }),
			patterns: []string{fmt.Sprintf("(a:Attack)-[:%s]->(ds:Dataset)", relOf(athar.TypeAttack, "datasetId"))},
			where:    "ds.id IN $datasetIds"},
		{on: set(f.Withdrawn != nil, "withdrawn", func() any { return *f.Withdrawn }),
			patterns: []string{"(a:Attack)"}, where: "(a.withdrawnIn IS NOT NULL) = $withdrawn"},
		{on: set(len(f.Weapons) > 0, "weaponIds", func() any { return taxonomyIDs(labelWeapon, f.Weapons) }),
			patterns: []string{taxonomyPattern("weapons")}, where: "t.id IN $weaponIds"},
		{on: set(len(f.AttackTypes) > 0, "attackTypeIds", func() any { return taxonomyIDs(labelAttackType, f.AttackTypes) }),
			patterns: []string{taxonomyPattern("attackTypes")}, where: "t.id IN $attackTypeIds"},
		{on: set(len(f.FacilityTypes) > 0, "facilityTypes", func() any { return texts(f.FacilityTypes) }),
			patterns: []string{atFacility}, where: "f.type IN $facilityTypes"},
		{on: set(f.MinKilled != nil, "minKilled", func() any { return int64(*f.MinKilled) }),
			patterns: []string{"(a:Attack)"}, where: figure("a", "killedHigh") + " >= $minKilled"},
		{on: set(!f.Dates.To.IsZero(), "to", func() any { return neo4j.DateOf(f.Dates.To) }),
			patterns: []string{"(a:Attack)"}, where: "a.startDate <= $to"},
		{on: set(!f.Dates.From.IsZero(), "from", func() any { return neo4j.DateOf(f.Dates.From) }),
			patterns: []string{"(a:Attack)"}, where: "a.endDate >= $from"},
	}...)
	if f.Near != nil {
		p["nearPoint"] = neo4j.Point2D{X: f.Near.Longitude, Y: f.Near.Latitude, SpatialRefId: 4326}
		p["nearRadius"] = f.Near.RadiusMeters
	}
	return filters, p
}

// nearFilter matches the attacks whose mapped point (mappedLocation) is within $nearRadius metres
// of $nearPoint: the attack's own location; else, for an attack without one, the first facility
// it hit (by id) that has a location; else the first place it occurred in (by id) that has one.
// Each of the three starts from its label's point index.
func nearFilter(on bool) filter {
	return mappedPointFilter(on, func(v string) string {
		return fmt.Sprintf("point.distance(%s, $nearPoint) <= $nearRadius", v)
	})
}

// mappedPointFilter matches the attacks whose mapped point (mapPoint, kept by refreshMapped) holds
// within, a condition on a point expression, from the point index on mapPoint.
func mappedPointFilter(on bool, within func(point string) string) filter {
	return filter{on: on, patterns: []string{"(a:Attack)"}, where: within("a.mapPoint")}
}

// mappedLocation is the rule of where a map puts the attack in variable a: it binds out to a map
// {p, precision, from} (null when it has no point): its own location; else that of the first
// facility it hit, by id, that has one; else that of the first place it occurred in, by id, that
// has one (a place's point is its centre); else that of the nearest place with a point that holds
// a place it occurred in or a facility it hit (athar.FromEnclosingPlace), at the precision of its
// kind. athar.MappedLocation says the same. It binds fp, fprec, pp, ep and eprec besides, so a
// query uses it once.
//
// Reads do not work it out: every write that can change it (an attack's location, facilities or
// places; a facility's location or place; a place's location or parent) keeps its result on the
// attack (refreshMapped), as mapPoint, mapPrecision and mapFrom, and reads take those
// (storedMapped), mapPoint through a point index of its own. TestMappedPoint_KeptOnEveryWritePath
// holds the two equal.
func mappedLocation(a, out string) string {
	return fmt.Sprintf(`CALL (%[1]s) {
  OPTIONAL MATCH (%[1]s)-[:%[2]s]->(f:Facility) WHERE f.location IS NOT NULL
  WITH f ORDER BY f.id LIMIT 1
  RETURN f.location AS fp, f.locationPrecision AS fprec
}
CALL (%[1]s) {
  OPTIONAL MATCH (%[1]s)-[:%[3]s]->(p:Place) WHERE p.location IS NOT NULL
  WITH p ORDER BY p.id LIMIT 1
  RETURN p.location AS pp
}
CALL (%[1]s, fp, pp) {
  CALL (%[1]s, fp, pp) {
    WITH %[1]s WHERE %[1]s.location IS NULL AND fp IS NULL AND pp IS NULL
    MATCH (%[1]s)-[:%[3]s]->(:Place)-[up:%[10]s*1..%[11]d]->(q:Place) WHERE q.location IS NOT NULL
    RETURN q, size(up) AS steps
    UNION
    WITH %[1]s WHERE %[1]s.location IS NULL AND fp IS NULL AND pp IS NULL
    MATCH (%[1]s)-[:%[2]s]->(:Facility)-[:%[12]s]->(:Place)-[up:%[10]s*0..%[11]d]->(q:Place) WHERE q.location IS NOT NULL
    RETURN q, size(up) AS steps
  }
  WITH q, steps ORDER BY steps, q.id LIMIT 1
  RETURN collect(q)[0] AS enclosing
}
WITH *, CASE
  WHEN %[1]s.location IS NOT NULL THEN {p: %[1]s.location, precision: %[1]s.locationPrecision, from: '%[5]s'}
  WHEN fp IS NOT NULL THEN {p: fp, precision: fprec, from: '%[6]s'}
  WHEN pp IS NOT NULL THEN {p: pp, precision: '%[8]s', from: '%[7]s'}
  WHEN enclosing IS NOT NULL THEN {p: enclosing.location, precision: %[13]s, from: '%[9]s'} END AS %[4]s`,
		a, relTargeted, relOccurredIn, out, athar.FromAttack, athar.FromFacility, athar.FromPlace,
		athar.LocationPrecision("CENTROID"), athar.FromEnclosingPlace, relPlacePartOf, athar.MaxPlaceDepth,
		relLocatedIn, precisionOfKind("enclosing.kind"))
}

// precisionOfKind is athar.PrecisionOfPlaceKind in Cypher, for the kind in the expression kind.
func precisionOfKind(kind string) string {
	var b strings.Builder
	b.WriteString("CASE " + kind)
	for _, k := range athar.PlaceKinds {
		fmt.Fprintf(&b, " WHEN '%s' THEN '%s'", k, athar.PrecisionOfPlaceKind(k))
	}
	fmt.Fprintf(&b, " ELSE '%s' END", athar.PrecisionOfPlaceKind(""))
	return b.String()
}

// storedMapped binds out to the attack in variable a's mapped point as refreshMapped kept it, in
// the shape mappedLocation gives.
func storedMapped(a, out string) string {
	return fmt.Sprintf("WITH *, CASE WHEN %[1]s.mapPoint IS NOT NULL THEN {p: %[1]s.mapPoint, precision: %[1]s.mapPrecision, from: %[1]s.mapFrom} END AS %[2]s", a, out)
}

// refreshMappedQuery keeps on the attacks a write of entities of type t (by id, $ids) may have
// moved on a map their mapped point (mappedLocation), in id order: the attacks themselves; the
// attacks on the facilities; the attacks in the places or in places inside them, and those on
// facilities there (a place's point or parent moves their enclosing place).
func refreshMappedQuery(t athar.EntityType) string {
	var match string
	switch t {
	case athar.TypeAttack:
		match = "MATCH " + seekID("a", "Attack", "id")
	case athar.TypeFacility:
		match = fmt.Sprintf("MATCH %s MATCH (a:Attack)-[:%s]->(x)", seekID("x", "Facility", "id"), relTargeted)
	case athar.TypePlace:
		match = fmt.Sprintf(`MATCH %[1]s
MATCH (q:Place)-[:%[2]s*0..%[3]d]->(x)
CALL (q) {
  MATCH (a:Attack)-[:%[4]s]->(q) RETURN a
  UNION
  MATCH (a:Attack)-[:%[5]s]->(:Facility)-[:%[6]s]->(q) RETURN a
}`, seekID("x", "Place", "id"), relPlacePartOf, athar.MaxPlaceDepth, relOccurredIn, relTargeted, relLocatedIn)
	default:
		return ""
	}
	return "UNWIND $ids AS id\n" + match + "\nWITH DISTINCT a ORDER BY a.id\n" + mappedLocation("a", "loc") +
		"\nSET a.mapPoint = loc.p, a.mapPrecision = loc.precision, a.mapFrom = loc.from"
}

// refreshMapped keeps the mapped points of the attacks a write of entities of type t with the ids
// may have moved (refreshMappedQuery); other types move none.
func refreshMapped(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, ids []string) error {
	q := refreshMappedQuery(t)
	if q == "" || len(ids) == 0 {
		return nil
	}
	_, err := collect(ctx, tx, q, map[string]any{"ids": ids})
	return err
}

// mappedLocationOf reads the map mappedLocation binds.
func mappedLocationOf(v any) (athar.MappedLocation, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return athar.MappedLocation{}, false
	}
	pt, ok := m["p"].(dbtype.Point2D)
	if !ok {
		return athar.MappedLocation{}, false
	}
	return athar.MappedLocation{
		Location: athar.Location{Latitude: pt.Y, Longitude: pt.X, Precision: athar.LocationPrecision(str(m, "precision"))},
		From:     athar.LocationOrigin(str(m, "from")),
	}, true
}

// taxonomyPattern ties an attack to the shared node of a value of one of its enum list fields.
func taxonomyPattern(field string) string {
	t := taxonomies[athar.TypeAttack][field]
	return fmt.Sprintf("(a:Attack)-[:%s]->(t:%s)", t.rel, t.label)
}

// listKey is the property a type's list is sorted by.
func listKey(t athar.EntityType) string {
	if t == athar.TypeSource {
		return "title"
	}
	return "name"
}

// kindProperty is the property an entity filter's kinds are checked on.
func kindProperty(t athar.EntityType) string {
	if t == athar.TypeFacility {
		return "type"
	}
	return "kind"
}

// entityScope binds m to the entities of type t that f matches.
func entityScope(t athar.EntityType, f athar.EntityFilter) scope {
	p := map[string]any{}
	label := labelOf(t)
	node := fmt.Sprintf("(m:%s)", label)
	filters := []filter{
		{on: f.Text != "",
			lookup: fmt.Sprintf("CALL db.index.fulltext.queryNodes('%s', $text) YIELD node AS m WHERE m:%s", searchIndex, label)},
		{on: t == athar.TypeFacility && len(f.PlaceIDs) > 0,
			patterns: []string{fmt.Sprintf("(m:Facility)-[:%s]->(:Place)%s(pl:Place)", relLocatedIn, upPlaces)},
			ids:      "placeIds", where: "pl.id IN $placeIds"},
		{on: t == athar.TypePlace && f.Within != "",
			patterns: []string{fmt.Sprintf("(m:Place)%s(w:Place)", strictlyInside)}, where: "w.id = $within"},
		{on: t == athar.TypeFacility && f.Near != nil,
			patterns: []string{node}, where: "point.distance(m.location, $nearPoint) <= $nearRadius"},
		{on: len(f.Kinds) > 0, patterns: []string{node}, where: fmt.Sprintf("m.%s IN $kinds", kindProperty(t))},
	}
	if f.Text != "" {
		p["text"] = luceneQuery(f.Text)
	}
	if len(f.PlaceIDs) > 0 {
		p["placeIds"] = f.PlaceIDs
	}
	if f.Within != "" {
		p["within"] = f.Within
	}
	if f.Near != nil {
		p["nearPoint"] = neo4j.Point2D{X: f.Near.Longitude, Y: f.Near.Latitude, SpatialRefId: 4326}
		p["nearRadius"] = f.Near.RadiusMeters
	}
	if len(f.Kinds) > 0 {
		p["kinds"] = f.Kinds
	}
	return buildScope("m", fmt.Sprintf("MATCH (m:%s) WHERE m.%s IS NOT NULL", label, listKey(t)), filters, p)
}

// luceneQuery is the full-text query of what a user typed (lucene.Query), over at most the
// search limit's number of words.
func luceneQuery(text string) string {
	return lucene.Query(text, athar.CurrentSearchLimits().MaxTerms)
}
