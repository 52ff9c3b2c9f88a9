package resolvers

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// This file holds the adapters of the investigative queries: filters from GraphQL inputs, pages
// into connections, and the loaders' use for the fields of lists.

// attackFilter turns the GraphQL filter into the domain's and validates it; problems name
// "filter.…" fields. The ids of places, actors, facilities and sources a merge removed stand for
// the entities they were merged into.
func attackFilter(ctx context.Context, in *model.AttackFilter) (athar.AttackFilter, error) {
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
	f.DatasetIDs = in.DatasetIds.Value()
	f.Withdrawn = in.Withdrawn.Value()
	if err := f.Validate("filter"); err != nil {
		return f, err
	}
	return f, nil
}

// pageRequest is the request of a root list's page from the field's arguments.
func pageRequest(a athar.PageArgs) (athar.PageRequest, error) {
	return athar.NewPageRequest(a)
}

func pageInfo[T any](p *athar.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage}
	if n := len(p.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return info
}

// connectionOf returns a page's entities as nodes and edges, priming the request's loaders with them
// and with what the page walked from them (athar.PageRequest.Steps), so that a field asking for one
// of them again costs no round trip.
func connectionOf[T athar.Entity, E any](ctx context.Context, p *athar.Page[T], l *dataloadgen.Loader[string, T], edge func(string, T) *E) ([]T, []*E, *model.PageInfo) {
	nodes := primed(l, p.Items)
	if p.Walked != nil {
		loaders(ctx).prime(*p.Walked)
	}
	edges := make([]*E, len(nodes))
	for i, n := range nodes {
		edges[i] = edge(p.Cursors[i], n)
	}
	return nodes, edges, pageInfo(p)
}

// findPage runs a list of facilities, actors, sources or places through find and returns it as a
// connection's nodes, edges and page info.
func findPage[T athar.Entity, E any](ctx context.Context, find func(context.Context, athar.EntityFilter, athar.PageRequest) (*athar.Page[T], error),
	f athar.EntityFilter, a athar.PageArgs, l *dataloadgen.Loader[string, T], edge func(string, T) *E) ([]T, []*E, *model.PageInfo, error) {
	req, err := pageRequest(a)
	if err != nil {
		return nil, nil, nil, err
	}
	var zero T
	req.Steps, req.Fields = walkSteps(ctx, zero.EntityType()), walkFields(ctx)
	if err := f.Validate("filter"); err != nil {
		return nil, nil, nil, err
	}
	p, err := find(ctx, f, req)
	if err != nil {
		return nil, nil, nil, err
	}
	nodes, edges, info := connectionOf(ctx, p, l, edge)
	return nodes, edges, info, nil
}

func attackConnection(ctx context.Context, x athar.Explorer, in *model.AttackFilter, orderBy *model.AttackOrder, a athar.PageArgs) (*model.AttackConnection, error) {
	f, err := attackFilter(ctx, in)
	if err != nil {
		return nil, err
	}
	req, err := pageRequest(a)
	if err != nil {
		return nil, err
	}
	if a.After == nil && a.Before == nil && selectsOnly(ctx, "totalCount", "__typename") {
		// No item is selected: the count alone is read (the connection's TotalCount resolver). A
		// cursor is checked by the page's query, so a page after one is still read.
		return &model.AttackConnection{Nodes: []*athar.Attack{}, Edges: []*model.AttackEdge{}, PageInfo: &model.PageInfo{}, Filter: f}, nil
	}
	req.Steps, req.Fields = walkSteps(ctx, athar.TypeAttack), walkFields(ctx)
	req.Count = selects(ctx, "totalCount")
	order := athar.OrderDateAsc
	if orderBy != nil {
		order = athar.AttackOrder(string(orderBy.Field) + "_" + string(orderBy.Direction))
	}
	p, err := x.FindAttacks(ctx, f, order, req)
	if err != nil {
		return nil, err
	}
	nodes, edges, info := connectionOf(ctx, p, loaders(ctx).attacks,
		func(cursor string, n *athar.Attack) *model.AttackEdge {
			return &model.AttackEdge{Cursor: cursor, Node: n}
		})
	if p.Total != nil {
		return &model.AttackConnection{Nodes: nodes, Edges: edges, PageInfo: info, Filter: f, Total: *p.Total, Counted: true}, nil
	}
	return &model.AttackConnection{Nodes: nodes, Edges: edges, PageInfo: info, Filter: f}, nil
}

func kinds[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// entityTypeOf is the search's EntityType (FACILITY) of a domain entity type (Facility).
func entityTypeOf(t athar.EntityType) model.EntityType {
	return model.EntityType(strings.ToUpper(string(t)))
}

// domainType is the domain entity type of a search EntityType, or "" for none.
func domainType(t model.EntityType) athar.EntityType {
	for _, d := range athar.EntityTypes {
		if entityTypeOf(d) == t {
			return d
		}
	}
	return ""
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

// attacksByID reads a page of a list of attack ids that hangs from id (the attacks of a day, the
// attacks on the same day) through its loader, and the attacks themselves.
func attacksByID(ctx context.Context, list string, l *listLoader[string], id string, a athar.PageArgs) (*athar.Page[*athar.Attack], int, error) {
	return inList(list, a, func(w athar.Window) (athar.List[*athar.Attack], error) {
		ids, err := l.Load(ctx, windowed{id, w})
		if err != nil {
			return athar.List[*athar.Attack]{}, err
		}
		attacks, err := many(ctx, loaders(ctx).attacks, ids.Items)
		return athar.List[*athar.Attack]{Items: attacks, Total: ids.Total}, err
	})
}

// attackClaims loads every claim about an attack: its casualties, attributions and sources are
// derived from all of them.
func attackClaims(ctx context.Context, id string) ([]*athar.Claim, error) {
	l, err := related(ctx, loaders(ctx).claimsAboutAttack, loaders(ctx).claims, id, athar.All)
	return l.Items, err
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

// search runs a full-text search over the given entity types (all when none), one page of it.
func search(ctx context.Context, x athar.Explorer, query string, types []model.EntityType, a athar.PageArgs) (*model.SearchConnection, error) {
	page, err := pageRequest(a)
	if err != nil {
		return nil, err
	}
	page.Fields = walkFields(ctx)
	req := athar.SearchRequest{Query: query, PageRequest: page}
	for _, t := range types {
		req.Types = append(req.Types, domainType(t))
	}
	if err := req.Check(); err != nil {
		return nil, err
	}
	p, err := x.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &model.SearchConnection{PageInfo: pageInfo(p), Request: req, Nodes: []athar.Entity{}, Edges: []*model.SearchEdge{}}
	for i, hit := range p.Items {
		out.Nodes = append(out.Nodes, hit.Entity)
		out.Edges = append(out.Edges, &model.SearchEdge{Cursor: p.Cursors[i], Score: hit.Score, Node: hit.Entity})
	}
	return out, nil
}

// pointers returns pointers to the elements of xs, as gqlgen's list fields take them.
func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// facilityNearby loads a page of the facilities near one, through the request's loader.
func facilityNearby(ctx context.Context, obj *athar.Facility, radiusMeters float64, types []athar.FacilityType, a athar.PageArgs) (*model.NearbyFacilityConnection, error) {
	if err := (athar.Near{RadiusMeters: radiusMeters}).Check(""); err != nil {
		return nil, err
	}
	key := nearbyKey{id: obj.ID, radius: radiusMeters, types: strings.Join(kinds(types), ",")}
	w, err := athar.PageWindow("Facility.nearby", a, athar.DefaultNearbySize, athar.MaxPageSize, func() (int, error) {
		k := key
		k.window = athar.Window{}
		l, err := loaders(ctx).nearby.Load(ctx, k)
		return l.Total, err
	})
	if err != nil {
		return nil, err
	}
	key.window = w
	hits, err := loaders(ctx).nearby.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	l := pointerList(hits)
	return nearbyList(athar.ListPage("Facility.nearby", l, w), l.Total), nil
}

// facilityAttacks loads a page of the attacks on a facility whose date overlaps the range.
func facilityAttacks(ctx context.Context, obj *athar.Facility, dateRange *model.DateRangeInput, a athar.PageArgs) (*model.AttackConnection, error) {
	key := facilityDates{id: obj.ID}
	if dateRange != nil {
		key.from, key.to = val(dateRange.From), val(dateRange.To)
		if err := (athar.DateRange{From: key.from, To: key.to}).Check("dateRange"); err != nil {
			return nil, err
		}
	}
	p, n, err := inList("Facility.attacks", a, func(w athar.Window) (athar.List[*athar.Attack], error) {
		key.window = w
		l, err := loaders(ctx).attacksOnFacility.Load(ctx, key)
		primed(loaders(ctx).attacks, l.Items)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	return attackList(p, n), nil
}

// casualtiesOf summarises the casualty figures of the claims load gives for id (an attack's own,
// or its incident's), by the domain's rule (athar.SummarizeCasualties).
func casualtiesOf(ctx context.Context, load func(context.Context, string) ([]*athar.Claim, error), id string) (*athar.Casualties, error) {
	claims, err := load(ctx, id)
	if err != nil {
		return nil, err
	}
	var cites athar.Citations
	if selectsBelow(ctx, "independentSources") { // the one figure what the sources cite changes
		if cites, err = citations(ctx, athar.ClaimSourceIDs(claims)); err != nil {
			return nil, err
		}
	}
	c := athar.SummarizeCasualties(claims, cites)
	return &c, nil
}

// keptSuffices tells whether a selection on Casualties asks only what an attack keeps
// (athar.KeptFigures): killed's low and high, and __typename, through any fragments and
// directives. Such a summary is read from the attack, without its claims (keptCasualties).
func keptSuffices(op *graphql.OperationContext, sel ast.SelectionSet) bool {
	fields := graphql.CollectFields(op, sel, []string{"Casualties"})
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		switch f.Name {
		case "__typename":
		case "killed":
			for _, g := range graphql.CollectFields(op, f.Selections, []string{"FigureSummary"}) {
				if g.Name != "low" && g.Name != "high" && g.Name != "__typename" {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// attackCasualties is the casualty summary of the attack id for the field being resolved: read
// from what the attack keeps when the field's selection asks nothing more (keptSuffices), derived
// from its claims otherwise.
func attackCasualties(ctx context.Context, id string) (*athar.Casualties, error) {
	// A mutation's answers derive it from the claims: the kept figures' loader and the claims'
	// are primed at different moments, and two mutations in one document would answer two
	// selections of one summary differently.
	op := graphql.GetOperationContext(ctx)
	if op.Operation.Operation != ast.Mutation && keptSuffices(op, graphql.GetFieldContext(ctx).Field.Selections) {
		return keptCasualties(ctx, id)
	}
	return casualtiesOf(ctx, attackClaims, id)
}

// keptCasualties is the casualty summary of the attack id as far as the figures it keeps for the
// reader go (athar.KeptFigures: the summary's killed low and high, by the same rule over the same
// claims); the rest of it is left empty, for a selection keptSuffices allows.
func keptCasualties(ctx context.Context, id string) (*athar.Casualties, error) {
	k, err := loaders(ctx).keptKilled.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &athar.Casualties{Killed: athar.FigureSummary{Low: k.Low, High: k.High}}, nil
}

// attributionsOf derives who is said to be responsible from the claims load gives for id.
func attributionsOf(ctx context.Context, load func(context.Context, string) ([]*athar.Claim, error), id string) ([]*athar.Attribution, error) {
	claims, err := load(ctx, id)
	if err != nil {
		return nil, err
	}
	return athar.Attributions(claims), nil
}
