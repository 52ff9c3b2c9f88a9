package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/athar-project/athar/internal/metrics"
)

// withMetrics counts every request in internal/metrics: by the route that serves it (the pattern
// mux matches, so that ids in a path never become label values), its GraphQL operation type and
// error code (which the GraphQL endpoint records in the request's context), its status and its
// duration. It is the outermost middleware, so that requests the host check or the write credential
// refuse are counted too.
func withMetrics(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		_, pattern := mux.Handler(r)
		ctx, m := metrics.WithRequest(r.Context())
		m.Started()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() { m.Finished(pattern, rec.status, time.Since(started)) }()
		next.ServeHTTP(codeWriter{rec, ctx}, r.WithContext(ctx))
	})
}

// codeWriter is the response writer withMetrics hands on: an answer that httpapi writes itself
// (refused for its body, its wait, or an export's error) records its error code through it, as the
// GraphQL endpoint records the codes of the answers it writes.
type codeWriter struct {
	*statusRecorder
	ctx context.Context
}

func (c codeWriter) recordErrorCode(code string) { metrics.SetErrorCode(c.ctx, code) }

// Unwrap lets http.ResponseController reach the connection.
func (c codeWriter) Unwrap() http.ResponseWriter { return c.statusRecorder }

// recordCode records an answer's error code in the metrics of its request: through the codeWriter
// that w wraps, if any.
func recordCode(w http.ResponseWriter, code string) {
	for w != nil {
		if c, ok := w.(interface{ recordErrorCode(string) }); ok {
			c.recordErrorCode(code)
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}
