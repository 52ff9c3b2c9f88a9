package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/internal/httpapi"
)

// requireWriteCredential refuses a mutation whose request may not change the graph, as httpapi
// recorded it (the write token, when one is configured): UNAUTHENTICATED without a token,
// FORBIDDEN with a wrong one. Nothing of the mutation runs.
func requireWriteCredential(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	c := httpapi.WriteCredential(ctx)
	if c == httpapi.WriteAllowed {
		return next(ctx)
	}
	err := gqlerror.Errorf("changing the graph needs the write token: send it as Authorization: Bearer <token>")
	code := CodeUnauthorized
	if c == httpapi.TokenWrong {
		err = gqlerror.Errorf("the write token is not right")
		code = CodeForbidden
	}
	err.Extensions = map[string]any{"code": code}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
}
