package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/internal/metrics"
)

// operationMetrics tells internal/metrics the operation type of each GraphQL request and the code
// of its first error, for the request counters httpapi keeps. Only the type (query, mutation,
// subscription) is told: operation names are the client's own text. It must be the first extension
// used, so that it is the outermost and sees what the others answer (a mutation refused for its
// account's role never reaches the response interceptors).
type operationMetrics struct{}

var (
	_ graphql.HandlerExtension     = operationMetrics{}
	_ graphql.OperationInterceptor = operationMetrics{}
	_ graphql.ResponseInterceptor  = operationMetrics{}
)

// ExtensionName implements graphql.HandlerExtension.
func (operationMetrics) ExtensionName() string { return "OperationMetrics" }

// Validate implements graphql.HandlerExtension.
func (operationMetrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation implements graphql.OperationInterceptor: it sees every operation that was
// parsed and validated, and every response the operation's other interceptors answer.
func (operationMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	recordOperation(ctx)
	responses := next(ctx)
	return func(rctx context.Context) *graphql.Response {
		resp := responses(rctx)
		recordErrorCode(ctx, resp)
		return resp
	}
}

// InterceptResponse implements graphql.ResponseInterceptor: it sees the responses of documents
// refused before execution (parse, validation and limit errors), which no operation interceptor
// does, with errors as the error presenter made them.
func (operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	recordOperation(ctx)
	resp := next(ctx)
	recordErrorCode(ctx, resp)
	return resp
}

func recordOperation(ctx context.Context) {
	if graphql.HasOperationContext(ctx) {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			metrics.SetOperation(ctx, string(oc.Operation.Operation))
		}
	}
}

// recordErrorCode records the code of the response's first error that has one.
func recordErrorCode(ctx context.Context, resp *graphql.Response) {
	if resp == nil {
		return
	}
	for _, e := range resp.Errors {
		if code, ok := e.Extensions["code"].(string); ok {
			metrics.SetErrorCode(ctx, code)
			return
		}
	}
}
