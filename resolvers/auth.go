package resolvers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Writes are guarded by a token when one is configured: reading the graph is open to whoever can
// reach Athar, changing it is not. The token comes in the Authorization header as "Bearer <token>".

type credentialKey struct{}

// credential is what the request presented: no token, or a token that matches or not.
type credential int

const (
	noToken credential = iota
	wrongToken
	rightToken
)

// withCredential records in the context whether the request carries the write token.
func withCredential(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := noToken
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && got != "" {
			c = wrongToken
			// Hashes of equal length, compared in constant time: the comparison says nothing
			// about the token through its timing.
			if h := sha256.Sum256([]byte(got)); subtle.ConstantTimeCompare(h[:], want[:]) == 1 {
				c = rightToken
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), credentialKey{}, c)))
	})
}

// requireTokenForMutations refuses a mutation whose request did not carry the write token:
// UNAUTHENTICATED without a token, FORBIDDEN with a wrong one. Nothing of the mutation runs.
func requireTokenForMutations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	c, _ := ctx.Value(credentialKey{}).(credential)
	if c == rightToken {
		return next(ctx)
	}
	err := gqlerror.Errorf("changing the graph needs the write token: send it as Authorization: Bearer <token>")
	code := CodeUnauthorized
	if c == wrongToken {
		err = gqlerror.Errorf("the write token is not right")
		code = CodeForbidden
	}
	err.Extensions = map[string]any{"code": code}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
}
