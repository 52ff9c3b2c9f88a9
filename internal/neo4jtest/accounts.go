package neo4jtest

import (
	"context"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// MustAccount adds an account with the role (cleared for public material) to the store's database,
// its token expiring at expires (zero: never), and returns the token.
func MustAccount(tb testing.TB, s *neo4jstore.Store, name string, role athar.Role, expires time.Time) string {
	tb.Helper()
	return MustAccountCleared(tb, s, name, role, athar.ClearancePublic, expires)
}

// MustAccountCleared is MustAccount with the account cleared to clearance.
func MustAccountCleared(tb testing.TB, s *neo4jstore.Store, name string, role athar.Role, clearance athar.Clearance, expires time.Time) string {
	tb.Helper()
	token, id := auth.NewToken()
	_, secret, _ := auth.ParseToken(token)
	err := s.CreateAccount(context.Background(), athar.Account{Name: name, Role: role, Clearance: clearance,
		TokenID: id, TokenHash: auth.HashSecret(secret), ExpiresAt: expires})
	if err != nil {
		tb.Fatalf("adding the account %s: %v", name, err)
	}
	return token
}
