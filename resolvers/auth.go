package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/internal/athar"
)

// requireRole refuses a mutation whose request may not change the graph: it needs an editor's or
// an admin's account, or the single local user of an instance with no accounts (internal/httpapi
// puts who the request acts as in its context, athar.PrincipalOf). An anonymous reader, or a
// request nobody authenticated (the handler served without httpapi), gets UNAUTHENTICATED; a
// viewer FORBIDDEN. Nothing of the mutation runs.
func requireRole(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	p, ok := athar.PrincipalOf(ctx)
	if ok && p.Role.Allows(athar.RoleEditor) {
		return next(ctx)
	}
	err := gqlerror.Errorf("changing the graph needs the token of an editor's account: send it as Authorization: Bearer <token>")
	code := CodeUnauthorized
	if ok && p.Name != athar.AnonymousName {
		err = gqlerror.Errorf("changing the graph needs an editor's or an admin's account; %s is a %s", p.Name, p.Role)
		code = CodeForbidden
	}
	err.Extensions = map[string]any{"code": code}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
}

// requireAdmin returns FORBIDDEN unless the request acts as an admin (or the single local user).
func requireAdmin(ctx context.Context, what string) error {
	if p, ok := athar.PrincipalOf(ctx); ok && p.Role.Allows(athar.RoleAdmin) {
		return nil
	}
	return athar.Errorf(athar.EFORBIDDEN, "%s needs an admin's account", what)
}
