package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ConfigMaxBodyBytes is the environment variable that sets the largest GraphQL request body
// (Config.MaxBodyBytes): clients are told its name when they exceed it.
const ConfigMaxBodyBytes = "ATHAR_MAX_BODY_BYTES"

// ConfigBodyReadTimeout is the environment variable that sets how long a request's body may take to
// arrive (Config.BodyReadTimeout): clients are told its name when theirs did not.
const ConfigBodyReadTimeout = "ATHAR_BODY_READ_TIMEOUT"

// WriteGraphQLError answers a GraphQL request that is refused before it is read as GraphQL (a body
// too large, Athar busy): the status, and a GraphQL response of one error with the message and
// extensions, without a data entry (GraphQL over HTTP, section 7.1: the request did not begin to
// execute).
func WriteGraphQLError(w http.ResponseWriter, status int, message string, extensions map[string]any) {
	type gqlError struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}
	if code, ok := extensions["code"].(string); ok {
		recordCode(w, code)
	}
	writeJSON(w, status, map[string]any{"errors": []gqlError{{Message: message, Extensions: extensions}}})
}

// WriteBodyTooLarge answers 413 to a GraphQL request whose body is over limit bytes, naming the
// limit and its setting (extensions.code BAD_USER_INPUT, extensions.limit in bytes).
func WriteBodyTooLarge(w http.ResponseWriter, limit int64) {
	// The rest of the body is not read: the connection is closed after the answer.
	w.Header().Set("Connection", "close")
	WriteGraphQLError(w, http.StatusRequestEntityTooLarge,
		"the request body is larger than the limit of "+strconv.FormatInt(limit, 10)+" bytes ("+ConfigMaxBodyBytes+")",
		map[string]any{"code": "BAD_USER_INPUT", "limit": limit, "setting": ConfigMaxBodyBytes})
}

// writeJSON answers with the status and v as JSON (application/json; charset=utf-8).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
