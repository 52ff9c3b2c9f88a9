package resolvers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

// httpAnswer is a raw answer of /graphql.
type httpAnswer struct {
	status      int
	contentType string
	allow       string
	raw         string
	body        struct {
		Data   *json.RawMessage `json:"data"`
		Errors []gqlError       `json:"errors"`
	}
}

// send sends one request to /graphql as it is, and decodes the answer, which must be JSON.
func (c *client) send(method, rawQuery, contentType, accept, body string) httpAnswer {
	c.tb.Helper()
	u := c.url + "/graphql"
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := httpAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), allow: resp.Header.Get("Allow"), raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		c.tb.Fatalf("%s %s: the answer is not JSON (%v): %s", method, u, err, raw)
	}
	return a
}

// goTerms are words that give away the Go program behind a message.
var goTerms = []string{"Go value", "graphql.", "RawParams", "json:", "unmarshal", "map[", "slice", "interface", "float64", "int64", "reflect"}

// A request that is not a GraphQL-over-HTTP request is refused with the right status and a
// message that says what is wrong in the client's terms: never Go's type names, never the body
// echoed back.
func TestGraphQLOverHTTP_MalformedRequests(t *testing.T) {
	c := MustServer(t, false)
	const secret = "s3cret-marker"
	cases := []struct {
		name, contentType, body string
		status                  int
		field                   string
	}{
		{"an array", "application/json", `[{"query": "{ __typename }"}, "` + secret + `"]`, 400, ""},
		{"a string", "application/json", `"` + secret + `"`, 400, ""},
		{"a number", "application/json", `42`, 400, ""},
		{"null", "application/json", `null`, 400, ""},
		{"malformed JSON", "application/json", `{"query": "{ __typename }", "` + secret, 400, ""},
		{"not JSON at all", "application/json", secret + ` { __typename }`, 400, ""},
		{"text after the object", "application/json", `{"query": "{ __typename }"} ` + secret, 400, ""},
		{"empty", "application/json", ``, 400, ""},
		{"no query", "application/json", `{"qeury": "` + secret + `"}`, 400, "query"},
		{"a query that is an object", "application/json", `{"query": {"` + secret + `": 1}}`, 400, "query"},
		{"variables that are a string", "application/json", `{"query": "{ __typename }", "variables": "` + secret + `"}`, 400, "variables"},
		{"variables that are an array", "application/json", `{"query": "{ __typename }", "variables": ["` + secret + `"]}`, 400, "variables"},
		{"extensions that are a number", "application/json", `{"query": "{ __typename }", "extensions": 7}`, 400, "extensions"},
		{"an operationName that is a boolean", "application/json", `{"query": "{ __typename }", "operationName": true}`, 400, "operationName"},
		{"no Content-Type", "", `{"query": "{ __typename }"}`, 415, ""},
		{"text/plain", "text/plain", `{"query": "{ __typename }"}`, 415, ""},
		{"a form", "application/x-www-form-urlencoded", `query=%7B__typename%7D`, 415, ""},
		{"another charset", "application/json; charset=latin1", `{"query": "{ __typename }"}`, 415, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.send(http.MethodPost, "", tc.contentType, "", tc.body)
			if a.status != tc.status {
				t.Errorf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if len(a.body.Errors) != 1 || a.body.Data != nil {
				t.Fatalf("want one error and no data: %s", a.raw)
			}
			e := a.body.Errors[0]
			if e.Extensions["code"] != resolvers.CodeBadRequest || tc.field != "" && e.Extensions["field"] != tc.field {
				t.Errorf("extensions %v, want code %s and field %q", e.Extensions, resolvers.CodeBadRequest, tc.field)
			}
			if strings.Contains(a.raw, secret) {
				t.Errorf("the body is echoed: %s", a.raw)
			}
			for _, term := range goTerms {
				if strings.Contains(e.Message, term) {
					t.Errorf("the message names Go's %q: %s", term, e.Message)
				}
			}
		})
	}
	t.Run("a method other than GET and POST", func(t *testing.T) {
		a := c.send(http.MethodPut, "", "application/json", "", `{"query": "{ __typename }"}`)
		if a.status != http.StatusMethodNotAllowed || !strings.Contains(a.allow, "POST") {
			t.Errorf("PUT: %d, Allow %q", a.status, a.allow)
		}
	})
	t.Run("an Accept header that allows no JSON", func(t *testing.T) {
		a := c.send(http.MethodPost, "", "application/json", "text/html", `{"query": "{ __typename }"}`)
		if a.status != http.StatusNotAcceptable {
			t.Errorf("Accept: text/html: %d", a.status)
		}
	})
}

// The answer's media type follows the Accept header, and a document that does not parse or
// validate is a request error: 400 under application/graphql-response+json, 200 under
// application/json, and no data entry either way.
func TestGraphQLOverHTTP_MediaTypesAndStatuses(t *testing.T) {
	c := MustServer(t, false)
	for _, tc := range []struct{ accept, media string }{
		{"", "application/json"},
		{"*/*", "application/json"},
		{"application/json", "application/json"},
		{"application/graphql-response+json", "application/graphql-response+json"},
		{"application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json"},
		{"application/graphql-response+json;q=0.5, application/json", "application/json"},
		{"text/html, */*;q=0.8", "application/json"},
	} {
		a := c.send(http.MethodPost, "", "application/json", tc.accept, `{"query": "{ __typename }"}`)
		if a.status != 200 || !strings.HasPrefix(a.contentType, tc.media) || !strings.Contains(a.contentType, "charset=utf-8") {
			t.Errorf("Accept %q: %d %q, want 200 %s; charset=utf-8", tc.accept, a.status, a.contentType, tc.media)
		}
	}
	for _, doc := range []string{`{`, `{ nosuchfield }`, `query ($n: Int) { attacks(first: $n) { totalCount } }`} {
		body, _ := json.Marshal(map[string]any{"query": doc, "variables": map[string]any{"n": "many"}})
		for accept, want := range map[string]int{"application/json": 200, "application/graphql-response+json": 400} {
			a := c.send(http.MethodPost, "", "application/json", accept, string(body))
			if a.status != want || a.body.Data != nil || len(a.body.Errors) == 0 || strings.Contains(a.raw, `"data"`) {
				t.Errorf("%q accepting %s: %d %s, want %d, errors and no data entry", doc, accept, a.status, a.raw, want)
			}
		}
	}
	a := c.send(http.MethodGet, "query="+url.QueryEscape("{ __typename }"), "", "", "")
	if a.status != 200 || a.body.Data == nil {
		t.Errorf("a query over GET: %d %s", a.status, a.raw)
	}
	if a := c.send(http.MethodGet, "", "", "", ""); a.status != 400 || a.body.Errors[0].Extensions["field"] != "query" {
		t.Errorf("GET without a query: %d %s", a.status, a.raw)
	}
	if a := c.send(http.MethodGet, "query="+url.QueryEscape("{ __typename }")+"&variables=%7Bnot-json", "", "", ""); a.status != 400 || a.body.Errors[0].Extensions["field"] != "variables" {
		t.Errorf("GET with variables that are not JSON: %d %s", a.status, a.raw)
	}
}

// A mutation sent with GET is refused with 405 and Allow: POST, and nothing is written.
func TestGraphQLOverHTTP_MutationOverGETIs405(t *testing.T) {
	c := MustServer(t, false)
	q := url.Values{"query": {`mutation { createPlace(input: {id: "place:by-get", name: "By GET", kind: CITY}) { place { id } } }`}}
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		a := c.send(http.MethodGet, q.Encode(), "", accept, "")
		if a.status != http.StatusMethodNotAllowed || a.allow != "POST" || a.body.Data != nil || len(a.body.Errors) != 1 {
			t.Errorf("accepting %s: %d, Allow %q: %s", accept, a.status, a.allow, a.raw)
		}
	}
	if n := neo4jtest.Count(t, "MATCH (p:Place {id: 'place:by-get'}) RETURN count(p) AS n", nil); n != 0 {
		t.Fatal("a mutation sent with GET wrote")
	}
}

// newClientIntrospection returns a client of a server over an empty database with introspection
// on or off.
func newClientIntrospection(tb testing.TB, on bool) *client {
	return serve(tb, neo4jtest.MustStore(tb), func(gql *resolvers.Config, _ *httpapi.Config) { gql.Introspection = on })
}

// With introspection off, __schema and __type are refused as such (not as an internal error),
// wherever they hide, and no validation message suggests a name of the schema; __typename still
// answers. With it on, the same mistakes get their suggestions.
func TestIntrospection_Disabled(t *testing.T) {
	off := newClientIntrospection(t, false)
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Facility") { fields { name } } }`,
		`{ ...F } fragment F on Query { __schema { queryType { name } } }`,
		`{ ... on Query { t: __type(name: "Query") { name } } }`,
	} {
		e := off.MustError(q, nil, resolvers.CodeIntrospectionDisabled, "")
		if !strings.Contains(e.Message, "introspection is disabled") {
			t.Errorf("%s: %q", q, e.Message)
		}
	}
	var typename struct {
		Typename string `json:"__typename"`
	}
	off.MustData(`{ __typename }`, nil, &typename)
	if typename.Typename != "Query" {
		t.Errorf("__typename: %q", typename.Typename)
	}

	on := newClientIntrospection(t, true)
	mistakes := []string{
		`{ facilty(id: "x") { id } }`,                                     // a field
		`{ facility(idd: "x") { id } }`,                                   // an argument
		`{ facility(id: "x") }`,                                           // a selection missing
		`{ attacks(filter: {facilityType: [SCHOL]}) { totalCount } }`,     // an enum value
		`{ attacks(filter: {facilityTypes: ["SCHOOL"]}) { totalCount } }`, // an enum value as a string
		`{ attacks(filter: {facilityTyp: [SCHOOL]}) { totalCount } }`,     // an input field
		`query ($f: AttackFiltr) { attacks(filter: $f) { totalCount } }`,  // a type
	}
	suggested := 0
	for _, q := range mistakes {
		resp := off.Do(q, nil)
		if len(resp.Errors) == 0 {
			t.Errorf("%s: no error", q)
		}
		for _, e := range resp.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: a suggestion with introspection off: %s", q, e.Message)
			}
		}
		for _, e := range on.Do(q, nil).Errors {
			if strings.Contains(e.Message, "Did you mean") {
				suggested++
				break
			}
		}
	}
	if suggested < 4 {
		t.Errorf("with introspection on, only %d of the mistakes got a suggestion: the test's mistakes are not the kind suggestions are made for", suggested)
	}
}

// GraphQL's own validation errors about an argument or a variable name it in extensions.field,
// and their messages speak GraphQL and JSON, not Go.
func TestValidationErrors_NameTheField(t *testing.T) {
	c := MustServer(t, false)
	create := `mutation ($i: CreatePlaceInput!) { createPlace(input: $i) { place { id } } }`
	cases := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"a literal of the wrong type", `{ attacks(first: "many") { totalCount } }`, nil, "BAD_USER_INPUT", "first"},
		{"a literal in an input object", `mutation { createPlace(input: {name: 5, kind: CITY}) { place { id } } }`, nil, "BAD_USER_INPUT", "input.name"},
		{"an unknown enum literal deep in a filter", `{ attacks(filter: {dateRange: {from: "2014-01-01"}, facilityTypes: [SCHOOL, PLANET]}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.facilityTypes[1]"},
		{"null for a non-null literal", `mutation { createPlace(input: {name: null, kind: CITY}) { place { id } } }`, nil, "BAD_USER_INPUT", "input.name"},
		{"a literal in a fragment", `{ ...F } fragment F on Query { attacks(last: true) { totalCount } }`, nil, "BAD_USER_INPUT", "last"},
		{"an unknown argument", `{ facility(id: "x", bogus: 1) { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "bogus"},
		{"a missing argument", `{ facility { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "id"},
		{"an unknown field in variables", create, map[string]any{"i": map[string]any{"name": "X", "kind": "CITY", "bogus": 1}}, "BAD_USER_INPUT", "i.bogus"},
		{"a null field in variables", create, map[string]any{"i": map[string]any{"name": nil, "kind": "CITY"}}, "BAD_USER_INPUT", "i.name"},
		{"a missing field in variables", create, map[string]any{"i": map[string]any{"kind": "CITY"}}, "BAD_USER_INPUT", "i.name"},
		{"an array for an input object", create, map[string]any{"i": []any{1}}, "BAD_USER_INPUT", "i"},
		{"an object for a string", create, map[string]any{"i": map[string]any{"name": map[string]any{"x": 1}, "kind": "CITY"}}, "BAD_USER_INPUT", "i.name"},
		{"a fraction for an Int", `query ($n: Int) { attacks(first: $n) { totalCount } }`, map[string]any{"n": 1.5}, "BAD_USER_INPUT", "n"},
		{"a number for an enum", create, map[string]any{"i": map[string]any{"name": "X", "kind": 3.5}}, "BAD_USER_INPUT", "i.kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.Do(tc.query, tc.vars)
			if len(resp.Errors) == 0 {
				t.Fatalf("no error: %s", resp.Data)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != tc.code || e.Extensions["field"] != tc.field {
				t.Errorf("extensions %v, want code %s and field %s (%q)", e.Extensions, tc.code, tc.field, e.Message)
			}
			for _, term := range goTerms {
				if strings.Contains(e.Message, term) {
					t.Errorf("the message names Go's %q: %s", term, e.Message)
				}
			}
			if strings.Contains(e.Message, "value 0") {
				t.Errorf("the message misstates the value: %s", e.Message)
			}
		})
	}
}

// A body over the limit is answered 413 naming the limit and its setting, whether its size is
// declared (Content-Length) or found while reading it (chunked): the 10 MB body was
// answered 200.
func TestGraphQLOverHTTP_BodyOverTheLimitIs413(t *testing.T) {
	c := serve(t, neo4jtest.MustStore(t), func(_ *resolvers.Config, web *httpapi.Config) { web.MaxBodyBytes = 1000 })
	doc := `{"query": "{ __typename }", "variables": {"pad": "` + strings.Repeat("x", 10<<20) + `"}}`
	for _, sized := range []bool{true, false} {
		req, err := http.NewRequest(http.MethodPost, c.url+"/graphql", strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if !sized {
			req.ContentLength = -1 // chunked
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("sized %v: %v", sized, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got gqlResponse
		_ = json.Unmarshal(raw, &got)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || len(got.Errors) != 1 || got.Data != nil ||
			!strings.Contains(got.Errors[0].Message, "1000 bytes") || !strings.Contains(got.Errors[0].Message, "ATHAR_MAX_BODY_BYTES") ||
			got.Errors[0].Extensions["limit"] != float64(1000) {
			t.Errorf("sized %v: %d %.300s, want 413 naming the limit of 1000 bytes", sized, resp.StatusCode, raw)
		}
	}
	if a := c.send(http.MethodPost, "", "application/json", "", `{"query": "{ __typename }"}`); a.status != 200 {
		t.Errorf("a body under the limit: %d %s", a.status, a.raw)
	}
}
