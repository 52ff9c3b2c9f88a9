// Package neo4jstore is Athar's store: the only package that speaks to Neo4j. It holds every Cypher
// query, the versioned migrations of schema and data, the mapping between domain entities and
// nodes, and the translation of driver errors into domain error codes.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/metrics"
)

// Store reads and writes the graph in one Neo4j database.
type Store struct {
	driver   neo4j.DriverWithContext
	database string
	now      func() time.Time
	// refoldBatch is how many nodes one transaction of a backfill of folded texts rewrites.
	refoldBatch int
}

// New returns a store over driver, always naming the database (default "neo4j"). The caller owns the
// driver and closes it.
func New(driver neo4j.DriverWithContext, database string) *Store {
	if database == "" {
		database = "neo4j"
	}
	return &Store{driver: driver, database: database, now: func() time.Time { return time.Now().UTC() }, refoldBatch: RefoldBatch}
}

var (
	_ athar.Reader  = (*Store)(nil)
	_ athar.Curator = (*Store)(nil)
	_ athar.Pinger  = (*Store)(nil)
)

// Ping implements athar.Pinger: it runs a trivial read on the database.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.read(ctx, "RETURN 1 AS ok", nil)
	return err
}

// read runs one read query, routed to readers, and returns its records. Reads skip the driver's
// bookmark manager: a request's reads need no causal chain between them, and waiting on bookmarks
// cost about a third of the latency of deep queries (athar bench). On a cluster a read may lag a
// write of another request by the replication delay; a mutation's answer is read inside its own
// write transaction, so it always shows what it wrote.
func (s *Store) read(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	countRoundTrip(ctx, metrics.AccessRead)
	closed := metrics.SessionOpened() // ExecuteQuery opens and closes a session of its own
	res, err := neo4j.ExecuteQuery(ctx, s.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.database), neo4j.ExecuteQueryWithReadersRouting(), neo4j.ExecuteQueryWithoutBookmarkManager(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)))
	closed()
	if err != nil {
		return nil, translate(err)
	}
	return res.Records, nil
}

// write runs work in one write transaction (retried by the driver on transient failures, so work
// must be safe to run again) and returns its result.
func write[T any](ctx context.Context, s *Store, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	return inTx(ctx, s, neo4j.AccessModeWrite, work)
}

// readTx runs work in one read transaction, routed to readers.
func readTx[T any](ctx context.Context, s *Store, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	return inTx(ctx, s, neo4j.AccessModeRead, work)
}

func inTx[T any](ctx context.Context, s *Store, mode neo4j.AccessMode, work func(tx neo4j.ManagedTransaction) (T, error)) (result T, err error) {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.database, AccessMode: mode})
	closed := metrics.SessionOpened()
	defer func() {
		if cerr := session.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
			err = translate(cerr)
		}
		closed()
	}()
	run, access := neo4j.ExecuteWrite[T], metrics.AccessWrite
	if mode == neo4j.AccessModeRead {
		run, access = neo4j.ExecuteRead[T], metrics.AccessRead
	}
	result, err = run(ctx, session, func(tx neo4j.ManagedTransaction) (T, error) {
		return work(countingTx{tx, ctx, access})
	}, txTimeout(ctx))
	if err != nil {
		return result, translate(err)
	}
	return result, nil
}

// countingTx counts the queries a transaction runs as round trips of the request.
type countingTx struct {
	neo4j.ManagedTransaction
	ctx    context.Context
	access string // metrics.AccessRead or metrics.AccessWrite
}

// Run implements neo4j.ManagedTransaction.
func (t countingTx) Run(ctx context.Context, query string, params map[string]any) (neo4j.ResultWithContext, error) {
	countRoundTrip(t.ctx, t.access)
	return t.ManagedTransaction.Run(ctx, query, params)
}

// countRoundTrip counts one query sent to the database: in the request's own count (which its log
// line and `athar bench` report) and in the process's (internal/metrics), by access mode.
func countRoundTrip(ctx context.Context, access string) {
	athar.CountRoundTrip(ctx)
	metrics.RoundTrip(access)
}

// collect runs a query in tx and returns all its records.
func collect(ctx context.Context, tx neo4j.ManagedTransaction, query string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// txTimeout gives Neo4j the time left before ctx's deadline as the transaction timeout, so that a
// request that gives up also stops its query in the database.
func txTimeout(ctx context.Context) func(*neo4j.TransactionConfig) {
	return func(c *neo4j.TransactionConfig) {
		if deadline, ok := ctx.Deadline(); ok {
			if left := time.Until(deadline); left > 0 {
				c.Timeout = left
			} else {
				c.Timeout = time.Millisecond
			}
		}
	}
}

// translate turns a driver error into a domain error. Domain errors pass through; anything the
// client must not see becomes EINTERNAL (or EUNAVAILABLE) wrapping the original for the log.
func translate(err error) error {
	var de *athar.Error
	var dp athar.Problems
	var ne *neo4j.Neo4jError
	var ce *neo4j.ConnectivityError
	var limit *neo4j.TransactionExecutionLimit
	switch {
	case err == nil:
		return nil
	case errors.As(err, &limit) && len(limit.Errors) > 0:
		// The driver gave up retrying: what matters is why the last attempt failed.
		last := translate(limit.Errors[len(limit.Errors)-1])
		return &wrapped{code: athar.ErrorCode(last), msg: athar.ErrorMessage(last), err: err}
	case errors.As(err, &de), errors.As(err, &dp):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &wrapped{code: athar.EUNAVAILABLE, msg: "the database did not answer in time", err: err}
	case errors.As(err, &ne):
		switch {
		case ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			return &wrapped{code: athar.ECONFLICT, msg: "an entity with that id already exists", err: err}
		case strings.HasPrefix(ne.Code, "Neo.ClientError.Transaction.TransactionTimedOut"),
			strings.Contains(ne.Code, "TransactionTimedOut"):
			return &wrapped{code: athar.EUNAVAILABLE, msg: "the query took too long and was stopped", err: err}
		case strings.HasPrefix(ne.Code, "Neo.TransientError"):
			return &wrapped{code: athar.EUNAVAILABLE, msg: "the database is busy; try again", err: err}
		}
	case errors.As(err, &ce), neo4j.IsUsageError(err) && strings.Contains(err.Error(), "closed"):
		return &wrapped{code: athar.EUNAVAILABLE, msg: "the database cannot be reached", err: err}
	}
	return &wrapped{code: athar.EINTERNAL, msg: "internal error", err: err}
}

// wrapped carries a domain code and a client-safe message over the driver error it came from, which
// only the log sees.
type wrapped struct {
	code, msg string
	err       error
}

func (w *wrapped) Error() string { return fmt.Sprintf("%s: %v", w.msg, w.err) }
func (w *wrapped) Unwrap() error { return w.err }

// As lets errors.As find the domain error: code and client-safe message, without the driver text.
func (w *wrapped) As(target any) bool {
	if t, ok := target.(**athar.Error); ok && w.code != athar.EINTERNAL {
		*t = &athar.Error{Code: w.code, Message: w.msg}
		return true
	}
	return false
}
