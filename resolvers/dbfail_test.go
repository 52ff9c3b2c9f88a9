package resolvers_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// lockedLog is a log destination a server writes to while a test reads it.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// A request whose deadline passes is told it timed out (TIMEOUT), not that the database cannot be
// reached, and is logged as a timeout, a warning.
func TestErrors_TimeoutIsATimeout(t *testing.T) {
	store := neo4jtest.MustStore(t)
	var logs lockedLog
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	c := serve(t, store, func(gql *resolvers.Config, web *httpapi.Config) {
		gql.Logger, web.Logger, web.QueryTimeout = logger, logger, time.Nanosecond
	})
	e := c.MustError(`{ facility(id: "facility:x") { id } }`, nil, "TIMEOUT", "")
	assertNoLeak(t, e)
	if strings.Contains(e.Message, "reached") {
		t.Errorf("message %q", e.Message)
	}
	if _, ok := e.Extensions["retryAfter"]; ok {
		t.Errorf("a timeout advises a Retry-After: %+v", e.Extensions)
	}
	l := logs.String()
	if !strings.Contains(l, "level=WARN msg=\"request timed out\"") || strings.Contains(l, "level=ERROR") {
		t.Errorf("the timeout is not logged as one warning:\n%s", l)
	}
}
