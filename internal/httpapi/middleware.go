package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// This file holds the middleware NewServer puts around the routes, outermost first: the metrics
// (metrics.go), the request log, the host check, the write credential (auth.go), then per route
// the timeout and body limit.

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "" outside a request NewServer serves.
// Logged errors and change records carry it, and clients see it in X-Request-Id and in internal
// errors. Athar makes it for every request: an id a client chose could pose as another request's
// in the change records.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestLog gives every request a new id, returns it in X-Request-Id, counts the request's
// database round trips, and logs one line per request with status and duration, and with the
// client's own X-Request-Id (client_request_id) when it is sane (1 to 64 letters, digits and
// . _ -), so that a client's trace can be found in the log. Query texts and variables are not
// logged: they may hold what an investigator is looking into.
//
// A request whose client went away before the answer is logged with status 499
// (StatusClientClosedRequest), whatever was written to the closed connection. Its context carries
// retryAfter for RetryAfter.
func withRequestLog(logger *slog.Logger, retryAfter time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		clientID := r.Header.Get("X-Request-Id")
		if !clientRequestID.MatchString(clientID) {
			clientID = ""
		}
		w.Header().Set("X-Request-Id", id)
		ctx, roundTrips := athar.WithRoundTripCounter(context.WithValue(r.Context(), requestIDKey{}, id))
		ctx = context.WithValue(ctx, retryAfterKey{}, retryAfter)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		status := rec.status
		if errors.Is(r.Context().Err(), context.Canceled) {
			status = StatusClientClosedRequest
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("client_request_id", clientID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(started)), slog.Int64("db_round_trips", roundTrips.Load()))
	})
}

// statusRecorder remembers the status and size of a response, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap returns the writer underneath, for http.ResponseController (an export moves its write
// deadline through it).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets streaming responses through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checkHost answers 421 to a request addressed to a host Athar does not serve. A web page an
// investigator visits can point its own domain name at 127.0.0.1 (DNS rebinding) and so read a
// local Athar from the browser; the Host header it must send gives it away.
//
// Whenever the check is on, the loopback names localhost, 127.0.0.1 and [::1] are allowed besides
// the configured ones: a rebinding page cannot send them (its Host header is its own name), and
// `athar healthcheck`, an operator's curl and a container's health probe on the same machine do.
// Naming a reverse proxy in ATHAR_ALLOWED_HOSTS therefore adds to them instead of locking these out.
func checkHost(allowed []string, loopbackOnly bool, next http.Handler) http.Handler {
	if len(allowed) == 0 && !loopbackOnly {
		return next
	}
	ok := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	for _, h := range allowed {
		ok[strings.Trim(strings.ToLower(strings.TrimSpace(h)), "[]")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(strings.ToLower(host), "[]")
		if !ok[host] {
			http.Error(w, "this Athar does not serve that host name (see ATHAR_ALLOWED_HOSTS)", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withTimeout gives each request a deadline; the store hands what is left of it to Neo4j.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withBodyLimit reads a request's whole body, at most n bytes and within readTimeout, before the
// request goes on (to admission control and the GraphQL endpoint), and hands it on in memory. A
// client that sends its body slowly, or never finishes it, so holds only its own connection, never
// one of the slots that admission control gives to the requests that reach Neo4j. A body over n
// bytes is answered 413 (at once when its Content-Length says so, without reading it); one that has
// not arrived within readTimeout is answered 408. Both name their setting.
func withBodyLimit(n int64, readTimeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			WriteBodyTooLarge(w, n)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(readTimeout)) // unsupported only by test recorders
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, n))
		_ = rc.SetReadDeadline(time.Time{})
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			WriteBodyTooLarge(w, n)
			return
		case err != nil:
			// The body stopped arriving (the deadline) or the client went away: either way the
			// connection cannot carry another request.
			w.Header().Set("Connection", "close")
			WriteGraphQLError(w, http.StatusRequestTimeout,
				"the request body did not arrive within "+readTimeout.String()+" ("+ConfigBodyReadTimeout+")",
				map[string]any{"code": "BAD_REQUEST", "setting": ConfigBodyReadTimeout})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}
