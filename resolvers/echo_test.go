package resolvers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/neo4jtest"
)

// Whatever a client sends, an answer quotes at most a glimpse of it: unknown enum values, unknown
// keys of a variable's object, an unknown operation name, a bad Date, a mutation's bad input and an
// export's bad parameter value, each 100 KB long, come back in answers of a few kilobytes that do
// not hold the value.
func TestAnswers_NeverEchoWhatTheClientSent(t *testing.T) {
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	c := serve(t, store, nil)
	long := "ECHO" + strings.Repeat("x", 100_000)
	requests := []map[string]any{
		{"query": `query ($t: [FacilityType!]) { facilities(filter: {types: $t}) { totalCount } }`, "variables": map[string]any{"t": []any{long}}},
		{"query": `query ($f: AttackFilter) { attacks(filter: $f) { totalCount } }`, "variables": map[string]any{"f": map[string]any{long: 1}}},
		{"query": `query A { __typename } query B { __typename }`, "operationName": long},
		{"query": `query ($d: Date!) { day(date: $d) { id } }`, "variables": map[string]any{"d": long}},
		{"query": `{ facilities(filter: {types: [` + long + `]}) { totalCount } }`},
		{"query": `mutation ($i: CreatePlaceInput!) { createPlace(input: $i) { userErrors { field message } } }`,
			"variables": map[string]any{"i": map[string]any{"name": "x", "kind": long}}},
	}
	for _, req := range requests {
		body, _ := json.Marshal(req)
		if len(body) > 1<<20 {
			t.Fatalf("request of %d bytes is over the body limit", len(body))
		}
		res, err := http.Post(c.url+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if len(answer) > 4096 || bytes.Contains(answer, []byte(strings.Repeat("x", 100))) {
			t.Errorf("%.100s...: a %d-byte answer echoes the value: %.300s", req["query"], len(answer), answer)
		}
		if !bytes.Contains(answer, []byte(`"errors"`)) && !bytes.Contains(answer, []byte(`"userErrors":[{`)) {
			t.Errorf("%.100s...: no error in %.300s", req["query"], answer)
		}
	}
	for _, param := range []string{"weapons", "facilityTypes", "from", "text"} {
		res, err := http.Get(c.url + "/export/attacks.csv?" + param + "=" + url.QueryEscape(long[:20_000]))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || len(answer) > 4096 || bytes.Contains(answer, []byte(strings.Repeat("x", 100))) {
			t.Errorf("export ?%s=<20 KB>: status %d, a %d-byte answer: %.300s", param, res.StatusCode, len(answer), answer)
		}
	}
}
