package httpapi

import (
	"context"
	"net/http"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
)

// Every request that reads or writes the graph (/graphql and the exports) acts as someone: an
// account, by the token it sends as "Authorization: Bearer <token>"; the single local user of an
// instance with no accounts that listens on loopback; or an anonymous reader when
// ATHAR_PUBLIC_READ allows one. Who it is goes into the request's context (athar.PrincipalOf), with
// the request id, for the role checks of the endpoints and for change records. A request that
// needs a token and has no valid one is answered 401 here, before it waits for an admission slot;
// the answer says only whether the token was missing, invalid or expired.

// withPrincipal authenticates the request through a (every request is the local user when a is
// nil) and hands it on with its principal, or answers 401 (UNAUTHENTICATED, with
// WWW-Authenticate: Bearer) in the shape of the endpoint: GraphQL's for /graphql, a JSON error for
// the exports.
func withPrincipal(a *auth.Authenticator, graphQL bool, cfg Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p := athar.LocalPrincipal
		if a != nil {
			var err error
			p, err = a.Authenticate(ctx, r.Header.Get("Authorization"))
			if err != nil {
				if auth.IsAuthError(err) {
					w.Header().Set("WWW-Authenticate", `Bearer realm="athar"`)
				}
				if graphQL {
					writeGraphQLFailure(w, r, cfg, err)
				} else {
					writeError(w, r, cfg.Logger, err)
				}
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(athar.WithPrincipal(ctx, p, RequestID(ctx))))
	})
}

// writeGraphQLFailure answers a GraphQL request that failed before it ran, with the status of the
// error's code and a GraphQL error carrying the code (UNAUTHENTICATED for a token's refusal).
func writeGraphQLFailure(w http.ResponseWriter, r *http.Request, cfg Config, err error) {
	code := athar.ErrorCode(err)
	ext := map[string]any{"code": graphQLCodes[code]}
	if ext["code"] == "" {
		ext["code"] = "INTERNAL"
	}
	if level, logged := LogLevel(code); logged {
		cfg.Logger.Log(r.Context(), level, LogMessage(code), "request_id", RequestID(r.Context()), "err", err)
		ext["requestId"] = RequestID(r.Context())
	}
	if after := RetryAfter(r.Context(), code); after > 0 {
		ext["retryAfter"] = after
	}
	WriteGraphQLError(w, StatusCode(code), athar.ErrorMessage(err), ext)
}

// graphQLCodes are the extensions.code of the domain codes a request can fail with before its
// operation runs (those of the resolvers' error presenter).
var graphQLCodes = map[string]string{
	athar.EUNAUTHORIZED: "UNAUTHENTICATED",
	athar.EUNAVAILABLE:  "SERVICE_UNAVAILABLE",
	athar.ETIMEOUT:      "TIMEOUT",
	athar.ECANCELED:     "CLIENT_CLOSED_REQUEST",
	athar.EBUSY:         "BUSY",
	athar.EINTERNAL:     "INTERNAL",
}

// principalName is the name the request acts as, for admission control's fair shares: an
// account's requests share one share wherever they come from.
func principalName(ctx context.Context) (string, bool) {
	p, ok := athar.PrincipalOf(ctx)
	if !ok || p.Name == athar.LocalName || p.Name == athar.AnonymousName {
		return "", false
	}
	return p.Name, true
}
