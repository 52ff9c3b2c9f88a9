package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/metrics"
)

// statusCodes maps each domain error code to the HTTP status of a plain-HTTP answer. GraphQL
// answers carry the code in extensions.code instead (see the resolvers' error presenter).
var statusCodes = map[string]int{
	athar.EINVALID:      http.StatusBadRequest,
	athar.EUNAUTHORIZED: http.StatusUnauthorized,
	athar.EFORBIDDEN:    http.StatusForbidden,
	athar.ENOTFOUND:     http.StatusNotFound,
	athar.ECONFLICT:     http.StatusConflict,
	athar.EUNAVAILABLE:  http.StatusServiceUnavailable,
	athar.ETIMEOUT:      http.StatusGatewayTimeout,
	athar.ECANCELED:     StatusClientClosedRequest,
	athar.EBUSY:         http.StatusServiceUnavailable,
	athar.EREADONLY:     http.StatusServiceUnavailable,
	athar.EUNKNOWN:      http.StatusBadGateway,
	athar.EINTERNAL:     http.StatusInternalServerError,
}

// StatusClientClosedRequest is the status the request log records for a client that went away
// before its answer (nginx's 499; no answer reaches the client).
const StatusClientClosedRequest = 499

// LogLevel returns the level at which a request that failed with a domain error code is logged,
// and false for codes that are the client's own mistake and not logged: a client that went away
// is information, a passed deadline or a busy database a warning, the rest an error.
func LogLevel(code string) (slog.Level, bool) {
	switch code {
	case athar.ECANCELED:
		return slog.LevelInfo, true
	case athar.ETIMEOUT, athar.EBUSY:
		return slog.LevelWarn, true
	case athar.EUNAVAILABLE, athar.EREADONLY, athar.EUNKNOWN, athar.EINTERNAL:
		return slog.LevelError, true
	}
	return 0, false
}

// LogMessage is the log message of a request that failed with a domain error code.
func LogMessage(code string) string {
	switch code {
	case athar.ECANCELED:
		return "client went away"
	case athar.ETIMEOUT:
		return "request timed out"
	}
	return "request failed"
}

type retryAfterKey struct{}

// RetryAfter returns, in whole seconds, how long a client should wait before sending again a
// request that failed with code: the Retry-After of the server (Config.RetryAfter) for a busy or
// unavailable database, and 0 (no advice) for any other code or outside a request NewServer serves.
func RetryAfter(ctx context.Context, code string) int {
	if code != athar.EBUSY && code != athar.EUNAVAILABLE {
		return 0
	}
	d, _ := ctx.Value(retryAfterKey{}).(time.Duration)
	return int((d + time.Second - 1) / time.Second)
}

// StatusCode returns the HTTP status for a domain error code (athar.EINVALID, ...); an unknown
// code is an internal error.
func StatusCode(code string) int {
	if s, ok := statusCodes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// writeError answers a plain-HTTP request with the status of err's code and a JSON body
// {"error": message, "parameter": field} that names the parameter at fault, never with internal
// detail. When several parameters are at fault, "parameter" names the first and "problems" lists
// each as {"parameter", "error"}. Failures that are not the client's mistake are logged with the
// request id at their LogLevel, and a busy or unavailable database's answer carries Retry-After.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := athar.ErrorCode(err)
	ctx := r.Context()
	metrics.SetErrorCode(ctx, strings.ToUpper(code)) // the domain's code: INVALID, NOT_FOUND, TIMEOUT, ...
	if level, ok := LogLevel(code); ok {
		logger.Log(ctx, level, LogMessage(code), "request_id", RequestID(ctx), "path", r.URL.Path, "err", err)
	}
	if after := RetryAfter(ctx, code); after > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(after))
	}
	body := map[string]any{"error": athar.ErrorMessage(err)}
	var e *athar.Error
	var ps athar.Problems
	switch {
	case errors.As(err, &ps) && len(ps) > 0:
		list := make([]map[string]string, len(ps))
		for i, p := range ps {
			list[i] = map[string]string{"parameter": athar.ClipField(p.Field), "error": athar.ClipMessage(p.Message)}
		}
		body["parameter"], body["problems"] = athar.ClipField(ps[0].Field), list
	case errors.As(err, &e) && e.Field != "":
		body["parameter"] = athar.ClipField(e.Field)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(StatusCode(code))
	_ = json.NewEncoder(w).Encode(body)
}
