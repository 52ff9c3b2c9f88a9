package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/httpapi"
)

func TestStatusCode(t *testing.T) {
	for code, want := range map[string]int{
		athar.EINVALID:     http.StatusBadRequest,
		athar.ENOTFOUND:    http.StatusNotFound,
		athar.ECONFLICT:    http.StatusConflict,
		athar.EUNAVAILABLE: http.StatusServiceUnavailable,
		athar.ETIMEOUT:     http.StatusGatewayTimeout,
		athar.ECANCELED:    httpapi.StatusClientClosedRequest,
		athar.EBUSY:        http.StatusServiceUnavailable,
		athar.EREADONLY:    http.StatusServiceUnavailable,
		athar.EUNKNOWN:     http.StatusBadGateway,
		athar.EINTERNAL:    http.StatusInternalServerError,
		"":                 http.StatusInternalServerError,
		"no_such_code":     http.StatusInternalServerError,
	} {
		if got := httpapi.StatusCode(code); got != want {
			t.Errorf("StatusCode(%q) = %d, want %d", code, got, want)
		}
	}
}

// A client that went away is information, a timeout or a busy database a warning, a failure of
// Athar or its database an error; the client's own mistakes are not logged.
func TestLogLevel(t *testing.T) {
	for code, want := range map[string]string{
		athar.ECANCELED:    "INFO",
		athar.ETIMEOUT:     "WARN",
		athar.EBUSY:        "WARN",
		athar.EUNAVAILABLE: "ERROR",
		athar.EREADONLY:    "ERROR",
		athar.EUNKNOWN:     "ERROR",
		athar.EINTERNAL:    "ERROR",
		athar.EINVALID:     "",
		athar.ENOTFOUND:    "",
	} {
		level, logged := httpapi.LogLevel(code)
		got := ""
		if logged {
			got = level.String()
		}
		if got != want {
			t.Errorf("LogLevel(%q) = %q, want %q", code, got, want)
		}
	}
}
