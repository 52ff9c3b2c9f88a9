// Package neo4jstore is Athar's store: the only package that speaks to Neo4j. It holds every Cypher
// query, the versioned migrations of schema and data, the mapping between domain entities and
// nodes, and the translation of driver errors into domain error codes.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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
	avail       Availability
	// maxDeleteLinks is the most relationships one deletion records (WithMaxDeleteLinks).
	maxDeleteLinks int
}

// Availability says whether the database can answer; neo4jlocal's Supervisor of the embedded Neo4j
// implements it. With one, a query while the database is down fails at once, and a query in flight
// when it stops fails as soon as it stops, instead of the driver retrying a dead address until the
// request's deadline. Without one the store learns of an outage from the driver's errors only.
type Availability interface {
	// Down returns nil while the database runs, and otherwise an error whose message says, in words
	// safe to show a client, why it cannot answer (it is restarting, or it stopped for good).
	Down() error
	// Lost returns a channel that is closed when the running database stops, expectedly or not
	// (already closed while it is down).
	Lost() <-chan struct{}
}

// WithAvailability makes the store consult a (see Availability) before and during every query,
// and returns the store.
func (s *Store) WithAvailability(a Availability) *Store {
	s.avail = a
	return s
}

// errDatabaseLost is the cause a query's context is cancelled with when the database stops under it.
var errDatabaseLost = errors.New("the database stopped while answering")

// guard returns ctx, cancelled with errDatabaseLost when the database stops, and the function that
// releases it; or EUNAVAILABLE at once when the database is down.
func (s *Store) guard(ctx context.Context) (context.Context, func(), error) {
	if s.avail == nil {
		return ctx, func() {}, nil
	}
	if err := s.avail.Down(); err != nil {
		return nil, nil, &wrapped{code: athar.EUNAVAILABLE, msg: err.Error(), err: err}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	lost, done := s.avail.Lost(), make(chan struct{})
	go func() {
		select {
		case <-lost:
			cancel(errDatabaseLost)
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(nil) }, nil
}

// New returns a store over driver, always naming the database (default "neo4j"). The caller owns the
// driver and closes it.
func New(driver neo4j.DriverWithContext, database string) *Store {
	if database == "" {
		database = "neo4j"
	}
	return &Store{driver: driver, database: database, now: func() time.Time { return time.Now().UTC() }, refoldBatch: RefoldBatch, maxDeleteLinks: DefaultMaxDeleteLinks}
}

// DefaultMaxDeleteLinks is the most relationships one deletion records by default: the entity's and
// those of what is deleted with it. Each is kept on the deleted node as a short JSON text (about
// 100 bytes), all in the one transaction of the deletion, whose memory Neo4j bounds
// (dbms.memory.transaction.total.max); a place that 50,000 dataset records occurred in is
// better left in place or merged.
const DefaultMaxDeleteLinks = 50_000

// WithMaxDeleteLinks sets the most relationships one deletion records (n > 0; otherwise
// DefaultMaxDeleteLinks), and returns the store. A deletion of more is refused (EINVALID on id).
func (s *Store) WithMaxDeleteLinks(n int) *Store {
	if n <= 0 {
		n = DefaultMaxDeleteLinks
	}
	s.maxDeleteLinks = n
	return s
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
//
// The driver retries a read that failed transiently (a lost connection, a lock) with a growing
// pause, for as long as the request's deadline leaves: each pause ends with the context, so the
// retries stay inside the deadline.
//
// The query runs as the reader of ctx may see the graph (readerView, access.go).
func (s *Store) read(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	countRoundTrip(ctx, metrics.AccessRead)
	query, params = readerView(ctx, query, params)
	gctx, release, err := s.guard(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	closed := metrics.SessionOpened() // ExecuteQuery opens and closes a session of its own
	res, err := neo4j.ExecuteQuery(gctx, s.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.database), neo4j.ExecuteQueryWithReadersRouting(), neo4j.ExecuteQueryWithoutBookmarkManager(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(gctx)))
	closed()
	if err != nil {
		return nil, translateIn(gctx, err, false)
	}
	return res.Records, nil
}

// write runs work in one write transaction (retried by the driver on transient failures, so work
// must be safe to run again) and returns its result.
func write[T any](ctx context.Context, s *Store, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	return inTx(ctx, s, neo4j.AccessModeWrite, work)
}

// readTx runs work in one read transaction, routed to readers, whose queries run as the reader of
// ctx may see the graph (readerView, access.go).
func readTx[T any](ctx context.Context, s *Store, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	return inTx(ctx, s, neo4j.AccessModeRead, work)
}

// inTx runs work in one managed transaction, which the driver retries on transient failures within
// the request's deadline (see read). A write whose work completed but whose commit was not
// acknowledged (the connection or the database was lost, the deadline passed, the database failed
// while writing) may have been applied: it fails with EUNKNOWN, never as a plain failure a client
// would retry.
func inTx[T any](ctx context.Context, s *Store, mode neo4j.AccessMode, work func(tx neo4j.ManagedTransaction) (T, error)) (result T, err error) {
	gctx, release, err := s.guard(ctx)
	if err != nil {
		return result, err
	}
	defer release()
	session := s.driver.NewSession(gctx, neo4j.SessionConfig{DatabaseName: s.database, AccessMode: mode})
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
	// committing is true from the moment an attempt's work returned until the next attempt starts:
	// a failure then is the commit's.
	var committing atomic.Bool
	result, err = run(gctx, session, func(tx neo4j.ManagedTransaction) (T, error) {
		committing.Store(false)
		var view neo4j.ManagedTransaction = countingTx{tx, ctx, access}
		if mode == neo4j.AccessModeRead {
			view = viewingTx{view, ctx}
		}
		r, err := work(view)
		committing.Store(err == nil)
		return r, err
	}, txTimeout(gctx))
	if err != nil {
		return result, translateIn(gctx, err, mode == neo4j.AccessModeWrite && committing.Load())
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

// translateIn translates err, the failure of a query run with ctx, telling apart what the context
// says happened: the database stopped under the query (EUNAVAILABLE), the request's deadline passed
// (ETIMEOUT), the client went away (ECANCELED). duringCommit says a write's work had completed, so
// that a lost connection or a passed deadline leaves its outcome unknown (EUNKNOWN).
func translateIn(ctx context.Context, err error, duringCommit bool) error {
	var de *athar.Error
	var dp athar.Problems
	if errors.As(err, &de) || errors.As(err, &dp) {
		return err
	}
	var ne *neo4j.Neo4jError
	definite := errors.As(err, &ne) && !strings.HasPrefix(ne.Code, "Neo.DatabaseError.")
	if duringCommit && !definite {
		// A Neo4j client or transient error rolls the transaction back; anything else (the
		// connection lost, the deadline passed, the database failing as it wrote, for instance on
		// a full disk) may have come after the commit was applied.
		return &wrapped{code: athar.EUNKNOWN, msg: "the database did not confirm the commit: the change may have been written; check before retrying", err: err}
	}
	if isCommitLost(err) {
		return &wrapped{code: athar.EUNKNOWN, msg: "the connection to the database was lost during the commit: the change may have been written; check before retrying", err: err}
	}
	var limit *neo4j.TransactionExecutionLimit
	var ce *neo4j.ConnectivityError
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errDatabaseLost):
		return &wrapped{code: athar.EUNAVAILABLE, msg: "the database stopped while answering; it is being restarted: try again shortly", err: err}
	case ctx.Err() != nil && errors.As(err, &limit) && len(limit.Errors) > 0 && errors.As(limit.Errors[len(limit.Errors)-1], &ce):
		// The driver was still retrying an unreachable database when the request ended.
		return &wrapped{code: athar.EUNAVAILABLE, msg: "the database cannot be reached", err: err}
	case errors.Is(cause, context.DeadlineExceeded):
		return &wrapped{code: athar.ETIMEOUT, msg: "the request took longer than its time limit and was stopped", err: err}
	case errors.Is(cause, context.Canceled):
		return &wrapped{code: athar.ECANCELED, msg: "the request was cancelled by the client", err: err}
	}
	return translate(err)
}

// isCommitLost reports whether the driver lost its connection while a commit was under way. The
// driver says so only in the text of an unexported error type ("Connection lost during commit"),
// which it wraps in a ConnectivityError and does not retry.
func isCommitLost(err error) bool {
	var ce *neo4j.ConnectivityError
	return errors.As(err, &ce) && ce.Inner != nil && strings.Contains(ce.Inner.Error(), "Connection lost during commit")
}

// readOnlyCodes are the Neo4j status codes of a database that refuses writes.
var readOnlyCodes = map[string]bool{
	"Neo.ClientError.General.ForbiddenOnReadOnlyDatabase":   true,
	"Neo.ClientError.General.WriteOnReadOnlyAccessDatabase": true,
	"Neo.ClientError.Cluster.NotALeader":                    true,
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
	case errors.Is(err, context.DeadlineExceeded):
		return &wrapped{code: athar.ETIMEOUT, msg: "the request took longer than its time limit and was stopped", err: err}
	case errors.Is(err, context.Canceled):
		return &wrapped{code: athar.ECANCELED, msg: "the request was cancelled by the client", err: err}
	case errors.As(err, &ne):
		switch {
		case ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			return &wrapped{code: athar.ECONFLICT, msg: "an entity with that id already exists", err: err}
		case strings.Contains(ne.Code, "TransactionTimedOut"):
			return &wrapped{code: athar.ETIMEOUT, msg: "the request took longer than its time limit and was stopped", err: err}
		case readOnlyCodes[ne.Code], strings.Contains(ne.Msg, "No space left on device"):
			return &wrapped{code: athar.EREADONLY, msg: "the database accepts no writes now (its storage is full or read-only); reading still works", err: err}
		case ne.Code == "Neo.TransientError.General.DatabaseUnavailable", ne.Code == "Neo.ClientError.Routing.DbmsInPanic",
			strings.Contains(ne.Msg, "needs to be restarted"):
			return &wrapped{code: athar.EUNAVAILABLE, msg: "the database is unavailable", err: err}
		case strings.HasPrefix(ne.Code, "Neo.TransientError"):
			return &wrapped{code: athar.EBUSY, msg: "the database is busy; try again shortly", err: err}
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
