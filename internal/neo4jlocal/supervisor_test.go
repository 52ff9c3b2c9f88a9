package neo4jlocal_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/logtest"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/neo4jlocal"
)

// waitFor polls cond until it holds or the generous limit passes (then the test fails instead of
// hanging).
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSupervisor_RestartsAKilledNeo4j(t *testing.T) {
	var logs logtest.Buffer
	var restarted atomic.Int32
	opts := options(t.TempDir())
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	opts.Restarts, opts.RestartBackoff = 3, 100*time.Millisecond
	opts.OnRestart = func() { restarted.Add(1) }
	sup, err := neo4jlocal.Supervise(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sup.Stop(context.Background())

	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(sup.URI, neo4j.BasicAuth(sup.User, sup.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	query := func(q string) ([]*neo4j.Record, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		res, err := neo4j.ExecuteQuery(ctx, driver, q, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("neo4j"))
		if err != nil {
			return nil, err
		}
		return res.Records, nil
	}
	if _, err := query("CREATE (:Kept {n: 7})"); err != nil {
		t.Fatal(err)
	}
	if sup.Down() != nil {
		t.Fatalf("Down() = %v while Neo4j runs", sup.Down())
	}
	lost := sup.Lost()
	pid := sup.Instance().PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	select {
	case <-lost:
	case <-time.After(30 * time.Second):
		t.Fatal("Lost() was not closed when the JVM was killed")
	}
	if err := sup.Down(); !errors.Is(err, neo4jlocal.ErrRestarting) && err != nil {
		t.Errorf("Down() = %v right after the kill, want ErrRestarting (or already running again)", err)
	}
	waitFor(t, "the exit logged", 10*time.Second, func() bool { return strings.Contains(logs.String(), "exited unexpectedly") })
	if l := logs.String(); !strings.Contains(l, "signal: killed") {
		t.Errorf("the exit is logged without its status:\n%s", l)
	}

	waitFor(t, "Neo4j running again", 3*time.Minute, func() bool { return sup.Down() == nil })
	if got := sup.Instance().PID(); got == pid {
		t.Errorf("the same pid %d after a restart", got)
	}
	if sup.Restarts() != 1 || restarted.Load() != 1 {
		t.Errorf("Restarts() = %d, OnRestart called %d times; want 1 each", sup.Restarts(), restarted.Load())
	}
	// The driver made before the kill reconnects: same port, same password.
	recs, err := query("MATCH (k:Kept) RETURN k.n AS n")
	if err != nil {
		t.Fatalf("the driver did not reconnect: %v", err)
	}
	if len(recs) != 1 {
		t.Errorf("%d nodes after the restart, want the one written before", len(recs))
	}
	if sup.Alive() != nil {
		t.Errorf("Alive() = %v", sup.Alive())
	}

	if err := sup.Stop(context.Background()); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if sup.Down() == nil {
		t.Error("Down() = nil after Stop")
	}
	if restarted.Load() != 1 {
		t.Error("a Stop was taken for a crash and restarted")
	}
}

func TestSupervisor_GivesUp(t *testing.T) {
	var logs logtest.Buffer
	opts := options(t.TempDir())
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	opts.Restarts = -1 // never restart: the state a supervisor reaches when every attempt failed
	sup, err := neo4jlocal.Supervise(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sup.Stop(context.Background())
	if err := syscall.Kill(sup.Instance().PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "giving up", 30*time.Second, func() bool { return errors.Is(sup.Down(), neo4jlocal.ErrGaveUp) })
	if !errors.Is(sup.Alive(), neo4jlocal.ErrGaveUp) {
		t.Errorf("Alive() = %v after giving up", sup.Alive())
	}
	if !strings.Contains(logs.String(), "gave up restarting") {
		t.Errorf("giving up is not logged:\n%s", logs.String())
	}
}
