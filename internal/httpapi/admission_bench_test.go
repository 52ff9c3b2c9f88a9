package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/athar-project/athar/internal/httpapi"
)

// BenchmarkAdmission measures a request that does nothing through NewServer's whole middleware
// (request id and log, credential, admission control, body limit, timeout), with requests running
// in parallel from one client or from 64: each takes and gives back a running slot. A GraphQL
// request's Neo4j round trips take milliseconds; this is microseconds.
func BenchmarkAdmission(b *testing.B) {
	nothing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, clients := range []int{1, 64} {
		b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
			h := httpapi.NewServer(httpapi.Config{GraphQL: nothing, Logger: discard,
				Admission: httpapi.NewAdmission(httpapi.AdmissionConfig{MaxRunning: 64, MaxRunningPerClient: 64})})
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
				req.RemoteAddr = "10.0.0." + strconv.Itoa(int(next.Add(1))%clients) + ":50000"
				for pb.Next() {
					h.ServeHTTP(httptest.NewRecorder(), req)
				}
			})
		})
	}
}
