package resolvers

import (
	"context"
	"reflect"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// withReason returns the context of a mutation's field (fc) with the reason its input gives
// (input.reason; a retraction's own reason), which its change record keeps, and takes it out of
// an entity's input map before the domain decodes the map's fields. Any other field's context is
// returned as it is.
func withReason(ctx context.Context, fc *graphql.FieldContext) context.Context {
	if fc == nil || fc.Object != "Mutation" || !fc.IsResolver {
		return ctx
	}
	if reason := takeReason(fc.Args["input"]); reason != "" {
		ctx = athar.WithReason(ctx, reason)
	}
	return ctx
}

// takeReason returns the reason of a mutation's input: a map's "reason" entry (removed from the
// map), or a typed input's Reason field.
func takeReason(input any) string {
	switch in := input.(type) {
	case map[string]any:
		v := in["reason"]
		delete(in, "reason")
		switch r := v.(type) {
		case string:
			return r
		case *string:
			return deref(r)
		}
		return ""
	case nil:
		return ""
	}
	v := reflect.Indirect(reflect.ValueOf(input))
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName("Reason")
	if !f.IsValid() {
		return ""
	}
	switch r := f.Interface().(type) {
	case string:
		return r
	case *string:
		return deref(r)
	case graphql.Omittable[*string]:
		return deref(r.Value())
	}
	return ""
}

// history is the history field: the change records of one id, newest first, for any account (an
// anonymous reader allowed by ATHAR_PUBLIC_READ gets UNAUTHENTICATED: records name the team's
// accounts and their reasons).
func history(ctx context.Context, c athar.Changes, id string, a athar.PageArgs) (*model.ChangeConnection, error) {
	if p, ok := athar.PrincipalOf(ctx); ok && p.Name == athar.AnonymousName {
		return nil, athar.Errorf(athar.EUNAUTHORIZED, "history needs an account's token: send it as Authorization: Bearer <token>")
	}
	if athar.TypeOfID(id) == "" {
		// Not an entity of the graph: an account, an export, a bundle. Their records are the team's
		// activity (who was given which role, who downloaded what), which changes gives admins.
		if err := requireAdmin(ctx, "the history of an account, an export or an import"); err != nil {
			return nil, err
		}
	}
	req, err := pageRequest(a)
	if err != nil {
		return nil, err
	}
	p, err := c.History(ctx, id, req)
	if err != nil {
		return nil, err
	}
	return changeConnection(p), nil
}

// changes is the changes field: every change record f selects, for admins only.
func changes(ctx context.Context, c athar.Changes, since, until *time.Time, by *string, a athar.PageArgs) (*model.ChangeConnection, error) {
	if err := requireAdmin(ctx, "changes"); err != nil {
		return nil, err
	}
	f := athar.ChangeFilter{By: deref(by)}
	if since != nil {
		f.Since = *since
	}
	if until != nil {
		f.Until = *until
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return nil, athar.Invalid("until", "must be after since")
	}
	req, err := pageRequest(a)
	if err != nil {
		return nil, err
	}
	p, err := c.Changes(ctx, f, req)
	if err != nil {
		return nil, err
	}
	return changeConnection(p), nil
}

func changeConnection(p *athar.Page[*athar.Change]) *model.ChangeConnection {
	out := &model.ChangeConnection{Nodes: p.Items, Edges: make([]*model.ChangeEdge, len(p.Items)), PageInfo: pageInfo(p)}
	for i, c := range p.Items {
		out.Edges[i] = &model.ChangeEdge{Cursor: p.Cursors[i], Node: c}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
