package resolvers

import (
	"context"
	"fmt"
	"strings"

	"github.com/vikstrous/dataloadgen"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// This file holds the adapters of the investigative queries: filters from GraphQL inputs, pages
// into connections, and the loaders' use for the fields of lists.

// attackFilter turns the GraphQL filter into the domain's and validates it; problems name
// "filter.…" fields.
func attackFilter(in *model.AttackFilter) (athar.AttackFilter, error) {
	var f athar.AttackFilter
	if in == nil {
		return f, nil
	}
	if r := in.DateRange.Value(); r != nil {
		f.Dates = athar.DateRange{From: val(r.From), To: val(r.To)}
	}
	f.FacilityIDs = in.FacilityIds.Value()
	f.FacilityTypes = in.FacilityTypes.Value()
	f.PlaceIDs = in.PlaceIds.Value()
	f.ActorIDs = in.ActorIds.Value()
	f.AttackTypes = in.AttackTypes.Value()
	f.Weapons = in.Weapons.Value()
	f.Near = in.Near.Value()
	f.MinKilled = in.MinKilled.Value()
	f.SourceIDs = in.SourceIds.Value()
	f.Text = val(in.Text)
	return f, f.Validate("filter")
}

func pageRequest(first *int, after *string) (athar.PageRequest, error) {
	r := athar.PageRequest{First: athar.DefaultPageSize}
	if first != nil {
		r.First = *first
	}
	if after != nil {
		r.After = *after
	}
	return r, r.Check()
}

func pageInfo(p *athar.Page) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage}
	if n := len(p.Cursors); n > 0 {
		info.EndCursor = &p.Cursors[n-1]
	}
	return info
}

// connectionOf returns a page's entities as nodes and edges, priming the request's loader with them
// so that a field asking for one of them again costs no round trip.
func connectionOf[T any, E any](p *athar.Page, l *dataloadgen.Loader[string, *T], edge func(string, *T) *E) ([]*T, []*E, *model.PageInfo) {
	nodes := primed(l, p.Entities)
	edges := make([]*E, len(nodes))
	for i, n := range nodes {
		edges[i] = edge(p.Cursors[i], n)
	}
	return nodes, edges, pageInfo(p)
}

// listPage runs a list of facilities, actors, sources or places and returns it as a connection's
// nodes, edges and page info.
func listPage[T any, E any](ctx context.Context, x athar.Explorer, label string, f athar.EntityFilter, first *int, after *string,
	l *dataloadgen.Loader[string, *T], edge func(string, *T) *E) ([]*T, []*E, *model.PageInfo, error) {
	p, err := entityPage(ctx, x, label, f, first, after)
	if err != nil {
		return nil, nil, nil, err
	}
	nodes, edges, info := connectionOf(p, l, edge)
	return nodes, edges, info, nil
}

func attackConnection(ctx context.Context, x athar.Explorer, in *model.AttackFilter, orderBy *model.AttackOrder, first *int, after *string) (*model.AttackConnection, error) {
	f, err := attackFilter(in)
	if err != nil {
		return nil, err
	}
	req, err := pageRequest(first, after)
	if err != nil {
		return nil, err
	}
	order := athar.OrderDateAsc
	if orderBy != nil {
		order = athar.AttackOrder(*orderBy)
	}
	p, err := x.Attacks(ctx, f, order, req)
	if err != nil {
		return nil, err
	}
	nodes, edges, info := connectionOf(p, loaders(ctx).attacks,
		func(cursor string, n *athar.Attack) *model.AttackEdge {
			return &model.AttackEdge{Cursor: cursor, Node: n}
		})
	return &model.AttackConnection{Nodes: nodes, Edges: edges, PageInfo: info, Filter: f}, nil
}

// entityPage runs a list query of facilities, actors, sources or places.
func entityPage(ctx context.Context, x athar.Explorer, label string, f athar.EntityFilter, first *int, after *string) (*athar.Page, error) {
	req, err := pageRequest(first, after)
	if err != nil {
		return nil, err
	}
	if err := f.Validate("filter"); err != nil {
		return nil, err
	}
	return x.List(ctx, label, f, req)
}

func kinds[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var entityTypeLabels = map[model.EntityType]string{
	model.EntityTypeFacility: athar.LabelFacility, model.EntityTypePlace: athar.LabelPlace,
	model.EntityTypeActor: athar.LabelActor, model.EntityTypeSource: athar.LabelSource,
	model.EntityTypeEvent: athar.LabelEvent, model.EntityTypeAttack: athar.LabelAttack,
	model.EntityTypeClaim: athar.LabelClaim,
}

func entityType(label string) (model.EntityType, error) {
	for t, l := range entityTypeLabels {
		if l == label {
			return t, nil
		}
	}
	return "", fmt.Errorf("resolvers: no entity type for label %q", label)
}

// timeNode loads one node of the time tree by id.
func timeNode(ctx context.Context, id string) (*athar.TimeNode, error) {
	if id == "" {
		return nil, nil
	}
	return loaders(ctx).timeNodes.Load(ctx, id)
}

// timeTreeID returns the id of the time-tree node of the given kind an attack hangs from, or "".
func timeTreeID(a *athar.Attack, prefix string) string {
	for _, id := range a.Date.TimeTreeIDs() {
		if strings.HasPrefix(id, prefix+":") {
			return id
		}
	}
	return ""
}

// timeAttacks loads the first attacks on a node of the time tree or below it.
func timeAttacks(ctx context.Context, id string, first *int) ([]*athar.Attack, error) {
	n, err := athar.ListLimit(first)
	if err != nil {
		return nil, err
	}
	ids, err := loaders(ctx).timeAttacks.Load(ctx, limited{id, n})
	if err != nil {
		return nil, err
	}
	return many(ctx, loaders(ctx).attacks, ids)
}

// timeChildren loads the nodes of the time tree directly below one.
func timeChildren(ctx context.Context, id string) ([]*athar.TimeNode, error) {
	ids, err := loaders(ctx).timeChildren.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	found, err := loaders(ctx).timeNodes.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*athar.TimeNode, 0, len(found))
	for _, n := range found {
		if n != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// search runs a full-text search over the given entity types (all when none).
func search(ctx context.Context, x athar.Explorer, query string, types []model.EntityType, first *int) ([]*athar.SearchHit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, athar.Invalid("query", "must not be empty")
	}
	labels := make([]string, len(types))
	for i, t := range types {
		labels[i] = entityTypeLabels[t]
	}
	n := athar.DefaultPageSize
	if first != nil {
		n = *first
	}
	if err := athar.CheckFirst("first", n); err != nil {
		return nil, err
	}
	hits, err := x.Search(ctx, query, labels, n)
	if err != nil {
		return nil, err
	}
	return pointers(hits), nil
}

// pointers returns pointers to the elements of xs, as gqlgen's list fields take them.
func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// facilityNearby loads the facilities near one, through the request's loader.
func facilityNearby(ctx context.Context, obj *athar.Facility, radiusMeters float64, types []athar.FacilityType, first *int) ([]*athar.NearbyFacility, error) {
	if err := (athar.Near{RadiusMeters: radiusMeters}).Check(""); err != nil {
		return nil, err
	}
	key := nearbyKey{id: obj.ID, radius: radiusMeters, types: strings.Join(kinds(types), ","), first: 50}
	if first != nil {
		key.first = *first
	}
	if err := athar.CheckFirst("first", key.first); err != nil {
		return nil, err
	}
	return loaders(ctx).nearby.Load(ctx, key)
}

// facilityAttacks loads the first attacks on a facility whose date overlaps the range.
func facilityAttacks(ctx context.Context, obj *athar.Facility, dateRange *model.DateRangeInput, first *int) ([]*athar.Attack, error) {
	n, err := athar.ListLimit(first)
	if err != nil {
		return nil, err
	}
	key := facilityDates{id: obj.ID, limit: n}
	if dateRange != nil {
		key.from, key.to = val(dateRange.From), val(dateRange.To)
		if err := (athar.DateRange{From: key.from, To: key.to}).Check("dateRange"); err != nil {
			return nil, err
		}
	}
	es, err := loaders(ctx).attacksOfFacility.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	return primed(loaders(ctx).attacks, es), nil
}
