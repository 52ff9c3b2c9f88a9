package resolvers_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/logtest"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// A request whose deadline passes is told it timed out (TIMEOUT), not that the database cannot be
// reached, and is logged as a timeout, a warning. The mutation waits for a lock that another
// transaction holds past the request's deadline.
func TestErrors_TimeoutIsATimeout(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	ctx := context.Background()
	session := neo4jtest.Driver(t).NewSession(ctx, neo4j.SessionConfig{DatabaseName: neo4jtest.Database})
	defer session.Close(ctx)
	tx, err := session.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	res, err := tx.Run(ctx, "MATCH (f:Facility {id: 'facility:ain-jalout-school'}) SET f.updatedAt = f.updatedAt", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}

	var logs logtest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	c := serve(t, store, func(gql *resolvers.Config, web *httpapi.Config) {
		gql.Logger, web.Logger, web.QueryTimeout = logger, logger, 500*time.Millisecond
	})
	e := c.MustError(`mutation { updateFacility(input: {id: "facility:ain-jalout-school", name: "X"}) { facility { id } } }`, nil, "TIMEOUT", "")
	assertNoLeak(t, e)
	if strings.Contains(e.Message, "reached") {
		t.Errorf("message %q", e.Message)
	}
	if _, ok := e.Extensions["retryAfter"]; ok {
		t.Errorf("a timeout advises a Retry-After: %+v", e.Extensions)
	}
	l := logs.String()
	if !strings.Contains(l, `level=WARN msg="request timed out"`) || strings.Contains(l, "level=ERROR") {
		t.Errorf("the timeout is not logged as one warning:\n%s", l)
	}
}
