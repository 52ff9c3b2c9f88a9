package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// getQuery reads entities of one type by id, with the ids of their owned links.
func getQuery(spec *typeSpec) string {
	return fmt.Sprintf("MATCH (m:%s) WHERE m.id IN $ids RETURN %s", spec.label, returnFields(spec, "m"))
}

// returnFields is what a query returns of an entity in the variable v: the properties it is decoded
// from (props: typeSpec.projection) and the ids of its owned links by relationship type (links).
func returnFields(spec *typeSpec, v string) string { return returnFieldsOf(spec, v, nil) }

// returnFieldsOf is returnFields limited to the fields only names for spec's type (a type it does
// not name is read whole): the items of a page a request selects a few fields of.
func returnFieldsOf(spec *typeSpec, v string, only athar.WalkFields) string {
	return fmt.Sprintf("%s AS props, %s AS links", spec.projectionOf(v, only), linkMapOf(spec, v, only))
}

// itemFields is returnFields as a map, for a list of entities collected in one row.
func itemFields(spec *typeSpec, v string) string {
	return fmt.Sprintf("{props: %s, links: %s}", spec.projection(v), linkMap(spec, v))
}

// linkMap is a Cypher map of the ids of the owned links of the node v, by relationship type.
func linkMap(spec *typeSpec, v string) string { return linkMapOf(spec, v, nil) }

// linkMapOf is linkMap limited to the reference fields only names for spec's type (a type it does
// not name has all its links read), less those of skip (read otherwise).
func linkMapOf(spec *typeSpec, v string, only athar.WalkFields, skip ...string) string {
	fields, limited := only[spec.d.Type]
	links := make([]string, 0, len(spec.links))
	for _, l := range spec.links {
		if l.derived != nil {
			continue // mirrors a property
		}
		if limited && !slices.Contains(fields, l.field.Name) || slices.Contains(skip, l.field.Name) {
			continue
		}
		links = append(links, fmt.Sprintf("%s: [(%s)-[:%s]->(t:%s) | t.id]", l.rel, v, l.rel, l.target))
	}
	return "{" + strings.Join(links, ", ") + "}"
}

// decodeRecord decodes an entity from a map with props and links (returnFields or itemFields), and
// returns false when the map holds no entity: its node was deleted while the query read it.
func decodeRecord(spec *typeSpec, m map[string]any) (athar.Entity, bool) {
	props := field[map[string]any](m, "props")
	if str(props, "id") == "" {
		return nil, false
	}
	e := spec.decodeNode(props, field[map[string]any](m, "links"))
	athar.Normalize(e)
	return e, true
}

// decodeEntities decodes the entities of records of props and links, leaving out those deleted
// while the query read them.
func decodeEntities(t athar.EntityType, recs []*neo4j.Record) []athar.Entity {
	spec := specOf(t)
	out := make([]athar.Entity, 0, len(recs))
	for _, rec := range recs {
		if e, ok := decodeRecord(spec, rowOf(rec)); ok {
			out = append(out, e)
		}
	}
	return out
}

// typed returns the entities that are of type T as T (decoded by T's type spec, all of them are).
func typed[T athar.Entity](es []athar.Entity) []T {
	out := make([]T, 0, len(es))
	for _, e := range es {
		if t, ok := e.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// byID reads entities of T's type by id.
func byID[T athar.Entity](ctx context.Context, s *Store, ids []string) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var zero T
	recs, err := s.read(ctx, getQuery(specOf(zero.EntityType())), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return typed[T](decodeEntities(zero.EntityType(), recs)), nil
}

func getTx(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, ids []string) ([]athar.Entity, error) {
	recs, err := collect(ctx, tx, getQuery(specOf(t)), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return decodeEntities(t, recs), nil
}

// DatasetsByID implements athar.Reader.
func (s *Store) DatasetsByID(ctx context.Context, ids []string) ([]*athar.Dataset, error) {
	return byID[*athar.Dataset](ctx, s, ids)
}

// PlacesByID implements athar.Reader.
func (s *Store) PlacesByID(ctx context.Context, ids []string) ([]*athar.Place, error) {
	return byID[*athar.Place](ctx, s, ids)
}

// ActorsByID implements athar.Reader.
func (s *Store) ActorsByID(ctx context.Context, ids []string) ([]*athar.Actor, error) {
	return byID[*athar.Actor](ctx, s, ids)
}

// FacilitiesByID implements athar.Reader.
func (s *Store) FacilitiesByID(ctx context.Context, ids []string) ([]*athar.Facility, error) {
	return byID[*athar.Facility](ctx, s, ids)
}

// SourcesByID implements athar.Reader.
func (s *Store) SourcesByID(ctx context.Context, ids []string) ([]*athar.Source, error) {
	return byID[*athar.Source](ctx, s, ids)
}

// EventsByID implements athar.Reader.
func (s *Store) EventsByID(ctx context.Context, ids []string) ([]*athar.Event, error) {
	return byID[*athar.Event](ctx, s, ids)
}

// AttacksByID implements athar.Reader.
func (s *Store) AttacksByID(ctx context.Context, ids []string) ([]*athar.Attack, error) {
	return byID[*athar.Attack](ctx, s, ids)
}

// ClaimsByID implements athar.Reader.
func (s *Store) ClaimsByID(ctx context.Context, ids []string) ([]*athar.Claim, error) {
	return byID[*athar.Claim](ctx, s, ids)
}

// EntitiesByID implements athar.Reader: one query per entity type the ids name.
func (s *Store) EntitiesByID(ctx context.Context, ids []string) ([]athar.Entity, error) {
	byType := map[athar.EntityType][]string{}
	for _, id := range ids {
		if t := athar.TypeOfID(id); t != "" {
			byType[t] = append(byType[t], id)
		}
	}
	var out []athar.Entity
	for _, t := range athar.EntityTypes {
		if len(byType[t]) == 0 {
			continue
		}
		recs, err := s.read(ctx, getQuery(specOf(t)), map[string]any{"ids": byType[t]})
		if err != nil {
			return nil, err
		}
		out = append(out, decodeEntities(t, recs)...)
	}
	return out, nil
}

// incoming is a list that hangs from an entity of type from: the entities of type to whose
// reference fields name it.
type incoming struct {
	from   athar.EntityType
	to     athar.EntityType
	fields []string // reference fields of to
}

// pattern is the Cypher pattern from (n) of the ids to (m) of the list.
func (in incoming) pattern() string {
	rels := make([]string, len(in.fields))
	for i, f := range in.fields {
		rels[i] = relOf(in.to, f)
	}
	return fmt.Sprintf("(n:%s {id: id})<-[:%s]-(m:%s)", labelOf(in.from), strings.Join(rels, "|"), labelOf(in.to))
}

// related reads, for each id, the window w of the list in its type's order, and the list's size.
func related[T athar.Entity](ctx context.Context, s *Store, in incoming, ids []string, w athar.Window) (map[string]athar.List[T], error) {
	to := specOf(in.to)
	distinct := ""
	if len(in.fields) > 1 {
		distinct = "DISTINCT " // an attack both during and part of an event is listed once
	}
	query := windowQuery("MATCH "+in.pattern(), "WITH "+distinct+"m", "count("+distinct+"m)", to, w)
	return windows[T](ctx, s, in.to, query, map[string]any{"ids": ids}, ids, w)
}

// windowQuery is the query of a window of a list that hangs from each id: match binds m from id,
// with keeps the rows to order, count counts them. A whole list (athar.All) is counted from its
// items rather than walked a second time: the claims of an attack, read whole for its summaries,
// are on the hottest path there is.
func windowQuery(match, with, count string, to *typeSpec, w athar.Window) string {
	if w == athar.All {
		return fmt.Sprintf(`UNWIND $ids AS id
CALL (id) { %s %s ORDER BY %s SKIP $offset LIMIT $limit RETURN collect(%s) AS items }
RETURN id, items, size(items) AS total`, match, with, to.order, itemFields(to, "m"))
	}
	return fmt.Sprintf(`UNWIND $ids AS id
CALL (id) { %[1]s %[2]s ORDER BY %[3]s SKIP $offset LIMIT $limit RETURN collect(%[4]s) AS items }
CALL (id) { %[1]s RETURN %[5]s AS total }
RETURN id, items, total`, match, with, to.order, itemFields(to, "m"), count)
}

// windows runs a query that returns, per id, the items of a window (maps of props and links) and
// the list's total, and gives every id asked for a list.
func windows[T athar.Entity](ctx context.Context, s *Store, t athar.EntityType, query string, params map[string]any, ids []string, w athar.Window) (map[string]athar.List[T], error) {
	out := make(map[string]athar.List[T], len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	params["offset"], params["limit"] = int64(w.Offset), limitParam(w.Limit)
	recs, err := s.read(ctx, query, params)
	if err != nil {
		return nil, err
	}
	lists := entityLists(t, recs)
	for _, rec := range recs {
		m := rowOf(rec)
		if id := str(m, "id"); id != "" {
			out[id] = athar.List[T]{Items: typed[T](lists[id]), Total: int(field[int64](m, "total"))}
		}
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = athar.List[T]{}
		}
	}
	return out, nil
}

// entityLists reads records of (id, items), where items are maps {props, links} of one type.
func entityLists(t athar.EntityType, recs []*neo4j.Record) map[string][]athar.Entity {
	spec := specOf(t)
	out := make(map[string][]athar.Entity, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		items := mapsAt(m, "items")
		es := make([]athar.Entity, 0, len(items))
		for _, item := range items {
			if e, ok := decodeRecord(spec, item); ok {
				es = append(es, e)
			}
		}
		out[str(m, "id")] = es
	}
	return out
}

// The lists that hang from entities, each read from its far end.
var (
	attacksInPlaces     = incoming{athar.TypePlace, athar.TypeAttack, []string{"placeIds"}}
	facilitiesInPlaces  = incoming{athar.TypePlace, athar.TypeFacility, []string{"placeId"}}
	partsOfPlaces       = incoming{athar.TypePlace, athar.TypePlace, []string{"partOf"}}
	membersOfActors     = incoming{athar.TypeActor, athar.TypeActor, []string{"partOf"}}
	statementsOfActors  = incoming{athar.TypeActor, athar.TypeClaim, []string{"claimedBy"}}
	claimsNamingActors  = incoming{athar.TypeActor, athar.TypeClaim, []string{"names"}}
	sourcesOfPublishers = incoming{athar.TypeActor, athar.TypeSource, []string{"publishedBy"}}
	claimsInSources     = incoming{athar.TypeSource, athar.TypeClaim, []string{"sourceId"}}
	sourcesCiting       = incoming{athar.TypeSource, athar.TypeSource, []string{"cites"}}
	claimsAboutAttacks  = incoming{athar.TypeAttack, athar.TypeClaim, []string{"attackId"}}
	attacksOfEvents     = incoming{athar.TypeEvent, athar.TypeAttack, []string{"duringEventIds", "partOfEventIds"}}
	eventsAtFacilities  = incoming{athar.TypeFacility, athar.TypeEvent, []string{"facilityId"}}
	attacksOfDatasets   = incoming{athar.TypeDataset, athar.TypeAttack, []string{"datasetId"}}
	partsOfAttacks      = incoming{athar.TypeAttack, athar.TypeAttack, []string{"aggregateId"}}
)

// AttacksOfDatasets implements athar.Reader.
func (s *Store) AttacksOfDatasets(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Attack], error) {
	return related[*athar.Attack](ctx, s, attacksOfDatasets, ids, w)
}

// PartsOfAttacks implements athar.Reader.
func (s *Store) PartsOfAttacks(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Attack], error) {
	return related[*athar.Attack](ctx, s, partsOfAttacks, ids, w)
}

// DatasetInfos implements athar.Reader. The counts follow each type's link to its dataset
// (datasetId), so each is a count of relationships of one dataset node, which Neo4j keeps.
func (s *Store) DatasetInfos(ctx context.Context, ids []string) (map[string]athar.DatasetInfo, error) {
	count := func(t athar.EntityType) string {
		return fmt.Sprintf("COUNT { (d)<-[:%s]-(:%s) }", relOf(t, "datasetId"), labelOf(t))
	}
	query := fmt.Sprintf(`UNWIND $ids AS id
MATCH (d:Dataset {id: id})
RETURN d.id AS id, d.importedAt AS importedAt, %s AS attacks,
  COUNT { (d)<-[:%s]-(a:Attack) WHERE a.withdrawnIn IS NOT NULL } AS withdrawnAttacks,
  %s AS claims, %s AS sources, %s AS events, %s AS facilities`,
		count(athar.TypeAttack), relOf(athar.TypeAttack, "datasetId"), count(athar.TypeClaim), count(athar.TypeSource),
		count(athar.TypeEvent), count(athar.TypeFacility))
	recs, err := s.read(ctx, query, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]athar.DatasetInfo, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		info := athar.DatasetInfo{Counts: athar.DatasetCounts{
			Attacks: int(field[int64](m, "attacks")), WithdrawnAttacks: int(field[int64](m, "withdrawnAttacks")),
			Claims: int(field[int64](m, "claims")), Sources: int(field[int64](m, "sources")),
			Events: int(field[int64](m, "events")), Facilities: int(field[int64](m, "facilities")),
		}}
		if t := timeOf(m, "importedAt"); !t.IsZero() {
			info.ImportedAt = &t
		}
		out[str(m, "id")] = info
	}
	return out, nil
}

// MappedLocations implements athar.Reader: mappedLocation (scope.go) for each attack.
func (s *Store) MappedLocations(ctx context.Context, ids []string) (map[string]athar.MappedLocation, error) {
	recs, err := s.read(ctx, "UNWIND $ids AS id MATCH (a:Attack {id: id})\n"+storedMapped("a", "loc")+"\nRETURN a.id AS id, loc",
		map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]athar.MappedLocation, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		if loc, ok := mappedLocationOf(m["loc"]); ok {
			out[str(m, "id")] = loc
		}
	}
	return out, nil
}

// AttacksInPlaces implements athar.Reader.
func (s *Store) AttacksInPlaces(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Attack], error) {
	return related[*athar.Attack](ctx, s, attacksInPlaces, ids, w)
}

// FacilitiesInPlaces implements athar.Reader.
func (s *Store) FacilitiesInPlaces(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Facility], error) {
	return related[*athar.Facility](ctx, s, facilitiesInPlaces, ids, w)
}

// PartsOfPlaces implements athar.Reader.
func (s *Store) PartsOfPlaces(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Place], error) {
	return related[*athar.Place](ctx, s, partsOfPlaces, ids, w)
}

// MembersOfActors implements athar.Reader.
func (s *Store) MembersOfActors(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Actor], error) {
	return related[*athar.Actor](ctx, s, membersOfActors, ids, w)
}

// StatementsOfActors implements athar.Reader.
func (s *Store) StatementsOfActors(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Claim], error) {
	return related[*athar.Claim](ctx, s, statementsOfActors, ids, w)
}

// ClaimsNamingActors implements athar.Reader.
func (s *Store) ClaimsNamingActors(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Claim], error) {
	return related[*athar.Claim](ctx, s, claimsNamingActors, ids, w)
}

// SourcesOfPublishers implements athar.Reader.
func (s *Store) SourcesOfPublishers(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Source], error) {
	return related[*athar.Source](ctx, s, sourcesOfPublishers, ids, w)
}

// ClaimsInSources implements athar.Reader.
func (s *Store) ClaimsInSources(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Claim], error) {
	return related[*athar.Claim](ctx, s, claimsInSources, ids, w)
}

// SourcesCiting implements athar.Reader.
func (s *Store) SourcesCiting(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Source], error) {
	return related[*athar.Source](ctx, s, sourcesCiting, ids, w)
}

// ClaimsAboutAttacks implements athar.Reader.
func (s *Store) ClaimsAboutAttacks(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Claim], error) {
	return related[*athar.Claim](ctx, s, claimsAboutAttacks, ids, w)
}

// AttacksOfEvents implements athar.Reader.
func (s *Store) AttacksOfEvents(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Attack], error) {
	return related[*athar.Attack](ctx, s, attacksOfEvents, ids, w)
}

// EventsAtFacilities implements athar.Reader.
func (s *Store) EventsAtFacilities(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.Event], error) {
	return related[*athar.Event](ctx, s, eventsAtFacilities, ids, w)
}

// AttacksOnFacilities implements athar.Reader.
func (s *Store) AttacksOnFacilities(ctx context.Context, ids []string, r athar.DateRange, w athar.Window) (map[string]athar.List[*athar.Attack], error) {
	attack := specOf(athar.TypeAttack)
	match := fmt.Sprintf(`MATCH (:Facility {id: id})<-[:%s]-(m:Attack)
  WHERE %s`, relOf(athar.TypeAttack, "facilityIds"), datesOverlap("m", "from", "to"))
	query := windowQuery(match, "WITH m", "count(m)", attack, w)
	return windows[*athar.Attack](ctx, s, athar.TypeAttack, query,
		map[string]any{"ids": ids, "from": dateParam(r.From), "to": dateParam(r.To)}, ids, w)
}

// datesOverlap is the condition that the dates of the entity in v overlap the range of the
// parameters from and to, either of which may be null (an open end).
func datesOverlap(v, from, to string) string {
	return fmt.Sprintf("($%[2]s IS NULL OR %[1]s.endDate >= $%[2]s) AND ($%[3]s IS NULL OR %[1]s.startDate <= $%[3]s)", v, from, to)
}

// Citations implements athar.Reader.
func (s *Store) Citations(ctx context.Context, ids []string) (athar.Citations, error) {
	out := athar.Citations{}
	if len(ids) == 0 {
		return out, nil
	}
	// Each source once: a source given twice would collect its citations twice.
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	recs, err := s.read(ctx, fmt.Sprintf(`
UNWIND $ids AS id
MATCH (s:Source {id: id})
CALL (s) {
  // DISTINCT ends let Neo4j walk the citations breadth-first, each source once, instead of
  // enumerating every path (which sources citing each other would make explode). Every source
  // on the way is one the reader may see: a hidden source passes on no citation (readerView).
  OPTIONAL MATCH (s) (()-[:%s]->(:Source)){1,%d} (t:Source)
  RETURN DISTINCT t.id AS cited ORDER BY cited
}
RETURN id, collect(cited) AS ids`, relOf(athar.TypeSource, "cites"), athar.MaxCitationDepth), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	for id, cited := range idLists(recs) {
		out[id] = cited
	}
	return out, nil
}

func idLists(recs []*neo4j.Record) map[string][]string {
	out := make(map[string][]string, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		if id := str(m, "id"); id != "" {
			out[id] = strs(m, "ids")
		}
	}
	return out
}

// limitParam is a LIMIT for a list: limit, or every item when it is negative.
func limitParam(limit int) int64 {
	if limit < 0 {
		return 1 << 62
	}
	return int64(limit)
}

func dateParam(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return neo4j.DateOf(t)
}

// IsEmpty reports whether the database holds no entity.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	for _, t := range athar.EntityTypes {
		recs, err := s.read(ctx, fmt.Sprintf("MATCH (n:%s) RETURN n.id AS id LIMIT 1", labelOf(t)), nil)
		if err != nil {
			return false, err
		}
		if len(recs) > 0 {
			return false, nil
		}
	}
	return true, nil
}
