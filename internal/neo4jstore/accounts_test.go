package neo4jstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// Two admins who revoke each other at once cannot both succeed: the rule that keeps an admin is
// checked in the revoke's own transaction. The command line (keepAdmin false) may revoke the last.
func TestRevokeAccount_KeepsAnAdminUnderConcurrency(t *testing.T) {
	s := neo4jtest.MustStore(t)
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		neo4jtest.MustStore(t)
		neo4jtest.MustAccount(t, s, "lina", athar.RoleAdmin, time.Time{})
		neo4jtest.MustAccount(t, s, "omar", athar.RoleAdmin, time.Time{})
		neo4jtest.MustAccount(t, s, "old", athar.RoleAdmin, time.Now().Add(-time.Hour)) // expired: does not count
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, name := range []string{"lina", "omar"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.RevokeAccount(ctx, name, true)
			}()
		}
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch athar.ErrorCode(err) {
			case "":
			case athar.ECONFLICT:
				refused++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if refused != 1 {
			t.Fatalf("round %d: %d of two crossed revokes were refused, want exactly 1 (%v)", round, refused, errs)
		}
	}
	if err := s.RevokeAccount(ctx, "lina", false); err != nil {
		t.Errorf("the command line could not revoke the last admin: %v", err)
	}
	if err := s.RevokeAccount(ctx, "nobody", true); athar.ErrorCode(err) != athar.ENOTFOUND {
		t.Errorf("an unknown name: %v", err)
	}
}
