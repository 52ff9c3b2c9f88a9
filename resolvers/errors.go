package resolvers

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/httpapi"
)

// GraphQL error codes, in extensions.code.
const (
	CodeBadUserInput  = "BAD_USER_INPUT"
	CodeNotFound      = "NOT_FOUND"
	CodeConflict      = "CONFLICT"
	CodeForbidden     = "FORBIDDEN"
	CodeUnauthorized  = "UNAUTHENTICATED"
	CodeUnavailable   = "SERVICE_UNAVAILABLE"
	CodeTimeout       = "TIMEOUT"
	CodeClientClosed  = "CLIENT_CLOSED_REQUEST"
	CodeBusy          = "BUSY"
	CodeReadOnly      = "READ_ONLY"
	CodeUnknown       = "OUTCOME_UNKNOWN"
	CodeInternal      = "INTERNAL"
	codeValidationErr = "GRAPHQL_VALIDATION_FAILED"
)

var codes = map[string]string{
	athar.EINVALID:      CodeBadUserInput,
	athar.EUNAUTHORIZED: CodeUnauthorized,
	athar.EFORBIDDEN:    CodeForbidden,
	athar.ENOTFOUND:     CodeNotFound,
	athar.ECONFLICT:     CodeConflict,
	athar.EUNAVAILABLE:  CodeUnavailable,
	athar.ETIMEOUT:      CodeTimeout,
	athar.ECANCELED:     CodeClientClosed,
	athar.EBUSY:         CodeBusy,
	athar.EREADONLY:     CodeReadOnly,
	athar.EUNKNOWN:      CodeUnknown,
	athar.EINTERNAL:     CodeInternal,
}

// ErrorPresenter is the one place where errors become what a client sees. Errors from resolvers
// carry domain codes: their code goes to extensions.code and, for bad input, the field to
// extensions.field. (A mutation answers the mistakes in its input as user errors in its payload,
// see answer; only what is not the input's fault reaches here from it.) Anything without a domain code is logged with the request id and shown only as
// "internal error": driver and Cypher text never reach a client. gqlgen's own parse and validation
// errors pass through as they are (with extensions.field, see annotateRequestErrors), except that a
// value of the wrong type for an argument or variable (an unknown enum value, a malformed Date) is
// the client's bad input and says so, and __schema or __type with introspection off says that
// (INTROSPECTION_DISABLED).
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && gerr.Err == nil {
			switch {
			case isBadValue(gerr):
				gerr.Extensions = withCode(gerr.Extensions, CodeBadUserInput)
			case gerr.Rule == noIntrospection.Name:
				gerr.Extensions = withCode(gerr.Extensions, CodeIntrospectionDisabled)
			}
			// The library's messages quote what they refused (an unknown key, enum value or
			// operation name), which may be as long as the client made it.
			gerr.Message = athar.ClipMessage(gerr.Message)
			if field, ok := gerr.Extensions["field"].(string); ok {
				gerr.Extensions["field"] = athar.ClipField(field)
			}
			return gerr
		}
		out := graphql.DefaultErrorPresenter(ctx, err)
		var ps athar.Problems
		if errors.As(err, &ps) && len(ps) > 0 {
			// Each problem is its own error: the first here, the rest added beside it.
			for _, p := range ps[1:] {
				graphql.AddError(ctx, present(ctx, out, p))
			}
			err = ps[0]
		}
		if level, ok := httpapi.LogLevel(athar.ErrorCode(err)); ok {
			logger.Log(ctx, level, httpapi.LogMessage(athar.ErrorCode(err)), "request_id", httpapi.RequestID(ctx), "path", out.Path.String(), "err", err)
		}
		return present(ctx, out, err)
	}
}

// present fills a client-safe message and the extensions of a domain error into a copy of base.
func present(ctx context.Context, base *gqlerror.Error, err error) *gqlerror.Error {
	out := *base
	code := codes[athar.ErrorCode(err)]
	if code == "" {
		code = CodeInternal
	}
	out.Message = athar.ErrorMessage(err)
	out.Err = nil
	out.Extensions = withCode(nil, code)
	var de *athar.Error
	switch {
	case errors.As(err, &de) && de.Field != "":
		out.Extensions["field"] = athar.ClipField(de.Field)
	case code == CodeBadUserInput && len(out.Path) > 0:
		// A scalar the client sent that did not parse: its argument is the end of the path.
		if name, ok := out.Path[len(out.Path)-1].(ast.PathName); ok {
			out.Extensions["field"] = string(name)
		}
	}
	if _, logged := httpapi.LogLevel(athar.ErrorCode(err)); logged || code == CodeInternal {
		out.Extensions["requestId"] = httpapi.RequestID(ctx)
	}
	if after := httpapi.RetryAfter(ctx, athar.ErrorCode(err)); after > 0 {
		out.Extensions["retryAfter"] = after
	}
	return &out
}

// isBadValue tells a value of the wrong type from other validation errors (an unknown field, a
// syntax error), which are mistakes in the query rather than in the input.
func isBadValue(e *gqlerror.Error) bool {
	code, _ := e.Extensions["code"].(string)
	return code == codeValidationErr && (strings.HasPrefix(e.Rule, "ValuesOfCorrectType") || e.Rule == "" && len(e.Path) > 0 && e.Path[0] == ast.PathName("variable"))
}

func withCode(ext map[string]any, code string) map[string]any {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = code
	return ext
}

// Recover turns a panic in a resolver into an internal error, logged with its request id.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", httpapi.RequestID(ctx), "panic", p)
		return errors.New("internal error")
	}
}
