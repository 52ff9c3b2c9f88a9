package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/athar-project/athar/internal/athar"
)

// walkLists are the lists a Walk follows, each read from its far end as the Reader's list method of
// the same name reads it (read.go).
var walkLists = map[athar.ListName]incoming{
	athar.ListAttacksOnFacilities: {athar.TypeFacility, athar.TypeAttack, []string{"facilityIds"}},
	athar.ListAttacksInPlaces:     attacksInPlaces,
	athar.ListFacilitiesInPlaces:  facilitiesInPlaces,
	athar.ListPartsOfPlaces:       partsOfPlaces,
	athar.ListMembersOfActors:     membersOfActors,
	athar.ListStatementsOfActors:  statementsOfActors,
	athar.ListClaimsNamingActors:  claimsNamingActors,
	athar.ListSourcesOfPublishers: sourcesOfPublishers,
	athar.ListClaimsInSources:     claimsInSources,
	athar.ListSourcesCiting:       sourcesCiting,
	athar.ListClaimsAboutAttacks:  claimsAboutAttacks,
	athar.ListAttacksOfEvents:     attacksOfEvents,
	athar.ListEventsAtFacilities:  eventsAtFacilities,
	athar.ListAttacksOfDatasets:   attacksOfDatasets,
	athar.ListPartsOfAttacks:      partsOfAttacks,
}

// Walk implements athar.Walker: the whole walk is one Cypher query of nested COLLECT subqueries,
// one per step, each returning its entities in the shape the decoder walks back down (walkQuery).
// Every level reads what the Reader's methods read at that level (whole entities with the ids of
// their links, the same window in the same order, the same total, the same citations), so that
// what a request primes its loaders with is what they would have loaded.
func (s *Store) Walk(ctx context.Context, w athar.Walk) (athar.Walked, error) {
	out := athar.Walked{Citations: athar.Citations{}, KeptKilled: map[string]athar.KeptFigures{}}
	if len(w.IDs) == 0 {
		return out, nil
	}
	spec := specOf(w.Type)
	q := &walkQuery{params: map[string]any{"walkIds": w.IDs}, fields: w.Fields}
	node, err := q.node(spec, "walk0", w.Steps, false, "steps")
	if err != nil {
		return out, err
	}
	recs, err := s.read(ctx, fmt.Sprintf("UNWIND $walkIds AS walkId\nMATCH (walk0:%s {id: walkId})\nRETURN %s AS root", spec.label, node), q.params)
	if err != nil {
		return out, err
	}
	d := newWalkDecoder(&out)
	for _, rec := range recs {
		d.node(spec, field[map[string]any](rowOf(rec), "root"), w.Steps, false)
	}
	return out, nil
}

// walkColumn is the column a list query adds to walk steps from each entity v of spec's type it
// returns: a map of what each step reached, named steps, that walkDecoder.steps reads. Its
// parameters are added to params.
func walkColumn(spec *typeSpec, v string, steps []athar.WalkStep, fields athar.WalkFields, params map[string]any) (string, error) {
	if len(steps) == 0 {
		return "", nil
	}
	q := &walkQuery{params: params, fields: fields}
	parts, err := q.steps(spec, v, steps, "page.steps")
	if err != nil {
		return "", err
	}
	return ", {" + strings.Join(parts, ", ") + "} AS steps", nil
}

// walkQuery builds the query of a Walk: fresh variable and parameter names for each step, since
// a subquery sees its outer variables and must not rebind them.
type walkQuery struct {
	params map[string]any
	fields athar.WalkFields
	vars   int
}

// fresh returns a new name: walk-prefixed, so that it clashes with no name of a query it is part of.
func (q *walkQuery) fresh(prefix string) string {
	q.vars++
	return fmt.Sprintf("walk%s%d", prefix, q.vars)
}

// node is the Cypher map of the entity in v (spec's type): props and links as returnFields reads
// them (the fields q.fields names for its type, the walk's roots as the entities its steps reach),
// cited (the ids of the sources it cites, as Citations reads them) when citations, and for the
// i-th step, s<i> (the entities it reaches) and t<i> (the size of a list whose window is not the
// whole list). A reference a step follows is not read again as a link: the decoder takes it from
// what the step reached (steppedRefs). field names the steps in errors.
func (q *walkQuery) node(spec *typeSpec, v string, steps []athar.WalkStep, citations bool, field string) (string, error) {
	props, links := spec.projectionOf(v, q.fields), linkMapOf(spec, v, q.fields, steppedRefs(spec, steps)...)
	parts := []string{"props: " + props}
	if links != "{}" {
		parts = append(parts, "links: "+links) // none read is none sent: decodeRecord reads no links alike
	}
	if citations {
		if spec.d.Type != athar.TypeSource {
			return "", athar.Invalid(field+".citations", "reaches %s records, not sources", spec.d.Type.Record())
		}
		c, cited := q.fresh("c"), q.fresh("cited")
		// Through visible sources only, as Citations reads them.
		parts = append(parts, fmt.Sprintf("cited: COLLECT { MATCH (%[1]s) (()-[:%[2]s]->(:Source)){1,%[3]d} (%[4]s:Source) RETURN DISTINCT %[4]s.id AS %[5]s ORDER BY %[5]s }",
			v, relOf(athar.TypeSource, "cites"), athar.MaxCitationDepth, c, cited))
	}
	more, err := q.steps(spec, v, steps, field)
	if err != nil {
		return "", err
	}
	return "{" + strings.Join(append(parts, more...), ", ") + "}", nil
}

// steps returns the map entries of the steps from the entity in v: s<i> for what the i-th reaches,
// t<i> for the size of its list when its window is not the whole list, k<i> for the killed figures
// kept on an attack (a KeptKilled step).
func (q *walkQuery) steps(spec *typeSpec, v string, steps []athar.WalkStep, field string) ([]string, error) {
	var parts []string
	for i, st := range steps {
		if st.KeptKilled {
			if spec.d.Type != athar.TypeAttack {
				return nil, athar.Invalid(fmt.Sprintf("%s[%d].keptKilled", field, i), "%s records keep no killed figures", spec.d.Type.Record())
			}
			parts = append(parts, fmt.Sprintf("k%d: %s", i, keptKilledMap(v)))
			continue
		}
		items, total, err := q.step(spec, v, st, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		parts = append(parts, fmt.Sprintf("s%d: %s", i, items))
		if total != "" {
			parts = append(parts, fmt.Sprintf("t%d: %s", i, total))
		}
	}
	return parts, nil
}

// step returns the Cypher of one step from the entity in v: the list of what it reaches, and for a
// window of a list, the list's size.
func (q *walkQuery) step(spec *typeSpec, v string, st athar.WalkStep, field string) (items, total string, err error) {
	c := q.fresh("m")
	if st.Ref != "" {
		f := spec.d.Field(st.Ref)
		if f == nil || (f.Shape != athar.ShapeRef && f.Shape != athar.ShapeRefList) {
			return "", "", athar.Invalid(field+".ref", "%s is not a reference field of %s records", st.Ref, spec.d.Type.Record())
		}
		to := specOf(f.Target)
		node, err := q.node(to, c, st.Steps, st.Citations, field)
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("COLLECT { MATCH (%s)-[:%s]->(%s:%s) RETURN %s }", v, relOf(spec.d.Type, st.Ref), c, to.label, node), "", nil
	}
	in, ok := walkLists[st.List]
	if !ok || in.from != spec.d.Type {
		return "", "", athar.Invalid(field+".list", "%s is not a list of %s records", st.List, spec.d.Type.Record())
	}
	to := specOf(in.to)
	rels := make([]string, len(in.fields))
	for i, f := range in.fields {
		rels[i] = relOf(in.to, f)
	}
	match := fmt.Sprintf("MATCH (%s)<-[:%s]-(%s:%s)", v, strings.Join(rels, "|"), c, to.label)
	if st.List == athar.ListAttacksOnFacilities {
		from, until := q.fresh("from"), q.fresh("to")
		q.params[from], q.params[until] = dateParam(st.Dates.From), dateParam(st.Dates.To)
		match += " WHERE " + datesOverlap(c, from, until)
	}
	distinct := ""
	if len(in.fields) > 1 {
		distinct = "DISTINCT " // an attack both during and part of an event is listed once
	}
	node, err := q.node(to, c, st.Steps, st.Citations, field)
	if err != nil {
		return "", "", err
	}
	offset, limit := q.fresh("offset"), q.fresh("limit")
	q.params[offset], q.params[limit] = int64(st.Window.Offset), limitParam(st.Window.Limit)
	items = fmt.Sprintf("COLLECT { %s WITH %s%s ORDER BY %s SKIP $%s LIMIT $%s RETURN %s }",
		match, distinct, c, orderOf(to, c), offset, limit, node)
	if st.Window != athar.All {
		total = fmt.Sprintf("size(COLLECT { %s RETURN %s%s.id AS %s })", match, distinct, c, q.fresh("id"))
	}
	return items, total, nil
}

// orderOf is the list order of spec's type (listOrders, over m) over the variable v.
func orderOf(spec *typeSpec, v string) string {
	keys := strings.Split(spec.order, ", ")
	for i, k := range keys {
		keys[i] = v + "." + strings.TrimPrefix(k, "m.")
	}
	return strings.Join(keys, ", ")
}

// walkDecoder reads the answer of a walk back into entities, lists and citations.
type walkDecoder struct {
	out  *athar.Walked
	seen map[string]bool
}

func newWalkDecoder(out *athar.Walked) walkDecoder {
	if out.Citations == nil {
		out.Citations = athar.Citations{}
	}
	if out.KeptKilled == nil {
		out.KeptKilled = map[string]athar.KeptFigures{}
	}
	return walkDecoder{out: out, seen: map[string]bool{}}
}

// node decodes one entity of spec's type and what its steps reached, and returns it; false when
// the map holds no entity (deleted while the query read it).
func (d walkDecoder) node(spec *typeSpec, m map[string]any, steps []athar.WalkStep, citations bool) (athar.Entity, bool) {
	e, ok := decodeRecord(spec, m)
	if !ok {
		return nil, false
	}
	id := e.EntityID()
	if !d.seen[id] {
		d.seen[id] = true
		d.out.Entities = append(d.out.Entities, e)
	}
	if citations {
		d.out.Citations[id] = strs(m, "cited")
	}
	d.steps(spec, e, m, steps)
	return e, true
}

// steps decodes what the steps from the entity e reached, from m's s<i> and t<i>.
func (d walkDecoder) steps(spec *typeSpec, e athar.Entity, m map[string]any, steps []athar.WalkStep) {
	id := e.EntityID()
	for i, st := range steps {
		if st.KeptKilled {
			d.out.KeptKilled[id] = keptFiguresOf(field[map[string]any](m, fmt.Sprintf("k%d", i)))
			continue
		}
		var to *typeSpec
		if st.Ref != "" {
			to = specOf(spec.d.Field(st.Ref).Target)
		} else {
			to = specOf(walkLists[st.List].to)
		}
		items := mapsAt(m, fmt.Sprintf("s%d", i))
		es := make([]athar.Entity, 0, len(items))
		for _, item := range items {
			if child, ok := d.node(to, item, st.Steps, st.Citations); ok {
				es = append(es, child)
			}
		}
		if st.Ref != "" {
			// The link node did not read (steppedRefs): the ids of what the step reached, a list
			// of them as Normalize keeps one (sorted, once each).
			ids := make([]string, len(es))
			for j, child := range es {
				ids[j] = child.EntityID()
			}
			if f := spec.d.Field(st.Ref); f.Shape == athar.ShapeRef {
				f.SetText(e, strings.Join(ids[:min(len(ids), 1)], ""))
			} else {
				slices.Sort(ids)
				f.SetStrings(e, slices.Compact(ids))
			}
			continue
		}
		total := len(es)
		if st.Window != athar.All {
			total = int(field[int64](m, fmt.Sprintf("t%d", i)))
		}
		d.out.Lists = append(d.out.Lists, athar.WalkedList{List: st.List, ID: id, Window: st.Window, Dates: st.Dates, Items: es, Total: total})
	}
}

// keptKilledMap is the Cypher map of the killed figures kept on the attack in v for the reader
// (figure: readerView names the reader's copy), as keptFiguresOf reads it.
func keptKilledMap(v string) string {
	return fmt.Sprintf("{low: %s, high: %s}", figure(v, "killedLow"), figure(v, "killedHigh"))
}

// keptFiguresOf reads a map keptKilledMap made.
func keptFiguresOf(m map[string]any) athar.KeptFigures {
	var k athar.KeptFigures
	if v, ok := m["low"].(int64); ok {
		n := int(v)
		k.Low = &n
	}
	if v, ok := m["high"].(int64); ok {
		n := int(v)
		k.High = &n
	}
	return k
}

// KeptKilled implements athar.Reader: the figures each attack keeps for the reader's clearance
// (refreshAttacksQuery), by id, of the attacks the reader may see.
func (s *Store) KeptKilled(ctx context.Context, ids []string) (map[string]athar.KeptFigures, error) {
	out := map[string]athar.KeptFigures{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, "UNWIND $ids AS id\nMATCH (a:Attack {id: id})\nRETURN a.id AS id, "+keptKilledMap("a")+" AS kept",
		map[string]any{"ids": distinct(ids)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		out[str(m, "id")] = keptFiguresOf(field[map[string]any](m, "kept"))
	}
	return out, nil
}

// steppedRefs are the reference fields of spec's type that steps follow: the entities they name
// are what the step reaches (through the same relationships, to nodes of the same labels), so
// their links are not read besides; walkDecoder.steps sets each field from what its step reached.
// A list of references loses no order by it: Normalize keeps one sorted.
func steppedRefs(spec *typeSpec, steps []athar.WalkStep) []string {
	var out []string
	for _, st := range steps {
		if st.Ref == "" {
			continue
		}
		if f := spec.d.Field(st.Ref); f != nil && (f.Shape == athar.ShapeRef || f.Shape == athar.ShapeRefList) {
			out = append(out, st.Ref)
		}
	}
	return out
}
