package neo4jstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// slowQuery keeps Neo4j busy for minutes unless it is stopped.
const slowQuery = "UNWIND range(1, 2000000000) AS i WITH i WHERE i % 7 = 100 RETURN count(i) AS n"

func TestFailures_TimeoutAndCancelledClient(t *testing.T) {
	s := MustStore(t)
	t.Run("a read past its deadline is a timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := s.RunRead(ctx, slowQuery, nil)
		if code(err) != athar.ETIMEOUT {
			t.Fatalf("code %q (%v), want %q", code(err), err, athar.ETIMEOUT)
		}
		if msg := athar.ErrorMessage(err); strings.Contains(msg, "reached") || strings.Contains(msg, "Neo") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("a read whose client went away is cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		if err := s.RunRead(ctx, slowQuery, nil); code(err) != athar.ECANCELED {
			t.Fatalf("code %q (%v), want %q", code(err), err, athar.ECANCELED)
		}
	})
	t.Run("a write past its deadline is a timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := s.RunWrite(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
			res, err := tx.Run(ctx, "CREATE (:Scratch) WITH 1 AS x "+slowQuery, nil)
			if err == nil {
				_, err = res.Consume(ctx)
			}
			return err
		})
		if code(err) != athar.ETIMEOUT {
			t.Fatalf("code %q (%v), want %q", code(err), err, athar.ETIMEOUT)
		}
		if n := neo4jtest.Count(t, "MATCH (x:Scratch) RETURN count(x) AS n", nil); n != 0 {
			t.Errorf("the timed-out write left %d nodes", n)
		}
	})
}

// A write whose work is done but whose commit is not confirmed may have been applied: it says so.
func TestFailures_CommitOutcomeUnknown(t *testing.T) {
	s := MustStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.RunWrite(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		res, err := tx.Run(ctx, "CREATE (:Scratch {id: 'unknown-outcome'})", nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		cancel() // the client goes away as the commit is sent
		return err
	})
	if code(err) != athar.EUNKNOWN {
		t.Fatalf("code %q (%v), want %q", code(err), err, athar.EUNKNOWN)
	}
	if msg := athar.ErrorMessage(err); !strings.Contains(msg, "may have been written") || !strings.Contains(msg, "check before retrying") {
		t.Errorf("message %q", msg)
	}
}

// Two writes that lock the same two nodes in opposite orders deadlock; Neo4j aborts one with a
// transient error and the store retries it within the deadline, so both succeed.
func TestFailures_DeadlockRetried(t *testing.T) {
	s := MustStore(t)
	q := func(query string) {
		if _, err := neo4j.ExecuteQuery(context.Background(), neo4jtest.Driver(t), query, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(neo4jtest.Database)); err != nil {
			t.Fatal(err)
		}
	}
	q("CREATE (:Scratch {id: 'a', n: 0}), (:Scratch {id: 'b', n: 0})")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var attempts [2]int
	errs := make([]error, 2)
	both := make(chan struct{}, 2)
	for i, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RunWrite(ctx, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				attempts[i]++
				if _, err := tx.Run(ctx, "MATCH (x:Scratch {id: $id}) SET x.n = x.n + 1", map[string]any{"id": order[0]}); err != nil {
					return err
				}
				if attempts[i] == 1 {
					// Both hold their first lock before either asks for its second.
					both <- struct{}{}
					for len(both) < 2 {
						time.Sleep(10 * time.Millisecond)
					}
				}
				_, err := tx.Run(ctx, "MATCH (x:Scratch {id: $id}) SET x.n = x.n + 1", map[string]any{"id": order[1]})
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if attempts[0]+attempts[1] < 3 {
		t.Errorf("attempts %v: no write was retried, so no deadlock was tested", attempts)
	}
	if n := neo4jtest.Count(t, "MATCH (x:Scratch) RETURN sum(x.n) AS n", nil); n != 4 {
		t.Errorf("sum %d after two writes of two nodes each, want 4", n)
	}
}

// Each kind of database failure has its own code and a message that carries no driver text.
func TestFailures_Translated(t *testing.T) {
	ctx := context.Background()
	expired, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-expired.Done()
	gone, cancelGone := context.WithCancel(ctx)
	cancelGone()
	neoErr := func(code, msg string) error { return &neo4j.Neo4jError{Code: code, Msg: msg} }
	cases := []struct {
		name         string
		ctx          context.Context
		err          error
		duringCommit bool
		want         string
	}{
		{"deadline passed", expired, context.DeadlineExceeded, false, athar.ETIMEOUT},
		{"server-side timeout", ctx, neoErr("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", "timed out"), false, athar.ETIMEOUT},
		{"client went away", gone, context.Canceled, false, athar.ECANCELED},
		{"unreachable", ctx, &neo4j.ConnectivityError{Inner: errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")}, false, athar.EUNAVAILABLE},
		{"still unreachable at the deadline", expired, &neo4j.TransactionExecutionLimit{Cause: "context deadline exceeded",
			Errors: []error{&neo4j.ConnectivityError{Inner: errors.New("connect: connection refused")}}}, false, athar.EUNAVAILABLE},
		{"deadlock after retries", ctx, neoErr("Neo.TransientError.Transaction.DeadlockDetected", "deadlock"), false, athar.EBUSY},
		{"lock timeout", ctx, neoErr("Neo.TransientError.Transaction.LockAcquisitionTimeout", "lock"), false, athar.EBUSY},
		{"read-only database", ctx, neoErr("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase", "read only"), false, athar.EREADONLY},
		{"full disk", ctx, neoErr("Neo.TransientError.General.OutOfMemoryError", "java.io.IOException: No space left on device"), false, athar.EREADONLY},
		{"database in panic", ctx, neoErr("Neo.TransientError.General.DatabaseUnavailable", "The database has encountered a critical error, and needs to be restarted."), false, athar.EUNAVAILABLE},
		{"connection lost during commit", ctx, &neo4j.ConnectivityError{Inner: errors.New("Connection lost during commit: EOF")}, false, athar.EUNKNOWN},
		{"connection lost after the work", ctx, &neo4j.ConnectivityError{Inner: errors.New("EOF")}, true, athar.EUNKNOWN},
		{"database failure at commit (full disk)", ctx, neoErr("Neo.DatabaseError.Transaction.TransactionCommitFailed", "No space left on device"), true, athar.EUNKNOWN},
		{"rolled back at commit", ctx, neoErr("Neo.ClientError.Schema.ConstraintValidationFailed", "exists"), true, athar.ECONFLICT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := neo4jstore.Translate(c.ctx, c.err, c.duringCommit)
			if got := athar.ErrorCode(err); got != c.want {
				t.Fatalf("code %q, want %q (%v)", got, c.want, err)
			}
			msg := athar.ErrorMessage(err)
			for _, leak := range []string{"Neo.", "127.0.0.1", "EOF", "java.", "context"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q carries %q", msg, leak)
				}
			}
			if !errors.Is(err, c.err) {
				t.Errorf("the translated error does not keep the driver's for the log")
			}
		})
	}
}
