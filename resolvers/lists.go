package resolvers

import (
	"context"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// This file turns the lists that hang from an entity (the attacks of a place, the claims of a
// source) into connections: a window from first, after, last and before (athar.PageWindow), the page
// it makes with a cursor per item, and its total. Such a list counts itself when it is read.

// inList reads a window of the list named list with load and returns it as a page and its total. A
// page of the last items of the whole list first loads an empty window, to learn the total.
func inList[T any](list string, a athar.PageArgs, load func(athar.Window) (athar.List[T], error)) (*athar.Page[T], int, error) {
	w, err := athar.PageWindow(list, a, athar.DefaultListSize, athar.MaxListSize, func() (int, error) {
		l, err := load(athar.Window{})
		return l.Total, err
	})
	if err != nil {
		return nil, 0, err
	}
	l, err := load(w)
	if err != nil {
		return nil, 0, err
	}
	return athar.ListPage(list, l, w), l.Total, nil
}

// edgesOf makes a page's edges.
func edgesOf[T, E any](p *athar.Page[T], edge func(cursor string, node T) *E) []*E {
	out := make([]*E, len(p.Items))
	for i, n := range p.Items {
		out[i] = edge(p.Cursors[i], n)
	}
	return out
}

func attackList(p *athar.Page[*athar.Attack], total int) *model.AttackConnection {
	return &model.AttackConnection{Nodes: p.Items, PageInfo: pageInfo(p), Total: total, Counted: true,
		Edges: edgesOf(p, func(c string, n *athar.Attack) *model.AttackEdge { return &model.AttackEdge{Cursor: c, Node: n} })}
}

func facilityList(p *athar.Page[*athar.Facility], total int) *model.FacilityConnection {
	return &model.FacilityConnection{Nodes: p.Items, PageInfo: pageInfo(p), Total: total, Counted: true,
		Edges: edgesOf(p, func(c string, n *athar.Facility) *model.FacilityEdge { return &model.FacilityEdge{Cursor: c, Node: n} })}
}

func actorList(p *athar.Page[*athar.Actor], total int) *model.ActorConnection {
	return &model.ActorConnection{Nodes: p.Items, PageInfo: pageInfo(p), Total: total, Counted: true,
		Edges: edgesOf(p, func(c string, n *athar.Actor) *model.ActorEdge { return &model.ActorEdge{Cursor: c, Node: n} })}
}

func sourceList(p *athar.Page[*athar.Source], total int) *model.SourceConnection {
	return &model.SourceConnection{Nodes: p.Items, PageInfo: pageInfo(p), Total: total, Counted: true,
		Edges: edgesOf(p, func(c string, n *athar.Source) *model.SourceEdge { return &model.SourceEdge{Cursor: c, Node: n} })}
}

func placeList(p *athar.Page[*athar.Place], total int) *model.PlaceConnection {
	return &model.PlaceConnection{Nodes: p.Items, PageInfo: pageInfo(p), Total: total, Counted: true,
		Edges: edgesOf(p, func(c string, n *athar.Place) *model.PlaceEdge { return &model.PlaceEdge{Cursor: c, Node: n} })}
}

func claimList(p *athar.Page[*athar.Claim], total int) *model.ClaimConnection {
	return &model.ClaimConnection{Nodes: p.Items, PageInfo: pageInfo(p), TotalCount: total,
		Edges: edgesOf(p, func(c string, n *athar.Claim) *model.ClaimEdge { return &model.ClaimEdge{Cursor: c, Node: n} })}
}

func eventList(p *athar.Page[*athar.Event], total int) *model.EventConnection {
	return &model.EventConnection{Nodes: p.Items, PageInfo: pageInfo(p), TotalCount: total,
		Edges: edgesOf(p, func(c string, n *athar.Event) *model.EventEdge { return &model.EventEdge{Cursor: c, Node: n} })}
}

func nearbyList(p *athar.Page[*athar.NearbyFacility], total int) *model.NearbyFacilityConnection {
	return &model.NearbyFacilityConnection{Nodes: p.Items, PageInfo: pageInfo(p), TotalCount: total,
		Edges: edgesOf(p, func(c string, n *athar.NearbyFacility) *model.NearbyFacilityEdge {
			return &model.NearbyFacilityEdge{Cursor: c, Node: n}
		})}
}

func repeatedList(p *athar.Page[*athar.RepeatedTarget], total int) *model.RepeatedTargetConnection {
	return &model.RepeatedTargetConnection{Nodes: p.Items, PageInfo: pageInfo(p), TotalCount: total,
		Edges: edgesOf(p, func(c string, n *athar.RepeatedTarget) *model.RepeatedTargetEdge {
			return &model.RepeatedTargetEdge{Cursor: c, Node: n}
		})}
}

// relatedPage reads a page of a list that hangs from id through its loader, priming the entity
// loader with the page's entities.
func relatedPage[T athar.Entity](ctx context.Context, list string, l *listLoader[T], entities *entityLoaderOf[T], id string, a athar.PageArgs) (*athar.Page[T], int, error) {
	return inList(list, a, func(w athar.Window) (athar.List[T], error) {
		return related(ctx, l, entities, id, w)
	})
}

// pointerList returns a window of values as pointers, as gqlgen's lists take them.
func pointerList[T any](l athar.List[T]) athar.List[*T] {
	return athar.List[*T]{Items: pointers(l.Items), Total: l.Total}
}
