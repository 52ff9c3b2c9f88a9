package resolvers

import (
	"context"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/gqltypes"
)

// userErrorsOf turns a domain error that is the input's fault into user errors, as answer does
// (a problem on "id", or on no field but not EINVALID, is about idField); any other error is
// returned for the error presenter.
func userErrorsOf(err error, idField string) ([]*gqltypes.UserError, error) {
	out, err := answer[athar.Entity](nil, nil, err, idField)
	if err != nil {
		return nil, err
	}
	return out.UserErrors, nil
}

// deleteEntity is every delete mutation: the entity of type t with the id, and what cascades from
// it, leave every read (athar.Remover.Delete).
func deleteEntity(ctx context.Context, rm athar.Remover, t athar.EntityType, clientMutationID *string, id string) (*gqltypes.DeletePayload, error) {
	out := &gqltypes.DeletePayload{ClientMutationID: clientMutationID, UserErrors: []*gqltypes.UserError{}}
	d, err := rm.Delete(ctx, t, id)
	if err != nil {
		out.UserErrors, err = userErrorsOf(err, "id")
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	out.DeletedID, out.CascadedIDs = &d.ID, nonNil(d.Cascaded)
	return out, nil
}

// restoreEntity is the restore mutation (athar.Remover.Restore).
func restoreEntity(ctx context.Context, rm athar.Remover, clientMutationID *string, id string) (*gqltypes.RestorePayload, error) {
	out := &gqltypes.RestorePayload{ClientMutationID: clientMutationID, UserErrors: []*gqltypes.UserError{}}
	r, err := rm.Restore(ctx, id)
	if err != nil {
		out.UserErrors, err = userErrorsOf(err, "id")
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	out.Node, out.CascadedIDs = r.Entity, nonNil(r.Cascaded)
	return out, nil
}

// mergeEntities is every merge mutation (athar.Remover.Merge): problems name keep or remove; an id
// of another type is one on remove.
func mergeEntities(ctx context.Context, rm athar.Remover, t athar.EntityType, clientMutationID *string, keep, remove string) (*gqltypes.MergePayload, error) {
	out := &gqltypes.MergePayload{ClientMutationID: clientMutationID, UserErrors: []*gqltypes.UserError{}}
	kept, err := rm.Merge(ctx, t, keep, remove)
	if err != nil {
		out.UserErrors, err = userErrorsOf(err, "remove")
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	out.Entity, out.RemovedID = kept, &remove
	return out, nil
}

// deletedList is the deleted field: what restore can bring back, for editors and admins.
func deletedList(ctx context.Context, rm athar.Remover, first *int, after *string) (*model.DeletedConnection, error) {
	if p, ok := athar.PrincipalOf(ctx); !ok || !p.Role.Allows(athar.RoleEditor) {
		if !ok || p.Name == athar.AnonymousName {
			return nil, athar.Errorf(athar.EUNAUTHORIZED, "deleted needs an editor's token: send it as Authorization: Bearer <token>")
		}
		return nil, athar.Errorf(athar.EFORBIDDEN, "deleted needs an editor's or an admin's account; %s is a %s", p.Name, p.Role)
	}
	req, err := pageRequest(athar.PageArgs{First: first, After: after})
	if err != nil {
		return nil, err
	}
	p, err := rm.DeletedEntities(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &model.DeletedConnection{Nodes: p.Items, Edges: make([]*model.DeletedEdge, len(p.Items)), PageInfo: pageInfo(p)}
	for i, d := range p.Items {
		out.Edges[i] = &model.DeletedEdge{Cursor: p.Cursors[i], Node: d}
	}
	return out, nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// aliasOf returns the id a merge's removed id resolves to, or "" when id names no merged entity.
func aliasOf(ctx context.Context, id string) (string, error) {
	if id == "" || !athar.Mergeable(athar.TypeOfID(id)) {
		return "", nil
	}
	return loaders(ctx).aliasOf.Load(ctx, id)
}

// lookup is a typed lookup (place(id), actor(id), …): the entity with the id, walking the
// request's selection from it; when none has it and a merge removed it, the entity it was merged
// into.
func lookup[T any](ctx context.Context, t athar.EntityType, l *entityLoaderOf[*T], id string) (*T, error) {
	return throughAlias(ctx, t, id, func(id string) (*T, error) { return one(ctx, l, id) })
}

// throughAlias loads the entity of type t with the id (load), walking the request's selection
// from it; when none has it and a merge removed it, the entity it was merged into. The zero E is
// "none".
func throughAlias[E comparable](ctx context.Context, t athar.EntityType, id string, load func(id string) (E, error)) (E, error) {
	var none E
	if err := walkFrom(ctx, t, []string{id}); err != nil {
		return none, err
	}
	e, err := load(id)
	if e != none || err != nil {
		return e, err
	}
	to, err := aliasOf(ctx, id)
	if to == "" || err != nil {
		return none, err
	}
	if err := walkFrom(ctx, t, []string{to}); err != nil {
		return none, err
	}
	return load(to)
}
