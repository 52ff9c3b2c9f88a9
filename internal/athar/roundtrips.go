package athar

import (
	"context"
	"sync/atomic"
)

type roundTripKey struct{}

// WithRoundTripCounter returns a context under which the store counts every query it sends to the
// database, and the counter. A request's count is bounded by the depth of its query, not by how
// many items it returns; tests and `athar bench` read it to prove that.
func WithRoundTripCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, roundTripKey{}, n), n
}

// CountRoundTrip adds one to the context's counter, if it has one.
func CountRoundTrip(ctx context.Context) {
	if n, ok := ctx.Value(roundTripKey{}).(*atomic.Int64); ok && n != nil {
		n.Add(1)
	}
}

// RoundTrips returns how many queries have been counted under ctx so far.
func RoundTrips(ctx context.Context) int64 {
	if n, ok := ctx.Value(roundTripKey{}).(*atomic.Int64); ok && n != nil {
		return n.Load()
	}
	return 0
}

// Uncounted returns ctx under which queries are not counted in its request's count: the lookups
// that authenticate a request, which precede its operation and are the same for every request
// (internal/metrics still counts them).
func Uncounted(ctx context.Context) context.Context {
	return context.WithValue(ctx, roundTripKey{}, (*atomic.Int64)(nil))
}
