package resolvers

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// An answer is written byte for byte as json.Marshal writes it (HTML's <, > and & escaped in the
// data too), with and without errors and extensions, and with no data.
func TestEncodeResponse_IsWhatJSONMarshalWrites(t *testing.T) {
	yes := true
	for name, resp := range map[string]*graphql.Response{
		"data":     {Data: json.RawMessage(`{"facility":{"name":"Ain Jalout <school> & \"clinic\"","attacks":[{"id":"attack:1","killed":{"low":3,"high":null}}]}}`)},
		"no data":  {Errors: gqlerror.List{{Message: "bad <input>", Path: ast.Path{ast.PathName("facility")}, Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "id"}}}},
		"both":     {Data: json.RawMessage(`{"a":null,"b":"\u0026"}`), Errors: gqlerror.List{{Message: "not found", Path: ast.Path{ast.PathName("a")}}}, Extensions: map[string]any{"dbRoundTrips": 1}},
		"nothing":  {},
		"deferred": {Data: json.RawMessage(`{"x":1}`), Label: "l", Path: ast.Path{ast.PathName("x")}, HasNext: &yes},
	} {
		got, err := encodeResponse(resp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
