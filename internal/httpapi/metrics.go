package httpapi

import (
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
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}
