package resolvers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadPOST feeds arbitrary bodies to the GraphQL-over-HTTP request reader: it never panics,
// refuses with a 4xx or reads parameters, and its messages never carry Go's type names or the body.
// go test ./resolvers/ -run '^$' -fuzz FuzzReadPOST -fuzztime 1m runs it longer.
func FuzzReadPOST(f *testing.F) {
	for _, seed := range []string{
		`{"query": "{ __typename }"}`, `[1,2]`, `"s"`, `null`, `{`, ``, `{"query": 1}`,
		`{"query": "q", "variables": {"a": 1e400}}`, `{"query": "q", "variables": []}`,
		`{"query": "q", "operationName": null, "extensions": {"x": [1, {"y": null}]}}`,
		`{"query": "q"} {"query": "r"}`, "{\"query\": \"\xff\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		p, rerr := readPOST(w, r)
		if rerr == nil {
			if p == nil {
				t.Fatal("no parameters and no error")
			}
			return
		}
		if rerr.status < 400 || rerr.status > 499 {
			t.Fatalf("status %d for %q", rerr.status, body)
		}
		for _, term := range []string{"Go value", "graphql.", "RawParams", "json:", "unmarshal", "map[", "interface"} {
			if strings.Contains(rerr.message, term) {
				t.Fatalf("message %q names %q", rerr.message, term)
			}
		}
		if len(body) >= 12 && strings.Contains(rerr.message, body) {
			t.Fatalf("message %q echoes the body", rerr.message)
		}
	})
}
