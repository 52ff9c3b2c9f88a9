package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/athar-project/athar/internal/httpapi"
)

// Media types of GraphQL responses (GraphQL over HTTP, section 4.1).
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// CodeBadRequest is the extensions.code of a request that is not a GraphQL-over-HTTP request at
// all: a body that is not JSON or not an object, a parameter of the wrong type, a Content-Type or
// method the endpoint does not take. extensions.field names the parameter when there is one.
const CodeBadRequest = "BAD_REQUEST"

// overHTTP is the GraphQL-over-HTTP transport (https://graphql.github.io/graphql-over-http/draft/)
// for GET and POST: gqlgen's own GET and POST transports echo an undecodable body back with Go's
// type names, answer a body over the limit with 200, and use 422 where the specification says 200
// or 400. It answers:
//
//   - in the media type the Accept header prefers among application/graphql-response+json and
//     application/json (application/json when there is none, or for */*), and 406 when it accepts
//     neither;
//   - a malformed request (body not JSON, not an object, a parameter of the wrong type, no
//     query) with 400 and extensions.code BAD_REQUEST, naming the parameter, never echoing the
//     body; a Content-Type other than application/json with 415; a body over the limit with 413;
//   - a document that does not parse or validate, or variables that do not fit (a request error),
//     with 400 under application/graphql-response+json and 200 under application/json, without a
//     data entry;
//   - a mutation sent with GET with 405 and Allow: POST, without running it.
//
// OPTIONS and HEAD are left to gqlgen's transport.Options.
type overHTTP struct {
	logger *slog.Logger
}

var _ graphql.Transport = overHTTP{}

// Supports takes every request but OPTIONS and HEAD: a method the endpoint does not serve gets
// 405 from Do rather than gqlgen's "transport not supported".
func (overHTTP) Supports(r *http.Request) bool {
	return r.Method != http.MethodOptions && r.Method != http.MethodHead
}

// requestError is a request refused before it reaches GraphQL.
type requestError struct {
	status  int
	message string
	field   string // the request parameter at fault, if any
}

// Do serves one request.
func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		t.refuse(w, mediaJSON, requestError{http.StatusNotAcceptable,
			"the Accept header allows neither " + mediaGraphQLResponse + " nor " + mediaJSON, ""})
		return
	}
	var params *graphql.RawParams
	var rerr *requestError
	switch r.Method {
	case http.MethodGet:
		params, rerr = readGET(r)
	case http.MethodPost:
		params, rerr = readPOST(w, r)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		rerr = &requestError{http.StatusMethodNotAllowed, "GraphQL requests are sent with GET (queries only) or POST", ""}
	}
	if rerr != nil {
		if rerr.status != 0 {
			t.refuse(w, media, *rerr)
		}
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// A request error: nothing ran (section 6.4.1 for application/json, 6.4.2 for
		// application/graphql-response+json).
		annotateRequestErrors(params.Query, errs)
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = requestErrorStatus(errs)
		}
		t.write(w, media, status, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs), false)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		// Section 6.3.1: a GET must not change anything, whatever the document says.
		w.Header().Set("Allow", "POST")
		t.refuse(w, media, requestError{http.StatusMethodNotAllowed,
			"a " + string(opCtx.Operation.Operation) + " must be sent with POST; GET runs queries only", ""})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		// The request's context ended before execution began: the client went away (nobody
		// reads an answer) or its deadline passed.
		if r.Context().Err() == nil || errors.Is(r.Context().Err(), context.DeadlineExceeded) {
			t.write(w, media, http.StatusGatewayTimeout, &graphql.Response{Errors: gqlerror.List{{
				Message: "the request ran out of time before it could run", Extensions: map[string]any{"code": CodeTimeout},
			}}}, false)
		}
		return
	}
	t.write(w, media, http.StatusOK, resp, true)
}

// readGET reads the parameters of a GET request from its URL: query, operationName, and variables
// and extensions as JSON objects.
func readGET(r *http.Request) (*graphql.RawParams, *requestError) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &requestError{http.StatusBadRequest, "the URL's query string is malformed", ""}
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if !q.Has("query") {
		return nil, &requestError{http.StatusBadRequest, `the request has no "query" parameter: send the GraphQL document in it`, "query"}
	}
	for _, name := range []string{"variables", "extensions"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		m, rerr := decodeObject(name, json.RawMessage(v))
		if rerr != nil {
			return nil, rerr
		}
		if name == "variables" {
			p.Variables = m
		} else {
			p.Extensions = m
		}
	}
	return p, nil
}

// readPOST reads the parameters of a POST request from its JSON body. A nil error with a zero
// status means the answer was sent already.
func readPOST(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, *requestError) {
	mt, mp, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Header.Get("Content-Type") == "":
		return nil, &requestError{http.StatusUnsupportedMediaType, "a POST request needs Content-Type: application/json", ""}
	case err != nil || mt != mediaJSON:
		return nil, &requestError{http.StatusUnsupportedMediaType, "the request body must be application/json", ""}
	case mp["charset"] != "" && !strings.EqualFold(mp["charset"], "utf-8"):
		return nil, &requestError{http.StatusUnsupportedMediaType, "the request body must be encoded in UTF-8", ""}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			httpapi.WriteBodyTooLarge(w, tooLarge.Limit)
			return nil, &requestError{}
		}
		return nil, &requestError{http.StatusBadRequest, "the request body could not be read", ""}
	}
	fields, rerr := decodeBody(body)
	if rerr != nil {
		return nil, rerr
	}
	p := &graphql.RawParams{}
	raw, ok := fields["query"]
	if !ok || isNull(raw) {
		return nil, &requestError{http.StatusBadRequest, `the request has no "query": send the GraphQL document in it`, "query"}
	}
	if err := json.Unmarshal(raw, &p.Query); err != nil {
		return nil, &requestError{http.StatusBadRequest, `"query" must be a string holding a GraphQL document, not ` + rawJSONKind(raw), "query"}
	}
	if raw, ok := fields["operationName"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &p.OperationName); err != nil {
			return nil, &requestError{http.StatusBadRequest, `"operationName" must be a string or null, not ` + rawJSONKind(raw), "operationName"}
		}
	}
	if p.Variables, rerr = decodeObject("variables", fields["variables"]); rerr != nil {
		return nil, rerr
	}
	if p.Extensions, rerr = decodeObject("extensions", fields["extensions"]); rerr != nil {
		return nil, rerr
	}
	return p, nil
}

// decodeBody reads a request body as a JSON object's members. Its errors say what is wrong with
// the body without quoting it.
func decodeBody(body []byte) (map[string]json.RawMessage, *requestError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &requestError{http.StatusBadRequest, `the request body is empty: send a JSON object such as {"query": "{ __typename }"}`, ""}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax):
			return nil, &requestError{http.StatusBadRequest, "the request body is not valid JSON: syntax error at byte " + strconv.FormatInt(syntax.Offset, 10), ""}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &requestError{http.StatusBadRequest, "the request body is not valid JSON: it ends too early", ""}
		case !json.Valid(body):
			return nil, &requestError{http.StatusBadRequest, "the request body is not valid JSON", ""}
		}
		return nil, &requestError{http.StatusBadRequest, `the request body must be a JSON object such as {"query": "{ __typename }"}, not ` + rawJSONKind(body), ""}
	}
	if fields == nil {
		return nil, &requestError{http.StatusBadRequest, `the request body must be a JSON object such as {"query": "{ __typename }"}, not null`, ""}
	}
	return fields, nil
}

// decodeObject decodes the JSON object of the parameter name (variables or extensions); null or
// absent is no object. Numbers stay json.Number, so that large integers keep their digits until a
// scalar reads them.
func decodeObject(name string, raw json.RawMessage) (map[string]any, *requestError) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		what := rawJSONKind(raw)
		if !json.Valid(raw) {
			what = "text that is not JSON"
		}
		return nil, &requestError{http.StatusBadRequest, fmt.Sprintf("%q must be a JSON object or null, not %s", name, what), name}
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// rawJSONKind names the kind of an undecoded JSON value by its first character, in JSON's terms.
func rawJSONKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return "text that is not JSON"
}

// negotiate picks the response's media type from the Accept header (RFC 9110, section 12.5.1):
// the acceptable one of highest quality, the first listed among equals; a wildcard stands for
// application/json, which every client reads (GraphQL over HTTP, section 6.4). No Accept header,
// or an empty one, means application/json; ok is false when the header accepts neither media type.
func negotiate(accept []string) (media string, ok bool) {
	if strings.TrimSpace(strings.Join(accept, "")) == "" {
		return mediaJSON, true
	}
	bestQ := 0.0
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					continue
				}
			}
			var candidate string
			switch mt {
			case mediaGraphQLResponse, mediaJSON:
				candidate = mt
			case "application/*", "*/*":
				candidate = mediaJSON
			default:
				continue
			}
			if q > bestQ {
				media, bestQ = candidate, q
			}
		}
	}
	return media, media != ""
}

// refuse answers a request refused before GraphQL: the status, and one error with
// extensions.code BAD_REQUEST and, when there is one, the parameter at fault in extensions.field.
func (t overHTTP) refuse(w http.ResponseWriter, media string, e requestError) {
	ext := map[string]any{"code": CodeBadRequest}
	if e.field != "" {
		ext["field"] = e.field
	}
	t.write(w, media, e.status, &graphql.Response{Errors: gqlerror.List{{Message: e.message, Extensions: ext}}}, false)
}

// write sends resp with the status in the media type, in UTF-8. Without withData, the data entry is
// left out: a request error means execution never began (GraphQL over HTTP, section 7.1).
func (t overHTTP) write(w http.ResponseWriter, media string, status int, resp *graphql.Response, withData bool) {
	var b []byte
	var err error
	if withData {
		b, err = encodeResponse(resp)
	} else {
		b, err = json.Marshal(struct {
			Errors     gqlerror.List  `json:"errors,omitempty"`
			Extensions map[string]any `json:"extensions,omitempty"`
		}{resp.Errors, resp.Extensions})
	}
	if err != nil {
		t.logger.Error("encoding a GraphQL response", "err", err)
		status, media = http.StatusInternalServerError, mediaJSON
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + CodeInternal + `"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	if after := retryAfter(resp.Errors); after > 0 {
		// A busy or unavailable database: the error presenter put the wait in the errors, and
		// HTTP clients and proxies read it from the header (RFC 9110, section 10.2.3).
		w.Header().Set("Retry-After", strconv.Itoa(after))
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// encodeResponse is resp as encoding/json writes it, but for its data: JSON that gqlgen wrote
// (tens of kilobytes for an evidence tree), which json.Marshal would parse, validate and compact
// again, is copied as it is with only its <, > and & escaped, as json.Marshal escapes them. A
// response of incremental delivery (label, path, hasNext) goes through json.Marshal whole.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return json.Marshal(resp)
	}
	var b bytes.Buffer
	b.Grow(len(resp.Data) + 64)
	b.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		b.WriteString(`"errors":`)
		b.Write(errs)
		b.WriteByte(',')
	}
	b.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		b.WriteString("null")
	} else {
		json.HTMLEscape(&b, resp.Data)
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"extensions":`)
		b.Write(ext)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// retryAfter returns the longest extensions.retryAfter, in seconds, of errs (0 for none).
func retryAfter(errs gqlerror.List) int {
	longest := 0
	for _, e := range errs {
		if n, ok := intArg(e.Extensions["retryAfter"]); ok {
			longest = max(longest, n)
		}
	}
	return longest
}

// requestErrorStatus is the status of a request error under application/graphql-response+json
// (GraphQL over HTTP, section 6.4.2: a 4xx or 5xx status): 504 when the request ran past its deadline
// before it ran (TIMEOUT, which is not the client's mistake to correct), 400 for everything else, the
// document and the variables being the client's.
func requestErrorStatus(errs gqlerror.List) int {
	for _, e := range errs {
		if code, _ := e.Extensions["code"].(string); code == CodeTimeout {
			return http.StatusGatewayTimeout
		}
	}
	return http.StatusBadRequest
}
