package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/athar-project/athar/internal/athar"
)

// statusCodes maps each domain error code to the HTTP status of a plain-HTTP answer. GraphQL
// answers carry the code in extensions.code instead (see the resolvers' error presenter).
var statusCodes = map[string]int{
	athar.EINVALID:     http.StatusBadRequest,
	athar.ENOTFOUND:    http.StatusNotFound,
	athar.ECONFLICT:    http.StatusConflict,
	athar.EUNAVAILABLE: http.StatusServiceUnavailable,
	athar.EINTERNAL:    http.StatusInternalServerError,
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
// each as {"parameter", "error"}. Internal and unavailable errors are logged with the request id.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := athar.ErrorCode(err)
	if code == athar.EINTERNAL || code == athar.EUNAVAILABLE {
		ctx := r.Context()
		logger.ErrorContext(ctx, "request failed", "request_id", RequestID(ctx), "path", r.URL.Path, "err", err)
	}
	body := map[string]any{"error": athar.ErrorMessage(err)}
	var e *athar.Error
	var ps athar.Problems
	switch {
	case errors.As(err, &ps) && len(ps) > 0:
		list := make([]map[string]string, len(ps))
		for i, p := range ps {
			list[i] = map[string]string{"parameter": p.Field, "error": p.Message}
		}
		body["parameter"], body["problems"] = ps[0].Field, list
	case errors.As(err, &e) && e.Field != "":
		body["parameter"] = e.Field
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(StatusCode(code))
	_ = json.NewEncoder(w).Encode(body)
}
