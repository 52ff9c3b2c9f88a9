package resolvers_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// TestREADME_ExamplesRun runs every GraphQL example of the README against the seed, as a reader
// pasting it into the playground would, and fails on any error (a mutation's user errors too) or
// empty answer.
func TestREADME_ExamplesRun(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(examples) < 10 {
		t.Fatalf("found %d GraphQL examples in the README", len(examples))
	}
	c := MustServer(t, true)
	// As the README's "Working as a team" has it, the first admin is made on the command line
	// before any account is added through the API.
	neo4jtest.MustAccount(t, neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database), "lead", athar.RoleAdmin, time.Time{})
	for i, ex := range examples {
		resp := c.Do(ex[1], nil)
		if len(resp.Errors) > 0 || len(resp.Data) == 0 || string(resp.Data) == "null" || strings.Contains(string(resp.Data), `"userErrors":[{`) {
			t.Errorf("example %d:\n%s\nerrors: %+v\ndata: %s", i+1, ex[1], resp.Errors, resp.Data)
		}
	}
}
