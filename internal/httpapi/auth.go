package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Writes are guarded by a token when one is configured: reading the graph is open to whoever can
// reach Athar, changing it is not. The token comes in the Authorization header as "Bearer <token>".
// This package decides what a request presented; the endpoints that write (the GraphQL mutations)
// refuse a request whose WriteCredential is not WriteAllowed.

// Credential is what a request presented to change the graph.
type Credential int

const (
	// TokenMissing: the request sent no write token, or did not come through NewServer. It is
	// the zero value, so that a request nobody checked cannot write.
	TokenMissing Credential = iota
	// TokenWrong: the request sent a bearer token that is not the write token.
	TokenWrong
	// WriteAllowed: the request may change the graph: it sent the write token, or none is
	// configured.
	WriteAllowed
)

type credentialKey struct{}

// WriteCredential returns what the request ctx belongs to presented to change the graph.
func WriteCredential(ctx context.Context) Credential {
	c, _ := ctx.Value(credentialKey{}).(Credential)
	return c
}

// withCredential records in the context whether the request may write: with no token configured
// every request may; otherwise only one that carries the token.
func withCredential(token string, next http.Handler) http.Handler {
	if token == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), credentialKey{}, WriteAllowed)))
		})
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := TokenMissing
		// The scheme is case-insensitive (RFC 9110, section 11.1): "bearer" is "Bearer".
		scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if got = strings.TrimSpace(got); ok && strings.EqualFold(scheme, "Bearer") && got != "" {
			c = TokenWrong
			// Hashes of equal length, compared in constant time: the comparison says nothing
			// about the token through its timing.
			if h := sha256.Sum256([]byte(got)); subtle.ConstantTimeCompare(h[:], want[:]) == 1 {
				c = WriteAllowed
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), credentialKey{}, c)))
	})
}
